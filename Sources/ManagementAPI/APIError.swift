import HTTPTypes
import Storage

/// An error as the Service Management API reports it: an HTTP status, a code and a message,
/// sent as `<Error><Code>…</Code><Message>…</Message></Error>`.
public struct APIError: Error, Sendable, Equatable {
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

    /// The API form of a storage refusal.
    public init(_ error: StorageError) {
        switch error {
        case .duplicateCertificate, .subscriptionExists, .userExists, .cloudServiceExists, .deploymentExists:
            self.init(status: .conflict, code: "ConflictError", message: error.description)
        case .subscriptionLimitReached, .userLimitReached, .cloudServiceLimitReached:
            self.init(status: .badRequest, code: "BadRequest", message: error.description)
        case .unknownSubscription, .unknownUser:
            self = .forbidden
        case .database, .masterKey:
            self.init(status: .internalServerError, code: "InternalError", message: "The server failed to reach its database.")
        }
    }
}
