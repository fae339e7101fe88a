import Certificates
import ConnectionLimits
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One endpoint of one instance: an HTTP server on a free loopback port, with TLS for https.
///
/// What it serves is read when a connection is accepted, so switching the certificate affects
/// new connections only; connections already open keep the certificate they started with.
final class InstanceEndpoint: Sendable {
    /// What new connections get.
    struct Serving: Sendable {
        var tls: NIOSSLContext?
        var page: InstancePage
    }

    /// Open connections get this long to finish once the endpoint stops.
    static let gracePeriod: Duration = .seconds(1)

    private let serving: NIOLockedValueBox<Serving>
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    private let listener: any Channel
    /// The loopback port it listens on.
    let port: Int

    private init(serving: NIOLockedValueBox<Serving>, connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>, listener: any Channel) {
        self.serving = serving
        self.connections = connections
        self.listener = listener
        self.port = listener.localAddress?.port ?? 0
    }

    /// Starts listening on `host` and a free port, closing connections that outlast `limits`
    /// and pausing accepts at its per-endpoint connection cap.
    static func start(_ initial: Serving, host: String, limits: ConnectionLimits, group: any EventLoopGroup) async throws -> InstanceEndpoint {
        let serving = NIOLockedValueBox(initial)
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let registry = ConnectionRegistry(maximum: limits.maximumConnectionsPerEndpoint)
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionCap(registry: registry))
                }
            }
            .childChannelInitializer { channel in
                let current = serving.withLockedValue { $0 }
                connections.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = connections.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
                }
                do {
                    if let tls = current.tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionDeadlines<HTTPServerRequestPart, HTTPServerResponsePart>(limits: limits, usesTLS: current.tls != nil, registry: registry))
                    try channel.pipeline.syncOperations.addHandler(InstanceHTTPHandler(page: current.page))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: host, port: 0).get()
        return InstanceEndpoint(serving: serving, connections: connections, listener: listener)
    }

    /// Serves `next` to every connection accepted from now on.
    func update(_ next: Serving) {
        serving.withLockedValue { $0 = next }
    }

    /// Stops accepting at once; open connections are closed after the grace period.
    func stop() async {
        try? await listener.close()
        let open = connections.withLockedValue { Array($0.values) }
        guard !open.isEmpty else { return }
        try? await Task.sleep(for: Self.gracePeriod)
        for channel in open { try? await channel.close() }
    }

    /// A TLS context serving `bundle` (which must have its private key) with its chain.
    static func tlsContext(for bundle: CertificateBundle) throws -> NIOSSLContext {
        guard let key = bundle.privateKey else { throw CertificateError.missingPrivateKey }
        let chain = try bundle.chainIncludingLeaf.map { try NIOSSLCertificate(bytes: $0.der, format: .der) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        )
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }
}
