import Certificates
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SQLite store: one file in the data folder, in WAL mode, with versioned migrations.
public final class SQLiteManagementStore: ManagementStore, Sendable {
    let pool: DatabasePool
    /// Whether anything changed since a cached answer was read.
    let changes: DatabaseChangeWatch
    /// Every request authenticates: its caller, by thumbprint and subscription.
    let callers = ReadCache<CallerKey, Caller>(capacity: 100_000)
    /// The list of management certificates, by subscription.
    let certificateLists = ReadCache<SubscriptionID, [ManagementCertificate]>(capacity: 10_000)

    struct CallerKey: Hashable, Sendable {
        var thumbprint: Thumbprint
        var subscription: SubscriptionID
    }

    /// Opens (creating and migrating when needed) the database at `path`. A write finding the
    /// database locked by another process waits up to `busyTimeout` seconds, then fails `busy`.
    public init(path: String, busyTimeout: Double = 10) throws(StorageError) {
        var configuration = Configuration()
        // Writers from other processes (admin commands, other servers) wait rather than fail.
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteMigrations.migrator.migrate(pool)
        } catch {
            throw .database("\(path): \(error)")
        }
        changes = DatabaseChangeWatch(path: path)
    }

    // MARK: Users and subscriptions

    public func addUser(_ email: EmailAddress) async throws(StorageError) {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email = ?", arguments: [email.rawValue]) == true {
                throw StorageError.userExists(email.rawValue)
            }
            try db.execute(sql: "INSERT INTO users (email, created_at) VALUES (?, ?)", arguments: [email.rawValue, Self.timestamp(Date())])
        }
    }

    public func userExists(_ email: EmailAddress) async throws(StorageError) -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email = ?", arguments: [email.rawValue]) == true }
    }

    public func createSubscription(_ subscription: Subscription) async throws(StorageError) {
        try await write { db in
            try Self.requireUser(subscription.serviceAdministrator, db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM subscriptions WHERE id = ?", arguments: [subscription.id.rawValue]) == true {
                throw StorageError.subscriptionExists(subscription.id.rawValue)
            }
            try db.execute(
                sql: "INSERT INTO subscriptions (id, name, service_admin, created_at) VALUES (?, ?, ?, ?)",
                arguments: [subscription.id.rawValue, subscription.name, subscription.serviceAdministrator.rawValue, Self.timestamp(subscription.createdAt)]
            )
        }
    }

    public func subscription(_ id: SubscriptionID) async throws(StorageError) -> Subscription? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscriptions WHERE id = ?", arguments: [id.rawValue]).map(Self.subscription(from:))
        }
    }

    public func allSubscriptions() async throws(StorageError) -> [Subscription] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM subscriptions ORDER BY name, id").map(Self.subscription(from:)) }
    }

    // MARK: Management certificates

    public func addManagementCertificate(_ certificate: ManagementCertificate, limits: CertificateLimits) async throws(StorageError) {
        try await write { db in
            try Self.requireSubscription(certificate.subscription, db)
            let subscription = certificate.subscription.rawValue
            let thumbprint = certificate.thumbprint.description
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM management_certificates WHERE subscription_id = ? AND thumbprint = ?",
                arguments: [subscription, thumbprint]) == true
            {
                throw StorageError.duplicateCertificate(thumbprint: thumbprint)
            }
            let onSubscription =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM management_certificates WHERE subscription_id = ?",
                    arguments: [subscription]) ?? 0
            if onSubscription >= limits.perSubscription {
                throw StorageError.subscriptionLimitReached(subscription: subscription, limit: limits.perSubscription)
            }
            let byUser =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM management_certificates WHERE added_by = ?",
                    arguments: [certificate.addedBy.rawValue]) ?? 0
            if byUser >= limits.perUser {
                throw StorageError.userLimitReached(user: certificate.addedBy.rawValue, limit: limits.perUser)
            }
            try db.execute(
                sql: """
                    INSERT INTO management_certificates
                        (subscription_id, thumbprint, thumbprint_as_uploaded, public_key, data, created_at, not_after, added_by, role)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    subscription, thumbprint, certificate.thumbprintAsUploaded, certificate.publicKey, certificate.data,
                    Self.timestamp(certificate.created), Self.timestamp(certificate.notAfter), certificate.addedBy.rawValue,
                    certificate.role?.rawValue,
                ])
        }
    }

    public func managementCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ManagementCertificate] {
        try await certificateLists.value(for: subscription, at: changes.version()) { () async throws(StorageError) in
            try await readManagementCertificates(in: subscription)
        } ?? []
    }

    private func readManagementCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ManagementCertificate] {
        try await read { db in
            let statement = try db.cachedStatement(sql: "SELECT * FROM management_certificates WHERE subscription_id = ? ORDER BY thumbprint")
            return try Row.fetchAll(statement, arguments: [subscription.rawValue]).map(Self.certificate(from:))
        }
    }

    public func managementCertificate(_ thumbprint: Thumbprint, in subscription: SubscriptionID) async throws(StorageError) -> ManagementCertificate? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM management_certificates WHERE subscription_id = ? AND thumbprint = ?",
                arguments: [subscription.rawValue, thumbprint.description]
            ).map(Self.certificate(from:))
        }
    }

    public func deleteManagementCertificate(_ thumbprint: Thumbprint, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM management_certificates WHERE subscription_id = ? AND thumbprint = ?",
                arguments: [subscription.rawValue, thumbprint.description])
            return db.changesCount > 0
        }
    }

    /// Answered from memory while the database is unchanged: a deletion by any process is seen
    /// by the next request.
    public func caller(thumbprint: Thumbprint, subscription: SubscriptionID) async throws(StorageError) -> Caller? {
        try await callers.value(for: CallerKey(thumbprint: thumbprint, subscription: subscription), at: changes.version()) { () async throws(StorageError) in
            try await readCaller(thumbprint: thumbprint, subscription: subscription)
        }
    }

    private func readCaller(thumbprint: Thumbprint, subscription: SubscriptionID) async throws(StorageError) -> Caller? {
        try await read { db in
            // Every request runs this: a cached statement skips parsing and authorising the SQL.
            // The certificate counts only while the user who added it is still a member of the
            // subscription (removing a user revokes the certificates they added), and it acts
            // with the role recorded when it was added, never more than the user's role now.
            let statement = try db.cachedStatement(
                sql: """
                    SELECT m.added_by, m.not_after, m.role,
                           CASE WHEN m.added_by = s.service_admin THEN 'ServiceAdministrator' ELSE u.role END
                    FROM management_certificates m JOIN subscriptions s ON s.id = m.subscription_id
                    LEFT JOIN subscription_members u ON u.subscription_id = s.id AND u.email = m.added_by
                    WHERE m.thumbprint = ? AND m.subscription_id = ?
                    """)
            guard let row = try Row.fetchOne(statement, arguments: [thumbprint.description, subscription.rawValue]),
                let current = (row[3] as String?).flatMap(SubscriptionRole.init(rawValue:))
            else { return nil }
            return Caller(
                thumbprint: thumbprint, user: EmailAddress(uncheckedRawValue: row[0]),
                subscription: subscription, notAfter: Self.date(row[1]),
                role: (row[2] as String?).flatMap(SubscriptionRole.init(rawValue:)) ?? .coAdministrator, userRole: current)
        }
    }

    // MARK: Operations

    public func saveOperation(_ operation: OperationRecord) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO operations (id, subscription_id, status, http_status, error_code, error_message, runner, lease_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    operation.id.rawValue, operation.subscription.rawValue, operation.status.rawValue,
                    operation.httpStatusCode, operation.errorCode, operation.errorMessage, operation.runner, operation.leaseUntil.map(Self.timestamp),
                ])
        }
    }

    public func failInterruptedOperations(runner: String?, leaseEndedBefore time: Date, message: String) async throws(StorageError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE operations SET status = ?, http_status = 500, error_code = 'InternalError', error_message = ?
                    WHERE status = ? AND (runner = ? OR lease_until IS NULL OR lease_until < ?)
                    """,
                arguments: [
                    OperationRecord.Status.failed.rawValue, message, OperationRecord.Status.inProgress.rawValue, runner, Self.timestamp(time),
                ])
            return db.changesCount
        }
    }

    public func renewOperationLeases(runner: String, until time: Date) async throws(StorageError) -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE operations SET lease_until = ? WHERE status = ? AND runner = ?",
                arguments: [Self.timestamp(time), OperationRecord.Status.inProgress.rawValue, runner])
            return db.changesCount
        }
    }

    public func operation(_ id: OperationID, in subscription: SubscriptionID) async throws(StorageError) -> OperationRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM operations WHERE id = ? AND subscription_id = ?",
                arguments: [id.rawValue, subscription.rawValue]
            ).map { row in
                OperationRecord(
                    id: id, subscription: subscription,
                    status: OperationRecord.Status(rawValue: row["status"]) ?? .failed,
                    httpStatusCode: row["http_status"], errorCode: row["error_code"], errorMessage: row["error_message"],
                    runner: row["runner"], leaseUntil: (row["lease_until"] as Double?).map(Self.date))
            }
        }
    }

    // MARK: Settings

    public func setting(_ name: String) async throws(StorageError) -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) }
    }

    public func setSetting(_ name: String, to value: String) async throws(StorageError) {
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", arguments: [name, value])
        }
    }

    public func setSettingIfAbsent(_ name: String, to value: String) async throws(StorageError) -> String {
        try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", arguments: [name, value])
            return try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) ?? value
        }
    }

    // MARK: Helpers

    /// Runs `body` in an IMMEDIATE transaction: the write lock is taken at the start, so checks
    /// and inserts in it cannot interleave with another writer, in this process or another.
    /// It runs on GRDB's writer queue, never on the caller's thread: a writer in another process
    /// holding the lock makes this wait (up to the busy timeout) without blocking an event loop.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StorageError.database("a transaction ended without a result") }
                return result
            }
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Runs one read on one of GRDB's reader queues. Every read here is a single SELECT, which
    /// SQLite runs atomically on its own, so no explicit transaction is opened around it (it cost
    /// a tenth of each request). In WAL mode a writer elsewhere never blocks it.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        do {
            return try await pool.unsafeRead(body)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// What the store reports for an error from GRDB or a transaction body: its own refusals as
    /// they are, a database still locked after the busy timeout as `busy`, anything else as `database`.
    static func storageError(_ error: any Error) -> StorageError {
        switch error {
        case let error as StorageError:
            return error
        case let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED:
            return .busy
        default:
            return .database("\(error)")
        }
    }

    static func requireUser(_ user: EmailAddress, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email = ?", arguments: [user.rawValue]) == true else {
            throw StorageError.unknownUser(user.rawValue)
        }
    }

    static func requireSubscription(_ id: SubscriptionID, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM subscriptions WHERE id = ?", arguments: [id.rawValue]) == true else {
            throw StorageError.unknownSubscription(id.rawValue)
        }
    }

    static func subscription(from row: Row) -> Subscription {
        Subscription(
            id: SubscriptionID(uncheckedRawValue: row["id"]), name: row["name"],
            serviceAdministrator: EmailAddress(uncheckedRawValue: row["service_admin"]), createdAt: date(row["created_at"]))
    }

    private static func certificate(from row: Row) -> ManagementCertificate {
        let thumbprint: String = row["thumbprint"]
        return ManagementCertificate(
            subscription: SubscriptionID(uncheckedRawValue: row["subscription_id"]),
            thumbprint: StoredValues.thumbprint(thumbprint),
            thumbprintAsUploaded: row["thumbprint_as_uploaded"],
            publicKey: row["public_key"], data: row["data"], created: date(row["created_at"]),
            notAfter: date(row["not_after"]), addedBy: EmailAddress(uncheckedRawValue: row["added_by"]),
            role: (row["role"] as String?).flatMap(SubscriptionRole.init(rawValue:))
        )
    }

    static func timestamp(_ date: Date) -> Double { StoredValues.timestamp(date) }
    static func date(_ value: Double) -> Date { StoredValues.date(value) }
}
