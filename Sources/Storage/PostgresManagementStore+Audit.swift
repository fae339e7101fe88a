import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The audit log: append-only, one row per mutating request or action, in order.
extension PostgresManagementStore {
    public func appendAudit(_ entry: AuditEntry) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                """
                INSERT INTO audit_log (time, subscription_id, caller_thumbprint, "user", operation, target, outcome, request_id, http_status)
                VALUES (\(StoredValues.timestamp(entry.time)), \(entry.subscription?.rawValue), \(entry.callerThumbprint), \(entry.user),
                        \(entry.operation), \(entry.target), \(entry.outcome), \(entry.requestID), \(entry.httpStatus))
                """, logger: logger)
        }
    }

    public func auditEntries(subscription: SubscriptionID?) async throws(StorageError) -> [AuditEntry] {
        if let subscription {
            return try await database.read("SELECT * FROM audit_log WHERE subscription_id = \(subscription.rawValue) ORDER BY id", Self.auditEntry)
        }
        return try await database.read("SELECT * FROM audit_log ORDER BY id", Self.auditEntry)
    }

    public func auditEntries(subscription: SubscriptionID, from start: Date, to end: Date) async throws(StorageError) -> [AuditEntry] {
        try await database.read(
            """
            SELECT * FROM audit_log WHERE subscription_id = \(subscription.rawValue)
              AND time >= \(StoredValues.timestamp(start)) AND time <= \(StoredValues.timestamp(end)) ORDER BY id
            """, Self.auditEntry)
    }

    private static func auditEntry(from row: PostgresRow) throws -> AuditEntry {
        let columns = row.makeRandomAccess()
        return AuditEntry(
            time: StoredValues.date(try columns.value("time")),
            subscription: (try columns.value("subscription_id", as: String?.self)).flatMap(SubscriptionID.init),
            callerThumbprint: try columns.value("caller_thumbprint"), user: try columns.value("user"), operation: try columns.value("operation"),
            target: try columns.value("target"), outcome: try columns.value("outcome"), requestID: try columns.value("request_id"),
            httpStatus: try columns.value("http_status"), sequence: try columns.value("id"))
    }
}
