import Certificates
import Foundation
import Storage
import TestSupport
import Testing

@Suite("PostgreSQL storage: what only a shared server database does")
struct PostgresManagementStoreTests {
    @Test("servers starting together on an empty database take turns: the schema is made once and every one of them works")
    func concurrentMigration() async throws {
        let url = try await ThrowawayPostgres.shared.newDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresManagementStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresManagementStore(PostgresLocation(url: url, allowPassword: true)) } }
            return try await group.reduce(into: [PostgresManagementStore]()) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let name = try #require(url.split(separator: "/").last.map(String.init))
        let versions = try await ThrowawayPostgres.shared.psql("SELECT version FROM schema_migrations ORDER BY version", database: name)
        #expect(versions.split(separator: "\n") == ["1", "2", "3", "4", "5", "6"], "each migration applied once")
        for (index, store) in stores.enumerated() { try await store.addUser(EmailAddress("u\(index)@contoso.com")!) }
        #expect(try await stores[0].userExists(EmailAddress("u3@contoso.com")!))
    }

    @Test("an answer kept in memory for authentication is dropped within a second of a change by another server or by psql")
    func cachedReadsSeeOtherWriters() async throws {
        let fixture = try await StoreFixture(.postgres)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        let certificate = fixture.registration(on: subscription.id, by: admin)
        try await store.addManagementCertificate(certificate, limits: .standard)
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)

        let other = try await fixture.another()
        #expect(try await other.deleteManagementCertificate(certificate.thumbprint, in: subscription.id))
        #expect(try await eventually { try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil })

        try await other.addManagementCertificate(certificate, limits: .standard)
        #expect(try await eventually { try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) != nil })
        #expect(try await store.managementCertificates(in: subscription.id).count == 1)

        // A tool outside Thumbprint: the tables' triggers notify as our own writes do.
        let name = try #require(fixture.url?.split(separator: "/").last.map(String.init))
        try await ThrowawayPostgres.shared.psql("DELETE FROM management_certificates", database: name)
        #expect(try await eventually { try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil })
        #expect(try await store.managementCertificates(in: subscription.id).isEmpty)
    }

    @Test("a password on the command line is refused (it would be visible to every user); from the environment it is used")
    func passwordsStayOutOfArguments() throws {
        #expect(throws: StorageError.self) { try PostgresLocation(url: "postgres://u:secret@localhost/db", allowPassword: false) }
        do {
            _ = try PostgresLocation(url: "postgres://u:secret@localhost/db", allowPassword: false)
        } catch {
            #expect(!error.description.contains("secret"))
            #expect(error.description.contains("THUMBPRINT_DATABASE"))
        }
        let location = try PostgresLocation(url: "postgres://u:secret@db.example:6543/thumbprint?sslmode=require", allowPassword: true)
        #expect(location.password == "secret" && location.port == 6543 && location.tls == .require)
        #expect(location.description == "postgres://u@db.example:6543/thumbprint")
        let fromEnvironment = try PostgresLocation(url: "postgres://u@localhost/db", allowPassword: false, environment: ["PGPASSWORD": "pw"])
        #expect(fromEnvironment.password == "pw" && fromEnvironment.port == 5432)
        for bad in ["mysql://u@h/db", "postgres://h/db", "postgres://u@h/", "postgres://u@h/db?sslmode=maybe", "postgres://u@h/db?x=1"] {
            #expect(throws: StorageError.self, "\(bad)") { try PostgresLocation(url: bad, allowPassword: false) }
        }
    }

    @Test("an unreachable database is a clear error naming where, without a password")
    func unreachable() async throws {
        let port = try freeLoopbackPort()
        await #expect {
            try await PostgresManagementStore(PostgresLocation(url: "postgres://u:hidden@127.0.0.1:\(port)/db", allowPassword: true))
        } throws: { error in
            let text = "\(error)"
            return text.contains("postgres://u@127.0.0.1:\(port)/db") && !text.contains("hidden")
        }
    }

    @Test("a database that stops answering: requests fail unavailable after 10 s, cached authentication is trusted for under a second, and the store recovers")
    func databaseGoesAway() async throws {
        let fixture = try await StoreFixture(.postgres)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        let certificate = fixture.registration(on: subscription.id, by: admin)
        try await store.addManagementCertificate(certificate, limits: .standard)
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) != nil)
        let name = try #require(fixture.url?.split(separator: "/").last.map(String.init))
        try await ThrowawayPostgres.shared.psql(
            "ALTER DATABASE \(name) ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        // Answers cached before are trusted for less than a second after the database was last heard.
        try await Task.sleep(for: .seconds(1.5))
        let started = ContinuousClock.now
        await #expect {
            _ = try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)
        } throws: { error in
            guard case StorageError.unavailable(let location) = error else { return false }
            return location.contains(name) && !location.contains("password")
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .seconds(9) && waited < .seconds(20), "\(waited)")

        try await ThrowawayPostgres.shared.psql("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
        #expect(try await eventually(within: .seconds(10)) { (try? await store.userExists(admin)) == true })
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) != nil)
    }

    /// Whether `condition` holds within a second (a change reaches other servers asynchronously).
    func eventually(within limit: Duration = .seconds(1), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try await condition()
    }
}
