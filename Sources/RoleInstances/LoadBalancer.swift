import ConnectionLimits
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The public address of one endpoint of a deployment: a TCP load balancer on loopback that
/// passes each connection, TLS and all, to the next instance in turn. An instance that does
/// not answer is skipped, so a connection fails only when no instance takes it.
public final class LoadBalancer: Sendable {
    private let targets: NIOLockedValueBox<(addresses: [InstanceAddress], next: Int)>
    private let listener: any Channel
    /// The port clients connect to.
    public let port: Int

    private init(targets: NIOLockedValueBox<(addresses: [InstanceAddress], next: Int)>, listener: any Channel) {
        self.targets = targets
        self.listener = listener
        self.port = listener.localAddress?.port ?? 0
    }

    /// Starts listening on `host` (loopback by default), on `preferredPort` when it is free (the
    /// address the endpoint had before a restart) or else a free port, passing connections to
    /// the instances at `addresses`.
    /// A connection with no bytes either way for the idle timeout is closed, and at the
    /// per-endpoint connection cap the longest-waiting connection that has sent nothing is.
    public static func start(
        addresses: [InstanceAddress], host: String = "127.0.0.1", preferredPort: Int? = nil, limits: ConnectionLimits = .defaults,
        group: any EventLoopGroup
    ) async throws -> LoadBalancer {
        let backends = NIOLockedValueBox((addresses: addresses, next: 0))
        let registry = ConnectionRegistry(maximum: limits.maximumConnectionsPerEndpoint)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionCap(registry: registry))
                }
            }
            .childChannelInitializer { inbound in
                // The instance is chosen, and connected to, when the client sends its first
                // bytes: a connection that sends nothing costs one descriptor and no instance anything.
                let choose: @Sendable () -> [InstanceAddress] = {
                    backends.withLockedValue { state in
                        guard !state.addresses.isEmpty else { return [] }
                        let start = state.next % state.addresses.count
                        state.next = (start + 1) % state.addresses.count
                        return Array(state.addresses[start...] + state.addresses[..<start])
                    }
                }
                return inbound.eventLoop.makeCompletedFuture {
                    try inbound.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(allTimeout: limits.idleTimeout),
                        BalancedConnection(registry: registry, firstBytesTimeout: limits.handshakeTimeout, choose: choose))
                }
            }
        let listener: any Channel
        if let preferredPort, let bound = try? await bootstrap.bind(host: host, port: preferredPort).get() {
            listener = bound
        } else {
            listener = try await bootstrap.bind(host: host, port: 0).get()
        }
        return LoadBalancer(targets: backends, listener: listener)
    }

    /// Sends new connections to the instances at these addresses from now on.
    public func setBackends(_ addresses: [InstanceAddress]) {
        targets.withLockedValue { $0 = (addresses, 0) }
    }

    /// Where it sends connections.
    public var backends: [InstanceAddress] { targets.withLockedValue { $0.addresses } }

    /// Stops accepting; connections already passed on continue until either side closes.
    public func stop() async {
        try? await listener.close()
    }

    /// Connects to the first instance of `addresses` that answers and joins the two connections,
    /// sending `firstBytes` (what the client sent before) ahead; closes the client's connection
    /// when none answers.
    fileprivate static func connect(_ inbound: any Channel, toFirstOf addresses: [InstanceAddress], firstBytes: [ByteBuffer]) {
        guard let address = addresses.first else {
            inbound.close(promise: nil)
            return
        }
        ClientBootstrap(group: inbound.eventLoop)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(2))
            .connect(host: address.host, port: address.port)
            .whenComplete { result in
                switch result {
                case .success(let outbound):
                    // The client may have gone (or been pushed out) while this connected: both
                    // channels are on one event loop, so this check cannot race the close.
                    guard inbound.isActive else {
                        outbound.close(promise: nil)
                        return
                    }
                    let (inboundGlue, outboundGlue) = GlueHandler.matchedPair()
                    do {
                        try inbound.pipeline.syncOperations.addHandler(inboundGlue)
                        try outbound.pipeline.syncOperations.addHandler(outboundGlue)
                        for bytes in firstBytes { outbound.write(bytes, promise: nil) }
                        outbound.flush()
                        inbound.setOption(.autoRead, value: true).whenFailure { _ in inbound.close(promise: nil) }
                    } catch {
                        inbound.close(promise: nil)
                        outbound.close(promise: nil)
                    }
                case .failure:
                    connect(inbound, toFirstOf: Array(addresses.dropFirst()), firstBytes: firstBytes)
                }
            }
    }
}

/// One connection through a load balancer, before and around the instance connection: counted
/// in the listener's registry; closed when it sends nothing within the first-bytes timeout (and,
/// through `IdleStateHandler`, when idle); and, on its first bytes, marked busy (the load balancer
/// cannot see requests inside TLS, so a connection that has sent nothing is the one pushed out
/// first) and joined to an instance.
private final class BalancedConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let registry: ConnectionRegistry
    private let firstBytesTimeout: TimeAmount
    private let choose: @Sendable () -> [InstanceAddress]
    private var firstBytes: [ByteBuffer] = []
    private var deadline: Scheduled<Void>?
    private var joined = false

    init(registry: ConnectionRegistry, firstBytesTimeout: TimeAmount, choose: @escaping @Sendable () -> [InstanceAddress]) {
        self.registry = registry
        self.firstBytesTimeout = firstBytesTimeout
        self.choose = choose
    }

    func handlerAdded(context: ChannelHandlerContext) {
        registry.admit(context.channel)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: firstBytesTimeout) { loopBound.value.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        // Reading is off until the instance connection is joined; one read waits for the first bytes.
        context.read()
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !joined else {
            context.fireChannelRead(data)
            return
        }
        firstBytes.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !joined, !firstBytes.isEmpty {
            joined = true
            deadline?.cancel()
            registry.busy(context.channel)
            LoadBalancer.connect(context.channel, toFirstOf: choose(), firstBytes: firstBytes)
            firstBytes = []
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else if !joined, let event = event as? ChannelEvent, case .inputClosed = event {
            // Gone before sending anything: nothing to pass on.
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
