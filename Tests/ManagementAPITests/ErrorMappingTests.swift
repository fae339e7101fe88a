import Certificates
import Deployments
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceModel
import ServicePackages
import Storage
import Testing

@testable import ManagementAPI

/// `APIError(describing:)` is the one place errors become the API's: every kind of error the
/// layers below throw gets the status and code a client can act on.
@Suite("Error mapping")
struct ErrorMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var error: any Error & Sendable
        var status: HTTPResponse.Status
        var code: String
        var testDescription: String { "\(type(of: error)).\(error) → \(status.code) \(code)" }
    }

    static let cases: [Case] = [
        Case(error: APIError.forbidden, status: .forbidden, code: "ForbiddenError"),
        Case(error: StorageError.duplicateCertificate(thumbprint: "AB"), status: .conflict, code: "ConflictError"),
        Case(error: StorageError.cloudServiceExists("web"), status: .conflict, code: "ConflictError"),
        Case(error: StorageError.deploymentExists(service: "web", detail: "d"), status: .conflict, code: "ConflictError"),
        Case(error: StorageError.subscriptionLimitReached(subscription: "s", limit: 100), status: .badRequest, code: "BadRequest"),
        Case(error: StorageError.cloudServiceLimitReached(subscription: "s", limit: 20), status: .badRequest, code: "BadRequest"),
        Case(error: StorageError.unknownSubscription("s"), status: .forbidden, code: "ForbiddenError"),
        Case(error: StorageError.unknownCloudService("web"), status: .notFound, code: "ResourceNotFound"),
        // A failing database is the server's fault, never a conflict the client caused.
        Case(error: StorageError.database("disk I/O error"), status: .internalServerError, code: "InternalError"),
        Case(error: StorageError.masterKey("wrong"), status: .internalServerError, code: "InternalError"),
        Case(error: StorageError.busy, status: .serviceUnavailable, code: "ServerBusy"),
        Case(error: DeploymentError.gone("d1"), status: .conflict, code: "ConflictError"),
        Case(
            error: DeploymentError.certificateInUse(thumbprint: "AB", deployment: "d1", slot: "Production", service: "web"),
            status: .conflict, code: "ConflictError"),
        Case(error: DeploymentError.invalid(["line 3: no such certificate"]), status: .badRequest, code: "BadRequest"),
        Case(error: DeploymentError.quotaExceeded(requested: 30, inUse: 0, limit: 20), status: .badRequest, code: "BadRequest"),
        Case(error: DeploymentError.instanceFailed(instance: "Web_IN_0", reason: "port"), status: .badRequest, code: "BadRequest"),
        Case(error: ServicePackageError.notAZIPArchive(package: "app.cspkg"), status: .badRequest, code: "BadRequest"),
        Case(error: ServiceModelError.unreadable(file: .configuration, reason: "not XML"), status: .badRequest, code: "BadRequest"),
        Case(error: CertificateError.incorrectPassword, status: .badRequest, code: "BadRequest"),
        Case(error: CertificateError.missingPrivateKey, status: .badRequest, code: "BadRequest"),
        Case(error: HTTPError(.notFound), status: .notFound, code: "ResourceNotFound"),
        Case(error: HTTPError(.methodNotAllowed), status: .methodNotAllowed, code: "InvalidHttpVerb"),
        Case(error: NIOTooManyBytesError(maxBytes: 10), status: .contentTooLarge, code: "RequestEntityTooLarge"),
        Case(error: CancellationError(), status: .internalServerError, code: "InternalError"),
    ]

    @Test("each kind of error maps to the status and code a client can act on", arguments: cases)
    func mapping(_ example: Case) {
        let mapped = APIError(describing: example.error)
        #expect(mapped.status == example.status)
        #expect(mapped.code == example.code)
        #expect(!mapped.message.isEmpty)
    }

    @Test("messages say what to fix, and an internal error reveals nothing of its cause")
    func messages() {
        #expect(APIError(describing: CertificateError.incorrectPassword).message.contains("password"))
        #expect(APIError(describing: DeploymentError.gone("d1")).message.contains("d1"))
        #expect(!APIError(describing: StorageError.database("/secret/path: disk I/O error")).message.contains("secret"))
        struct Unexpected: Error { var detail = "private detail" }
        #expect(!APIError(describing: Unexpected()).message.contains("private"))
    }

    @Test("an API error renders itself as the Azure error XML with its status")
    func rendering() throws {
        let response = APIError.notFound("The hosted service does not exist.").rendered
        #expect(response.status == .notFound)
        #expect(response.headers[.contentType] == "application/xml; charset=utf-8")
    }
}
