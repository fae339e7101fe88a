import NIOCore
import NIOHTTP1
import NIOPosix

/// Answers HTTP/1.1 requests on one instance connection from an `InstancePage`, keeping the
/// connection open while the client wants it and closing it after the request in progress
/// once the instance is told to stop. A role with static files has them read on NIO's thread
/// pool, never on the event loop; answers go out in the order the requests came.
final class InstanceHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let page: InstancePage
    private var head: HTTPRequestHead?
    /// The last answer still being read from disk, if any: the next one waits for it.
    private var pending: EventLoopFuture<Void>?

    init(page: InstancePage) {
        self.page = page
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            guard page.staticFiles != nil else {
                respond(to: request, with: page.answer(path: request.uri), context: context)
                return
            }
            let page = self.page
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let previous = pending ?? loop.makeSucceededVoidFuture()
            let answered = previous.flatMap {
                NIOThreadPool.singleton.runIfActive(eventLoop: loop) { page.answer(path: request.uri) }
            }.map { answer in
                let (handler, context) = bound.value
                handler.respond(to: request, with: answer, context: context)
            }
            pending = answered
            answered.whenComplete { result in
                let (handler, context) = bound.value
                if handler.pending === answered { handler.pending = nil }
                if case .failure = result { context.close(promise: nil) }
            }
        }
    }

    private func respond(to request: HTTPRequestHead, with answer: InstancePage.Answer, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType)
        headers.add(name: "Content-Length", value: String(answer.body.count))
        headers.add(name: "Server", value: "Thumbprint role instance")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: answer.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        let done = context.writeAndFlushPromise(.end(nil), handler: self)
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

extension ChannelHandlerContext {
    /// Writes and flushes an outbound part, returning the write's future.
    fileprivate func writeAndFlushPromise(_ part: HTTPServerResponsePart, handler: InstanceHTTPHandler) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(handler.wrapOutboundOut(part), promise: promise)
        return promise.futureResult
    }
}
