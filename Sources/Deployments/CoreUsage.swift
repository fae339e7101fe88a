import ServiceModel
import Storage

/// The cores a subscription's deployments use (every role's instances times its size, both
/// slots, running or suspended), against its quota.
public struct CoreUsage: Sendable {
    let store: any ManagementStore

    /// Usage as the store records it.
    public init(store: any ManagementStore) {
        self.store = store
    }

    /// The cores in use in `subscription`, leaving out the deployment `excluding` (one about to change).
    public func cores(in subscription: SubscriptionID, excluding privateID: String? = nil) async throws(StorageError) -> Int {
        var total = 0
        for service in try await store.cloudServices(in: subscription) {
            for deployment in try await store.deployments(of: service.name, in: subscription) where deployment.privateID != privateID {
                total += Self.cores(of: deployment)
            }
        }
        return total
    }

    /// Refuses a deployment asking for `cores` when, with the rest of the subscription's, they pass the quota.
    func check(_ cores: Int, subscription: SubscriptionID, replacing privateID: String?, quota: SubscriptionQuota) async throws {
        let others = try await self.cores(in: subscription, excluding: privateID)
        guard others + cores <= quota.maximumCores else {
            throw DeploymentError.quotaExceeded(requested: cores, inUse: others, limit: quota.maximumCores)
        }
    }

    /// The cores of a stored deployment, from its definition and configuration.
    static func cores(of deployment: Deployment) -> Int {
        guard let definition = try? ServiceDefinition(xml: deployment.definition),
            let configuration = try? ServiceConfiguration(xml: deployment.configuration)
        else { return 0 }
        return VirtualMachineSize.cores(definition: definition, configuration: configuration)
    }
}
