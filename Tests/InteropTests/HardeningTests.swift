import Foundation
import TestSupport
import Testing

/// A server with one deployment made through the command line: cloud service `hard1`, role
/// `WebRole` with an https endpoint behind a load balancer.
struct DeployedServer {
    let server: PythonClientTests.RunningServer
    /// The load balancer's port (the endpoint's public address).
    let publicPort: Int
    /// The thumbprint the endpoint serves.
    let thumbprint: String
    /// A second certificate for the same name, `new.pfx` in the server's folder, not uploaded.
    let renewed: String
    /// `--publish-settings … --ca …` for the client commands.
    let connection: [String]

    /// Runs the built `thumbprint` in the server's folder.
    func run(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(
            thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": server.folder.file("home"), "PFX_PASSWORD": "deploy-secret"],
            currentDirectory: server.folder.path)
    }

    static func start(extraArguments: [String] = [], environment: [String: String]? = nil, openFileLimit: Int? = nil, instances: Int = 1) throws
        -> DeployedServer
    {
        let server = try PythonClientTests.RunningServer(extraArguments: extraArguments, environment: environment, openFileLimit: openFileLimit)
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let (old, new) = try DeploymentFixture.makeCertificates(in: server.folder, home: server.folder.file("home"))
        try DeploymentFixture.writePackage(to: server.data + "/packages/app.cspkg")
        try DeploymentFixture.configuration(thumbprint: old, count: instances).write(toFile: server.folder.file("app.cscfg"), atomically: true, encoding: .utf8)
        var deployed = DeployedServer(server: server, publicPort: 0, thumbprint: old, renewed: new, connection: connection)
        try #require(try deployed.run(["service", "create", "hard1"] + connection).status == 0)
        let uploaded = try deployed.run(["service", "cert", "add", "--service", "hard1", "old.pfx", "--password-env", "PFX_PASSWORD"] + connection)
        try #require(uploaded.status == 0, "\(uploaded.standardError)")
        let created = try deployed.run(
            [
                "deployment", "create", "--service", "hard1", "--package", server.data + "/packages/app.cspkg",
                "--configuration", "app.cscfg",
            ] + connection)
        try #require(created.status == 0, "\(created.standardError)")
        let address = try #require(created.standardOutput.split(separator: "\n").first { $0.hasPrefix("Endpoint") })
        deployed = DeployedServer(
            server: server, publicPort: try #require(address.split(separator: ":").last.flatMap { Int($0) }),
            thumbprint: old, renewed: new, connection: connection)
        return deployed
    }

    /// Stops the server and starts it again on its folder and port so that it pauses at `point`
    /// (`THUMBPRINT_PAUSE_AT`; for `seconds`, or for ever), runs the client command `action` in
    /// the background, and returns once the server is paused there.
    func restartPaused(
        at point: String, seconds: Double? = nil, extraArguments: [String] = [], action: [String]
    ) throws -> (server: PythonClientTests.RunningServer, client: Process) {
        server.process.terminate()
        server.process.waitUntilExit()
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_PAUSE_AT"] = point
        if let seconds { environment["THUMBPRINT_PAUSE_SECONDS"] = "\(seconds)" }
        let paused = try PythonClientTests.RunningServer(
            folder: server.folder, extraArguments: extraArguments, environment: environment, readyWhen: "listening on https://", port: server.port)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: thumbprintExecutable)
        client.arguments = action + connection
        client.currentDirectoryURL = URL(fileURLWithPath: server.folder.path)
        client.environment = ["THUMBPRINT_HOME": server.folder.file("home"), "PFX_PASSWORD": "deploy-secret"]
        client.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        client.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try client.run()
        let deadline = Date().addingTimeInterval(60)
        while !paused.printed.contains("paused at \(point)") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try #require(paused.printed.contains("paused at \(point)"), "the server never reached \(point)")
        return (paused, client)
    }

    /// The thumbprint a fresh TLS connection to `port` is served, after one request.
    func servedThumbprint(port: Int) throws -> String {
        let python = repositoryRoot.appendingPathComponent("Tests/InteropTests/python").path
        let result = try runProcess(
            testPython,
            [
                "-c", "import sys; sys.path.insert(0, sys.argv[1]); import thumbprint_client as t; print(t.tls_get(int(sys.argv[2]))[0])",
                python, "\(port)",
            ])
        return result.lastLine
    }
}

/// What `connection_flood.py` reports.
struct FloodReport: Decodable {
    var opened: Int
    var closed: Int
    var lastClose: Double

    static func run(port: Int, count: Int, kind: String, seconds: Int) throws -> FloodReport {
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/connection_flood.py").path
        let result = try runProcess("/usr/bin/env", ["python3", script, "\(port)", "\(count)", kind, "\(seconds)"])
        try #require(result.status == 0, "\(result.standardError)")
        return try JSONDecoder().decode(FloodReport.self, from: Data(result.lastLine.utf8))
    }
}

@Suite("Hardening: connections that never finish", .serialized)
struct ConnectionFloodTests {
    @Test("under ulimit -n 1024, 1,100 idle connections to the API and to a load balancer are shed; the server stays up and serves a normal client")
    func idleFlood() throws {
        let deployed = try DeployedServer.start(
            extraArguments: ["--handshake-timeout", "1", "--header-timeout", "2", "--idle-timeout", "2"],
            openFileLimit: 1024)
        for port in [deployed.server.port, deployed.publicPort] {
            let report = try FloodReport.run(port: port, count: 1100, kind: "idle", seconds: 90)
            #expect(report.opened == 1100)
            #expect(report.closed == 1100, "port \(port): \(report)")
            #expect(deployed.server.process.isRunning, "the server died under the flood on port \(port)")
        }
        let shown = try deployed.run(["subscription", "show"] + deployed.connection)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(try deployed.servedThumbprint(port: deployed.publicPort) == deployed.thumbprint)
    }

    @Test("1,100 idle connections held against a full listener (ulimit -n 1024) are pushed out long before their timeouts, and the server stays up")
    func pushedOutDuringFlood() throws {
        // Timeouts of a minute: whatever closes idle connections within the 20 s is the full
        // listener pushing out its longest-waiting one. Whether a client is served meanwhile
        // depends on timing on two shared cores: scripts/bench-abuse.sh measures that.
        let deployed = try DeployedServer.start(
            extraArguments: ["--handshake-timeout", "60", "--header-timeout", "60", "--idle-timeout", "60"],
            openFileLimit: 1024)
        for port in [deployed.server.port, deployed.publicPort] {
            let report = try FloodReport.run(port: port, count: 1100, kind: "hold", seconds: 20)
            #expect(report.opened > 1100 && report.closed > 0, "port \(port): \(report)")
            #expect(deployed.server.process.isRunning, "the server died under the flood on port \(port)")
        }
        let shown = try deployed.run(["subscription", "show"] + deployed.connection)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(try deployed.servedThumbprint(port: deployed.publicPort) == deployed.thumbprint)
    }

    @Test(
        "a partial ClientHello, a finished handshake with no request, and an idle kept-alive connection are each closed in time",
        arguments: ["hello", "tls", "keepalive"])
    func slowClients(kind: String) throws {
        let server = try PythonClientTests.RunningServer(extraArguments: ["--handshake-timeout", "1", "--header-timeout", "2", "--idle-timeout", "2"])
        let report = try FloodReport.run(port: server.port, count: 40, kind: kind, seconds: 20)
        #expect(report.opened == 40)
        #expect(report.closed == 40, "\(kind): \(report)")
        #expect(report.lastClose < 10, "\(kind): \(report)")
    }
}

@Suite("Hardening: one server per data folder, and restarts after kill -9", .serialized)
struct RestartHardeningTests {
    @Test("a second server on the same data folder is refused, naming the first one's PID and address; the first keeps serving")
    func oneServerPerDataFolder() throws {
        let first = try PythonClientTests.RunningServer()
        let second = Process()
        second.executableURL = URL(fileURLWithPath: thumbprintExecutable)
        second.arguments = ["server", "--data-dir", first.data, "--listen", "127.0.0.1:\(try freeLoopbackPort())"]
        let errors = Pipe()
        second.standardError = errors
        second.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try second.run()
        let deadline = Date().addingTimeInterval(20)
        while second.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if second.isRunning {
            second.terminate()
            second.waitUntilExit()
            Issue.record("the second server started on a data folder in use")
            return
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus != 0)
        #expect(message.contains("PID \(first.process.processIdentifier)") && message.contains("https://127.0.0.1:\(first.port)"), "\(message)")
        let shown = try runProcess(
            thumbprintExecutable, ["subscription", "show", "--publish-settings", first.data + "/admin.publishsettings", "--ca", first.data + "/tls/ca.pem"])
        #expect(shown.status == 0, "the first server still serves: \(shown.standardError)")
    }

    /// Deploys `hard1`, runs `prepare`, restarts the server so that it pauses at `point`, runs
    /// `action` (a client command that reaches the point) in the background, kills the server
    /// with SIGKILL once it is paused there, and starts it again on the same folder and port.
    static func killed(at point: String, prepare: (DeployedServer) throws -> Void = { _ in }, action: [String])
        throws -> (DeployedServer, PythonClientTests.RunningServer)
    {
        let deployed = try DeployedServer.start()
        try prepare(deployed)
        let (paused, client) = try deployed.restartPaused(at: point, action: action)
        kill(paused.process.processIdentifier, SIGKILL)
        paused.process.waitUntilExit()
        client.waitUntilExit()
        let restarted = try PythonClientTests.RunningServer(folder: deployed.server.folder, readyWhen: "listening on https://", port: deployed.server.port)
        #expect(restarted.announcement.contains("marked Failed (interrupted by a server restart)"), "\(restarted.announcement)")
        return (deployed, restarted)
    }

    /// The operations table as Python's sqlite3 reads it: status and message of each.
    static func operations(_ data: String) throws -> [String] {
        let result = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                for status, message in sqlite3.connect(sys.argv[1]).execute("SELECT status, error_message FROM operations"):
                    print(status, message or "")
                """, data + "/thumbprint.sqlite",
            ])
        return result.standardOutput.split(separator: "\n").map(String.init)
    }

    @Test("kill -9 inside a service-certificate upload: the operation ends Failed, and no half-stored certificate is listed")
    func killedDuringUpload() throws {
        let (deployed, restarted) = try Self.killed(
            at: "service-certificate-upload", action: ["service", "cert", "add", "--service", "hard1", "new.pfx", "--password-env", "PFX_PASSWORD"])
        let operations = try Self.operations(deployed.server.data)
        #expect(!operations.contains { $0.hasPrefix("InProgress") }, "\(operations)")
        #expect(operations.contains { $0.hasPrefix("Failed") && $0.contains("interrupted by a server restart") }, "\(operations)")
        let listed = try deployed.run(["service", "cert", "list", "--service", "hard1"] + deployed.connection)
        #expect(listed.status == 0 && listed.standardOutput.contains(deployed.thumbprint), "\(listed.standardOutput)\(listed.standardError)")
        #expect(!listed.standardOutput.contains(deployed.renewed), "\(listed.standardOutput)")
        withExtendedLifetime(restarted) {}
    }

    @Test("kill -9 inside a deployment create: the operation ends Failed, no deployment and no files are left")
    func killedDuringCreate() throws {
        let (deployed, restarted) = try Self.killed(
            at: "deployment-create",
            prepare: { deployed in
                try #require(try deployed.run(["service", "create", "hard2"] + deployed.connection).status == 0)
                try #require(
                    try deployed.run(["service", "cert", "add", "--service", "hard2", "old.pfx", "--password-env", "PFX_PASSWORD"] + deployed.connection).status
                        == 0)
            },
            action: ["deployment", "create", "--service", "hard2", "--package", "data/packages/app.cspkg", "--configuration", "app.cscfg"])
        #expect(try Self.operations(deployed.server.data).contains { $0.hasPrefix("Failed") && $0.contains("interrupted by a server restart") })
        let shown = try deployed.run(["deployment", "show", "--service", "hard2"] + deployed.connection)
        #expect(shown.standardError.contains("No deployments were found"), "\(shown.standardOutput)\(shown.standardError)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: deployed.server.data + "/deployments")
        #expect(folders.count == 1, "only hard1's deployment folder is left: \(folders)")
        #expect(try deployed.servedThumbprint(port: deployed.publicPort) == deployed.thumbprint, "hard1 runs again")
        withExtendedLifetime(restarted) {}
    }

    @Test("kill -9 after instances switched but before the new configuration was committed: the deployment runs its committed configuration")
    func killedDuringConfigurationChange() throws {
        let (deployed, restarted) = try Self.killed(
            at: "deployment-change-configuration",
            prepare: { deployed in
                try #require(
                    try deployed.run(["service", "cert", "add", "--service", "hard1", "new.pfx", "--password-env", "PFX_PASSWORD"] + deployed.connection).status
                        == 0)
                try DeploymentFixture.configuration(thumbprint: deployed.renewed, count: 1)
                    .write(toFile: deployed.server.folder.file("renewed.cscfg"), atomically: true, encoding: .utf8)
            },
            action: ["deployment", "set-config", "--service", "hard1", "--configuration", "renewed.cscfg"])
        #expect(try Self.operations(deployed.server.data).contains { $0.hasPrefix("Failed") && $0.contains("interrupted by a server restart") })
        #expect(try deployed.servedThumbprint(port: deployed.publicPort) == deployed.thumbprint, "the committed configuration's certificate is served")
        let shown = try deployed.run(["deployment", "show", "--service", "hard1", "--json"] + deployed.connection)
        #expect(shown.standardOutput.contains("\"WebRole/SSL\" : \"\(deployed.thumbprint)\""), "\(shown.standardOutput)")
        withExtendedLifetime(restarted) {}
    }
}

@Suite("Hardening: no private key in plaintext under the data folder", .serialized)
struct SealedKeysTests {
    /// Byte patterns that give a private key away: PEM armour, and the start of PKCS#8 RSA and
    /// EC keys and of a PKCS#1 RSA key (public keys in certificates never start this way).
    static let giveaways: [(String, [UInt8])] = [
        ("PEM private key", Array("PRIVATE KEY-----".utf8)),
        ("PKCS#8 RSA key", [0x02, 0x01, 0x00, 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00, 0x04]),
        ("PKCS#8 EC key", [0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
        ("PKCS#1 RSA key", [0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00]),
    ]

    /// Every file below `folder` that contains one of `patterns`, with what it contains.
    static func findings(in folder: String, patterns: [(String, [UInt8])]) throws -> [String] {
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            let path = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            for (what, pattern) in patterns where data.range(of: Data(pattern)) != nil { found.append("\(name): \(what)") }
        }
        return found
    }

    @Test("with THUMBPRINT_MASTER_KEY and no key file, no file under the data folder holds a private key: database, WAL, TLS keys, instance stores")
    func nothingInPlaintext() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_MASTER_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let deployed = try DeployedServer.start(environment: environment, instances: 2)
        let folder = deployed.server.folder
        let patterns = try Self.uploadedKeyPatterns(in: folder)
        #expect(!FileManager.default.fileExists(atPath: deployed.server.data + "/master.key"))
        #expect(FileManager.default.fileExists(atPath: deployed.server.data + "/tls/ca.key.sealed"))
        let sealedStores = try runProcess("/usr/bin/env", ["find", deployed.server.data + "/deployments", "-name", "*.key.sealed"])
        #expect(sealedStores.standardOutput.split(separator: "\n").count == 2, "each instance holds the key, sealed: \(sealedStores.standardOutput)")
        #expect(try deployed.servedThumbprint(port: deployed.publicPort) == deployed.thumbprint)
        let findings = try Self.findings(in: deployed.server.data, patterns: patterns)
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test("on PostgreSQL, a pg_dump of the whole database holds the certificates but no private key, only sealed ones")
    func nothingInPlaintextInPostgres() async throws {
        let url = try await ThrowawayPostgres.shared.newDatabase()
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_MASTER_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        environment["THUMBPRINT_DATABASE"] = url
        let deployed = try DeployedServer.start(environment: environment)
        #expect(!FileManager.default.fileExists(atPath: deployed.server.data + "/thumbprint.sqlite"), "the data went to PostgreSQL")
        #expect(try deployed.servedThumbprint(port: deployed.publicPort) == deployed.thumbprint)
        let dump = Data(try await ThrowawayPostgres.shared.dump(url).utf8)
        // pg_dump writes bytea as hex: look for every pattern in that form too.
        var patterns = try Self.uploadedKeyPatterns(in: deployed.server.folder)
        patterns += patterns.map { ("\($0.0) in hex", Array($0.1.map { String(format: "%02x", $0) }.joined().utf8)) }
        let found = patterns.filter { dump.range(of: Data($0.1)) != nil }.map(\.0)
        #expect(found.isEmpty, "\(found)")
        // The scan can find what is there: the uploaded certificate, stored as it came.
        let certificate = try runProcess(
            "/bin/sh",
            ["-c", "openssl pkcs12 -in old.pfx -nokeys -clcerts -passin env:PFX_PASSWORD | openssl x509 -outform DER | od -An -tx1 -v | tr -d ' \\n'"],
            environment: ["PFX_PASSWORD": "deploy-secret"], currentDirectory: deployed.server.folder.path)
        let hex = certificate.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hex.count > 500 && dump.range(of: Data(hex.utf8)) != nil, "the certificate is in the dump")
    }

    /// The key uploaded by `DeployedServer` (old.pfx) in each of its forms as openssl writes it,
    /// with the giveaways of any key; checked to be found in the exported files themselves.
    static func uploadedKeyPatterns(in folder: TemporaryDirectory) throws -> [(String, [UInt8])] {
        let exported = try runProcess(
            "/bin/sh",
            [
                "-c",
                """
                openssl pkcs12 -in old.pfx -nocerts -nodes -passin env:PFX_PASSWORD | openssl pkey -out key.pem &&
                openssl pkey -in key.pem -outform DER -out key.der && openssl rsa -in key.pem -traditional -outform DER -out key1.der 2>/dev/null
                """,
            ], environment: ["PFX_PASSWORD": "deploy-secret"], currentDirectory: folder.path)
        try #require(exported.status == 0, "\(exported.standardError)")
        var patterns = Self.giveaways
        for file in ["key.der", "key1.der"] {
            let der = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file(file))))
            patterns.append(("the uploaded key (\(file))", der))
            patterns.append(("the uploaded key in base64 (\(file))", Array(Data(der).base64EncodedString().prefix(64).utf8)))
        }
        // The scan finds keys where there are some: the exported files themselves.
        #expect(try Self.findings(in: folder.path, patterns: patterns).contains { $0.hasPrefix("key.der") })
        #expect(try Self.findings(in: folder.path, patterns: patterns).contains { $0.hasPrefix("key.pem") })
        return patterns
    }
}
