import AsyncHTTPClient
import Certificates
import ConnectionLimits
import Deployments
import Foundation
import Hummingbird
import Logging
import ManagementAPI
import NIOCore
import NIOHTTP1
import NIOSSL
import RoleInstances
import ServiceLifecycle
import Storage
import TestSupport

/// A real server on a free loopback port, over real TLS, with a subscription, its administrator
/// and one registered management certificate.
struct TestServer: Sendable {
    let port: Int
    let store: SQLiteManagementStore
    let caCertificate: CertificateDetails
    let subscription: Subscription
    let administrator: EmailAddress
    /// The administrator's management certificate, registered on the subscription.
    let adminCertificate: CertificateBundle
    /// The key that seals private keys and webhook secrets.
    let masterKey: MasterKey

    var baseURL: String { "https://127.0.0.1:\(port)" }

    /// Runs `body` against a fresh server, then stops it.
    static func with<T: Sendable>(limits: CertificateLimits = .standard, _ body: @Sendable (TestServer) async throws -> T) async throws -> T {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("thumbprint.sqlite"))
        let masterKey = MasterKey.generate()
        let identity = try ServerIdentity.loadOrCreate(dataDirectory: folder.path, hostnames: [], sealing: masterKey)
        let administrator = EmailAddress("admin@contoso.com")!
        try await store.addUser(administrator)
        let administration = Administration(store: store)
        let subscription = try await administration.createSubscription(name: "Contoso", administrator: administrator)
        let adminCertificate = try makeTestBundle(["admin-client"], key: .ecdsaP256)
        try await register(adminCertificate, on: subscription.id, by: administrator, in: store)

        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        try FileManager.default.createDirectory(atPath: folder.file("packages"), withIntermediateDirectories: true)
        let deployments = DeploymentRuntime(
            store: store, masterKey: masterKey, folder: folder.file("deployments"),
            packagesDirectory: folder.file("packages"), logger: logger, makeAgent: LocalRoleInstance.maker(sealing: masterKey))
        // Long timeouts: these tests share two cores with suites that block threads on child
        // processes; the timeouts themselves are tested against the real server (HardeningTests).
        let server = ManagementServer(
            host: "127.0.0.1", port: 0, store: store, identity: identity.server, limits: limits,
            masterKey: masterKey, deployments: deployments,
            connectionLimits: ConnectionLimits(
                handshakeTimeout: .seconds(300), headerTimeout: .seconds(300),
                idleTimeout: .seconds(300), maximumConnections: 1024),
            logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try server.application { port in continuation.yield(port) }
        // Stopped the way the server stops on SIGTERM, not cancelled: a clean stop logs nothing.
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await group.triggerGracefulShutdown()
            throw TestServerError.didNotStart
        }
        let testServer = TestServer(
            port: port, store: store, caCertificate: identity.server.chain[0], subscription: subscription,
            administrator: administrator, adminCertificate: adminCertificate, masterKey: masterKey)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(testServer))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
        await deployments.shutdown()
        withExtendedLifetime(folder) {}
        return try result.get()
    }

    enum TestServerError: Error { case didNotStart }

    /// Registers `bundle` on a subscription directly in the store.
    static func register(_ bundle: CertificateBundle, on subscription: SubscriptionID, by user: EmailAddress, in store: SQLiteManagementStore) async throws {
        try await store.addManagementCertificate(
            ManagementCertificate(
                subscription: subscription, thumbprint: bundle.thumbprint,
                publicKey: Data(bundle.certificate.publicKey.keyBytes).base64EncodedString(),
                data: Data(bundle.cerBytes).base64EncodedString(), created: Date(), notAfter: bundle.certificate.notAfter, addedBy: user
            ), limits: .standard)
    }

    /// An HTTP client that trusts the server's CA and presents `certificate` (or none).
    func client(presenting certificate: CertificateBundle?, connections: Int = 8) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: caCertificate.der, format: .der)])
        if let certificate, let key = certificate.privateKey {
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: certificate.certificate.der, format: .der))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

/// What came back from one request.
struct APIResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The `<Code>` of an error body.
    var errorCode: String? {
        guard let start = body.range(of: "<Code>"), let end = body.range(of: "</Code>") else { return nil }
        return String(body[start.upperBound..<end.lowerBound])
    }
}

extension HTTPClient {
    /// Sends one request with the API's headers (`x-ms-version` unless `version` is nil).
    func send(_ method: HTTPMethod, _ url: String, body: String? = nil, version: String? = "2014-10-01") async throws -> APIResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let version { request.headers.add(name: "x-ms-version", value: version) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/atom+xml;type=entry;charset=utf-8")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return APIResponse(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }
}

/// The Add Management Certificate body for `bundle`, as the Python client writes it.
func addCertificateBody(_ bundle: CertificateBundle, thumbprint: String? = nil, publicKey: String? = nil, data: String? = nil) -> String {
    let key = publicKey ?? Data(bundle.certificate.publicKey.keyBytes).base64EncodedString()
    let print = thumbprint ?? bundle.thumbprint.description
    let cer = data ?? Data(bundle.cerBytes).base64EncodedString()
    return """
        <SubscriptionCertificate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/windowsazure">\
        <SubscriptionCertificatePublicKey>\(key)</SubscriptionCertificatePublicKey>\
        <SubscriptionCertificateThumbprint>\(print)</SubscriptionCertificateThumbprint>\
        <SubscriptionCertificateData>\(cer)</SubscriptionCertificateData></SubscriptionCertificate>
        """
}
