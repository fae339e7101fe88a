import Certificates
import NIOCore
import NIOSSL
import Synchronization

/// The client certificate of each open connection, read once per connection on its event loop,
/// so that a request finds it (and its thumbprint) without a round trip to the event loop.
/// One registry serves every server in the process: entries are keyed by live channels.
final class PresentedCertificates: Sendable {
    /// The process's registry.
    static let shared = PresentedCertificates()

    /// A certificate the client proved it holds in the TLS handshake.
    struct Presented: Sendable {
        var der: [UInt8]
        var thumbprint: Thumbprint
    }

    private let connections = Mutex<[ObjectIdentifier: Presented]>([:])

    /// The certificate presented on `channel`, if it has sent a request and presented one.
    func certificate(of channel: any Channel) -> Presented? {
        connections.withLock { $0[ObjectIdentifier(channel)] }
    }

    func record(_ presented: Presented, for channel: any Channel) {
        connections.withLock { $0[ObjectIdentifier(channel)] = presented }
    }

    func forget(_ channel: any Channel) {
        _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// A handler for one connection's pipeline, after TLS; it passes every message on unchanged.
    func handler() -> PresentedCertificateHandler { PresentedCertificateHandler(registry: self) }
}

/// Records the connection's client certificate when its first request arrives (the handshake
/// is over by then) and forgets it when the connection closes, so entries never outlive it.
final class PresentedCertificateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    private let registry: PresentedCertificates
    private var recorded = false

    init(registry: PresentedCertificates) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !recorded {
            recorded = true
            if let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate(),
                let der = try? certificate.toDERBytes()
            {
                registry.record(.init(der: der, thumbprint: Thumbprint(certificateDER: der)), for: context.channel)
                ServerMetrics.handshakeCompleted(clientCertificate: true)
            } else {
                ServerMetrics.handshakeCompleted(clientCertificate: false)
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.forget(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        registry.forget(context.channel)
    }
}
