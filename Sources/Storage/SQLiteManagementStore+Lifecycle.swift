import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Webhooks and their deliveries, notices given once, and automatic renewal.
extension SQLiteManagementStore {
    static let deliveryColumns = "id, webhook, subscription, event, body, created_at, attempts, next_attempt_at, state, last_error"

    public func addWebhook(_ webhook: Webhook) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO webhooks (id, subscription, url, sealed_secret, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [webhook.id, webhook.subscription.rawValue, webhook.url, Data(webhook.sealedSecret), Self.timestamp(webhook.created)])
        }
    }

    public func webhooks(in subscription: SubscriptionID) async throws(StorageError) -> [Webhook] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, url, sealed_secret, created_at FROM webhooks WHERE subscription = ? ORDER BY created_at, id",
                arguments: [subscription.rawValue]
            ).map { row in
                Webhook(id: row[0], subscription: subscription, url: row[1], sealedSecret: [UInt8](row[2] as Data), created: Self.date(row[3]))
            }
        }
    }

    public func removeWebhook(_ id: String, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ? AND subscription = ?", arguments: [id, subscription.rawValue])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE webhook = ? AND state = 'pending'", arguments: [id])
            return true
        }
    }

    public func enqueueDeliveries(_ deliveries: [WebhookDelivery]) async throws(StorageError) {
        try await write { db in
            for delivery in deliveries { try Self.save(delivery, db) }
        }
    }

    public func claimDueDeliveries(now: Date, holdUntil: Date, limit: Int) async throws(StorageError) -> [WebhookDelivery] {
        try await write { db in
            let due = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.deliveryColumns) FROM webhook_deliveries
                    WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?
                    """,
                arguments: [Self.timestamp(now), limit]
            ).map(Self.delivery)
            for delivery in due {
                try db.execute(
                    sql: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?", arguments: [Self.timestamp(holdUntil), delivery.id])
            }
            return due
        }
    }

    public func updateDelivery(_ delivery: WebhookDelivery) async throws(StorageError) {
        try await write { db in try Self.save(delivery, db) }
    }

    public func deliveries(in state: WebhookDelivery.State, subscription: SubscriptionID?, limit: Int) async throws(StorageError) -> [WebhookDelivery] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.deliveryColumns) FROM webhook_deliveries
                    WHERE state = ? AND (? IS NULL OR subscription = ?) ORDER BY created_at DESC, id LIMIT ?
                    """,
                arguments: [state.rawValue, subscription?.rawValue, subscription?.rawValue, limit]
            ).map(Self.delivery)
        }
    }

    public func recordNotice(_ kind: String, about subject: String, in subscription: SubscriptionID, at time: Date) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO notices (subscription, subject, kind, given_at) VALUES (?, ?, ?, ?)",
                arguments: [subscription.rawValue, subject, kind, Self.timestamp(time)])
            return db.changesCount > 0
        }
    }

    public func setRenewalPolicy(_ policy: RenewalPolicy?, service: String, in subscription: SubscriptionID) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM renewal_policies WHERE subscription = ? AND service = ?", arguments: [subscription.rawValue, service.lowercased()])
            if let policy {
                try db.execute(
                    sql: "INSERT INTO renewal_policies (subscription, service, days_before, valid_days) VALUES (?, ?, ?, ?)",
                    arguments: [subscription.rawValue, service.lowercased(), policy.daysBefore, policy.validDays])
            }
        }
    }

    public func renewalPolicies() async throws(StorageError) -> [RenewalPolicy] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT subscription, service, days_before, valid_days FROM renewal_policies ORDER BY subscription, service").map {
                row in
                RenewalPolicy(subscription: SubscriptionID(uncheckedRawValue: row[0]), service: row[1], daysBefore: row[2], validDays: row[3])
            }
        }
    }

    public func saveRenewal(_ renewal: CertificateRenewal) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO certificate_renewals (subscription, service, old_thumbprint, new_thumbprint, renewed_at, retired)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (subscription, service, old_thumbprint) DO UPDATE SET
                        new_thumbprint = excluded.new_thumbprint, renewed_at = excluded.renewed_at, retired = excluded.retired
                    """,
                arguments: [
                    renewal.subscription.rawValue, renewal.service.lowercased(), renewal.old, renewal.new, Self.timestamp(renewal.renewed),
                    renewal.retired ? 1 : 0,
                ])
        }
    }

    public func pendingRenewals() async throws(StorageError) -> [CertificateRenewal] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT subscription, service, old_thumbprint, new_thumbprint, renewed_at FROM certificate_renewals WHERE retired = 0 ORDER BY renewed_at"
            ).map { row in
                CertificateRenewal(
                    subscription: SubscriptionID(uncheckedRawValue: row[0]), service: row[1], old: row[2], new: row[3], renewed: Self.date(row[4]))
            }
        }
    }

    private static func save(_ delivery: WebhookDelivery, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO webhook_deliveries (\(deliveryColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
                    state = excluded.state, last_error = excluded.last_error
                """,
            arguments: [
                delivery.id, delivery.webhook, delivery.subscription.rawValue, delivery.event, delivery.body, timestamp(delivery.created),
                delivery.attempts, delivery.nextAttempt.map(timestamp), delivery.state.rawValue, delivery.lastError,
            ])
    }

    private static func delivery(_ row: Row) -> WebhookDelivery {
        WebhookDelivery(
            id: row[0], webhook: row[1], subscription: SubscriptionID(uncheckedRawValue: row[2]), event: row[3], body: row[4],
            created: date(row[5]), attempts: row[6], nextAttempt: (row[7] as Double?).map(date),
            state: WebhookDelivery.State(rawValue: row[8]) ?? .dead, lastError: row[9])
    }
}
