import Storage

/// How an upgrade moves through the upgrade domains.
public enum UpgradeMode: String, Sendable, CaseIterable {
    /// Every domain in turn, without waiting.
    case auto = "Auto"
    /// One domain per Walk Upgrade Domain request.
    case manual = "Manual"
    /// Every instance at once.
    case simultaneous = "Simultaneous"

    /// A mode as the request names it, in any case.
    public init?(name: String) {
        guard let mode = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(name) == .orderedSame }) else { return nil }
        self = mode
    }
}

/// Where an upgrade in progress stands, as Get Deployment reports it in `UpgradeStatus`.
public struct UpgradeProgress: Sendable, Equatable {
    /// `UpgradeType`.
    public var mode: UpgradeMode
    /// `CurrentUpgradeDomain`.
    public var domain: Int
    /// `CurrentUpgradeDomainState`: false before the domain's instances are touched, true while they are.
    public var during: Bool
}

/// A manual upgrade between Walk Upgrade Domain requests: the deployment as it will be stored,
/// its plan, the plan it replaces (for a rollback) and the next domain to walk.
struct ManualUpgrade: Sendable {
    var changed: Deployment
    var plan: DeploymentPlan
    var before: DeploymentPlan
    var nextDomain: Int
    var rolesFolder: String
}
