import Certificates
import Deployments
import Foundation
import Logging
import ManagementAPI
import RoleInstances
import Storage

/// The server the `Router` target sends requests to, made once per process: a real SQLite store
/// in a temporary folder with one subscription, a cloud service on it and one management
/// certificate registered with the `Reader` role, so that requests read everything there is to
/// read and change nothing (every input meets the same state).
struct RouterFixture: Sendable {
    /// The subscription the seeds and the dictionary name.
    static let subscription = SubscriptionID("0f22f022-0000-4000-8000-00000000f022")!
    /// The cloud service on it.
    static let cloudService = "fuzz-service"

    /// The API's routes and middleware.
    let api: InProcessAPI
    /// The registered certificate (DER) that requests present unless the input says not to.
    let certificate: [UInt8]

    /// The one fixture; made on first use.
    static var shared: RouterFixture {
        get async { await made.value }
    }

    private static let made = Task { () -> RouterFixture in
        do {
            return try await RouterFixture()
        } catch {
            fatalError("the Router target's server could not be set up: \(error)")
        }
    }

    private init() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("thumbprint-fuzz-router-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/packages", withIntermediateDirectories: true)
        let store = try SQLiteManagementStore(path: folder + "/thumbprint.sqlite")
        let masterKey = MasterKey.generate()
        let identity = try ServerIdentity.loadOrCreate(dataDirectory: folder, hostnames: [], sealing: masterKey)
        let administrator = EmailAddress("fuzz@contoso.com")!
        try await store.addUser(administrator)
        _ = try await Administration(store: store).createSubscription(name: "Fuzz", administrator: administrator, id: Self.subscription)
        let now = Date()
        try await store.createCloudService(
            CloudService(
                subscription: Self.subscription, name: Self.cloudService, label: "fuzz", description: nil, location: "West US",
                affinityGroup: nil, extendedProperties: [], created: now, modified: now),
            limit: 20)
        let client = try CertificateFactory().makeCertificate(CertificateRequest(dnsNames: ["fuzz-client"], keyAlgorithm: .ecdsaP256))
        try await store.addManagementCertificate(
            ManagementCertificate(
                subscription: Self.subscription, thumbprint: client.thumbprint,
                publicKey: Data(client.certificate.publicKey.keyBytes).base64EncodedString(),
                data: Data(client.cerBytes).base64EncodedString(), created: now, notAfter: client.certificate.notAfter,
                addedBy: administrator, role: .reader),
            limits: .standard)
        var logger = Logger(label: "fuzz-router")
        logger.logLevel = .critical
        let deployments = DeploymentRuntime(
            store: store, masterKey: masterKey, folder: folder + "/deployments", packagesDirectory: folder + "/packages",
            logger: logger, makeAgent: LocalRoleInstance.maker(sealing: masterKey))
        let server = ManagementServer(
            host: "127.0.0.1", port: 0, store: store, identity: identity.server, masterKey: masterKey, deployments: deployments,
            logger: logger)
        api = InProcessAPI(server: server)
        certificate = client.cerBytes
    }
}
