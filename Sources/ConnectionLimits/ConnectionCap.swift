import NIOCore

/// A server channel handler that stops accepting while its listener's registry has no room
/// (every connection busy with a request) and resumes when a connection closes.
public final class ConnectionCap: ChannelDuplexHandler {
    public typealias InboundIn = any Channel
    public typealias InboundOut = any Channel
    public typealias OutboundIn = Never
    public typealias OutboundOut = Never

    private let registry: ConnectionRegistry
    private var readPending = false

    /// Accepting paced by `registry` (the child pipelines admit the connections into it).
    public init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        child.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
            let (handler, context) = loopBound.value
            if handler.readPending, handler.registry.hasRoom {
                handler.readPending = false
                context.read()
            }
        }
        context.fireChannelRead(data)
    }

    public func read(context: ChannelHandlerContext) {
        guard registry.hasRoom else {
            readPending = true
            return
        }
        context.read()
    }
}
