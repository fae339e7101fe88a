import Certificates
import Deployments
import Hummingbird
import NIOCore
import ServiceModel
import ServicePackages
import Storage

/// The one place where errors from the layers below become API errors: the request middleware,
/// the audit log and asynchronous operations all report what this says.
extension APIError {
    /// The API error for `error`: an `APIError` as it is; refusals of the store, the deployment
    /// runtime, packages, service model files and certificates with the status a client can act
    /// on; anything else a 500 that reveals nothing.
    public init(describing error: any Error) {
        switch error {
        case let error as APIError: self = error
        case let error as StorageError: self.init(error)
        case let error as DeploymentError: self.init(error)
        case let error as ServicePackageError: self = .badRequest(error.description)
        case let error as ServiceModelError: self = .badRequest(error.description)
        case let error as CertificateError: self.init(error)
        case let error as HTTPError: self.init(error)
        case is NIOTooManyBytesError: self = .tooLarge(limit: ManagementServer.maximumBodySize)
        default: self = .unexpected
        }
    }

    /// Whether the error says nothing a client can act on, so the server logs its cause.
    var isInternal: Bool { status == .internalServerError }

    private init(_ error: StorageError) {
        switch error {
        case .duplicateCertificate, .subscriptionExists, .userExists, .cloudServiceExists, .deploymentExists, .serviceAdministratorStays, .agentExists:
            self.init(status: .conflict, code: "ConflictError", message: error.description)
        case .subscriptionLimitReached, .userLimitReached, .cloudServiceLimitReached:
            self = .badRequest(error.description)
        case .unknownCloudService:
            self = .notFound("The hosted service does not exist.")
        case .unknownSubscription, .unknownUser:
            self = .forbidden
        case .busy:
            self.init(status: .serviceUnavailable, code: "ServerBusy", message: error.description)
        case .unavailable:
            self.init(status: .serviceUnavailable, code: "ServerBusy", message: "The server cannot reach its database at the moment; try again.")
        case .database, .masterKey:
            self.init(status: .internalServerError, code: "InternalError", message: "The server failed to reach its database.")
        }
    }

    private init(_ error: DeploymentError) {
        switch error {
        case .gone, .certificateInUse, .upgradeInProgress:
            self.init(status: .conflict, code: "ConflictError", message: error.description)
        case .busyElsewhere:
            self.init(status: .serviceUnavailable, code: "ServerBusy", message: error.description)
        case .invalid, .package, .configuration, .instanceFailed, .quotaExceeded, .noSuchUpgradeStep:
            self = .badRequest(error.description)
        case .unknownInstance:
            self = .notFound(error.description)
        case .changeNotPermitted:
            self.init(status: .forbidden, code: "ForbiddenError", message: error.description)
        }
    }

    private init(_ error: CertificateError) {
        switch error {
        case .incorrectPassword, .passwordRequired:
            self = .badRequest("The password for the PFX file is incorrect; upload it again with the password it was exported with.")
        default:
            self = .badRequest("The certificate file could not be used: \(error.description)")
        }
    }

    private init(_ error: HTTPError) {
        switch error.status {
        case .notFound: self = .notFound("The requested resource does not exist.")
        case .contentTooLarge: self = .tooLarge(limit: ManagementServer.maximumBodySize)
        case .methodNotAllowed:
            self.init(status: .methodNotAllowed, code: "InvalidHttpVerb", message: "The HTTP verb is not supported on this resource.")
        default: self.init(status: error.status, code: "BadRequest", message: error.body ?? "The request is not valid.")
        }
    }
}
