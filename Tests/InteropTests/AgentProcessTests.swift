import Foundation
import TestSupport
import Testing

/// A `thumbprint agent` process with its output collected; stopped (SIGTERM) when released.
final class RunningAgent: @unchecked Sendable {
    let process = Process()
    let folder: String
    private let collected = ServerOutput()

    /// Starts an agent for `server` with the .pfx at `pfx` (password in AGENT_PASSWORD), keeping its files in `folder`.
    init(server: Int, pfx: String, folder: String) throws {
        self.folder = folder
        process.executableURL = URL(fileURLWithPath: thumbprintExecutable)
        process.arguments = ["agent", "--server", "https://127.0.0.1:\(server)", "--data-dir", folder, "--pfx", pfx, "--password-env", "AGENT_PASSWORD"]
        var environment = ProcessInfo.processInfo.environment
        environment["AGENT_PASSWORD"] = AgentProcessTests.agentPassword
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let collected = self.collected
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
    }

    /// What it printed so far.
    var printed: String { collected.text }

    /// `DIR/status.json`, as written last.
    func status() -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: folder + "/status.json") else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    var connected: Bool { status()["connected"] as? Bool == true }
    var instances: [[String: Any]] { status()["instances"] as? [[String: Any]] ?? [] }
    var balancerPorts: [Int] { (status()["balancers"] as? [[String: Any]] ?? []).compactMap { $0["port"] as? Int } }
    /// The local ports of its ready instances.
    var instancePorts: [Int] {
        instances.filter { $0["status"] as? String == "ReadyRole" }.compactMap { (($0["endpoints"] as? [[String: Any]])?.first)?["localPort"] as? Int }
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

@Suite("Role instances on agent processes", .serialized)
struct AgentProcessTests {
    static let agentPassword = "agent-secret-1"

    /// Waits up to `seconds` for `condition`; whether it held.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    static func python(_ arguments: [String]) async throws -> [String: Any] {
        try report(try await runPython(arguments))
    }

    static func runPython(_ arguments: [String]) async throws -> ProcessResult {
        try await awaitProcess(testPython, [repositoryRoot.appendingPathComponent("Tests/InteropTests/python/agents_client.py").path] + arguments)
    }

    static func report(_ result: ProcessResult) throws -> [String: Any] {
        try #require(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.lastLine.utf8)) as? [String: Any])
    }

    @Test(
        "20 instances on 2 agents: served with every server stopped, converged when one returns, rotated with no failed connection, moved off a killed agent"
    )
    func agentsKeepServing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: testPython), "no Python venv at \(testPython): run scripts/test.sh")
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_MASTER_KEY"] = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        environment["THUMBPRINT_DATABASE"] = try await ThrowawayPostgres.shared.newDatabase()
        let serverArguments = ["--instances", "agents", "--max-cores", "40"]
        var server = try PythonClientTests.RunningServer(extraArguments: serverArguments, environment: environment)
        let folder = server.folder
        let (old, new) = try DeploymentFixture.makeCertificates(in: folder, home: folder.file("home"))
        let package = server.data + "/packages/app.cspkg"
        try DeploymentFixture.writePackage(to: package)
        try DeploymentFixture.configuration(thumbprint: old, count: 20).write(toFile: folder.file("old.cscfg"), atomically: true, encoding: .utf8)
        try DeploymentFixture.configuration(thumbprint: new, count: 20).write(toFile: folder.file("new.cscfg"), atomically: true, encoding: .utf8)

        var agentEnvironment = environment
        agentEnvironment["AGENT_PASSWORD"] = Self.agentPassword
        var agents: [RunningAgent] = []
        for name in ["agent-1", "agent-2"] {
            let issued = try await awaitProcess(
                thumbprintExecutable,
                ["admin", "--data-dir", server.data, "agent", "issue", name, "--out", folder.file("\(name).pfx"), "--password-env", "AGENT_PASSWORD"],
                environment: agentEnvironment)
            try #require(issued.status == 0, "\(issued.standardError)")
            agents.append(try RunningAgent(server: server.port, pfx: folder.file("\(name).pfx"), folder: folder.file(name)))
        }
        try #require(await Self.eventually(20) { agents.allSatisfy(\.connected) }, "agents connect: \(agents.map(\.printed))")

        let api = [server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", folder.path, "agents1"]
        let created = try await Self.python(
            ["setup"] + api + ["file://" + package, folder.file("old.pfx"), folder.file("new.pfx"), "deploy-secret", folder.file("old.cscfg")])
        let listed = created["instances"] as? [[String: Any]] ?? []
        #expect(listed.count == 20 && listed.allSatisfy { $0["status"] as? String == "ReadyRole" }, "\(listed)")
        #expect(agents.map(\.instances.count) == [10, 10], "least loaded first: \(agents.map(\.instances.count))")
        let agentPorts = Set(agents.flatMap(\.instancePorts))
        #expect(Set(listed.compactMap { $0["localPort"] as? Int }) == agentPorts, "Get Deployment shows the agents' instance ports")
        let publicPort = try #require(listed.first?["publicPort"] as? Int)

        // Fresh connections through both agents' own balancers, from now to the end of the rotation.
        let balancers = agents.flatMap(\.balancerPorts)
        #expect(balancers.count == 2)
        try JSONSerialization.data(withJSONObject: balancers).write(to: URL(fileURLWithPath: folder.file("ports.json")))
        let load = Process()
        load.executableURL = URL(fileURLWithPath: testPython)
        load.arguments = [
            repositoryRoot.appendingPathComponent("Tests/InteropTests/python/agents_client.py").path, "load", folder.file("ports.json"),
            folder.file("stop"), "4",
        ]
        let loadOutput = Pipe()
        load.standardOutput = loadOutput
        let loadReport = ServerOutput()
        loadOutput.fileHandleForReading.readabilityHandler = { handle in loadReport.append(handle.availableData) }
        try load.run()

        // Every server stopped: the agents keep serving.
        try await Task.sleep(for: .seconds(1))
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(await Self.eventually(15) { agents.allSatisfy { !$0.connected } }, "the agents notice the server is gone")
        try await Task.sleep(for: .seconds(2))
        #expect(agents.map(\.instances.count) == [10, 10], "nothing stops while no server runs")

        // A server again: the agents reconnect and nothing moves.
        server = try PythonClientTests.RunningServer(
            folder: folder, extraArguments: serverArguments, environment: environment, readyWhen: "listening on https://", port: server.port)
        #expect(await Self.eventually(20) { agents.allSatisfy(\.connected) }, "the agents reconnect: \(agents.map(\.printed))")
        #expect(Set(agents.flatMap(\.instancePorts)) == agentPorts, "instances keep running where they were")

        // Rotation across both agents.
        let ports = agents.flatMap(\.instancePorts).map(String.init).joined(separator: ",")
        let rotated = try await Self.python(["rotate"] + api + [folder.file("new.cscfg"), ports, new])
        try Data().write(to: URL(fileURLWithPath: folder.file("stop")))
        load.waitUntilExit()
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(loadReport.text.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any])
        let seen = report["seen"] as? [String: [Double]] ?? [:]
        let succeeded = try #require(rotated["succeeded"] as? Double)
        print(
            "agents rotation: 20 instances, change \(rotated["changeSeconds"] ?? "") s, all new \(rotated["allNewAfterSeconds"] ?? "never") s after success; load \(report["connections"] ?? "") connections, \(report["failureCount"] ?? "") failed"
        )
        #expect(report["failureCount"] as? Int == 0, "no failed connection, server down or not: \(report["failures"] ?? "")")
        #expect((report["connections"] as? Int ?? 0) > 100, "\(report["connections"] ?? "")")
        #expect((rotated["notNew"] as? [Int] ?? [0]).isEmpty, "every instance serves the new certificate: \(rotated)")
        #expect((rotated["allNewAfterSeconds"] as? Double ?? 99) < 1.0, "within 1 s of the change succeeding: \(rotated)")
        #expect((seen[old]?[1] ?? 0) < succeeded + 1.0, "the old certificate is not served a second after the change: \(seen)")
        #expect(seen[new] != nil)
        for agent in agents {
            let stores = try FileManager.default.subpathsOfDirectory(atPath: agent.folder + "/instances").filter { $0.hasSuffix(".key") }
            #expect(stores.count == 10, "each instance keeps its key in its store: \(stores)")
            for key in stores {
                let mode = try FileManager.default.attributesOfItem(atPath: agent.folder + "/instances/" + key)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(key)")
            }
        }

        // An agent killed: its instances are unresponsive within 10 s, then run on the other agent.
        let watching = Task { try await Self.runPython(["watch"] + api + ["60"]) }
        try await Task.sleep(for: .seconds(2))
        kill(agents[0].process.processIdentifier, SIGKILL)
        let killed = Date().timeIntervalSince1970
        let watched = try Self.report(try await watching.value)
        let unresponsive = (watched["unresponsiveAt"] as? Double).map { $0 - killed }
        let readyAgain = (watched["readyAgainAt"] as? Double).map { $0 - killed }
        print("agents: kill -9 of one agent: unresponsive after \(unresponsive ?? -1) s, all ReadyRole again after \(readyAgain ?? -1) s")
        // Each is UnresponsiveRole from 6 s unheard until the next 2 s move tick: a 0.2 s poll sees
        // most of them, but one moved at once may be missed (CI saw 8 of 10 at one moment).
        let reportedUnresponsive = watched["mostUnresponsive"] as? Int ?? 0
        #expect((7...10).contains(reportedUnresponsive), "the killed agent's instances are reported unresponsive before they move: \(watched)")
        #expect((unresponsive ?? 99) < 10, "within 10 s: \(watched)")
        #expect(readyAgain != nil, "replaced: \(watched)")
        #expect(await Self.eventually(10) { agents[1].instances.count == 20 }, "all on the other agent: \(agents[1].instances.count)")
        let through = try await awaitProcess(
            testPython,
            [
                "-c", "import sys; sys.path.insert(0, sys.argv[1]); from thumbprint_client import tls_get; print(tls_get(int(sys.argv[2]))[0])",
                repositoryRoot.appendingPathComponent("Tests/InteropTests/python").path, String(publicPort),
            ])
        #expect(through.lastLine == new, "the server's balancer reaches the moved instances: \(through.standardError)")
    }
}
