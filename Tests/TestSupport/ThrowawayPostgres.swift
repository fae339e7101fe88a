import Foundation

/// A PostgreSQL cluster of the test process's own: Debian's PostgreSQL 15, `initdb` in a temporary
/// folder (as the `postgres` user when the tests run as root, since initdb refuses root), started on
/// a free loopback port with fsync off, and stopped and removed by a watchdog when the test process
/// ends, however it ends. Each caller gets a fresh, empty database in it.
public actor ThrowawayPostgres {
    /// The one cluster of this test process, started on first use.
    public static let shared = ThrowawayPostgres()

    private struct Cluster {
        var folder: String
        var port: Int
    }

    /// The cluster, started once however many tests ask at the same time.
    private var cluster: Task<Cluster, any Error>?
    private var databases = 0

    /// The folder with PostgreSQL's programs (initdb, pg_ctl, psql, pg_dump).
    public static let programs: String = {
        let fromConfig = (try? runProcess("/usr/bin/env", ["pg_config", "--bindir"]))?.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let installed = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted(by: >).map {
            "/usr/lib/postgresql/\($0)/bin"
        }
        for candidate in [fromConfig].compactMap({ $0 }) + installed
        where FileManager.default.isExecutableFile(atPath: candidate + "/initdb") {
            return candidate
        }
        return "/usr/lib/postgresql/15/bin"
    }()

    /// The URL of a new empty database, `postgres://thumbprint@127.0.0.1:PORT/NAME`.
    public func newDatabase() async throws -> String {
        let cluster = try await started()
        databases += 1
        let name = "t\(getpid())_\(databases)"
        try await psql("CREATE DATABASE \(name)", port: cluster.port)
        return "postgres://thumbprint@127.0.0.1:\(cluster.port)/\(name)"
    }

    /// Runs `sql` on the cluster's `postgres` database with psql; its standard output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        try await psql(sql, port: started().port, database: database)
    }

    /// Everything in the database at `url`, as `pg_dump` writes it (plain SQL; bytea as hex).
    public func dump(_ url: String) async throws -> String {
        let name = url.split(separator: "/").last.map(String.init) ?? ""
        let result = try await awaitProcess(
            Self.programs + "/pg_dump", ["-h", "127.0.0.1", "-p", "\(try await started().port)", "-U", "thumbprint", "-d", name])
        guard result.status == 0 else { throw Failure(message: "pg_dump \(name): \(result.standardError)") }
        return result.standardOutput
    }

    @discardableResult
    private func psql(_ sql: String, port: Int, database: String = "postgres") async throws -> String {
        let result = try await awaitProcess(
            Self.programs + "/psql", ["-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", "\(port)", "-U", "thumbprint", "-d", database, "-c", sql])
        guard result.status == 0 else { throw Failure(message: "psql \(sql): \(result.standardError)") }
        return result.standardOutput
    }

    private func started() async throws -> Cluster {
        if let cluster { return try await cluster.value }
        let starting = Task { try await Self.start() }
        cluster = starting
        return try await starting.value
    }

    private static func start() async throws -> Cluster {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("thumbprint-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot { _ = try await awaitProcess("/bin/chown", ["postgres", folder]) }
        var lastError = ""
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let script = """
                set -e
                \(Self.closeInheritedFiles)
                [ -d '\(folder)/data' ] || '\(Self.programs)/initdb' -D '\(folder)/data' -A trust -U thumbprint --no-sync >/dev/null
                '\(Self.programs)/pg_ctl' -D '\(folder)/data' -l '\(folder)/log' -w start \
                  -o "-k '\(folder)' -p \(port) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400 -c full_page_writes=off" \
                  </dev/null >/dev/null 2>>'\(folder)/log'
                """
            let result = try await runAsOwner(script, asRoot: asRoot)
            if result.status == 0 {
                watch(folder: folder, asRoot: asRoot)
                return Cluster(folder: folder, port: port)
            }
            lastError = result.standardError + ((try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? "")
        }
        throw Failure(message: "could not start PostgreSQL (apt-get install postgresql): \(lastError)")
    }

    private static func runAsOwner(_ script: String, asRoot: Bool) async throws -> ProcessResult {
        if asRoot { return try await awaitProcess("/usr/sbin/runuser", ["-u", "postgres", "--", "/bin/bash", "-c", script]) }
        return try await awaitProcess("/bin/bash", ["-c", script])
    }

    /// Bash that closes every file the shell inherited beyond standard input, output and error.
    /// Foundation watches a child through a socket the child inherits: a daemon started from it
    /// (the server, the watchdog) would otherwise keep that socket, and every `Process` started
    /// meanwhile by other tests, open for its whole life, so that waiting for them never ends.
    static let closeInheritedFiles = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null || true"#

    /// Starts a watchdog, in a session of its own, that stops the cluster and removes its folder
    /// once this process has ended (also after a crash or kill -9).
    private static func watch(folder: String, asRoot: Bool) {
        let stop = "'\(Self.programs)/pg_ctl' -D '\(folder)/data' -m immediate stop >/dev/null 2>&1"
        let script = """
            \(Self.closeInheritedFiles)
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            \(asRoot ? "/usr/sbin/runuser -u postgres -- /bin/sh -c \"\(stop)\"" : stop)
            rm -rf '\(folder)'
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        watchdog.arguments = ["/bin/bash", "-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
