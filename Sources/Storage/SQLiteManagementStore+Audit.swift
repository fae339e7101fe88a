import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The audit log: append-only, one row per mutating request or action, in order.
extension SQLiteManagementStore {
    public func appendAudit(_ entry: AuditEntry) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_log (time, subscription_id, caller_thumbprint, user, operation, target, outcome, request_id, http_status)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Self.timestamp(entry.time), entry.subscription?.rawValue, entry.callerThumbprint, entry.user,
                    entry.operation, entry.target, entry.outcome, entry.requestID, entry.httpStatus,
                ])
        }
    }

    public func auditEntries(subscription: SubscriptionID?) async throws(StorageError) -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE ?1 IS NULL OR subscription_id = ?1 ORDER BY id", arguments: [subscription?.rawValue])
                .map(Self.auditEntry(from:))
        }
    }

    public func auditEntries(subscription: SubscriptionID, from start: Date, to end: Date) async throws(StorageError) -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE subscription_id = ? AND time >= ? AND time <= ? ORDER BY id",
                arguments: [subscription.rawValue, Self.timestamp(start), Self.timestamp(end)]
            ).map(Self.auditEntry(from:))
        }
    }

    private static func auditEntry(from row: Row) -> AuditEntry {
        AuditEntry(
            time: date(row["time"]), subscription: (row["subscription_id"] as String?).flatMap(SubscriptionID.init),
            callerThumbprint: row["caller_thumbprint"], user: row["user"], operation: row["operation"],
            target: row["target"], outcome: row["outcome"], requestID: row["request_id"], httpStatus: row["http_status"], sequence: row["id"])
    }
}
