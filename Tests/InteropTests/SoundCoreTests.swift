import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the report of `locked_database.py` says.
struct LockedDatabaseReport: Decodable {
    struct Write: Decodable {
        var ok: Bool
        var seconds: Double
        var error: String?
    }

    var instanceRequests: Int
    var instanceMaxMs: Double
    var cachedRequests: Int
    var cachedMaxMs: Double
    var failures: [String]
    var writes: [Write]
}

/// Timing-sensitive (run alone by scripts/test.sh): nothing the database does blocks an event loop.
@Suite("Sound core: a locked database blocks no event loop", .serialized)
struct LockedDatabaseTests {
    @Test(
        "while another process holds the database's write lock for 3 s, role instances and cached GETs answer within 200 ms, and writes wait and then succeed")
    func lockedDatabase() throws {
        let deployed = try DeployedServer.start()
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/locked_database.py").path
        let result = try runProcess(
            testPython,
            [
                script, deployed.server.data + "/admin.publishsettings", deployed.server.data + "/tls/ca.pem",
                "127.0.0.1:\(deployed.server.port)", deployed.server.folder.path, deployed.server.data + "/thumbprint.sqlite", "\(deployed.publicPort)",
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try JSONDecoder().decode(LockedDatabaseReport.self, from: Data(result.lastLine.utf8))
        print(
            "locked database: \(report.instanceRequests) instance requests (max \(Int(report.instanceMaxMs)) ms), \(report.cachedRequests) cached GETs (max \(Int(report.cachedMaxMs)) ms), writes \(report.writes.map { String(format: "%.1f s", $0.seconds) })"
        )
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.instanceRequests >= 5 && report.cachedRequests >= 5, "requests kept going: \(report.instanceRequests), \(report.cachedRequests)")
        #expect(report.instanceMaxMs < 200, "a role-instance request took \(report.instanceMaxMs) ms")
        #expect(report.cachedMaxMs < 200, "a cached GET took \(report.cachedMaxMs) ms")
        #expect(report.writes.count == 3)
        for write in report.writes {
            #expect(write.ok, "a write failed: \(write.error ?? "")")
            #expect(write.seconds > 2.0, "the write waited for the lock (\(write.seconds) s)")
        }
    }
}

@Suite("Sound core: a stopping server finishes its operations", .serialized)
struct ShutdownTests {
    @Test("SIGTERM during an upload: new operations are refused with 503, the running one finishes and is reported, then the server exits 0")
    func gracefulShutdown() throws {
        let deployed = try DeployedServer.start()
        let (slow, upload) = try deployed.restartPaused(
            at: "service-certificate-upload", seconds: 4, extraArguments: ["--shutdown-grace", "30"],
            action: ["service", "cert", "add", "--service", "hard1", "new.pfx", "--password-env", "PFX_PASSWORD"])

        kill(slow.process.processIdentifier, SIGTERM)
        Thread.sleep(forTimeInterval: 0.5)
        let refused = try deployed.run(["service", "cert", "add", "--service", "hard1", "old.pfx", "--password-env", "PFX_PASSWORD"] + deployed.connection)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("shutting down"), "\(refused.standardError)")
        #expect(slow.process.isRunning, "the server waits for the running operation")

        upload.waitUntilExit()
        slow.process.waitUntilExit()
        #expect(upload.terminationStatus == 0, "the client saw its operation succeed while the server was stopping")
        #expect(slow.process.terminationStatus == 0)
        let operations = try RestartHardeningTests.operations(deployed.server.data)
        #expect(operations.filter { $0.hasPrefix("Succeeded") }.count >= 1, "\(operations)")
        #expect(!operations.contains { $0.hasPrefix("InProgress") }, "\(operations)")

        let restarted = try PythonClientTests.RunningServer(folder: deployed.server.folder, readyWhen: "listening on https://", port: deployed.server.port)
        let listed = try deployed.run(["service", "cert", "list", "--service", "hard1"] + deployed.connection)
        #expect(listed.standardOutput.contains(deployed.renewed), "the upload finished during the grace period: \(listed.standardOutput)")
        withExtendedLifetime(restarted) {}
    }
}
