import Certificates
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded

/// The API's middleware and routes without a listener: answers requests in this process as if
/// each came on its own connection whose client presented a given certificate. The `Router`
/// fuzz target drives it; the server itself answers over TLS.
public struct InProcessAPI: Sendable {
    /// What came back: the status, headers and whole body.
    public struct Answer: Sendable {
        /// The HTTP status.
        public var status: HTTPResponse.Status
        /// The response's headers.
        public var headers: HTTPFields
        /// The body, collected.
        public var body: [UInt8]
    }

    private let responder: RouterResponder<ManagementRequestContext>

    /// The routes and middleware of `server`, as its listener runs them.
    public init(server: ManagementServer) {
        responder = server.router().buildResponder()
    }

    /// Answers `head` with `body`, as if a client that proved it holds `certificate` (DER) sent it.
    public func respond(to head: HTTPRequest, body: [UInt8], presenting certificate: [UInt8]?) async -> Answer {
        // Thread-safe, unlike EmbeddedChannel: the request's tasks may resume on any thread.
        let channel = NIOAsyncTestingChannel()
        if let certificate {
            PresentedCertificates.shared.record(.init(der: certificate, thumbprint: Thumbprint(certificateDER: certificate)), for: channel)
        }
        defer { PresentedCertificates.shared.forget(channel) }
        let context = ManagementRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: Logger(label: "in-process")))
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            // The outermost middleware turns every error into a response; this is the router's own.
            response = APIError(describing: error).rendered
        }
        let collected = CollectedBody()
        try? await response.body.write(BodyCollector(into: collected))
        try? await channel.close()
        return Answer(status: response.status, headers: response.headers, body: collected.bytes)
    }
}

/// The bytes a response body wrote.
private final class CollectedBody {
    var bytes: [UInt8] = []
}

/// Writes a response body into a `CollectedBody`.
private struct BodyCollector: ResponseBodyWriter {
    let into: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        into.bytes += Array(buffer: buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
