import HTTPTypes
import Hummingbird
import Logging
import WireFormat

/// The outermost middleware: refuses requests without a valid `x-ms-version`, gives every
/// response its `x-ms-request-id`, turns every error into the API's XML error body (through
/// `APIError(describing:)`), and logs one line per request (never a body, key or password).
struct RequestLoggingMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    /// The server's logger: the request's own carries Hummingbird's request counter, a second id.
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            guard let version = request.headers[.msVersion], VersionHeader.isValid(version) else { throw APIError.missingVersionHeader }
            response = try await next(request, context)
        } catch {
            let apiError = APIError(describing: error)
            if apiError.isInternal {
                context.logger.error("request failed", metadata: ["request-id": "\(context.requestID)", "error": "\(error)"])
            }
            response = apiError.rendered
        }
        response.headers[.requestID] = context.requestID.rawValue
        // One id per line, the API's own, and who asked: the thumbprint of the certificate the
        // client proved it holds (the caller is set further in, on a copy of the context; the
        // audit log records the user too).
        let caller = await context.presented()?.thumbprint.description ?? "none"
        logger.info(
            "\(request.method) \(request.uri.path) \(response.status.code)",
            metadata: ["request-id": "\(context.requestID)", "caller": "\(caller)"])
        return response
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-ms-request-id")!
    static let msVersion = HTTPField.Name("x-ms-version")!
    static let privateKeyUploaded = HTTPField.Name("x-thumbprint-private-key")!
}
