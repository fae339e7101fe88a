/// The API operations that take an XML body, named by the body's root element. `read` reads a
/// body exactly as the operation's route does before it touches anything stored, so that the
/// `APIBodies` fuzz target and tests drive the routes' own reading.
public enum OperationBody: String, CaseIterable, Sendable {
    /// Create Hosted Service.
    case createHostedService = "CreateHostedService"
    /// Update Hosted Service.
    case updateHostedService = "UpdateHostedService"
    /// Swap Deployment.
    case swap = "Swap"
    /// Add Service Certificate.
    case certificateFile = "CertificateFile"
    /// Add Management Certificate.
    case subscriptionCertificate = "SubscriptionCertificate"
    /// Create Deployment.
    case createDeployment = "CreateDeployment"
    /// Change Deployment Configuration.
    case changeConfiguration = "ChangeConfiguration"
    /// Upgrade Deployment.
    case upgradeDeployment = "UpgradeDeployment"
    /// Walk Upgrade Domain.
    case walkUpgradeDomain = "WalkUpgradeDomain"
    /// Rollback Update Or Upgrade.
    case rollbackUpdateOrUpgrade = "RollbackUpdateOrUpgrade"
    /// Update Deployment Status.
    case updateDeploymentStatus = "UpdateDeploymentStatus"
    /// Delete Role Instances.
    case roleInstances = "RoleInstances"
    /// Set a cloud service's automatic renewal (Thumbprint's own).
    case renewalPolicy = "RenewalPolicy"

    /// Reads `bytes` as this operation's body and checks each field as the route does; a refusal
    /// is thrown as it reaches the client (`APIError(describing:)` gives the status and code).
    /// Package URLs are checked against `packagesDirectory`, locations against `locations`.
    public func read(_ bytes: [UInt8], packagesDirectory: String, locations: ServiceLocations = .standard) throws {
        let body = try XMLBody(bytes, root: rawValue)
        switch self {
        case .createHostedService: _ = try CreateHostedServiceBody(body, locations: locations)
        case .updateHostedService: _ = try UpdateHostedServiceBody(body)
        case .swap: _ = try SwapBody(body)
        case .certificateFile: _ = try CertificateFileBody(body)
        case .subscriptionCertificate: _ = try ManagementCertificateUpload(body: body)
        case .createDeployment: _ = try CreateDeploymentBody(body, packagesDirectory: packagesDirectory)
        case .changeConfiguration: _ = try ChangeConfigurationBody(body)
        case .upgradeDeployment: _ = try UpgradeDeploymentBody(body, packagesDirectory: packagesDirectory)
        case .walkUpgradeDomain: _ = try WalkUpgradeDomainBody(body)
        case .rollbackUpdateOrUpgrade: break
        case .updateDeploymentStatus: _ = try UpdateDeploymentStatusBody(body)
        case .roleInstances: _ = try RoleInstancesBody(body)
        case .renewalPolicy: _ = try RenewalPolicyBody(body)
        }
    }
}
