import Deployments
import Hummingbird
import ServiceModel
import ServicePackages
import Storage

/// Upgrade Deployment (`POST …/deployments/<name>/?comp=upgrade`, or by slot): 202, then the
/// runtime walks the upgrade domains (`Auto`), moves every instance at once (`Simultaneous`), or
/// waits for Walk Upgrade Domain (`Manual`, `?comp=walkupgradedomain`); Rollback Update Or
/// Upgrade (`?comp=rollback`) returns a manual upgrade's moved domains.
extension DeploymentRoutes {
    func upgrade(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        var caller = try context.requireCaller(allowedTo: .manageDeployments)
        let body = try await XMLBody.read(request, root: "UpgradeDeployment")
        guard let mode = UpgradeMode(name: try body.required("Mode")) else {
            throw APIError.badRequest("Mode must be Auto, Manual or Simultaneous.")
        }
        if let role = body.optional("RoleToUpgrade"), !role.isEmpty {
            throw APIError.badRequest("RoleToUpgrade is not served: an upgrade moves every role of the deployment; leave it out.")
        }
        let packageURL = try body.required("PackageUrl")
        _ = try PackageLocation.resolve(packageURL, packagesDirectory: runtime.packagesDirectory)
        let label = try body.required("Label")
        try CloudServiceRoutes.checkLabel(label)
        let configuration = try Self.decodeConfiguration(try body.required("Configuration"))
        // New certificate thumbprints in an upgrade are a certificate manager's too.
        if let change = try? ConfigurationChange(from: deployment.configuration, to: configuration), change.contains(.thumbprints) {
            caller = try context.requireCaller(allowedTo: .changeThumbprints)
        }
        let upgrade = DeploymentRuntime.UpgradeRequest(packageURL: packageURL, configuration: configuration, label: label, mode: mode)
        let (runtime, now) = (self.runtime, self.now)
        return try await runOperation(request, context: context, caller: caller) {
            _ = try await runtime.upgrade(deployment, with: upgrade, now: now())
        }
    }

    func walkUpgradeDomain(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageDeployments)
        let body = try await XMLBody.read(request, root: "WalkUpgradeDomain")
        guard let domain = Int(try body.required("UpgradeDomain")), domain >= 0 else {
            throw APIError.badRequest("UpgradeDomain must be the number of the upgrade domain to walk, from 0.")
        }
        let runtime = self.runtime
        return try await runOperation(request, context: context, caller: caller) {
            try await runtime.walkUpgradeDomain(domain, of: deployment)
        }
    }

    func rollBack(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageDeployments)
        _ = try await XMLBody.read(request, root: "RollbackUpdateOrUpgrade")
        let runtime = self.runtime
        return try await runOperation(request, context: context, caller: caller) {
            try await runtime.rollBackUpgrade(of: deployment)
        }
    }
}
