import NIOCore
import NIOTLS

/// Closes a connection that takes too long for the step it is in: the TLS handshake, a request
/// (head and body), or the pause between requests on a kept-alive connection. While the server
/// works on a request no deadline runs; the next one starts when its response ends. It admits
/// the connection into its listener's registry and tells it when a request is in progress.
///
/// A deadline counts only time spent waiting for the client: when it falls due while the server
/// is not reading (its own back-pressure, a busy process), it starts again instead of closing.
///
/// Generic over the HTTP part types, so that the API (HTTPTypes) and role instances (NIOHTTP1)
/// share it; it sits after the HTTP decoder and sees the TLS events passed along the pipeline.
public final class ConnectionDeadlines<RequestPart: HTTPMessagePart, ResponsePart: HTTPMessagePart>: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = RequestPart
    public typealias InboundOut = RequestPart
    public typealias OutboundIn = ResponsePart
    public typealias OutboundOut = ResponsePart

    private let limits: ConnectionLimits
    private let usesTLS: Bool
    private let registry: ConnectionRegistry
    private var deadline: Scheduled<Void>?
    /// A read was asked for and nothing has arrived since: the server waits for the client.
    private var waitingForClient = false

    /// Deadlines from `limits` for a connection of the listener `registry` counts; `usesTLS:
    /// false` skips the handshake step.
    public init(limits: ConnectionLimits, usesTLS: Bool, registry: ConnectionRegistry) {
        self.limits = limits
        self.usesTLS = usesTLS
        self.registry = registry
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        registry.admit(context.channel)
        arm(context, usesTLS ? limits.handshakeTimeout : limits.headerTimeout)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            arm(context, limits.headerTimeout)
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waitingForClient = false
        let part = unwrapInboundIn(data)
        if part.isHead {
            // A request started: it has the header timeout to arrive whole (slow bodies included).
            registry.busy(context.channel)
            arm(context, limits.headerTimeout)
        } else if part.isEnd {
            disarm()
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if unwrapOutboundIn(data).isEnd {
            registry.waiting(context.channel)
            arm(context, limits.idleTimeout)
        }
        context.write(data, promise: promise)
    }

    public func read(context: ChannelHandlerContext) {
        waitingForClient = true
        context.read()
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        disarm()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            if handler.waitingForClient {
                context.close(promise: nil)
            } else {
                handler.arm(context, timeout)
            }
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
