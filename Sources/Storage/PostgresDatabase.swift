import Logging
import NIOCore
import NIOSSL
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The PostgreSQL connections of one process: a `PostgresClient` pool kept running, the write
/// transaction every change goes through, and the mapping of its errors to `StorageError`.
final class PostgresDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Where the database is, for single connections outside the pool.
    let location: PostgresLocation
    private let running: Task<Void, Never>

    /// The channel every committed change notifies, so that other servers drop what they cached.
    static let changeChannel = "thumbprint_changes"
    /// The advisory lock every write transaction takes: writes take turns across every process on
    /// the database, as SQLite's IMMEDIATE transactions do, so a check and the insert it guards
    /// (certificate limits, unique names) can never interleave with another writer's.
    static let writeLockKey: Int64 = 0x7468_756D_6277_7269

    /// Starts a pool of at most `maximumConnections` to `location`.
    init(_ location: PostgresLocation, maximumConnections: Int, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        // The pool retries a failed connection on its own; each retry is logged only as a warning.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        self.client = client
        self.logger = logger
        self.location = location
        running = Task { await client.run() }
    }

    /// One connection of its own, outside the pool: it fails at once, with the server's reason,
    /// when the database cannot be reached or refuses us (the pool would keep retrying).
    func connect() async throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
    }

    deinit { running.cancel() }

    /// Runs `body` in a transaction holding the write lock. Triggers on the watched tables tell
    /// every listener at commit (see `PostgresMigrations`).
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        let (client, logger) = (self.client, self.logger)
        return try await withPatience {
            try await client.withTransaction(logger: logger) { connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))", logger: logger)
                return try await body(connection)
            }
        }
    }

    /// The rows of one query outside any transaction (a single statement is atomic on its own).
    func rows(_ query: PostgresQuery) async throws(StorageError) -> [PostgresRow] {
        let (client, logger) = (self.client, self.logger)
        return try await withPatience { try await client.query(query, logger: logger).collect() }
    }

    /// How long a request waits for the database. The pool retries a lost server for ever;
    /// a request gets `unavailable` after this, and nothing it would have written is written.
    static let patience = Duration.seconds(10)

    /// `work`, or `unavailable` once `patience` has passed (the work is cancelled, which rolls a
    /// transaction back or takes the request out of the pool's queue).
    private func withPatience<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws(StorageError) -> T {
        let location = self.location.description
        do {
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(for: Self.patience)
                    throw StorageError.unavailable(location)
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw StorageError.unavailable(location) }
                return first
            }
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Each row of one query, made into a value by `make`.
    func read<T>(_ query: PostgresQuery, _ make: (PostgresRow) throws -> T) async throws(StorageError) -> [T] {
        let rows = try await rows(query)
        do {
            return try rows.map(make)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// What the store reports for an error: its own refusals as they are, anything from the
    /// database with the server's message (PSQLError's own description hides it).
    static func storageError(_ error: any Error) -> StorageError {
        switch error {
        case let error as StorageError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError { return storageError(inner) }
            return .database("a transaction failed")
        case let error as PSQLError:
            if let message = error.serverInfo?[.message] { return .database(message) }
            return .database("\(error.code)")
        default:
            return .database(String(reflecting: error))
        }
    }
}

extension PostgresConnection {
    /// The rows of one query on this connection (inside a transaction).
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Whether the query finds a row.
    func exists(_ query: PostgresQuery, logger: Logger) async throws -> Bool {
        try await !rows(query, logger: logger).isEmpty
    }

    /// The first column of the first row, or nil when there is none.
    func first<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery, logger: Logger) async throws -> T? {
        guard let row = try await rows(query, logger: logger).first else { return nil }
        return try row.decode(T.self)
    }

    /// Runs a statement that ends with `RETURNING 1`; how many rows it touched.
    func count(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await rows(query, logger: logger).count
    }
}

extension PostgresRandomAccessRow {
    /// The column `name`, decoded as `T`.
    func value<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self)
    }
}
