import RoleInstances
import Storage

/// Replacing instances whose agent stopped answering: each moves to an agent that answers (the
/// least loaded), and the load balancers follow, in the service's turn like any other change.
extension DeploymentRuntime {
    /// Moves every unresponsive instance of the running deployments to an agent that answers;
    /// how many moved. An instance with nowhere to go stays where it is (its agent may return).
    @discardableResult
    public func replaceUnresponsiveInstances() async -> Int {
        guard let deployments = try? await store.allDeployments() else { return 0 }
        var moved = 0
        for deployment in deployments where deployment.status == .running {
            // The turn (a database write) is taken only when something needs to move.
            guard let state = running[deployment.privateID], await hasUnresponsive(state.instances) else { continue }
            moved += (try? await inTurn(of: deployment.service) { try await replaceUnresponsive(in: try await current(deployment)) }) ?? 0
        }
        return moved
    }

    private func hasUnresponsive(_ instances: [RunningInstance]) async -> Bool {
        for instance in instances where await instance.agent.status() == .unresponsiveRole { return true }
        return false
    }

    private func replaceUnresponsive(in deployment: Deployment) async throws -> Int {
        guard var state = running[deployment.privateID] else { return 0 }
        var moved = 0
        for position in state.instances.indices where await state.instances[position].agent.status() == .unresponsiveRole {
            let instance = state.instances[position]
            guard let role = state.plan.roles.first(where: { $0.name == instance.role }) else { continue }
            do {
                state.instances[position].served = try await instance.agent.replace(Self.assignment(of: role, instance: instance.name, in: deployment))
                moved += 1
                logger.notice("moved an instance off an unresponsive agent", metadata: ["instance": "\(instance.name)", "deployment": "\(deployment.name)"])
            } catch {
                logger.warning("could not move an instance off an unresponsive agent", metadata: ["instance": "\(instance.name)", "error": "\(error)"])
            }
        }
        if moved > 0 {
            try await pointBalancers(of: deployment, at: state.instances, plan: state.plan, state: &state)
            running[deployment.privateID] = state
        }
        return moved
    }
}
