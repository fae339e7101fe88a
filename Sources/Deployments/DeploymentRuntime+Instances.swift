import Certificates
import Foundation
import RoleInstances
import ServiceModel
import Storage

/// What runs: starting, changing and stopping a deployment's instances and load balancers, and
/// what Get Deployment shows of them. Called by the operations in `DeploymentRuntime.swift`,
/// always within the service's turn.
extension DeploymentRuntime {
    // MARK: Views

    /// What Get Deployment shows: instances with their status and endpoints.
    public func view(of deployment: Deployment) async -> DeploymentView {
        var plan = running[deployment.privateID]?.plan
        if plan == nil { plan = try? await makePlan(deployment, configuration: deployment.configuration) }
        let roles = plan?.roles.map(\.name) ?? []
        let domains = plan?.upgradeDomainCount ?? 1
        var instances: [DeploymentView.Instance] = []
        if let state = running[deployment.privateID], !state.instances.isEmpty {
            for instance in state.instances {
                let endpoints = instance.served.map { served in
                    DeploymentView.Endpoint(
                        name: served.name,
                        protocolName: plan?.roles.first { $0.name == instance.role }?.endpoints.first { $0.name == served.name }?.protocolName ?? "tcp",
                        publicPort: state.balancers[instance.role + "/" + served.name]?.port ?? 0,
                        localPort: served.localPort, thumbprint: served.thumbprint)
                }
                instances.append(
                    .init(
                        role: instance.role, name: instance.name, status: await instance.agent.status(),
                        upgradeDomain: instance.index % domains, faultDomain: instance.index % 2, size: instance.size, endpoints: endpoints))
            }
        } else {
            for role in plan?.roles ?? [] {
                for (index, name) in Self.instances(of: role, in: deployment) {
                    instances.append(
                        .init(
                            role: role.name, name: name, status: .stoppedVM,
                            upgradeDomain: index % domains, faultDomain: index % 2, size: role.size, endpoints: []))
                }
            }
        }
        return DeploymentView(
            deployment: deployment, instances: instances, roles: roles, upgradeDomainCount: domains, upgrade: upgrades[deployment.privateID])
    }

    /// The folder holding an instance's certificate stores.
    public nonisolated func instanceFolder(_ deployment: Deployment, instance: String) -> String {
        DeploymentFolder(root: folder, privateID: deployment.privateID).instance(instance)
    }

    /// Where an instance of `deployment` belongs, for `makeAgent`.
    nonisolated func site(_ deployment: Deployment, instance: String) -> InstanceSite {
        InstanceSite(
            folder: instanceFolder(deployment, instance: instance), deploymentID: deployment.privateID, instance: instance,
            subscription: deployment.subscription.rawValue, service: deployment.service)
    }

    // MARK: Running instances

    func startInstances(of deployment: Deployment) async throws {
        guard let state = running[deployment.privateID] else { return }
        try await reconcile(deployment, to: state.plan)
    }

    /// Makes the running instances match `plan`: applies it to every instance that stays (in
    /// parallel), starts the new ones, then points the load balancers at exactly the instances
    /// that serve, and only then stops the instances no longer wanted.
    func reconcile(_ deployment: Deployment, to plan: DeploymentPlan) async throws {
        var state = running[deployment.privateID] ?? Running(plan: plan)
        let existing = Dictionary(state.instances.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var wanted: [(RunningInstance, RoleAssignment)] = []
        for role in plan.roles {
            for (index, name) in Self.instances(of: role, in: deployment) {
                let agent = existing[name]?.agent ?? makeAgent(site(deployment, instance: name))
                let assignment = Self.assignment(of: role, instance: name, in: deployment)
                wanted.append((RunningInstance(role: role.name, name: name, index: index, size: role.size, agent: agent, served: []), assignment))
            }
        }
        let applied: [Int: [ServedEndpoint]]
        do {
            applied = try await apply(wanted)
        } catch {
            // Instances started for this change and not yet in service are stopped again.
            for (instance, _) in wanted where existing[instance.name] == nil { await instance.agent.stop() }
            throw error
        }
        let instances = wanted.enumerated().map { position, pair in
            var instance = pair.0
            instance.served = applied[position] ?? []
            return instance
        }
        try await pointBalancers(of: deployment, at: instances, plan: plan, state: &state)
        let kept = Set(instances.map(\.name))
        let removed = state.instances.filter { !kept.contains($0.name) }
        state.plan = plan
        state.instances = instances
        running[deployment.privateID] = state
        for instance in removed {
            await instance.agent.stop()
            try? FileManager.default.removeItem(atPath: instanceFolder(deployment, instance: instance.name))
        }
    }

    /// What an instance of `role` is to install and serve.
    static func assignment(of role: DeploymentPlan.Role, instance name: String, in deployment: Deployment) -> RoleAssignment {
        RoleAssignment(
            deploymentID: deployment.privateID, role: role.name, instance: name, certificates: role.certificates,
            endpoints: role.endpoints,
            staticFiles: deployment.packageFolder.map { $0 + "/" + role.name }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil })
    }

    /// Applies each assignment to its instance, all in parallel; the endpoints each one serves, by position.
    func apply(_ wanted: [(RunningInstance, RoleAssignment)]) async throws -> [Int: [ServedEndpoint]] {
        try await withThrowingTaskGroup(of: (Int, [ServedEndpoint]).self) { group in
            for (position, (instance, assignment)) in wanted.enumerated() {
                group.addTask {
                    do {
                        return (position, try await instance.agent.apply(assignment))
                    } catch {
                        throw DeploymentError.instanceFailed(instance: instance.name, reason: "\(error)")
                    }
                }
            }
            var results: [Int: [ServedEndpoint]] = [:]
            for try await (position, served) in group { results[position] = served }
            return results
        }
    }

    /// Points each endpoint's load balancer at exactly the instances that serve it, starting
    /// the load balancers a deployment does not have yet (on their saved ports if it had them).
    func pointBalancers(of deployment: Deployment, at instances: [RunningInstance], plan: DeploymentPlan, state: inout Running) async throws {
        let home = DeploymentFolder(root: folder, privateID: deployment.privateID)
        let saved = home.savedAddresses()
        for role in plan.roles {
            for endpoint in role.endpoints {
                let key = role.name + "/" + endpoint.name
                let addresses = instances.filter { $0.role == role.name }.compactMap { $0.served.first { $0.name == endpoint.name }?.address }
                if let balancer = state.balancers[key] {
                    balancer.setBackends(addresses)
                } else {
                    state.balancers[key] = try await LoadBalancer.start(addresses: addresses, preferredPort: saved[key], limits: limits, group: group)
                }
            }
        }
        home.saveAddresses(state.balancers.mapValues(\.port))
    }

    /// Stops the instances. A suspended deployment keeps its public addresses (the load
    /// balancers stay, with nothing behind them) so that they are the same when it runs again;
    /// `keepingAddresses: false` (delete, shutdown) stops the load balancers too.
    func stopInstances(of privateID: String, keepingAddresses: Bool = false) async {
        guard var state = running[privateID] else { return }
        for balancer in state.balancers.values {
            if keepingAddresses { balancer.setBackends([]) } else { await balancer.stop() }
        }
        await withTaskGroup(of: Void.self) { group in
            for instance in state.instances { group.addTask { await instance.agent.stop() } }
        }
        if !keepingAddresses { state.balancers = [:] }
        state.instances = []
        running[privateID] = state
    }

    // MARK: Helpers

    func makePlan(_ deployment: Deployment, configuration bytes: [UInt8]) async throws -> DeploymentPlan {
        let definition: ServiceDefinition
        do {
            definition = try ServiceDefinition(xml: deployment.definition)
        } catch {
            throw DeploymentError.package("the stored service definition cannot be read: \(error)")
        }
        let uploaded = try await store.serviceCertificates(of: deployment.service, in: deployment.subscription)
        return try DeploymentPlan.make(
            definition: definition, configuration: try Self.configuration(bytes), uploaded: uploaded,
            service: deployment.service, masterKey: masterKey)
    }

    static func configuration(_ bytes: [UInt8]) throws(DeploymentError) -> ServiceConfiguration {
        do {
            return try ServiceConfiguration(xml: bytes)
        } catch {
            throw .configuration(error.description)
        }
    }

    /// `<Role>_IN_<n>`, as the real service names instances.
    static func instanceName(_ role: String, _ index: Int) -> String { "\(role)_IN_\(index)" }

    /// The role's instances, by index and name: the first `instanceCount` names not removed by
    /// Delete Role Instances.
    static func instances(of role: DeploymentPlan.Role, in deployment: Deployment) -> [(index: Int, name: String)] {
        var result: [(Int, String)] = []
        var index = 0
        while result.count < role.instanceCount {
            let name = instanceName(role.name, index)
            if !deployment.removedInstances.contains(name) { result.append((index, name)) }
            index += 1
        }
        return result
    }
}
