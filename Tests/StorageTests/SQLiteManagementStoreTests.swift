import Certificates
import Foundation
import Storage
import TestSupport
import Testing

@Suite("SQLite storage: what only a file database does")
struct SQLiteManagementStoreTests {
    let fixture: StoreFixture
    var folder: TemporaryDirectory { fixture.folder }
    var store: any ManagementStore { fixture.store }
    var admin: EmailAddress { fixture.admin }
    var subscription: Subscription { fixture.subscription }

    init() async throws {
        fixture = try await StoreFixture(.sqlite)
    }

    @Test("answers kept in memory for authentication are dropped the moment another connection or process changes the file")
    func cachedReadsSeeOtherWriters() async throws {
        let certificate = fixture.registration(on: subscription.id, by: admin)
        try await store.addManagementCertificate(certificate, limits: .standard)
        // Asked twice, so the second answer comes from memory.
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try await store.managementCertificates(in: subscription.id).count == 1)

        // Another store on the file stands for an admin command or a second server.
        let other = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        #expect(try await other.deleteManagementCertificate(certificate.thumbprint, in: subscription.id))
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil)
        #expect(try await store.managementCertificates(in: subscription.id).isEmpty)

        // And back: an unknown caller is not remembered past a change either.
        try await other.addManagementCertificate(certificate, limits: .standard)
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try await store.managementCertificates(in: subscription.id).map(\.thumbprint) == [certificate.thumbprint])

        // Through a plain SQLite connection, as a tool outside Thumbprint would.
        let sqlite = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM management_certificates"); db.commit()
                """, folder.file("db.sqlite"),
            ])
        #expect(sqlite.status == 0, "\(sqlite.standardError)")
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil)
    }

    @Test("a write waits for a lock another process holds and reports busy after the timeout; reads go on meanwhile")
    func busyDatabase() async throws {
        let impatient = try SQLiteManagementStore(path: folder.file("db.sqlite"), busyTimeout: 0.5)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN EXCLUSIVE"); db.execute("INSERT INTO settings (name, value) VALUES ('held', '1')")
            print("locked", flush=True); time.sleep(3); db.execute("COMMIT")
            """, folder.file("db.sqlite"),
        ]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { holder.terminate() }
        _ = output.fileHandleForReading.availableData  // "locked"
        await #expect(throws: StorageError.busy) { try await impatient.setSetting("x", to: "1") }
        #expect(try await impatient.subscription(subscription.id)?.name == "Production", "reads are not blocked by the writer")
        holder.waitUntilExit()
        try await impatient.setSetting("x", to: "1")
        #expect(try await store.setting("x") == "1")
    }
}
