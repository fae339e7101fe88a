import HTTPTypes
import Hummingbird
import NIOCore
import Storage
import WireFormat

/// An error as the Service Management API reports it: an HTTP status, a code and a message,
/// sent as `<Error><Code>…</Code><Message>…</Message></Error>`. Routes throw it, or any other
/// error that `APIError(describing:)` maps (the one place that does); it renders itself.
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The error code, e.g. `ResourceNotFound`.
    public var code: String
    /// A message a person can act on.
    public var message: String

    /// An error from its parts.
    public init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// 403 ForbiddenError, with the real service's message.
    public static let forbidden = APIError(
        status: .forbidden, code: "ForbiddenError",
        message: "The server failed to authenticate the request. Verify that the certificate is valid and is associated with this subscription."
    )

    /// 403 ForbiddenError for an authenticated caller whose role does not allow `action`: names
    /// the roles that do and the one the caller has.
    public static func roleMissing(for action: SubscriptionAction, caller: Caller) -> APIError {
        let roles = SubscriptionRole.allowing(action).map(\SubscriptionRole.displayName).joined(separator: ", ")
        let has =
            caller.role == caller.userRole
            ? "the \(caller.role.displayName) role"
            : "the \(caller.role.displayName) role it was added with and its user's \(caller.userRole.displayName) role"
        return APIError(
            status: .forbidden, code: "ForbiddenError",
            message: "To \(action.summary) the caller needs one of these roles on the subscription: \(roles). This management certificate acts with \(has)."
        )
    }

    /// 400 MissingOrIncorrectVersionHeader.
    public static let missingVersionHeader = APIError(
        status: .badRequest, code: "MissingOrIncorrectVersionHeader",
        message: "The x-ms-version header is missing or not a version of the form YYYY-MM-DD, such as 2014-10-01."
    )

    /// 404 ResourceNotFound.
    public static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "ResourceNotFound", message: message)
    }

    /// 400 BadRequest.
    public static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "BadRequest", message: message)
    }

    /// 400 InvalidXmlRequest.
    public static func invalidXML(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "InvalidXmlRequest", message: message)
    }

    /// 413, for bodies over the limit.
    public static func tooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "RequestEntityTooLarge", message: "The request body is larger than \(limit) bytes.")
    }

    /// 500 InternalError, saying nothing of the cause (the log has it).
    public static let unexpected = APIError(
        status: .internalServerError, code: "InternalError",
        message: "The server encountered an internal error.")

    /// The error as the API sends it: the status and the XML body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        rendered
    }

    /// The response for this error.
    var rendered: Response {
        let body = AzureXML.document("Error") { xml in
            xml.element("Code", code)
            xml.element("Message", message)
        }
        return Response(
            status: status, headers: [.contentType: "application/xml; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
