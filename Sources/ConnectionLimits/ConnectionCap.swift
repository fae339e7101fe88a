import NIOCore

/// A server channel handler that stops accepting while `maximum` accepted connections are open
/// and resumes when one closes. Waiting connections stay in the kernel's backlog; nothing crashes
/// and nothing already open is disturbed.
public final class ConnectionCap: ChannelDuplexHandler {
    public typealias InboundIn = any Channel
    public typealias InboundOut = any Channel
    public typealias OutboundIn = Never
    public typealias OutboundOut = Never

    private let maximum: Int
    private var open = 0
    private var readPending = false

    /// A cap of `maximum` open connections.
    public init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        child.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
            let (handler, context) = loopBound.value
            handler.open -= 1
            if handler.readPending, handler.open < handler.maximum {
                handler.readPending = false
                context.read()
            }
        }
        context.fireChannelRead(data)
    }

    public func read(context: ChannelHandlerContext) {
        guard open < maximum else {
            readPending = true
            return
        }
        context.read()
    }
}
