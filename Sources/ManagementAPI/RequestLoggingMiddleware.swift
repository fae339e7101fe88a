import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// The outermost middleware: refuses requests without a valid `x-ms-version`, gives every
/// response its `x-ms-request-id`, turns every error into the API's XML error body, and logs one
/// line per request (never a body, key or password).
struct RequestLoggingMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            guard let version = request.headers[.msVersion], VersionHeader.isValid(version) else { throw APIError.missingVersionHeader }
            response = try await next(request, context)
        } catch let error as APIError {
            response = Self.errorResponse(error)
        } catch let error as StorageError {
            response = Self.errorResponse(APIError(error))
        } catch let error as HTTPError {
            response = Self.errorResponse(Self.apiError(for: error))
        } catch is NIOTooManyBytesError {
            response = Self.errorResponse(.tooLarge(limit: ManagementServer.maximumBodySize))
        } catch {
            context.logger.error("request failed", metadata: ["request-id": "\(context.requestID)", "error": "\(error)"])
            response = Self.errorResponse(APIError(status: .internalServerError, code: "InternalError", message: "The server encountered an internal error."))
        }
        response.headers[.requestID] = context.requestID.rawValue
        // The caller is set further in, on a copy of the context; the audit log records it.
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: [
            "request-id": "\(context.requestID)",
        ])
        return response
    }

    static func errorResponse(_ error: APIError) -> Response {
        let body = AzureXML.document("Error") { xml in
            xml.element("Code", error.code)
            xml.element("Message", error.message)
        }
        return Response(status: error.status, headers: [.contentType: "application/xml; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func apiError(for error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: return .notFound("The requested resource does not exist.")
        case .contentTooLarge: return .tooLarge(limit: ManagementServer.maximumBodySize)
        case .methodNotAllowed: return APIError(status: .methodNotAllowed, code: "InvalidHttpVerb", message: "The HTTP verb is not supported on this resource.")
        default: return APIError(status: error.status, code: "BadRequest", message: error.body ?? "The request is not valid.")
        }
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
