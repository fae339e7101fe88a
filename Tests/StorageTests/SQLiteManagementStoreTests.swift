import Certificates
import Foundation
import Storage
import TestSupport
import Testing

@Suite("SQLite storage")
struct SQLiteManagementStoreTests {
    let folder: TemporaryDirectory
    let store: SQLiteManagementStore
    let admin = EmailAddress("admin@contoso.com")!
    let subscription: Subscription

    init() throws {
        folder = try TemporaryDirectory()
        store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        try store.addUser(admin)
        subscription = Subscription(id: .random(), name: "Production", serviceAdministrator: admin, createdAt: Date())
        try store.createSubscription(subscription)
    }

    func registration(on subscription: SubscriptionID, by user: EmailAddress, _ index: Int = 0) -> ManagementCertificate {
        let bytes = Array("certificate \(index) \(UUID())".utf8)
        return ManagementCertificate(subscription: subscription, thumbprint: Thumbprint(certificateDER: bytes), publicKey: "k\(index)",
                                     data: "d\(index)", created: Date(), notAfter: Date().addingTimeInterval(86_400), addedBy: user)
    }

    @Test("a registration round-trips, authenticates its caller, and stops when deleted")
    func roundTrip() throws {
        let certificate = registration(on: subscription.id, by: admin)
        try store.addManagementCertificate(certificate, limits: .standard)
        #expect(try store.managementCertificate(certificate.thumbprint, in: subscription.id)?.data == "d0")
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(throws: StorageError.duplicateCertificate(thumbprint: certificate.thumbprint.description)) {
            try store.addManagementCertificate(certificate, limits: .standard)
        }
        #expect(try store.deleteManagementCertificate(certificate.thumbprint, in: subscription.id))
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil)
    }

    @Test("answers kept in memory for authentication are dropped the moment another connection or process changes the file")
    func cachedReadsSeeOtherWriters() throws {
        let certificate = registration(on: subscription.id, by: admin)
        try store.addManagementCertificate(certificate, limits: .standard)
        // Asked twice, so the second answer comes from memory.
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try store.managementCertificates(in: subscription.id).count == 1)

        // Another store on the file stands for an admin command or a second server.
        let other = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        #expect(try other.deleteManagementCertificate(certificate.thumbprint, in: subscription.id))
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil)
        #expect(try store.managementCertificates(in: subscription.id).isEmpty)

        // And back: an unknown caller is not remembered past a change either.
        try other.addManagementCertificate(certificate, limits: .standard)
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        #expect(try store.managementCertificates(in: subscription.id).map(\.thumbprint) == [certificate.thumbprint])

        // Through a plain SQLite connection, as a tool outside Thumbprint would.
        let sqlite = try runProcess("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM management_certificates"); db.commit()
            """, folder.file("db.sqlite")])
        #expect(sqlite.status == 0, "\(sqlite.standardError)")
        #expect(try store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil)
    }

    @Test("uploading a .cer of a certificate already uploaded as .pfx keeps its private key; deleting the service removes both")
    func serviceCertificateReupload() throws {
        let now = Date()
        try store.createCloudService(CloudService(subscription: subscription.id, name: "web1", label: "d2ViMQ==", description: nil, location: "Local",
                                                  affinityGroup: nil, extendedProperties: [], created: now, modified: now), limit: 20)
        let der = Array("certificate".utf8)
        let thumbprint = Thumbprint(certificateDER: der)
        try store.addServiceCertificate(ServiceCertificate(service: "web1", thumbprint: thumbprint, certificate: der, sealedPrivateKey: [1, 2, 3], created: now))
        try store.addServiceCertificate(ServiceCertificate(service: "web1", thumbprint: thumbprint, certificate: der, sealedPrivateKey: nil, created: now))
        #expect(try store.serviceCertificate(thumbprint, of: "web1")?.sealedPrivateKey == [1, 2, 3])
        try store.addServiceCertificate(ServiceCertificate(service: "web1", thumbprint: thumbprint, certificate: der, sealedPrivateKey: [4, 5], created: now))
        #expect(try store.serviceCertificate(thumbprint, of: "web1")?.sealedPrivateKey == [4, 5], "a new .pfx upload replaces the key")
        #expect(try store.serviceCertificates(of: "web1").count == 1)
        #expect(try store.deleteCloudService("web1", in: subscription.id))
        #expect(try store.serviceCertificates(of: "web1").isEmpty)
    }

    @Test("a second store on the same file sees every write at once (admin commands beside a running server)")
    func sharedFile() throws {
        let other = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let user = EmailAddress("ops@contoso.com")!
        try other.addUser(user)
        try other.addCoAdministrator(user, to: subscription.id)
        #expect(try store.coAdministrators(of: subscription.id) == [user])
        #expect(try store.subscriptions(administeredBy: user).map(\.id) == [subscription.id])
    }

    @Test("at most 100 certificates per subscription, even with 200 concurrent adds")
    func subscriptionLimitUnderConcurrency() async throws {
        let users = (0..<4).map { EmailAddress("user\($0)@contoso.com")! }
        for user in users { try store.addUser(user) }
        let outcomes = await withTaskGroup(of: StorageError?.self) { group in
            for index in 0..<200 {
                let certificate = registration(on: subscription.id, by: users[index % 4], index)
                group.addTask { () -> StorageError? in
                    do throws(StorageError) {
                        try store.addManagementCertificate(certificate, limits: .standard)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [StorageError?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 100)
        #expect(try store.managementCertificates(in: subscription.id).count == 100)
        let refusal = StorageError.subscriptionLimitReached(subscription: subscription.id.rawValue, limit: 100)
        #expect(outcomes.allSatisfy { $0 == nil || $0 == refusal })
    }

    @Test("at most 100 registrations per user across subscriptions; a co-administrator's count separately")
    func userLimit() throws {
        let limits = CertificateLimits(perSubscription: 100, perUser: 3)
        let second = Subscription(id: .random(), name: "Staging", serviceAdministrator: admin, createdAt: Date())
        try store.createSubscription(second)
        for index in 0..<2 { try store.addManagementCertificate(registration(on: subscription.id, by: admin, index), limits: limits) }
        try store.addManagementCertificate(registration(on: second.id, by: admin, 2), limits: limits)
        #expect(throws: StorageError.userLimitReached(user: admin.rawValue, limit: 3)) {
            try store.addManagementCertificate(registration(on: second.id, by: admin, 3), limits: limits)
        }
        let coadmin = EmailAddress("co@contoso.com")!
        try store.addUser(coadmin)
        try store.addCoAdministrator(coadmin, to: second.id)
        try store.addManagementCertificate(registration(on: second.id, by: coadmin, 4), limits: limits)
        // Deleting one frees its place.
        let first = try #require(try store.managementCertificates(in: subscription.id).first)
        #expect(try store.deleteManagementCertificate(first.thumbprint, in: subscription.id))
        try store.addManagementCertificate(registration(on: second.id, by: admin, 5), limits: limits)
    }

    @Test("unknown users and subscriptions are refused with what to do")
    func refusals() throws {
        let stranger = EmailAddress("nobody@contoso.com")!
        #expect(throws: StorageError.unknownUser(stranger.rawValue)) {
            try store.createSubscription(Subscription(id: .random(), name: "x", serviceAdministrator: stranger, createdAt: Date()))
        }
        #expect(throws: StorageError.subscriptionExists(subscription.id.rawValue)) { try store.createSubscription(subscription) }
        #expect(StorageError.userLimitReached(user: "a@b", limit: 100).description.contains("co-administrator"))
    }

    @Test("audit entries and operations are kept in order")
    func auditAndOperations() throws {
        try store.appendAudit(AuditEntry(time: Date(), subscription: subscription.id, callerThumbprint: "AB", user: admin.rawValue,
                                         operation: "AddManagementCertificate", target: "certificates/AB", outcome: "Succeeded"))
        try store.appendAudit(AuditEntry(time: Date(), subscription: nil, callerThumbprint: nil, user: nil, operation: "X", target: "y", outcome: "Failed"))
        #expect(try store.auditEntries(subscription: subscription.id).map(\.operation) == ["AddManagementCertificate"])
        #expect(try store.auditEntries(subscription: nil).count == 2)
        let id = RequestID.random()
        try store.saveOperation(OperationRecord(id: id, subscription: subscription.id, status: .inProgress))
        try store.saveOperation(OperationRecord(id: id, subscription: subscription.id, status: .succeeded, httpStatusCode: 200))
        #expect(try store.operation(id, in: subscription.id)?.status == .succeeded)
        #expect(try store.operation(id, in: .random()) == nil)
    }
}
