import Certificates
import ConnectionLimits
import Foundation
import Logging
import NIOCore
import NIOPosix
import RoleInstances
import ServiceModel
import ServicePackages
import Storage

/// Runs the deployments: for each, its role instances (agents with certificate stores and
/// endpoints) and one load balancer per endpoint. Every change is validated in full before
/// anything running is touched, and a certificate change reaches instances as a switch for new
/// connections, so open connections finish and new ones never fail.
public actor DeploymentRuntime {
    /// What a Create Deployment asks for.
    public struct CreateRequest: Sendable {
        public var subscription: SubscriptionID
        public var service: String
        public var slot: DeploymentSlot
        public var name: String
        public var packageURL: String
        public var label: String
        public var configuration: [UInt8]
        public var start: Bool
        public var extendedProperties: [ExtendedProperty]

        /// A request from its parts.
        public init(subscription: SubscriptionID, service: String, slot: DeploymentSlot, name: String, packageURL: String, label: String,
                    configuration: [UInt8], start: Bool, extendedProperties: [ExtendedProperty]) {
            self.subscription = subscription
            self.service = service
            self.slot = slot
            self.name = name
            self.packageURL = packageURL
            self.label = label
            self.configuration = configuration
            self.start = start
            self.extendedProperties = extendedProperties
        }
    }

    private struct RunningInstance {
        var role: String
        var name: String
        var index: Int
        var size: String
        var agent: LocalRoleInstance
        var served: [ServedEndpoint]
    }

    private struct Running {
        var plan: DeploymentPlan
        var instances: [RunningInstance] = []
        /// By `role/endpoint`.
        var balancers: [String: LoadBalancer] = [:]
    }

    private let store: any ManagementStore
    private let masterKey: MasterKey
    /// `DIR/deployments`: one folder per deployment (package files, instance stores).
    public nonisolated let folder: String
    /// Where `file://` package URLs must point.
    public nonisolated let packagesDirectory: String
    private let group: any EventLoopGroup
    private let limits: ConnectionLimits
    private let quota: SubscriptionQuota
    private let logger: Logger
    private var running: [String: Running] = [:]
    private var busy: Set<String> = []

    /// A runtime keeping its files in `folder` and reading packages from `packagesDirectory`;
    /// its load balancers and instance endpoints keep to `limits`.
    public init(store: any ManagementStore, masterKey: MasterKey, folder: String, packagesDirectory: String,
                limits: ConnectionLimits = .defaults, quota: SubscriptionQuota = .standard,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.limits = limits
        self.quota = quota
        self.store = store
        self.masterKey = masterKey
        self.folder = folder
        self.packagesDirectory = packagesDirectory
        self.group = group
        self.logger = logger
    }

    // MARK: Operations

    /// Fetches and opens the package, validates the configuration against it and the uploaded
    /// certificates, stores the deployment and, when asked, starts its instances. A refused
    /// create leaves no deployment and no files behind.
    public func create(_ request: CreateRequest, now: Date) async throws -> Deployment {
        let privateID = Storage.RequestID.random().rawValue
        let home = DeploymentFolder(root: folder, privateID: privateID)
        do {
            try home.create()
            let package = try await home.openPackage(request.packageURL, packagesDirectory: packagesDirectory)
            let configuration = try Self.configuration(request.configuration)
            let plan = try DeploymentPlan.make(definition: package.definition, configuration: configuration,
                                               uploaded: try store.serviceCertificates(of: request.service),
                                               service: request.service, masterKey: masterKey)
            try CoreUsage(store: store).check(VirtualMachineSize.cores(definition: package.definition, configuration: configuration),
                                              subscription: request.subscription, replacing: nil, quota: quota)
            var packageFolder: String?
            for role in package.definition.roles where !package.files(ofRole: role.name).isEmpty {
                packageFolder = home.roles
                try package.extractFiles(ofRole: role.name, to: home.roles + "/" + role.name)
            }
            await PausePoint.reach("deployment-create")
            let deployment = Deployment(
                service: request.service, name: request.name, slot: request.slot, privateID: privateID, label: request.label,
                status: request.start ? .running : .suspended, configuration: request.configuration,
                definition: package.definitionXML, packageFolder: packageFolder, extendedProperties: request.extendedProperties,
                created: now, modified: now
            )
            try store.createDeployment(deployment)
            running[privateID] = Running(plan: plan)
            if request.start {
                do {
                    try await startInstances(of: deployment)
                } catch {
                    await stopInstances(of: privateID)
                    running[privateID] = nil
                    _ = try? store.deleteDeployment(deployment.name, of: deployment.service)
                    throw error
                }
            }
            return deployment
        } catch {
            home.remove()
            throw error
        }
    }

    /// Validates a new configuration in full, then applies it: new certificates are installed in
    /// every instance's stores and served to new connections, instances are added or removed to
    /// match the counts. When validation fails nothing changes.
    public func changeConfiguration(of deployment: Deployment, in subscription: SubscriptionID, to configurationBytes: [UInt8],
                                    now: Date) async throws -> Deployment {
        try claim(deployment)
        defer { release(deployment) }
        let plan = try makePlan(deployment, configuration: configurationBytes)
        let cores = plan.roles.reduce(0) { $0 + $1.instanceCount * VirtualMachineSize.cores(of: $1.size) }
        try CoreUsage(store: store).check(cores, subscription: subscription, replacing: deployment.privateID, quota: quota)
        var changed = deployment
        changed.configuration = configurationBytes
        changed.modified = now
        if deployment.status == .running {
            try await reconcile(changed, to: plan)
        } else {
            running[deployment.privateID, default: Running(plan: plan)].plan = plan
        }
        await PausePoint.reach("deployment-change-configuration")
        try store.updateDeployment(changed)
        return changed
    }

    /// Starts (Running) or stops (Suspended) the deployment's instances.
    public func setStatus(of deployment: Deployment, to status: DeploymentStatus, now: Date) async throws -> Deployment {
        try claim(deployment)
        defer { release(deployment) }
        var changed = deployment
        changed.status = status
        changed.modified = now
        if status == .running, deployment.status != .running || (running[deployment.privateID]?.instances.isEmpty ?? true) {
            if running[deployment.privateID] == nil {
                running[deployment.privateID] = Running(plan: try makePlan(deployment, configuration: deployment.configuration))
            }
            try await startInstances(of: changed)
        } else if status == .suspended {
            await stopInstances(of: deployment.privateID, keepingAddresses: true)
        }
        try store.updateDeployment(changed)
        return changed
    }

    /// Swaps the slots: the staging deployment takes over the production deployment's public
    /// addresses (its load balancers now pass connections to the staging instances), and back.
    public func swap(production: Deployment?, staging: Deployment) async throws {
        try claim(staging)
        defer { release(staging) }
        if let production, var first = running[production.privateID], var second = running[staging.privateID] {
            for key in Set(first.balancers.keys).intersection(second.balancers.keys) {
                guard let productionBalancer = first.balancers[key], let stagingBalancer = second.balancers[key] else { continue }
                productionBalancer.setBackends(Self.ports(of: second, for: key))
                stagingBalancer.setBackends(Self.ports(of: first, for: key))
                first.balancers[key] = stagingBalancer
                second.balancers[key] = productionBalancer
            }
            running[production.privateID] = first
            running[staging.privateID] = second
            DeploymentFolder(root: folder, privateID: production.privateID).saveAddresses(first.balancers.mapValues(\.port))
            DeploymentFolder(root: folder, privateID: staging.privateID).saveAddresses(second.balancers.mapValues(\.port))
        }
        try store.swapDeploymentSlots(of: staging.service)
    }

    /// The instance ports serving endpoint `key` (`role/endpoint`).
    private static func ports(of state: Running, for key: String) -> [Int] {
        state.instances.compactMap { instance in
            instance.served.first { instance.role + "/" + $0.name == key }?.localPort
        }
    }

    /// Stops everything the deployment runs, removes its files and its record.
    public func delete(_ deployment: Deployment) async throws {
        try claim(deployment)
        defer { release(deployment) }
        await stopInstances(of: deployment.privateID)
        running[deployment.privateID] = nil
        _ = try store.deleteDeployment(deployment.name, of: deployment.service)
        DeploymentFolder(root: folder, privateID: deployment.privateID).remove()
    }

    /// The deployment of `service` whose configuration names `thumbprint`, if any.
    public func deploymentUsing(_ thumbprint: Thumbprint, in service: String) throws -> Deployment? {
        try store.deployments(of: service).first { deployment in
            guard let configuration = try? ServiceConfiguration(xml: deployment.configuration) else { return false }
            return DeploymentPlan.thumbprints(in: configuration).contains(thumbprint)
        }
    }

    /// Removes a deleted service certificate from the stores of the service's instances.
    public func uninstall(_ thumbprint: Thumbprint, from service: String) async {
        guard let deployments = try? store.deployments(of: service) else { return }
        for deployment in deployments {
            for instance in running[deployment.privateID]?.instances ?? [] {
                await instance.agent.uninstall(thumbprint: thumbprint.description)
            }
        }
    }

    /// Starts the running deployments found in the database (when the server starts), each with
    /// its last committed configuration, and removes the folders of deployments the database does
    /// not hold (a create the last run did not finish).
    public func restore() async {
        guard let deployments = try? store.allDeployments() else { return }
        let known = Set(deployments.map(\.privateID))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !known.contains(name) {
            DeploymentFolder(root: folder, privateID: name).remove()
        }
        for deployment in deployments {
            do {
                running[deployment.privateID] = Running(plan: try makePlan(deployment, configuration: deployment.configuration))
                if deployment.status == .running { try await startInstances(of: deployment) }
            } catch {
                logger.error("could not restart a deployment", metadata: ["service": "\(deployment.service)", "deployment": "\(deployment.name)", "error": "\(error)"])
            }
        }
    }

    /// Stops every instance and load balancer (when the server stops).
    public func shutdown() async {
        for id in running.keys { await stopInstances(of: id) }
    }

    // MARK: Views

    /// What Get Deployment shows: instances with their status and endpoints.
    public func view(of deployment: Deployment) async -> DeploymentView {
        let plan = running[deployment.privateID]?.plan ?? (try? makePlan(deployment, configuration: deployment.configuration))
        let roles = plan?.roles.map(\.name) ?? []
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
                instances.append(.init(role: instance.role, name: instance.name, status: await instance.agent.status(),
                                       upgradeDomain: instance.index % 5, faultDomain: instance.index % 2, size: instance.size, endpoints: endpoints))
            }
        } else {
            for role in plan?.roles ?? [] {
                for index in 0..<role.instanceCount {
                    instances.append(.init(role: role.name, name: Self.instanceName(role.name, index), status: .stoppedVM,
                                           upgradeDomain: index % 5, faultDomain: index % 2, size: role.size, endpoints: []))
                }
            }
        }
        return DeploymentView(deployment: deployment, instances: instances, roles: roles)
    }

    /// The folder holding an instance's certificate stores.
    public nonisolated func instanceFolder(_ deployment: Deployment, instance: String) -> String {
        DeploymentFolder(root: folder, privateID: deployment.privateID).instance(instance)
    }

    // MARK: Running instances

    private func startInstances(of deployment: Deployment) async throws {
        guard let state = running[deployment.privateID] else { return }
        try await reconcile(deployment, to: state.plan)
    }

    /// Makes the running instances match `plan`: applies it to every instance that stays (in
    /// parallel), starts the new ones, then points the load balancers at exactly the instances
    /// that serve, and only then stops the instances no longer wanted.
    private func reconcile(_ deployment: Deployment, to plan: DeploymentPlan) async throws {
        var state = running[deployment.privateID] ?? Running(plan: plan)
        let existing = Dictionary(state.instances.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var wanted: [(RunningInstance, RoleAssignment)] = []
        for role in plan.roles {
            for index in 0..<role.instanceCount {
                let name = Self.instanceName(role.name, index)
                let agent = existing[name]?.agent ?? LocalRoleInstance(folder: instanceFolder(deployment, instance: name), sealing: masterKey, limits: limits, group: group)
                let assignment = RoleAssignment(
                    deploymentID: deployment.privateID, role: role.name, instance: name, certificates: role.certificates,
                    endpoints: role.endpoints, staticFiles: deployment.packageFolder.map { $0 + "/" + role.name }
                        .flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil })
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

    /// Applies each assignment to its instance, all in parallel; the endpoints each one serves, by position.
    private func apply(_ wanted: [(RunningInstance, RoleAssignment)]) async throws -> [Int: [ServedEndpoint]] {
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
    private func pointBalancers(of deployment: Deployment, at instances: [RunningInstance], plan: DeploymentPlan, state: inout Running) async throws {
        let home = DeploymentFolder(root: folder, privateID: deployment.privateID)
        let saved = home.savedAddresses()
        for role in plan.roles {
            for endpoint in role.endpoints {
                let key = role.name + "/" + endpoint.name
                let ports = instances.filter { $0.role == role.name }.compactMap { $0.served.first { $0.name == endpoint.name }?.localPort }
                if let balancer = state.balancers[key] {
                    balancer.setBackends(ports)
                } else {
                    state.balancers[key] = try await LoadBalancer.start(ports: ports, preferredPort: saved[key], limits: limits, group: group)
                }
            }
        }
        home.saveAddresses(state.balancers.mapValues(\.port))
    }

    /// Stops the instances. A suspended deployment keeps its public addresses (the load
    /// balancers stay, with nothing behind them) so that they are the same when it runs again;
    /// `keepingAddresses: false` (delete, shutdown) stops the load balancers too.
    private func stopInstances(of privateID: String, keepingAddresses: Bool = false) async {
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

    private func claim(_ deployment: Deployment) throws {
        guard !busy.contains(deployment.privateID) else {
            throw DeploymentError.busy(deployment: deployment.name)
        }
        busy.insert(deployment.privateID)
    }

    private func release(_ deployment: Deployment) {
        busy.remove(deployment.privateID)
    }

    private func makePlan(_ deployment: Deployment, configuration bytes: [UInt8]) throws -> DeploymentPlan {
        let definition: ServiceDefinition
        do {
            definition = try ServiceDefinition(xml: deployment.definition)
        } catch {
            throw DeploymentError.package("the stored service definition cannot be read: \(error)")
        }
        return try DeploymentPlan.make(definition: definition, configuration: try Self.configuration(bytes),
                                       uploaded: try store.serviceCertificates(of: deployment.service),
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
}
