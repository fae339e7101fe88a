import Certificates
import Logging
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The PostgreSQL store, for several servers on one database: the same interface and behaviour
/// as the SQLite store, with its own migration history.
///
/// Writes take turns through one advisory lock (see `PostgresDatabase.write`), so the limits are
/// exact across servers; reads are single statements on a pool. Answers kept in memory for
/// authentication are dropped when any server commits a change (`PostgresChangeFeed`).
public final class PostgresManagementStore: ManagementStore, Sendable {
    let database: PostgresDatabase
    let changes: PostgresChangeFeed
    /// Every request authenticates: its caller, by thumbprint and subscription.
    let callers = ReadCache<CallerKey, Caller>(capacity: 100_000)
    /// The list of management certificates, by subscription.
    let certificateLists = ReadCache<SubscriptionID, [ManagementCertificate]>(capacity: 10_000)

    struct CallerKey: Hashable, Sendable {
        var thumbprint: Thumbprint
        var subscription: SubscriptionID
    }

    var logger: Logger { database.logger }

    /// Connects to `location` and applies missing migrations (one server at a time).
    public init(_ location: PostgresLocation, maximumConnections: Int = 10, logger: Logger = Logger(label: "thumbprint.storage")) async throws(StorageError) {
        database = PostgresDatabase(location, maximumConnections: maximumConnections, logger: logger)
        do {
            let connection = try await database.connect()
            do {
                try await PostgresMigrations.migrate(on: connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            throw .database("\(location): \(PostgresDatabase.storageError(error).description)")
        }
        changes = PostgresChangeFeed(database: database)
    }

    /// A write transaction (see `PostgresDatabase.write`); this process's caches see it at once.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        defer { changes.noteLocalWrite() }
        return try await database.write(body)
    }

    // MARK: Users and subscriptions

    public func addUser(_ email: EmailAddress) async throws(StorageError) {
        try await write { [self] db in
            if try await db.exists("SELECT 1 FROM users WHERE email = \(email.rawValue)", logger: logger) {
                throw StorageError.userExists(email.rawValue)
            }
            _ = try await db.query("INSERT INTO users (email, created_at) VALUES (\(email.rawValue), \(StoredValues.timestamp(Date())))", logger: logger)
        }
    }

    public func userExists(_ email: EmailAddress) async throws(StorageError) -> Bool {
        try await !database.rows("SELECT 1 FROM users WHERE email = \(email.rawValue)").isEmpty
    }

    public func createSubscription(_ subscription: Subscription) async throws(StorageError) {
        try await write { [self] db in
            try await requireUser(subscription.serviceAdministrator, db)
            if try await db.exists("SELECT 1 FROM subscriptions WHERE id = \(subscription.id.rawValue)", logger: logger) {
                throw StorageError.subscriptionExists(subscription.id.rawValue)
            }
            _ = try await db.query(
                """
                INSERT INTO subscriptions (id, name, service_admin, created_at)
                VALUES (\(subscription.id.rawValue), \(subscription.name), \(subscription.serviceAdministrator.rawValue),
                        \(StoredValues.timestamp(subscription.createdAt)))
                """, logger: logger)
        }
    }

    public func subscription(_ id: SubscriptionID) async throws(StorageError) -> Subscription? {
        try await database.read("SELECT id, name, service_admin, created_at FROM subscriptions WHERE id = \(id.rawValue)", Self.subscription).first
    }

    public func allSubscriptions() async throws(StorageError) -> [Subscription] {
        try await database.read("SELECT id, name, service_admin, created_at FROM subscriptions ORDER BY name, id", Self.subscription)
    }

    // MARK: Management certificates

    public func addManagementCertificate(_ certificate: ManagementCertificate, limits: CertificateLimits) async throws(StorageError) {
        try await write { [self] db in
            let subscription = certificate.subscription.rawValue
            let thumbprint = certificate.thumbprint.description
            try await requireSubscription(certificate.subscription, db)
            if try await db.exists(
                "SELECT 1 FROM management_certificates WHERE subscription_id = \(subscription) AND thumbprint = \(thumbprint)", logger: logger)
            {
                throw StorageError.duplicateCertificate(thumbprint: thumbprint)
            }
            let onSubscription =
                try await db.first(Int.self, "SELECT COUNT(*) FROM management_certificates WHERE subscription_id = \(subscription)", logger: logger) ?? 0
            if onSubscription >= limits.perSubscription {
                throw StorageError.subscriptionLimitReached(subscription: subscription, limit: limits.perSubscription)
            }
            let byUser =
                try await db.first(
                    Int.self, "SELECT COUNT(*) FROM management_certificates WHERE added_by = \(certificate.addedBy.rawValue)", logger: logger) ?? 0
            if byUser >= limits.perUser {
                throw StorageError.userLimitReached(user: certificate.addedBy.rawValue, limit: limits.perUser)
            }
            _ = try await db.query(
                """
                INSERT INTO management_certificates
                    (subscription_id, thumbprint, thumbprint_as_uploaded, public_key, data, created_at, not_after, added_by, role)
                VALUES (\(subscription), \(thumbprint), \(certificate.thumbprintAsUploaded), \(certificate.publicKey), \(certificate.data),
                        \(StoredValues.timestamp(certificate.created)), \(StoredValues.timestamp(certificate.notAfter)),
                        \(certificate.addedBy.rawValue), \(certificate.role?.rawValue))
                """, logger: logger)
        }
    }

    public func managementCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ManagementCertificate] {
        try await certificateLists.value(for: subscription, at: changes.current()) { () async throws(StorageError) in
            try await database.read(
                "SELECT * FROM management_certificates WHERE subscription_id = \(subscription.rawValue) ORDER BY thumbprint", Self.certificate)
        } ?? []
    }

    public func managementCertificate(_ thumbprint: Thumbprint, in subscription: SubscriptionID) async throws(StorageError) -> ManagementCertificate? {
        try await database.read(
            "SELECT * FROM management_certificates WHERE subscription_id = \(subscription.rawValue) AND thumbprint = \(thumbprint.description)",
            Self.certificate
        ).first
    }

    public func deleteManagementCertificate(_ thumbprint: Thumbprint, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { [self] db in
            try await db.count(
                """
                DELETE FROM management_certificates WHERE subscription_id = \(subscription.rawValue) AND thumbprint = \(thumbprint.description)
                RETURNING 1
                """, logger: logger) > 0
        }
    }

    /// Answered from memory while no server has committed a change since.
    public func caller(thumbprint: Thumbprint, subscription: SubscriptionID) async throws(StorageError) -> Caller? {
        try await callers.value(for: CallerKey(thumbprint: thumbprint, subscription: subscription), at: changes.current()) { () async throws(StorageError) in
            // As in SQLite: the certificate counts only while its user is still a member, and acts
            // with the role recorded when it was added, never more than the user's role now.
            try await database.read(
                """
                SELECT m.added_by, m.not_after, m.role,
                       CASE WHEN m.added_by = s.service_admin THEN 'ServiceAdministrator' ELSE u.role END
                FROM management_certificates m JOIN subscriptions s ON s.id = m.subscription_id
                LEFT JOIN subscription_members u ON u.subscription_id = s.id AND u.email = m.added_by
                WHERE m.thumbprint = \(thumbprint.description) AND m.subscription_id = \(subscription.rawValue)
                """
            ) { row -> Caller? in
                let (user, notAfter, role, current) = try row.decode((String, Double, String?, String?).self)
                guard let userRole = current.flatMap(SubscriptionRole.init(rawValue:)) else { return nil }
                return Caller(
                    thumbprint: thumbprint, user: EmailAddress(uncheckedRawValue: user), subscription: subscription,
                    notAfter: StoredValues.date(notAfter), role: role.flatMap(SubscriptionRole.init(rawValue:)) ?? .coAdministrator,
                    userRole: userRole)
            }.first ?? nil
        }
    }

    // MARK: Operations

    public func saveOperation(_ operation: OperationRecord) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                """
                INSERT INTO operations (id, subscription_id, status, http_status, error_code, error_message, runner, lease_until)
                VALUES (\(operation.id.rawValue), \(operation.subscription.rawValue), \(operation.status.rawValue),
                        \(operation.httpStatusCode), \(operation.errorCode), \(operation.errorMessage), \(operation.runner),
                        \(operation.leaseUntil.map(StoredValues.timestamp)))
                ON CONFLICT (id) DO UPDATE SET subscription_id = excluded.subscription_id, status = excluded.status,
                    http_status = excluded.http_status, error_code = excluded.error_code, error_message = excluded.error_message,
                    runner = excluded.runner, lease_until = excluded.lease_until
                """, logger: logger)
        }
    }

    public func failInterruptedOperations(runner: String?, leaseEndedBefore time: Date, message: String) async throws(StorageError) -> Int {
        try await write { [self] db in
            try await db.count(
                """
                UPDATE operations SET status = \(OperationRecord.Status.failed.rawValue), http_status = 500, error_code = 'InternalError',
                    error_message = \(message)
                WHERE status = \(OperationRecord.Status.inProgress.rawValue)
                  AND (runner = \(runner ?? "") OR lease_until IS NULL OR lease_until < \(StoredValues.timestamp(time)))
                RETURNING 1
                """, logger: logger)
        }
    }

    public func renewOperationLeases(runner: String, until time: Date) async throws(StorageError) -> Int {
        try await write { [self] db in
            try await db.count(
                """
                UPDATE operations SET lease_until = \(StoredValues.timestamp(time))
                WHERE status = \(OperationRecord.Status.inProgress.rawValue) AND runner = \(runner) RETURNING 1
                """, logger: logger)
        }
    }

    public func operation(_ id: OperationID, in subscription: SubscriptionID) async throws(StorageError) -> OperationRecord? {
        try await database.read(
            """
            SELECT status, http_status, error_code, error_message, runner, lease_until FROM operations
            WHERE id = \(id.rawValue) AND subscription_id = \(subscription.rawValue)
            """
        ) { row in
            let (status, http, code, message, runner, lease) = try row.decode((String, Int?, String?, String?, String?, Double?).self)
            return OperationRecord(
                id: id, subscription: subscription, status: OperationRecord.Status(rawValue: status) ?? .failed,
                httpStatusCode: http, errorCode: code, errorMessage: message, runner: runner, leaseUntil: lease.map(StoredValues.date))
        }.first
    }

    // MARK: Settings

    public func setting(_ name: String) async throws(StorageError) -> String? {
        try await database.read("SELECT value FROM settings WHERE name = \(name)") { try $0.decode(String.self) }.first
    }

    public func setSetting(_ name: String, to value: String) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                "INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO UPDATE SET value = excluded.value", logger: logger)
        }
    }

    public func setSettingIfAbsent(_ name: String, to value: String) async throws(StorageError) -> String {
        try await write { [self] db in
            _ = try await db.query("INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO NOTHING", logger: logger)
            return try await db.first(String.self, "SELECT value FROM settings WHERE name = \(name)", logger: logger) ?? value
        }
    }

    // MARK: Helpers

    func requireUser(_ user: EmailAddress, _ db: PostgresConnection) async throws {
        guard try await db.exists("SELECT 1 FROM users WHERE email = \(user.rawValue)", logger: logger) else {
            throw StorageError.unknownUser(user.rawValue)
        }
    }

    func requireSubscription(_ id: SubscriptionID, _ db: PostgresConnection) async throws {
        guard try await db.exists("SELECT 1 FROM subscriptions WHERE id = \(id.rawValue)", logger: logger) else {
            throw StorageError.unknownSubscription(id.rawValue)
        }
    }

    /// Refuses with `unknownCloudService` unless `service` belongs to `subscription`.
    func requireCloudService(_ service: String, in subscription: SubscriptionID, _ db: PostgresConnection) async throws {
        guard try await db.exists("SELECT 1 FROM cloud_services WHERE name = \(service) AND subscription_id = \(subscription.rawValue)", logger: logger)
        else { throw StorageError.unknownCloudService(service) }
    }

    /// A subscription from `id, name, service_admin, created_at`.
    static func subscription(from row: PostgresRow) throws -> Subscription {
        let (id, name, administrator, created) = try row.decode((String, String, String, Double).self)
        return Subscription(
            id: SubscriptionID(uncheckedRawValue: id), name: name, serviceAdministrator: EmailAddress(uncheckedRawValue: administrator),
            createdAt: StoredValues.date(created))
    }

    private static func certificate(from row: PostgresRow) throws -> ManagementCertificate {
        let columns = row.makeRandomAccess()
        return ManagementCertificate(
            subscription: SubscriptionID(uncheckedRawValue: try columns.value("subscription_id")),
            thumbprint: StoredValues.thumbprint(try columns.value("thumbprint")),
            thumbprintAsUploaded: try columns.value("thumbprint_as_uploaded"), publicKey: try columns.value("public_key"),
            data: try columns.value("data"), created: StoredValues.date(try columns.value("created_at")),
            notAfter: StoredValues.date(try columns.value("not_after")), addedBy: EmailAddress(uncheckedRawValue: try columns.value("added_by")),
            role: (try columns.value("role", as: String?.self)).flatMap(SubscriptionRole.init(rawValue:)))
    }
}
