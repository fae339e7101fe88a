import Logging
import PostgresNIO
import Synchronization

/// Tells whether anything in the database may have changed since a cached answer was read, for
/// every process on it: one connection LISTENs on the channel that the tables' triggers notify,
/// and each change moves the version on. PostgreSQL delivers a notification at commit, in
/// milliseconds, to every server.
///
/// There is no version, so nothing is answered from memory, unless the listening connection has
/// heard from the database within the last `staleness`: a heartbeat notification goes out every
/// `heartbeat`, so a connection that died silently (a network partition, a database that went away)
/// stops the caching within that bound, and a missed change can never leave a stale answer longer.
final class PostgresChangeFeed: Sendable {
    /// How often a heartbeat is sent through the pool to the channel.
    static let heartbeat = Duration.milliseconds(300)
    /// How long cached answers are trusted after the last notification heard.
    static let staleness = Duration.milliseconds(900)
    /// The payload of a heartbeat (the triggers send a table's name).
    static let heartbeatPayload = "heartbeat"

    /// Shared with the listening task, which must not keep the feed itself alive.
    private final class Version: Sendable {
        private struct State {
            var listening = false
            var value: Int64 = 0
            var heard = ContinuousClock.Instant.now
        }

        private let state = Mutex(State())

        var current: Int64? {
            state.withLock { $0.listening && ContinuousClock.now - $0.heard < PostgresChangeFeed.staleness ? $0.value : nil }
        }

        /// Moves the version on; `listening` says whether later changes will be seen.
        func advance(listening: Bool? = nil) {
            state.withLock {
                $0.value &+= 1
                if let listening { $0.listening = listening }
                $0.heard = .now
            }
        }

        /// The connection heard from the database, without a change.
        func heard() {
            state.withLock { $0.heard = .now }
        }
    }

    private let version = Version()
    private let listener: Task<Void, Never>

    /// Starts listening through `database`; reconnects after a lost connection.
    init(database: PostgresDatabase) {
        listener = Task { [version] in await Self.listen(database, version) }
    }

    deinit { listener.cancel() }

    /// The current version, or nil while changes could go unseen.
    func current() -> Int64? { version.current }

    /// Moves the version on after this process's own write, without waiting for its notification.
    func noteLocalWrite() { version.advance() }

    private static func listen(_ database: PostgresDatabase, _ version: Version) async {
        while !Task.isCancelled {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: PostgresDatabase.changeChannel) { notifications in
                        version.advance(listening: true)
                        let beating = Task { await beat(database) }
                        defer { beating.cancel() }
                        for try await notification in notifications {
                            if notification.payload == heartbeatPayload { version.heard() } else { version.advance() }
                        }
                    }
                }
            } catch {
                database.logger.debug("change feed lost its connection: \(String(reflecting: error))")
            }
            version.advance(listening: false)
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends a heartbeat notification every `heartbeat` (through the pool, as any query).
    private static func beat(_ database: PostgresDatabase) async {
        while !Task.isCancelled {
            _ = try? await database.client.query("SELECT pg_notify(\(PostgresDatabase.changeChannel), \(heartbeatPayload))", logger: database.logger)
            try? await Task.sleep(for: heartbeat)
        }
    }
}
