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
        let body = try UpgradeDeploymentBody(try await XMLBody.read(request, root: "UpgradeDeployment"), packagesDirectory: runtime.packagesDirectory)
        let configuration = body.configuration
        // New certificate thumbprints in an upgrade are a certificate manager's too.
        if let change = try? ConfigurationChange(from: deployment.configuration, to: configuration), change.contains(.thumbprints) {
            caller = try context.requireCaller(allowedTo: .changeThumbprints)
        }
        let upgrade = DeploymentRuntime.UpgradeRequest(packageURL: body.packageURL, configuration: configuration, label: body.label, mode: body.mode)
        let (runtime, now) = (self.runtime, self.now)
        return try await runOperation(request, context: context, caller: caller) {
            _ = try await runtime.upgrade(deployment, with: upgrade, now: now())
        }
    }

    func walkUpgradeDomain(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageDeployments)
        let domain = try WalkUpgradeDomainBody(try await XMLBody.read(request, root: "WalkUpgradeDomain")).domain
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
