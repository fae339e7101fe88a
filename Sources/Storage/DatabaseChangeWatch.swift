import GRDBSQLite
import Synchronization

/// Tells, in a few microseconds, whether anything in the database file has changed: SQLite's
/// `PRAGMA data_version` on a connection of its own, which changes whenever another connection
/// (this process's writer, an admin command, another server) commits.
///
/// Lets hot reads be answered from memory while nothing changed, and never after a change.
final class DatabaseChangeWatch: Sendable {
    /// The connection and its prepared statement, used by one thread at a time.
    private struct Connection: ~Copyable {
        var database: OpaquePointer
        var statement: OpaquePointer

        deinit {
            sqlite3_finalize(statement)
            sqlite3_close_v2(database)
        }
    }

    private let connection: Mutex<Connection?>

    /// Opens a read-only connection on `path`; a watch that could not open answers nil, so
    /// callers read the database every time.
    init(path: String) {
        var database: OpaquePointer?
        var statement: OpaquePointer?
        if sqlite3_open_v2(path, &database, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let database,
            sqlite3_prepare_v2(database, "PRAGMA data_version", -1, &statement, nil) == SQLITE_OK, let statement
        {
            connection = Mutex(Connection(database: database, statement: statement))
        } else {
            sqlite3_close_v2(database)
            connection = Mutex(nil)
        }
    }

    /// The current data version, or nil when it cannot be read (then nothing may be cached).
    func version() -> Int64? {
        connection.withLock { connection -> Int64? in
            guard let statement = connection?.statement else { return nil }
            defer { sqlite3_reset(statement) }
            guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
            return sqlite3_column_int64(statement, 0)
        }
    }
}
