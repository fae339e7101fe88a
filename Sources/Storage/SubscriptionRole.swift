/// What a user may do on one subscription. Every member of a subscription has exactly one role;
/// a management certificate acts with the role recorded when it was added.
public enum SubscriptionRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Everything, including users and roles; one per subscription.
    case serviceAdministrator = "ServiceAdministrator"
    /// Everything except changing the service administrator.
    case coAdministrator = "CoAdministrator"
    /// Service and management certificates, and configuration changes limited to thumbprints.
    case certificateManager = "CertificateManager"
    /// Cloud services and deployments, but no certificate upload, download or deletion.
    case deployer = "Deployer"
    /// Reads everything, changes nothing.
    case reader = "Reader"

    /// The name people read: "Service administrator", "Certificate manager", …
    public var displayName: String {
        switch self {
        case .serviceAdministrator: "Service administrator"
        case .coAdministrator: "Co-administrator"
        case .certificateManager: "Certificate manager"
        case .deployer: "Deployer"
        case .reader: "Reader"
        }
    }

    /// The name on the command line: `service-administrator`, `certificate-manager`, …
    public var argument: String { displayName.lowercased().replacingOccurrences(of: " ", with: "-") }

    /// A role from its command-line name, its display name or its stored name, in any case.
    public init?(argument: String) {
        let wanted = argument.lowercased().replacingOccurrences(of: " ", with: "-")
        guard let role = Self.allCases.first(where: { $0.argument == wanted || $0.rawValue.lowercased() == wanted }) else { return nil }
        self = role
    }

    /// Whether this role may do `action`.
    public func allows(_ action: SubscriptionAction) -> Bool {
        switch self {
        case .serviceAdministrator: true
        case .coAdministrator: action != .changeServiceAdministrator
        case .certificateManager:
            [.read, .downloadCertificates, .manageServiceCertificates, .manageManagementCertificates, .changeThumbprints].contains(action)
        case .deployer: [.read, .manageCloudServices, .manageDeployments, .changeConfiguration].contains(action)
        case .reader: [.read, .downloadCertificates].contains(action)
        }
    }

    /// The roles that may do `action`, most privileged first.
    public static func allowing(_ action: SubscriptionAction) -> [SubscriptionRole] {
        allCases.filter { $0.allows(action) }
    }

    /// Most privileged first, for lists.
    public static func < (lhs: SubscriptionRole, rhs: SubscriptionRole) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// Something a role may or may not do on a subscription; the API and the portal ask the same question.
public enum SubscriptionAction: String, Sendable, CaseIterable {
    /// See the subscription, its services, deployments, certificates' public parts and audit log.
    case read
    /// Download a service certificate's data (Get Service Certificate).
    case downloadCertificates
    /// Upload and delete service certificates.
    case manageServiceCertificates
    /// Add and delete management certificates.
    case manageManagementCertificates
    /// Change a deployment's configuration where only certificate thumbprints change.
    case changeThumbprints
    /// Change a deployment's configuration other than its thumbprints.
    case changeConfiguration
    /// Create, swap, suspend, start and delete deployments.
    case manageDeployments
    /// Create, update and delete cloud services.
    case manageCloudServices
    /// Add and remove users and change their roles.
    case manageUsers
    /// Make another user the service administrator.
    case changeServiceAdministrator

    /// What the action is, in a sentence's words: "upload and delete service certificates".
    public var summary: String {
        switch self {
        case .read: "read the subscription"
        case .downloadCertificates: "download certificates"
        case .manageServiceCertificates: "upload and delete service certificates"
        case .manageManagementCertificates: "add and delete management certificates"
        case .changeThumbprints: "change certificate thumbprints in a configuration"
        case .changeConfiguration: "change a configuration other than its thumbprints"
        case .manageDeployments: "create, swap, suspend, start and delete deployments"
        case .manageCloudServices: "create, change and delete cloud services"
        case .manageUsers: "add and remove users and change their roles"
        case .changeServiceAdministrator: "change the service administrator"
        }
    }
}
