import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Webhooks and their deliveries, notices given once, and automatic renewal.
extension PostgresManagementStore {
    public func addWebhook(_ webhook: Webhook) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                """
                INSERT INTO webhooks (id, subscription, url, sealed_secret, created_at)
                VALUES (\(webhook.id), \(webhook.subscription.rawValue), \(webhook.url), \(Data(webhook.sealedSecret)), \(StoredValues.timestamp(webhook.created)))
                """, logger: logger)
        }
    }

    public func webhooks(in subscription: SubscriptionID) async throws(StorageError) -> [Webhook] {
        try await database.read(
            "SELECT id, url, sealed_secret, created_at FROM webhooks WHERE subscription = \(subscription.rawValue) ORDER BY created_at, id"
        ) { row in
            let (id, url, secret, created) = try row.decode((String, String, Data, Double).self)
            return Webhook(id: id, subscription: subscription, url: url, sealedSecret: [UInt8](secret), created: StoredValues.date(created))
        }
    }

    public func removeWebhook(_ id: String, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { [self] db in
            guard try await db.exists("SELECT 1 FROM webhooks WHERE id = \(id) AND subscription = \(subscription.rawValue)", logger: logger) else {
                return false
            }
            _ = try await db.query("DELETE FROM webhooks WHERE id = \(id)", logger: logger)
            _ = try await db.query("DELETE FROM webhook_deliveries WHERE webhook = \(id) AND state = 'pending'", logger: logger)
            return true
        }
    }

    public func enqueueDeliveries(_ deliveries: [WebhookDelivery]) async throws(StorageError) {
        try await write { [self] db in
            for delivery in deliveries { try await save(delivery, db) }
        }
    }

    public func claimDueDeliveries(now: Date, holdUntil: Date, limit: Int) async throws(StorageError) -> [WebhookDelivery] {
        try await write { [self] db in
            let due = try await db.rows(
                """
                SELECT id, webhook, subscription, event, body, created_at, attempts, next_attempt_at, state, last_error FROM webhook_deliveries
                WHERE state = 'pending' AND next_attempt_at <= \(StoredValues.timestamp(now)) ORDER BY next_attempt_at LIMIT \(limit)
                """, logger: logger
            ).map(Self.delivery)
            for delivery in due {
                _ = try await db.query(
                    "UPDATE webhook_deliveries SET next_attempt_at = \(StoredValues.timestamp(holdUntil)) WHERE id = \(delivery.id)", logger: logger)
            }
            return due
        }
    }

    public func updateDelivery(_ delivery: WebhookDelivery) async throws(StorageError) {
        try await write { [self] db in try await save(delivery, db) }
    }

    public func deliveries(in state: WebhookDelivery.State, subscription: SubscriptionID?, limit: Int) async throws(StorageError) -> [WebhookDelivery] {
        let filter = subscription?.rawValue
        return try await database.read(
            """
            SELECT id, webhook, subscription, event, body, created_at, attempts, next_attempt_at, state, last_error FROM webhook_deliveries
            WHERE state = \(state.rawValue) AND (\(filter)::TEXT IS NULL OR subscription = \(filter)) ORDER BY created_at DESC, id LIMIT \(limit)
            """, Self.delivery)
    }

    public func recordNotice(_ kind: String, about subject: String, in subscription: SubscriptionID, at time: Date) async throws(StorageError) -> Bool {
        try await write { [self] db in
            let inserted = try await db.rows(
                """
                INSERT INTO notices (subscription, subject, kind, given_at)
                VALUES (\(subscription.rawValue), \(subject), \(kind), \(StoredValues.timestamp(time)))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            return !inserted.isEmpty
        }
    }

    public func setRenewalPolicy(_ policy: RenewalPolicy?, service: String, in subscription: SubscriptionID) async throws(StorageError) {
        let name = service.lowercased()
        try await write { [self] db in
            _ = try await db.query(
                "DELETE FROM renewal_policies WHERE subscription = \(subscription.rawValue) AND service = \(name)", logger: logger)
            if let policy {
                _ = try await db.query(
                    """
                    INSERT INTO renewal_policies (subscription, service, days_before, valid_days)
                    VALUES (\(subscription.rawValue), \(name), \(policy.daysBefore), \(policy.validDays))
                    """, logger: logger)
            }
        }
    }

    public func renewalPolicies() async throws(StorageError) -> [RenewalPolicy] {
        try await database.read("SELECT subscription, service, days_before, valid_days FROM renewal_policies ORDER BY subscription, service") { row in
            let (subscription, service, days, valid) = try row.decode((String, String, Int, Int).self)
            return RenewalPolicy(subscription: SubscriptionID(uncheckedRawValue: subscription), service: service, daysBefore: days, validDays: valid)
        }
    }

    public func saveRenewal(_ renewal: CertificateRenewal) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                """
                INSERT INTO certificate_renewals (subscription, service, old_thumbprint, new_thumbprint, renewed_at, retired)
                VALUES (\(renewal.subscription.rawValue), \(renewal.service.lowercased()), \(renewal.old), \(renewal.new),
                    \(StoredValues.timestamp(renewal.renewed)), \(renewal.retired ? 1 : 0))
                ON CONFLICT (subscription, service, old_thumbprint) DO UPDATE SET
                    new_thumbprint = excluded.new_thumbprint, renewed_at = excluded.renewed_at, retired = excluded.retired
                """, logger: logger)
        }
    }

    public func pendingRenewals() async throws(StorageError) -> [CertificateRenewal] {
        try await database.read(
            "SELECT subscription, service, old_thumbprint, new_thumbprint, renewed_at FROM certificate_renewals WHERE retired = 0 ORDER BY renewed_at"
        ) { row in
            let (subscription, service, old, new, renewed) = try row.decode((String, String, String, String, Double).self)
            return CertificateRenewal(
                subscription: SubscriptionID(uncheckedRawValue: subscription), service: service, old: old, new: new, renewed: StoredValues.date(renewed))
        }
    }

    private func save(_ delivery: WebhookDelivery, _ db: PostgresConnection) async throws {
        _ = try await db.query(
            """
            INSERT INTO webhook_deliveries (id, webhook, subscription, event, body, created_at, attempts, next_attempt_at, state, last_error)
            VALUES (\(delivery.id), \(delivery.webhook), \(delivery.subscription.rawValue), \(delivery.event), \(delivery.body),
                \(StoredValues.timestamp(delivery.created)), \(delivery.attempts), \(delivery.nextAttempt.map(StoredValues.timestamp)),
                \(delivery.state.rawValue), \(delivery.lastError))
            ON CONFLICT (id) DO UPDATE SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
                state = excluded.state, last_error = excluded.last_error
            """, logger: logger)
    }

    private static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        let (id, webhook, subscription, event, body, created, attempts, next, state, error) =
            try row.decode((String, String, String, String, String, Double, Int, Double?, String, String?).self)
        return WebhookDelivery(
            id: id, webhook: webhook, subscription: SubscriptionID(uncheckedRawValue: subscription), event: event, body: body,
            created: StoredValues.date(created), attempts: attempts, nextAttempt: next.map(StoredValues.date),
            state: WebhookDelivery.State(rawValue: state) ?? .dead, lastError: error)
    }
}
