import Foundation
import ServiceModel
import Storage

/// Delete Role Instances: the named instances stop for good, their roles' instance counts in
/// the configuration drop by as many, and the other instances keep their names (the removed
/// names are never used again for this deployment).
extension DeploymentRuntime {
    /// Removes the instances named `names` from the deployment; refused, changing nothing, for
    /// an unknown name or a role that would have no instance left.
    public func deleteInstances(_ names: Set<String>, of deployment: Deployment, now: Date) async throws -> Deployment {
        try await inTurn(of: deployment.service) {
            let deployment = try await current(deployment)
            let plan: DeploymentPlan
            if let known = running[deployment.privateID]?.plan {
                plan = known
            } else {
                plan = try await makePlan(deployment, configuration: deployment.configuration)
            }
            var removedByRole: [String: Int] = [:]
            for name in names.sorted() {
                guard let role = plan.roles.first(where: { role in Self.instances(of: role, in: deployment).contains { $0.name == name } }) else {
                    throw DeploymentError.unknownInstance(name)
                }
                removedByRole[role.name, default: 0] += 1
            }
            var configuration = deployment.configuration
            for role in plan.roles {
                guard let removed = removedByRole[role.name] else { continue }
                guard role.instanceCount - removed >= 1 else {
                    throw DeploymentError.invalid(["Role \(role.name) would have no instance left; delete the deployment instead."])
                }
                do {
                    configuration = try InstanceCountEdit.setting(role.instanceCount - removed, forRole: role.name, in: configuration)
                } catch {
                    throw DeploymentError.configuration("\(error)")
                }
            }
            var changed = deployment
            changed.configuration = configuration
            changed.removedInstances.formUnion(names)
            changed.modified = now
            let newPlan = try await makePlan(changed, configuration: configuration)
            if deployment.status == .running {
                try await reconcile(changed, to: newPlan)
            } else if running[deployment.privateID] != nil {
                running[deployment.privateID]?.plan = newPlan
            }
            try await store.updateDeployment(changed)
            return changed
        }
    }
}
