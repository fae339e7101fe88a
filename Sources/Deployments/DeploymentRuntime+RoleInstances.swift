import Foundation
import RoleInstances
import Storage

/// Operations on one role instance: Reboot and Reimage. The instance leaves its load balancers
/// first (open connections finish, new ones go to the other instances), stops, and starts
/// again; a reimage also empties its local certificate stores, so that it installs the declared
/// certificates afresh. It takes its turn like any other change to the cloud service.
extension DeploymentRuntime {
    /// What to do to the instance.
    public enum InstanceAction: String, Sendable {
        /// Stop and start it again, stores kept.
        case reboot
        /// Stop it, empty its stores, start it again.
        case reimage
    }

    /// Reboots or reimages the instance named `name` of a running deployment.
    public func restart(_ name: String, of deployment: Deployment, action: InstanceAction) async throws {
        try await inTurn(of: deployment.service) {
            let deployment = try await current(deployment)
            guard var state = running[deployment.privateID], let position = state.instances.firstIndex(where: { $0.name == name }) else {
                throw DeploymentError.unknownInstance(name)
            }
            guard let role = state.plan.roles.first(where: { $0.name == state.instances[position].role }) else {
                throw DeploymentError.unknownInstance(name)
            }
            let others = state.instances.enumerated().filter { $0.offset != position }.map(\.element)
            try await pointBalancers(of: deployment, at: others, plan: state.plan, state: &state)
            let instance = state.instances[position]
            await instance.agent.stop()
            let folder = instanceFolder(deployment, instance: name)
            if action == .reimage { try? FileManager.default.removeItem(atPath: folder + "/stores") }
            await pause("role-instance-\(action.rawValue)")
            let agent = makeAgent(site(deployment, instance: name))
            let served: [ServedEndpoint]
            do {
                served = try await agent.apply(Self.assignment(of: role, instance: name, in: deployment))
            } catch {
                throw DeploymentError.instanceFailed(instance: name, reason: "\(error)")
            }
            state.instances[position].agent = agent
            state.instances[position].served = served
            try await pointBalancers(of: deployment, at: state.instances, plan: state.plan, state: &state)
            running[deployment.privateID] = state
        }
    }
}
