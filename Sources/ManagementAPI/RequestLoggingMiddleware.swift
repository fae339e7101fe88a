import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: refuses requests without a valid `x-ms-version`, gives every
/// response its `x-ms-request-id`, turns every error into the API's XML error body (through
/// `APIError(describing:)`), and logs one line per request (never a body, key or password).
struct RequestLoggingMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

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
        // The caller is set further in, on a copy of the context; the audit log records it.
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: [
            "request-id": "\(context.requestID)",
        ])
        return response
    }
}

/// The `x-ms-version` header every request must carry: a date, YYYY-MM-DD.
enum VersionHeader {
    /// `YYYY-MM-DD` with a real month and day; checked on bytes, as every request runs it.
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        var digits: [Int] = []
        for index in [0, 1, 2, 3, 5, 6, 8, 9] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return false }
            digits.append(Int(bytes[index] - UInt8(ascii: "0")))
        }
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        return (1...12).contains(month) && (1...31).contains(day)
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-ms-request-id")!
    static let msVersion = HTTPField.Name("x-ms-version")!
}
