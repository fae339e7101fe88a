import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A subscription: what management certificates are registered on.
public struct Subscription: Sendable, Equatable, Codable {
    /// The GUID in every request path.
    public var id: SubscriptionID
    /// The display name.
    public var name: String
    /// The service administrator.
    public var serviceAdministrator: EmailAddress
    /// When it was created.
    public var createdAt: Date

    /// A subscription from its parts.
    public init(id: SubscriptionID, name: String, serviceAdministrator: EmailAddress, createdAt: Date) {
        self.id = id
        self.name = name
        self.serviceAdministrator = serviceAdministrator
        self.createdAt = createdAt
    }
}

/// A management certificate registered on a subscription, with the values exactly as uploaded.
public struct ManagementCertificate: Sendable, Equatable, Codable {
    /// The subscription it is registered on.
    public var subscription: SubscriptionID
    /// The SHA-1 thumbprint of the certificate.
    public var thumbprint: Thumbprint
    /// `SubscriptionCertificateThumbprint` as uploaded, echoed back as it came.
    public var thumbprintAsUploaded: String
    /// `SubscriptionCertificatePublicKey` as uploaded (base64 of the RSAPublicKey).
    public var publicKey: String
    /// `SubscriptionCertificateData` as uploaded (base64 of the DER certificate).
    public var data: String
    /// When it was registered.
    public var created: Date
    /// When the certificate itself expires: a certificate past this date no longer authenticates.
    public var notAfter: Date
    /// The user the registration counts against.
    public var addedBy: EmailAddress
    /// The role it acts with: its adder's when it was added; nil for those added before roles
    /// existed, which act as co-administrator.
    public var role: SubscriptionRole?

    /// A registration from its parts.
    public init(
        subscription: SubscriptionID, thumbprint: Thumbprint, thumbprintAsUploaded: String? = nil, publicKey: String, data: String, created: Date,
        notAfter: Date, addedBy: EmailAddress, role: SubscriptionRole? = nil
    ) {
        self.role = role
        self.subscription = subscription
        self.thumbprint = thumbprint
        self.thumbprintAsUploaded = thumbprintAsUploaded ?? thumbprint.description
        self.publicKey = publicKey
        self.data = data
        self.created = created
        self.notAfter = notAfter
        self.addedBy = addedBy
    }
}

/// Who a client proved to be: a management certificate registered on the subscription it asked for.
public struct Caller: Sendable, Equatable {
    /// The thumbprint of the certificate the client presented.
    public var thumbprint: Thumbprint
    /// The user whose registration it is.
    public var user: EmailAddress
    /// The subscription the request is for.
    public var subscription: SubscriptionID
    /// When the certificate expires.
    public var notAfter: Date
    /// The role the certificate was added with.
    public var role: SubscriptionRole
    /// The role its user has now; the caller may do only what both allow.
    public var userRole: SubscriptionRole

    /// A caller from its parts.
    public init(thumbprint: Thumbprint, user: EmailAddress, subscription: SubscriptionID, notAfter: Date, role: SubscriptionRole, userRole: SubscriptionRole) {
        self.thumbprint = thumbprint
        self.user = user
        self.subscription = subscription
        self.notAfter = notAfter
        self.role = role
        self.userRole = userRole
    }

    /// Whether the caller may do `action`: both the certificate's role and its user's allow it.
    public func may(_ action: SubscriptionAction) -> Bool { role.allows(action) && userRole.allows(action) }
}

/// The ceilings on management certificates.
public struct CertificateLimits: Sendable, Equatable {
    /// At most this many certificates on one subscription.
    public var perSubscription: Int
    /// At most this many registrations added by one user, across all subscriptions.
    public var perUser: Int

    /// The classic platform's limits: 100 and 100.
    public static let standard = CertificateLimits(perSubscription: 100, perUser: 100)

    /// Limits from their parts.
    public init(perSubscription: Int, perUser: Int) {
        self.perSubscription = perSubscription
        self.perUser = perUser
    }
}

/// One line of the audit log: a mutating request and how it ended.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// When it happened.
    public var time: Date
    /// The subscription it concerned, if any.
    public var subscription: SubscriptionID?
    /// The thumbprint of the caller's certificate (nil for administrative commands).
    public var callerThumbprint: String?
    /// The user behind the caller.
    public var user: String?
    /// What was done, e.g. `AddManagementCertificate`.
    public var operation: String
    /// What it was done to, e.g. a thumbprint.
    public var target: String
    /// `Succeeded`, or the error code it failed with.
    public var outcome: String
    /// The `x-ms-request-id` of the API request (an asynchronous operation's id); nil for
    /// administrative and portal actions.
    public var requestID: String?
    /// The HTTP status the request ended with, when known.
    public var httpStatus: Int?
    /// Its place in the log, once stored: increasing, unique.
    public var sequence: Int64?

    /// An entry from its parts.
    public init(
        time: Date, subscription: SubscriptionID?, callerThumbprint: String?, user: String?, operation: String, target: String, outcome: String,
        requestID: String? = nil, httpStatus: Int? = nil, sequence: Int64? = nil
    ) {
        self.requestID = requestID
        self.httpStatus = httpStatus
        self.sequence = sequence
        self.time = time
        self.subscription = subscription
        self.callerThumbprint = callerThumbprint
        self.user = user
        self.operation = operation
        self.target = target
        self.outcome = outcome
    }
}

/// An asynchronous operation, as Get Operation Status reports it.
public struct OperationRecord: Sendable, Equatable, Codable {
    /// Where the operation stands.
    public enum Status: String, Sendable, Codable {
        case inProgress = "InProgress"
        case succeeded = "Succeeded"
        case failed = "Failed"
    }

    /// The request id that started it.
    public var id: OperationID
    /// The subscription it belongs to.
    public var subscription: SubscriptionID
    /// Where it stands.
    public var status: Status
    /// The HTTP status it ended with (200 on success).
    public var httpStatusCode: Int?
    /// The error code when it failed.
    public var errorCode: String?
    /// The error message when it failed.
    public var errorMessage: String?
    /// The server (by its data folder's runner id) running it while it is in progress.
    public var runner: String?
    /// Until when that server vouches for it: an operation in progress past its lease belongs to
    /// a server that stopped, and another server marks it Failed.
    public var leaseUntil: Date?

    /// An operation from its parts.
    public init(
        id: OperationID, subscription: SubscriptionID, status: Status, httpStatusCode: Int? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        runner: String? = nil, leaseUntil: Date? = nil
    ) {
        self.runner = runner
        self.leaseUntil = leaseUntil
        self.id = id
        self.subscription = subscription
        self.status = status
        self.httpStatusCode = httpStatusCode
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// A role-instance agent the server's CA issued a certificate to: known by that certificate's thumbprint.
public struct AgentRecord: Sendable, Equatable, Codable {
    /// The agent's name (its certificate's common name).
    public var name: String
    /// The thumbprint of its certificate; the key stays with the agent.
    public var thumbprint: Thumbprint
    /// When it was issued.
    public var created: Date
    /// When a server last heard from it (nil: never connected).
    public var lastSeen: Date?

    /// An agent from its parts.
    public init(name: String, thumbprint: Thumbprint, created: Date, lastSeen: Date? = nil) {
        self.name = name
        self.thumbprint = thumbprint
        self.created = created
        self.lastSeen = lastSeen
    }
}

/// A user with a role on a subscription.
public struct SubscriptionMember: Sendable, Equatable, Codable {
    /// The user.
    public var user: EmailAddress
    /// Their role.
    public var role: SubscriptionRole

    /// A member from its parts.
    public init(user: EmailAddress, role: SubscriptionRole) {
        self.user = user
        self.role = role
    }
}

/// A subscription a user belongs to, with their role there.
public struct Membership: Sendable, Equatable {
    /// The subscription.
    public var subscription: Subscription
    /// The user's role on it.
    public var role: SubscriptionRole

    /// A membership from its parts.
    public init(subscription: Subscription, role: SubscriptionRole) {
        self.subscription = subscription
        self.role = role
    }
}

/// A user's second factor as stored: the sealed TOTP secret, whether it is on, the last time step
/// used and how many recovery codes are left.
public struct SecondFactorRecord: Sendable, Equatable {
    /// The TOTP secret, sealed by the master key.
    public var sealedSecret: [UInt8]
    /// When it was turned on; nil while it waits for its first code.
    public var enabledAt: Date?
    /// Unused recovery codes.
    public var recoveryCodesLeft: Int

    /// A record from its parts.
    public init(sealedSecret: [UInt8], enabledAt: Date?, recoveryCodesLeft: Int) {
        self.sealedSecret = sealedSecret
        self.enabledAt = enabledAt
        self.recoveryCodesLeft = recoveryCodesLeft
    }
}
