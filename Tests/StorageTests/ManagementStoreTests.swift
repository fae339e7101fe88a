import Certificates
import Foundation
import Storage
import TestSupport
import Testing

/// The two backends every storage test runs against.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A store on a fresh database of one backend, with a user and a subscription.
struct StoreFixture {
    let backend: StorageBackend
    /// The folder of the SQLite file (also made for PostgreSQL, unused there).
    let folder: TemporaryDirectory
    /// Where the PostgreSQL database is.
    let url: String?
    let store: any ManagementStore
    let admin = EmailAddress("admin@contoso.com")!
    let subscription: Subscription

    init(_ backend: StorageBackend) async throws {
        self.backend = backend
        folder = try TemporaryDirectory()
        url = backend == .postgres ? try await ThrowawayPostgres.shared.newDatabase() : nil
        store = try await Self.open(backend, folder: folder, url: url)
        try await store.addUser(admin)
        subscription = Subscription(id: .random(), name: "Production", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(subscription)
    }

    /// Another store on the same database: an admin command or a second server.
    func another() async throws -> any ManagementStore {
        try await Self.open(backend, folder: folder, url: url)
    }

    private static func open(_ backend: StorageBackend, folder: TemporaryDirectory, url: String?) async throws -> any ManagementStore {
        switch backend {
        case .sqlite: try SQLiteManagementStore(path: folder.file("db.sqlite"))
        case .postgres: try await PostgresManagementStore(PostgresLocation(url: url ?? "", allowPassword: true))
        }
    }

    func registration(on subscription: SubscriptionID, by user: EmailAddress, _ index: Int = 0) -> ManagementCertificate {
        let bytes = Array("certificate \(index) \(UUID())".utf8)
        return ManagementCertificate(
            subscription: subscription, thumbprint: Thumbprint(certificateDER: bytes), publicKey: "k\(index)",
            data: "d\(index)", created: Date(), notAfter: Date().addingTimeInterval(86_400), addedBy: user)
    }
}

@Suite("Storage, on SQLite and on PostgreSQL")
struct ManagementStoreTests {
    @Test("a registration round-trips, authenticates its caller, and stops when deleted", arguments: StorageBackend.allCases)
    func roundTrip(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        let certificate = fixture.registration(on: subscription.id, by: admin)
        try await store.addManagementCertificate(certificate, limits: .standard)
        #expect(try await store.managementCertificate(certificate.thumbprint, in: subscription.id)?.data == "d0")
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id)?.user == admin)
        await #expect(throws: StorageError.duplicateCertificate(thumbprint: certificate.thumbprint.description)) {
            try await store.addManagementCertificate(certificate, limits: .standard)
        }
        #expect(try await store.deleteManagementCertificate(certificate.thumbprint, in: subscription.id))
        #expect(try await store.caller(thumbprint: certificate.thumbprint, subscription: subscription.id) == nil)
    }

    @Test(
        "uploading a .cer of a certificate already uploaded as .pfx keeps its private key; deleting the service removes both",
        arguments: StorageBackend.allCases)
    func serviceCertificateReupload(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, subscription) = (fixture.store, fixture.subscription)
        let now = Date()
        try await store.createCloudService(
            CloudService(
                subscription: subscription.id, name: "web1", label: "d2ViMQ==", description: nil, location: "Local",
                affinityGroup: nil, extendedProperties: [], created: now, modified: now), limit: 20)
        let der = Array("certificate".utf8)
        let thumbprint = Thumbprint(certificateDER: der)
        try await store.addServiceCertificate(
            ServiceCertificate(
                subscription: subscription.id, service: "web1", thumbprint: thumbprint, certificate: der, sealedPrivateKey: [1, 2, 3], created: now))
        try await store.addServiceCertificate(
            ServiceCertificate(subscription: subscription.id, service: "web1", thumbprint: thumbprint, certificate: der, sealedPrivateKey: nil, created: now))
        #expect(try await store.serviceCertificate(thumbprint, of: "web1", in: subscription.id)?.sealedPrivateKey == [1, 2, 3])
        try await store.addServiceCertificate(
            ServiceCertificate(
                subscription: subscription.id, service: "web1", thumbprint: thumbprint, certificate: der, sealedPrivateKey: [4, 5], created: now))
        #expect(
            try await store.serviceCertificate(thumbprint, of: "web1", in: subscription.id)?.sealedPrivateKey == [4, 5], "a new .pfx upload replaces the key")
        #expect(try await store.serviceCertificates(of: "web1", in: subscription.id).count == 1)
        #expect(try await store.deleteCloudService("web1", in: subscription.id))
        #expect(try await store.serviceCertificates(of: "web1", in: subscription.id).isEmpty)
    }

    @Test("a second store on the same database sees every write at once (admin commands beside a running server)", arguments: StorageBackend.allCases)
    func sharedFile(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, subscription) = (fixture.store, fixture.subscription)
        let other = try await fixture.another()
        let user = EmailAddress("ops@contoso.com")!
        try await other.addUser(user)
        try await other.addCoAdministrator(user, to: subscription.id)
        #expect(try await store.coAdministrators(of: subscription.id) == [user])
        #expect(try await store.subscriptions(administeredBy: user).map(\.id) == [subscription.id])
    }

    @Test("at most 100 certificates per subscription, even with 200 concurrent adds", arguments: StorageBackend.allCases)
    func subscriptionLimitUnderConcurrency(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, subscription) = (fixture.store, fixture.subscription)
        let users = (0..<4).map { EmailAddress("user\($0)@contoso.com")! }
        for user in users { try await store.addUser(user) }
        let outcomes = await withTaskGroup(of: StorageError?.self) { group in
            for index in 0..<200 {
                let certificate = fixture.registration(on: subscription.id, by: users[index % 4], index)
                group.addTask { () -> StorageError? in
                    do throws(StorageError) {
                        try await store.addManagementCertificate(certificate, limits: .standard)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [StorageError?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 100)
        #expect(try await store.managementCertificates(in: subscription.id).count == 100)
        let refusal = StorageError.subscriptionLimitReached(subscription: subscription.id.rawValue, limit: 100)
        #expect(outcomes.allSatisfy { $0 == nil || $0 == refusal })
    }

    @Test("at most 100 registrations per user across subscriptions; a co-administrator's count separately", arguments: StorageBackend.allCases)
    func userLimit(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        let limits = CertificateLimits(perSubscription: 100, perUser: 3)
        let second = Subscription(id: .random(), name: "Staging", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(second)
        for index in 0..<2 { try await store.addManagementCertificate(fixture.registration(on: subscription.id, by: admin, index), limits: limits) }
        try await store.addManagementCertificate(fixture.registration(on: second.id, by: admin, 2), limits: limits)
        await #expect(throws: StorageError.userLimitReached(user: admin.rawValue, limit: 3)) {
            try await store.addManagementCertificate(fixture.registration(on: second.id, by: admin, 3), limits: limits)
        }
        let coadmin = EmailAddress("co@contoso.com")!
        try await store.addUser(coadmin)
        try await store.addCoAdministrator(coadmin, to: second.id)
        try await store.addManagementCertificate(fixture.registration(on: second.id, by: coadmin, 4), limits: limits)
        // Deleting one frees its place.
        let first = try #require(try await store.managementCertificates(in: subscription.id).first)
        #expect(try await store.deleteManagementCertificate(first.thumbprint, in: subscription.id))
        try await store.addManagementCertificate(fixture.registration(on: second.id, by: admin, 5), limits: limits)
    }

    @Test("unknown users and subscriptions are refused with what to do", arguments: StorageBackend.allCases)
    func refusals(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, subscription) = (fixture.store, fixture.subscription)
        let stranger = EmailAddress("nobody@contoso.com")!
        await #expect(throws: StorageError.unknownUser(stranger.rawValue)) {
            try await store.createSubscription(Subscription(id: .random(), name: "x", serviceAdministrator: stranger, createdAt: Date()))
        }
        await #expect(throws: StorageError.subscriptionExists(subscription.id.rawValue)) { try await store.createSubscription(subscription) }
        #expect(StorageError.userLimitReached(user: "a@b", limit: 100).description.contains("co-administrator"))
    }

    @Test("audit entries and operations are kept in order", arguments: StorageBackend.allCases)
    func auditAndOperations(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        try await store.appendAudit(
            AuditEntry(
                time: Date(), subscription: subscription.id, callerThumbprint: "AB", user: admin.rawValue,
                operation: "AddManagementCertificate", target: "certificates/AB", outcome: "Succeeded"))
        try await store.appendAudit(
            AuditEntry(time: Date(), subscription: nil, callerThumbprint: nil, user: nil, operation: "X", target: "y", outcome: "Failed"))
        #expect(try await store.auditEntries(subscription: subscription.id).map(\.operation) == ["AddManagementCertificate"])
        #expect(try await store.auditEntries(subscription: nil).count == 2)
        let id = try #require(OperationID("5f0c4e8a9b2d4c6e8f1a3b5c7d9e0f21"))
        try await store.saveOperation(OperationRecord(id: id, subscription: subscription.id, status: .inProgress))
        try await store.saveOperation(OperationRecord(id: id, subscription: subscription.id, status: .succeeded, httpStatusCode: 200))
        #expect(try await store.operation(id, in: subscription.id)?.status == .succeeded)
        #expect(try await store.operation(id, in: .random()) == nil, "an operation is found only in its own subscription")
    }

    @Test(
        "tenancy lives in the store: another subscription's service certificates and deployments are not found, changed or deleted",
        arguments: StorageBackend.allCases)
    func tenancy(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        let now = Date()
        let other = Subscription(id: .random(), name: "Other", serviceAdministrator: admin, createdAt: now)
        try await store.createSubscription(other)
        try await store.createCloudService(
            CloudService(
                subscription: subscription.id, name: "web1", label: "d2ViMQ==", description: nil,
                location: "Local", affinityGroup: nil, extendedProperties: [], created: now, modified: now),
            limit: 20)
        let der = Array("certificate".utf8)
        let thumbprint = Thumbprint(certificateDER: der)
        try await store.addServiceCertificate(
            ServiceCertificate(
                subscription: subscription.id, service: "web1", thumbprint: thumbprint,
                certificate: der, sealedPrivateKey: [1], created: now))
        let deployment = Deployment(
            subscription: subscription.id, service: "web1", name: "d1", slot: .production, privateID: "p1", label: "bA==",
            status: .running, configuration: [1], definition: [2], packageFolder: nil, extendedProperties: [],
            created: now, modified: now)
        try await store.createDeployment(deployment)

        // Named with the other subscription, nothing is there.
        #expect(try await store.serviceCertificates(of: "web1", in: other.id).isEmpty)
        #expect(try await store.serviceCertificate(thumbprint, of: "web1", in: other.id) == nil)
        #expect(try await store.deleteServiceCertificate(thumbprint, of: "web1", in: other.id) == false)
        #expect(try await store.deployments(of: "web1", in: other.id).isEmpty)
        #expect(try await store.deleteDeployment("d1", of: "web1", in: other.id) == false)
        var foreign = deployment
        foreign.subscription = other.id
        foreign.status = .suspended
        try await store.updateDeployment(foreign)
        await #expect(throws: StorageError.unknownCloudService("web1")) { try await store.swapDeploymentSlots(of: "web1", in: other.id) }
        await #expect(throws: StorageError.unknownCloudService("web1")) {
            try await store.addServiceCertificate(
                ServiceCertificate(
                    subscription: other.id, service: "web1", thumbprint: thumbprint,
                    certificate: der, sealedPrivateKey: [9], created: now))
        }
        var intruder = deployment
        intruder.subscription = other.id
        intruder.name = "d2"
        intruder.slot = .staging
        await #expect(throws: StorageError.unknownCloudService("web1")) { try await store.createDeployment(intruder) }

        // The owner's data is untouched and found with its own subscription.
        let kept = try #require(try await store.deployments(of: "web1", in: subscription.id).first)
        #expect(kept.status == .running && kept.subscription == subscription.id)
        #expect(try await store.serviceCertificate(thumbprint, of: "web1", in: subscription.id)?.sealedPrivateKey == [1])
        #expect(try await store.allDeployments().map(\.subscription) == [subscription.id])
    }

    @Test(
        "an operation in progress ends Failed at once when its own runner restarts, for another server only once its lease ended",
        arguments: StorageBackend.allCases)
    func operationLeases(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, subscription) = (fixture.store, fixture.subscription)
        let now = Date()
        let mine = try #require(OperationID("5f0c4e8a9b2d4c6e8f1a3b5c7d9e0f21"))
        let theirs = try #require(OperationID("6f0c4e8a9b2d4c6e8f1a3b5c7d9e0f21"))
        try await store.saveOperation(
            OperationRecord(id: mine, subscription: subscription.id, status: .inProgress, runner: "a", leaseUntil: now.addingTimeInterval(6)))
        try await store.saveOperation(
            OperationRecord(id: theirs, subscription: subscription.id, status: .inProgress, runner: "b", leaseUntil: now.addingTimeInterval(6)))
        #expect(try await store.operation(mine, in: subscription.id)?.runner == "a")

        // Server b, still within both leases, ends nothing; server a restarting ends its own at once.
        #expect(try await store.failInterruptedOperations(runner: "b-other", leaseEndedBefore: now, message: "gone") == 0)
        #expect(try await store.failInterruptedOperations(runner: "a", leaseEndedBefore: now, message: "restarted") == 1)
        #expect(try await store.operation(mine, in: subscription.id)?.errorMessage == "restarted")
        #expect(try await store.operation(theirs, in: subscription.id)?.status == .inProgress)

        // Renewed, b's operation outlives its first lease; not renewed, it ends after the second.
        #expect(try await store.renewOperationLeases(runner: "b", until: now.addingTimeInterval(12)) == 1)
        #expect(try await store.failInterruptedOperations(runner: nil, leaseEndedBefore: now.addingTimeInterval(8), message: "gone") == 0)
        #expect(try await store.failInterruptedOperations(runner: nil, leaseEndedBefore: now.addingTimeInterval(13), message: "gone") == 1)
        let ended = try #require(try await store.operation(theirs, in: subscription.id))
        #expect(ended.status == .failed && ended.errorMessage == "gone" && ended.httpStatusCode == 500)
        #expect(try await store.renewOperationLeases(runner: "b", until: now.addingTimeInterval(20)) == 0, "a finished operation has no lease")
    }
}
