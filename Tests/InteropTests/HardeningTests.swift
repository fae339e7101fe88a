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
    /// `--publish-settings … --ca …` for the client commands.
    let connection: [String]

    /// Runs the built `thumbprint` in the server's folder.
    func run(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": server.folder.file("home"), "PFX_PASSWORD": "deploy-secret"],
                       currentDirectory: server.folder.path)
    }

    static func start(extraArguments: [String] = [], openFileLimit: Int? = nil, instances: Int = 1) throws -> DeployedServer {
        let server = try PythonClientTests.RunningServer(extraArguments: extraArguments, openFileLimit: openFileLimit)
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let (old, _) = try DeploymentFixture.makeCertificates(in: server.folder, home: server.folder.file("home"))
        try DeploymentFixture.writePackage(to: server.data + "/packages/app.cspkg")
        try DeploymentFixture.configuration(thumbprint: old, count: instances).write(toFile: server.folder.file("app.cscfg"), atomically: true, encoding: .utf8)
        var deployed = DeployedServer(server: server, publicPort: 0, thumbprint: old, connection: connection)
        try #require(try deployed.run(["service", "create", "hard1"] + connection).status == 0)
        let uploaded = try deployed.run(["service", "cert", "add", "--service", "hard1", "old.pfx", "--password-env", "PFX_PASSWORD"] + connection)
        try #require(uploaded.status == 0, "\(uploaded.standardError)")
        let created = try deployed.run(["deployment", "create", "--service", "hard1", "--package", server.data + "/packages/app.cspkg",
                                        "--configuration", "app.cscfg"] + connection)
        try #require(created.status == 0, "\(created.standardError)")
        let address = try #require(created.standardOutput.split(separator: "\n").first { $0.hasPrefix("Endpoint") })
        deployed = DeployedServer(server: server, publicPort: try #require(address.split(separator: ":").last.flatMap { Int($0) }),
                                  thumbprint: old, connection: connection)
        return deployed
    }

    /// The thumbprint a fresh TLS connection to `port` is served, after one request.
    func servedThumbprint(port: Int) throws -> String {
        let python = repositoryRoot.appendingPathComponent("Tests/InteropTests/python").path
        let result = try runProcess(testPython, ["-c", "import sys; sys.path.insert(0, sys.argv[1]); import thumbprint_client as t; print(t.tls_get(int(sys.argv[2]))[0])",
                                                     python, "\(port)"])
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
        let deployed = try DeployedServer.start(extraArguments: ["--handshake-timeout", "1", "--header-timeout", "2", "--idle-timeout", "2"],
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

    @Test("a partial ClientHello, a finished handshake with no request, and an idle kept-alive connection are each closed in time", arguments: ["hello", "tls", "keepalive"])
    func slowClients(kind: String) throws {
        let server = try PythonClientTests.RunningServer(extraArguments: ["--handshake-timeout", "1", "--header-timeout", "2", "--idle-timeout", "2"])
        let report = try FloodReport.run(port: server.port, count: 40, kind: kind, seconds: 20)
        #expect(report.opened == 40)
        #expect(report.closed == 40, "\(kind): \(report)")
        #expect(report.lastClose < 10, "\(kind): \(report)")
    }
}
