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
}
