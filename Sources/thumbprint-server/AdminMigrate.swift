import ArgumentParser
import CLISupport
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint admin migrate --from DIR --to postgres://…`: moves a data folder's SQLite database
/// into an empty PostgreSQL one, checked by row counts and a checksum.
struct AdminMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy everything in a data folder's SQLite database into an empty PostgreSQL database, and check the copy.",
        discussion: """
            Users, subscriptions, roles, management and service certificates (keys stay sealed by the folder's \
            master key), cloud services, deployments, operations and the audit log are copied in one transaction; \
            a database that holds data is refused. Stop the server on the folder first. Every server on the new \
            database needs the folder's master key (DIR/master.key, or THUMBPRINT_MASTER_KEY).
            """)

    @Option(name: .customLong("from"), help: ArgumentHelp("The data folder to copy from.", valueName: "DIR"))
    var from: String

    @Option(
        name: .customLong("to"),
        help: ArgumentHelp("The PostgreSQL database, postgres://USER@HOST:PORT/DB (a password only in PGPASSWORD).", valueName: "URL"))
    var to: String

    @Flag(name: .customLong("json"), help: "Print the rows copied per table and the checksum as one JSON document.")
    var json = false

    func run() async throws {
        let path = from + "/thumbprint.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(from) holds no Thumbprint database (\(path) does not exist)")
        }
        // The folder's lock tells whether a server is running on it: copying under a live server could miss its last writes.
        if let holder = DataDirectoryLock.holder(folder: from) {
            throw CommandFailure(message: "a server is running on \(from) (\(holder)); stop it before copying its data", status: ExitStatus.failed)
        }
        let location = try PostgresLocation(url: to, allowPassword: false)
        let source = try SQLiteManagementStore(path: path)
        let target = try await PostgresManagementStore(location)
        let report = try await DatabaseCopy.copy(from: source, to: target)
        if json {
            struct Output: Encodable {
                var rows: [String: Int]
                var checksum: String
            }
            return try printJSON(Output(rows: Dictionary(uniqueKeysWithValues: report.rows.map { ($0.table, $0.count) }), checksum: report.checksum))
        }
        for (table, count) in report.rows { print("\(table.padding(toLength: 24, withPad: " ", startingAt: 0)) \(count)") }
        print("Copied into \(location); every table has the same rows (SHA-256 \(report.checksum)).")
        print("Start servers with --database \(location) and this folder's master key (\(from)/master.key or THUMBPRINT_MASTER_KEY).")
    }
}
