import Foundation
import TestSupport
import Testing

/// `thumbprint server` and the admin commands on PostgreSQL, as separate processes.
@Suite("Servers on PostgreSQL", .serialized)
struct PostgresServerTests {
    @Test("admin migrate copies a data folder's database into an empty PostgreSQL one, checked; the server goes on there; a second copy is refused")
    func migrateFromSQLite() async throws {
        let deployed = try DeployedServer.start()
        let server = deployed.server
        #expect(try deployed.run(["admin", "--data-dir", server.data, "user", "add", "ops@contoso.com"]).status == 0)
        let url = try await ThrowawayPostgres.shared.newDatabase()

        let whileRunning = try deployed.run(["admin", "migrate", "--from", server.data, "--to", url])
        #expect(whileRunning.status != 0)
        #expect(whileRunning.standardError.contains("a server is running on"), "\(whileRunning.standardError)")

        server.process.terminate()
        server.process.waitUntilExit()
        let copied = try deployed.run(["admin", "migrate", "--from", server.data, "--to", url, "--json"])
        #expect(copied.status == 0, "\(copied.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(copied.standardOutput.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [String: Int])
        #expect(rows["users"] == 2 && rows["subscriptions"] == 1 && rows["service_certificates"] == 1 && rows["deployments"] == 1, "\(rows)")
        #expect((rows["audit_log"] ?? 0) >= 3 && (rows["management_certificates"] ?? 0) == 1, "\(rows)")
        #expect((report["checksum"] as? String)?.count == 64)

        let again = try deployed.run(["admin", "migrate", "--from", server.data, "--to", url])
        #expect(again.status != 0)
        #expect(again.standardError.contains("already holds data"), "\(again.standardError)")

        // The same folder (its master key, CA and deployment files) with the data in PostgreSQL:
        // the deployment runs again from there, and the client's certificate still authenticates.
        let moved = try PythonClientTests.RunningServer(
            folder: server.folder, extraArguments: ["--database", url], readyWhen: "listening on https://", port: server.port)
        defer { moved.process.terminate() }
        let listed = try deployed.run(["service", "cert", "list", "--service", "hard1"] + deployed.connection)
        #expect(listed.status == 0 && listed.standardOutput.contains(deployed.thumbprint), "\(listed.standardOutput)\(listed.standardError)")
        let users = try deployed.run(["admin", "--data-dir", server.data, "--database", url, "subscription", "users", try #require(server.subscriptionID)])
        #expect(users.status == 0 && users.standardOutput.contains("admin@localhost"), "\(users.standardOutput)\(users.standardError)")
        #expect(
            try deployed.run(["admin", "--data-dir", server.data, "--database", url, "user", "add", "ops@contoso.com"]).status != 0, "copied users are there")
    }

    /// Two `thumbprint server` processes on one new database with one master key, each with its
    /// own data folder; the first one set the database up.
    static func twoServers(extraArguments: [String] = [], database: String? = nil) async throws -> (
        first: PythonClientTests.RunningServer, second: PythonClientTests.RunningServer
    ) {
        let url: String
        if let database { url = database } else { url = try await ThrowawayPostgres.shared.newDatabase() }
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_MASTER_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        environment["THUMBPRINT_DATABASE"] = url
        let first = try PythonClientTests.RunningServer(extraArguments: extraArguments, environment: environment)
        let second = try PythonClientTests.RunningServer(extraArguments: extraArguments, environment: environment, readyWhen: "listening on https://")
        return (first, second)
    }

    /// Runs `two_servers_client.py` against both servers; its JSON report.
    static func twoServersClient(_ servers: (first: PythonClientTests.RunningServer, second: PythonClientTests.RunningServer), _ arguments: [String])
        async throws -> [String: Any]
    {
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/two_servers_client.py").path
        let result = try await awaitProcess(
            testPython,
            [
                script, servers.first.data + "/admin.publishsettings", servers.first.data + "/tls/ca.pem", "127.0.0.1:\(servers.first.port)",
                "127.0.0.1:\(servers.second.port)", servers.first.folder.path,
            ] + arguments)
        try #require(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.lastLine.utf8)) as? [String: Any])
    }

    @Test(
        "two servers on one database: one CA file for both; a certificate deleted through one is refused by the other within a second, on a kept-alive connection"
    )
    func twoServersShareEverything() async throws {
        let servers = try await Self.twoServers()
        defer {
            servers.first.process.terminate()
            servers.second.process.terminate()
        }
        #expect(!servers.second.printed.contains("First run"), "only the first server sets the database up")
        let caFirst = try String(contentsOfFile: servers.first.data + "/tls/ca.pem", encoding: .utf8)
        let caSecond = try String(contentsOfFile: servers.second.data + "/tls/ca.pem", encoding: .utf8)
        #expect(caFirst == caSecond, "every server writes the same CA file")
        let serverFirst = try String(contentsOfFile: servers.first.data + "/tls/server.pem", encoding: .utf8)
        let serverSecond = try String(contentsOfFile: servers.second.data + "/tls/server.pem", encoding: .utf8)
        #expect(serverFirst != serverSecond, "each server issued its own certificate")

        let report = try await Self.twoServersClient(servers, ["revocation", "3"])
        let delays = try #require(report["delaysMs"] as? [Double])
        #expect(delays.count == 3 && delays.allSatisfy { $0 < 1000 }, "\(delays)")
        #expect(report["sameConnection"] as? Bool == true)
    }

    @Test("200 concurrent Add Management Certificate calls spread over two servers leave exactly 100; the rest are refused with 400")
    func limitsAcrossServers() async throws {
        let servers = try await Self.twoServers()
        defer {
            servers.first.process.terminate()
            servers.second.process.terminate()
        }
        let report = try await Self.twoServersClient(servers, ["limit", "200"])
        let statuses = try #require(report["statuses"] as? [Int])
        #expect(statuses.filter { $0 == 201 }.count == 99, "99 beside the administrator's own: \(statuses)")
        #expect(statuses.filter { $0 == 400 }.count == 101)
        #expect(report["held"] as? Int == 100)
    }

    @Test("a server killed with kill -9 during an operation: the other server marks it Failed once its lease ends, and answers Get Operation Status for it")
    func killedServersOperation() async throws {
        let url = try await ThrowawayPostgres.shared.newDatabase()
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_MASTER_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        environment["THUMBPRINT_DATABASE"] = url
        var pausing = environment
        pausing["THUMBPRINT_PAUSE_AT"] = "service-certificate-upload"
        let first = try PythonClientTests.RunningServer(environment: pausing)
        let second = try PythonClientTests.RunningServer(environment: environment, readyWhen: "listening on https://")
        defer { second.process.terminate() }
        _ = try DeploymentFixture.makeCertificates(in: first.folder, home: first.folder.file("home"))
        let connection = ["--publish-settings", first.data + "/admin.publishsettings", "--ca", first.data + "/tls/ca.pem"]
        let cli = ["THUMBPRINT_HOME": first.folder.file("home"), "PFX_PASSWORD": "deploy-secret"]
        let created = try runProcess(
            thumbprintExecutable, ["service", "create", "killed1"] + connection, environment: cli, currentDirectory: first.folder.path)
        try #require(created.status == 0, "\(created.standardError)")

        let upload = Process()
        upload.executableURL = URL(fileURLWithPath: thumbprintExecutable)
        upload.arguments = ["service", "cert", "add", "--service", "killed1", "old.pfx", "--password-env", "PFX_PASSWORD"] + connection
        upload.currentDirectoryURL = URL(fileURLWithPath: first.folder.path)
        upload.environment = cli
        upload.standardOutput = FileHandle.nullDevice
        upload.standardError = FileHandle.nullDevice
        try upload.run()
        let deadline = Date().addingTimeInterval(60)
        while !first.printed.contains("paused at service-certificate-upload") && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try #require(first.printed.contains("paused at service-certificate-upload"))
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let killed = ContinuousClock.now
        let name = try #require(url.split(separator: "/").last.map(String.init))
        let query = "SELECT id || ' ' || status FROM operations WHERE runner IS NOT NULL"
        let before = try await ThrowawayPostgres.shared.psql(query, database: name)
        // The client would go on polling the dead server for a while: it has no part in this.
        upload.terminate()
        upload.waitUntilExit()
        #expect(before.contains("InProgress"), "the killed server's operation is left in progress at first: \(before)")
        var after = before
        while after.contains("InProgress") && ContinuousClock.now - killed < .seconds(30) {
            try await Task.sleep(for: .milliseconds(200))
            after = try await ThrowawayPostgres.shared.psql(query, database: name)
        }
        let waited = ContinuousClock.now - killed
        #expect(after.contains("Failed"), "\(after)")
        // A 6 s lease swept every 2 s ends it within 8 s; the margin is for a loaded machine.
        #expect(waited < .seconds(15), "\(waited)")

        // Get Operation Status through the other server, with the real client.
        let id = try #require(after.split(separator: " ").first.map(String.init))
        let python = repositoryRoot.appendingPathComponent("Tests/InteropTests/python").path
        let status = try await awaitProcess(
            testPython,
            [
                "-c",
                """
                import sys; sys.path.insert(0, sys.argv[1])
                from thumbprint_client import connect
                sms, _ = connect(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], "other.pem")
                operation = sms.get_operation_status(sys.argv[6])
                print(operation.status, operation.error.message)
                """, python, first.data + "/admin.publishsettings", first.data + "/tls/ca.pem", "127.0.0.1:\(second.port)", first.folder.path, id,
            ])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(status.lastLine.hasPrefix("Failed") && status.lastLine.contains("stopped before it ended"), "\(status.standardOutput)")
    }

    @Test("four servers starting at the same moment on an empty database: exactly one sets it up, all serve the one subscription with one CA")
    func simultaneousFirstStart() async throws {
        let url = try await ThrowawayPostgres.shared.newDatabase()
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_MASTER_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        environment["THUMBPRINT_DATABASE"] = url
        let shared = environment
        // Each started on a thread of its own, so that they really start together.
        let servers = try await withThrowingTaskGroup(of: PythonClientTests.RunningServer.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await withCheckedThrowingContinuation { continuation in
                        Thread {
                            continuation.resume(with: Result { try PythonClientTests.RunningServer(environment: shared, readyWhen: "listening on https://") })
                        }.start()
                    }
                }
            }
            return try await group.reduce(into: [PythonClientTests.RunningServer]()) { $0.append($1) }
        }
        defer { for server in servers { server.process.terminate() } }
        try await Task.sleep(for: .milliseconds(500))  // the first-run lines follow the listening line
        #expect(servers.filter { $0.printed.contains("First run") }.count == 1, "\(servers.map(\.printed))")
        #expect(servers.allSatisfy { !$0.printed.contains("first-run setup failed") }, "\(servers.map(\.printed))")
        let name = try #require(url.split(separator: "/").last.map(String.init))
        #expect(try await ThrowawayPostgres.shared.psql("SELECT COUNT(*) FROM subscriptions", database: name).hasPrefix("1"))
        let authorities = try Set(servers.map { try String(contentsOfFile: $0.data + "/tls/ca.pem", encoding: .utf8) })
        #expect(authorities.count == 1, "one CA file for all")
    }

    @Test("behind a balancer: --public-url goes into publish settings, invitation links and every server's certificate; a plain-http one is refused")
    func publicAddress() async throws {
        let url = try await ThrowawayPostgres.shared.newDatabase()
        let servers = try await Self.twoServers(extraArguments: ["--public-url", "https://api.contoso.test:9443"], database: url)
        defer {
            servers.first.process.terminate()
            servers.second.process.terminate()
        }
        let settings = try String(contentsOfFile: servers.first.data + "/admin.publishsettings", encoding: .utf8)
        #expect(settings.contains("ServiceManagementUrl=\"https://api.contoso.test:9443\""), "\(settings)")
        #expect(servers.first.printed.contains("Portal: https://api.contoso.test:9443/"), "\(servers.first.printed)")
        for server in [servers.first, servers.second] {
            let names = try runProcess("/usr/bin/env", ["openssl", "x509", "-in", server.data + "/tls/server.pem", "-noout", "-ext", "subjectAltName"])
            #expect(names.standardOutput.contains("DNS:api.contoso.test"), "\(names.standardOutput)")
        }
        let invited = try runProcess(
            thumbprintExecutable, ["admin", "--data-dir", servers.second.data, "--database", url, "user", "invite", "admin@localhost"])
        #expect(invited.status == 0 && invited.lastLine.hasPrefix("https://api.contoso.test:9443/"), "\(invited.standardOutput)\(invited.standardError)")

        let refused = try runProcess(
            thumbprintExecutable, ["server", "--data-dir", servers.first.folder.file("other"), "--public-url", "http://api.contoso.test"])
        #expect(refused.status == 2 && refused.standardError.contains("--public-url takes https://"), "\(refused.standardError)")
    }
}
