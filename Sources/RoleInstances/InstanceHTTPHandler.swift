import NIOCore
import NIOHTTP1

/// Answers HTTP/1.1 requests on one instance connection from an `InstancePage`, keeping the
/// connection open while the client wants it and closing it after the request in progress
/// once the instance is told to stop.
final class InstanceHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let page: InstancePage
    private var head: HTTPRequestHead?

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
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let answer = page.answer(path: request.uri)
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
