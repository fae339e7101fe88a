import PostgresNIO
import Synchronization

/// Tells whether anything in the database may have changed since a cached answer was read, for
/// every process on it: one connection LISTENs on the channel every write transaction notifies,
/// and each notification moves the version on. PostgreSQL delivers a notification at commit, in
/// milliseconds, to every server.
///
/// While the listening connection is down (starting, or lost and reconnecting) there is no
/// version, so nothing is answered from memory: a missed notification can never leave a stale answer.
final class PostgresChangeFeed: Sendable {
    /// Shared with the listening task, which must not keep the feed itself alive.
    private final class Version: Sendable {
        private struct State {
            var listening = false
            var value: Int64 = 0
        }

        private let state = Mutex(State())

        var current: Int64? { state.withLock { $0.listening ? $0.value : nil } }

        /// Moves the version on; `listening` says whether later changes will be seen.
        func advance(listening: Bool? = nil) {
            state.withLock {
                $0.value &+= 1
                if let listening { $0.listening = listening }
            }
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
                        for try await _ in notifications { version.advance() }
                    }
                }
            } catch {
                database.logger.debug("change feed lost its connection: \(String(reflecting: error))")
            }
            version.advance(listening: false)
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
