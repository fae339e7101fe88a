import Deployments
import Logging
import ServiceLifecycle

/// With instances on agents: every 2 s, moves the instances of agents that stopped answering to
/// agents that answer (`DeploymentRuntime.replaceUnresponsiveInstances`). It waits one
/// unresponsive period after the server starts, so that agents which kept serving while no
/// server ran have reported again before anything is judged.
public struct UnresponsiveInstances: Service {
    let runtime: DeploymentRuntime

    /// Replacement for the instances `runtime` runs.
    public init(runtime: DeploymentRuntime) {
        self.runtime = runtime
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            try? await Task.sleep(for: .seconds(RemoteRoleInstance.unresponsiveAfter))
            while !Task.isCancelled {
                await runtime.replaceUnresponsiveInstances()
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}
