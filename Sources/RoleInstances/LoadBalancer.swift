import ConnectionLimits
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The public address of one endpoint of a deployment: a TCP load balancer on loopback that
/// passes each connection, TLS and all, to the next instance in turn. An instance that does
/// not answer is skipped, so a connection fails only when no instance takes it.
public final class LoadBalancer: Sendable {
    private let backends: NIOLockedValueBox<(ports: [Int], next: Int)>
    private let listener: any Channel
    /// The port clients connect to.
    public let port: Int

    private init(backends: NIOLockedValueBox<(ports: [Int], next: Int)>, listener: any Channel) {
        self.backends = backends
        self.listener = listener
        self.port = listener.localAddress?.port ?? 0
    }

    /// Starts listening on 127.0.0.1, on `preferredPort` when it is free (the address the
    /// endpoint had before a restart) or else a free port, passing connections to `ports`.
    /// A connection with no bytes either way for the idle timeout is closed, and accepting
    /// pauses at the per-endpoint connection cap.
    public static func start(ports: [Int], preferredPort: Int? = nil, limits: ConnectionLimits = .defaults,
                             group: any EventLoopGroup) async throws -> LoadBalancer {
        let backends = NIOLockedValueBox((ports: ports, next: 0))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionCap(maximum: limits.maximumConnectionsPerEndpoint))
                }
            }
            .childChannelInitializer { inbound in
                do {
                    try inbound.pipeline.syncOperations.addHandlers(IdleStateHandler(allTimeout: limits.idleTimeout), CloseWhenIdle())
                } catch {
                    return inbound.eventLoop.makeFailedFuture(error)
                }
                let order: [Int] = backends.withLockedValue { state in
                    guard !state.ports.isEmpty else { return [] }
                    let start = state.next % state.ports.count
                    state.next = (start + 1) % state.ports.count
                    return Array(state.ports[start...] + state.ports[..<start])
                }
                connect(inbound, toFirstOf: order)
                return inbound.eventLoop.makeSucceededVoidFuture()
            }
        let listener: any Channel
        if let preferredPort, let bound = try? await bootstrap.bind(host: "127.0.0.1", port: preferredPort).get() {
            listener = bound
        } else {
            listener = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        }
        return LoadBalancer(backends: backends, listener: listener)
    }

    /// Sends new connections to these instance ports from now on.
    public func setBackends(_ ports: [Int]) {
        backends.withLockedValue { $0 = (ports, 0) }
    }

    /// The instance ports it sends connections to.
    public var backendPorts: [Int] { backends.withLockedValue { $0.ports } }

    /// Stops accepting; connections already passed on continue until either side closes.
    public func stop() async {
        try? await listener.close()
    }

    private static func connect(_ inbound: any Channel, toFirstOf ports: [Int]) {
        guard let port = ports.first else {
            inbound.close(promise: nil)
            return
        }
        ClientBootstrap(group: inbound.eventLoop)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(2))
            .connect(host: "127.0.0.1", port: port)
            .whenComplete { result in
                switch result {
                case .success(let outbound):
                    let (inboundGlue, outboundGlue) = GlueHandler.matchedPair()
                    do {
                        try inbound.pipeline.syncOperations.addHandler(inboundGlue)
                        try outbound.pipeline.syncOperations.addHandler(outboundGlue)
                        inbound.setOption(.autoRead, value: true).whenFailure { _ in inbound.close(promise: nil) }
                    } catch {
                        inbound.close(promise: nil)
                        outbound.close(promise: nil)
                    }
                case .failure:
                    connect(inbound, toFirstOf: Array(ports.dropFirst()))
                }
            }
    }
}

/// Closes a connection when `IdleStateHandler` reports it idle.
private final class CloseWhenIdle: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
