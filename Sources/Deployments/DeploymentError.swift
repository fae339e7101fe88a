import ServiceModel

/// Why a deployment, or a change to one, was refused. Nothing is changed when one is thrown.
public enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration, definition and uploaded certificates do not agree; each message names
    /// the file, role, certificate and line.
    case invalid([String])
    /// The package could not be fetched or opened.
    case package(String)
    /// The base64 configuration could not be read.
    case configuration(String)
    /// An instance could not start.
    case instanceFailed(instance: String, reason: String)
    /// The deployment was deleted (or left its slot) before the change's turn came.
    case gone(String)
    /// No running instance of the deployment has this name.
    case unknownInstance(String)
    /// A manual upgrade is in progress: walk its domains or roll it back first.
    case upgradeInProgress(String)
    /// Another server has been changing the service's deployments for longer than a change waits.
    case busyElsewhere(service: String, seconds: Int)
    /// Walk Upgrade Domain or Rollback without a manual upgrade in progress, or for the wrong domain.
    case noSuchUpgradeStep(String)
    /// A service certificate cannot be deleted while a deployment's configuration names it.
    case certificateInUse(thumbprint: String, deployment: String, slot: String, service: String)
    /// The deployment would take the subscription past its core quota.
    case quotaExceeded(requested: Int, inUse: Int, limit: Int)
    /// The configuration change touches what the caller may not change (thumbprints, or
    /// anything else), as found when its turn came.
    case changeNotPermitted(ConfigurationChange)

    public var description: String {
        switch self {
        case .invalid(let issues):
            return "The configuration is not valid for this deployment: " + issues.joined(separator: "; ")
        case .package(let reason):
            return reason
        case .configuration(let reason):
            return "The service configuration cannot be read: \(reason)"
        case .instanceFailed(let instance, let reason):
            return "Role instance \(instance) could not start: \(reason)"
        case .quotaExceeded(let requested, let inUse, let limit):
            return
                "The deployment needs \(requested) cores and the subscription's other deployments use \(inUse); its quota (MaxCoreCount) is \(limit). Use fewer or smaller instances, or delete a deployment."
        case .changeNotPermitted(let change):
            return change.contains(.thumbprints)
                ? "The new configuration changes certificate thumbprints, which the caller's role may not change."
                : "The new configuration changes more than certificate thumbprints, which is all the caller's role may change."
        case .upgradeInProgress(let deployment):
            return "A manual upgrade of deployment \(deployment) is in progress; walk its remaining upgrade domains or roll it back first."
        case .noSuchUpgradeStep(let reason):
            return reason
        case .busyElsewhere(let service, let seconds):
            return "Another server has been changing the deployments of \(service) for over \(seconds) s; try again when its change has finished."

        case .unknownInstance(let name):
            return "The deployment has no running role instance named \(name); Get Deployment lists them."
        case .gone(let deployment):
            return "The deployment \(deployment) was deleted or moved to the other slot before this change could run."
        case .certificateInUse(let thumbprint, let deployment, let slot, let service):
            return
                "The certificate \(thumbprint) is in use by deployment \(deployment) (\(slot)) of \(service); change its configuration to another thumbprint first."
        }
    }
}
