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
    /// When the current step must be over; nil while the server works on a request.
    private var due: NIODeadline?
    /// The current step's timeout, to start it again when the server was not reading.
    private var step = TimeAmount.zero
    /// The one timer of the connection and when it fires. Steps change on every request, so
    /// they only move `due`; the timer is rescheduled only when it would fire too late, and it
    /// fires at least every `period` so that a later step never needs an earlier timer.
    private var timer: Scheduled<Void>?
    private var timerFires = NIODeadline.distantFuture
    private let period: TimeAmount
    /// A read was asked for and nothing has arrived since: the server waits for the client.
    private var waitingForClient = false

    /// Deadlines from `limits` for a connection of the listener `registry` counts; `usesTLS:
    /// false` skips the handshake step.
    public init(limits: ConnectionLimits, usesTLS: Bool, registry: ConnectionRegistry) {
        self.limits = limits
        self.usesTLS = usesTLS
        self.registry = registry
        let steps = [limits.headerTimeout, limits.idleTimeout] + (usesTLS ? [limits.handshakeTimeout] : [])
        period = steps.min() ?? limits.headerTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        registry.admit(context.channel)
        arm(context, usesTLS ? limits.handshakeTimeout : limits.headerTimeout)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        stop()
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
            due = nil
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

    /// Starts a step of `timeout`: moves `due`, and the timer only when it would fire after it.
    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        let now = NIODeadline.now()
        let newDue = now + timeout
        due = newDue
        step = timeout
        if timer == nil || timerFires > newDue {
            schedule(context, at: min(newDue, now + period))
        }
    }

    private func schedule(_ context: ChannelHandlerContext, at when: NIODeadline) {
        timer?.cancel()
        timerFires = when
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = loopBound.value
            handler.timerFired(context)
        }
    }

    /// Closes the connection when its step is over and the server waits for the client; starts
    /// the step again when the server was not reading; else waits for the step's end.
    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        timerFires = .distantFuture
        guard let due else { return }
        let now = NIODeadline.now()
        if now < due {
            schedule(context, at: min(due, now + period))
        } else if waitingForClient {
            context.close(promise: nil)
        } else {
            arm(context, step)
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        timerFires = .distantFuture
        due = nil
    }
}
