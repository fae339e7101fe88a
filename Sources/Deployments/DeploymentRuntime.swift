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
/// connections, so open connections finish and new ones never fail. Changes to a cloud
/// service's deployments take turns (`ServiceTurns`) and each reads the deployment as stored
/// once its turn comes: the `Deployment` a caller passes names the deployment, nothing more.
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
        public init(
            subscription: SubscriptionID, service: String, slot: DeploymentSlot, name: String, packageURL: String, label: String,
            configuration: [UInt8], start: Bool, extendedProperties: [ExtendedProperty]
        ) {
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

    struct RunningInstance {
        var role: String
        var name: String
        var index: Int
        var size: String
        var agent: any RoleInstanceAgent
        var served: [ServedEndpoint]
    }

    struct Running {
        var plan: DeploymentPlan
        var instances: [RunningInstance] = []
        /// By `role/endpoint`.
        var balancers: [String: LoadBalancer] = [:]
    }

    let store: any ManagementStore
    let masterKey: MasterKey
    /// `DIR/deployments`: one folder per deployment (package files, instance stores).
    public nonisolated let folder: String
    /// Where `file://` package URLs must point.
    public nonisolated let packagesDirectory: String
    let group: any EventLoopGroup
    let limits: ConnectionLimits
    let quota: SubscriptionQuota
    let logger: Logger
    var running: [String: Running] = [:]
    /// Upgrades in progress, by private id: what Get Deployment reports as `UpgradeStatus`.
    var upgrades: [String: UpgradeProgress] = [:]
    /// Manual upgrades waiting for Walk Upgrade Domain, by private id.
    var manualUpgrades: [String: ManualUpgrade] = [:]
    let turns = ServiceTurns()
    /// This runtime's name in the database's service turns.
    let turnHolder = "runtime-" + UUID().uuidString.lowercased()
    /// Where tests (and `THUMBPRINT_PAUSE_AT`) stop a change half-way.
    let pause: @Sendable (String) async -> Void
    /// Makes the agent of a new role instance, given where it belongs (in the server: one in
    /// this process; with `--instances agents`, one placed on an agent process).
    let makeAgent: @Sendable (InstanceSite) -> any RoleInstanceAgent

    /// Unpacking packages and writing folders block: the runtime runs on the control plane's
    /// thread, never on an event loop.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { ControlPlaneThread.executor }

    /// A runtime keeping its files in `folder` and reading packages from `packagesDirectory`;
    /// its load balancers keep to `limits`. Role instances are whatever `makeAgent` makes for
    /// an instance (in the server, `LocalRoleInstance.maker`): the runtime knows them
    /// only through the `RoleInstanceAgent` protocol.
    public init(
        store: any ManagementStore, masterKey: MasterKey, folder: String, packagesDirectory: String,
        limits: ConnectionLimits = .defaults, quota: SubscriptionQuota = .standard,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        pause: @escaping @Sendable (String) async -> Void = PausePoint.reach,
        makeAgent: @escaping @Sendable (InstanceSite) -> any RoleInstanceAgent
    ) {
        self.pause = pause
        self.makeAgent = makeAgent
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
        try await inTurn(of: request.service) { try await createInTurn(request, now: now) }
    }

    private func createInTurn(_ request: CreateRequest, now: Date) async throws -> Deployment {
        let privateID = DeploymentFolder.newPrivateID()
        let home = DeploymentFolder(root: folder, privateID: privateID)
        do {
            try home.create()
            let (package, plan, packageFolder) = try await prepare(
                request.packageURL, configuration: request.configuration, service: request.service, subscription: request.subscription,
                replacing: nil, home: home, rolesFolder: home.roles)
            await pause("deployment-create")
            let deployment = Deployment(
                subscription: request.subscription, service: request.service, name: request.name, slot: request.slot, privateID: privateID,
                label: request.label,
                status: request.start ? .running : .suspended, configuration: request.configuration,
                definition: package.definitionXML, packageFolder: packageFolder, extendedProperties: request.extendedProperties,
                created: now, modified: now
            )
            try await store.createDeployment(deployment)
            running[privateID] = Running(plan: plan)
            if request.start {
                do {
                    try await startInstances(of: deployment)
                } catch {
                    await stopInstances(of: privateID)
                    running[privateID] = nil
                    _ = try? await store.deleteDeployment(deployment.name, of: deployment.service, in: deployment.subscription)
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
    public func changeConfiguration(
        of deployment: Deployment, in subscription: SubscriptionID, to configurationBytes: [UInt8],
        permitted: ConfigurationChange = [.thumbprints, .otherThanThumbprints], now: Date
    ) async throws -> Deployment {
        try await inTurn(of: deployment.service) {
            try await ChangeDuration.measure("configuration") {
                try await changeConfigurationInTurn(
                    of: try await current(deployment), in: subscription, to: configurationBytes, permitted: permitted, now: now)
            }
        }
    }

    private func changeConfigurationInTurn(
        of deployment: Deployment, in subscription: SubscriptionID, to configurationBytes: [UInt8],
        permitted: ConfigurationChange, now: Date
    ) async throws -> Deployment {
        guard manualUpgrades[deployment.privateID] == nil else { throw DeploymentError.upgradeInProgress(deployment.name) }
        let plan = try await makePlan(deployment, configuration: configurationBytes)
        // Checked again in the turn: the configuration may have changed since the request was read.
        if let change = try? ConfigurationChange(from: deployment.configuration, to: configurationBytes), !permitted.isSuperset(of: change) {
            throw DeploymentError.changeNotPermitted(change.subtracting(permitted))
        }
        let cores = plan.roles.reduce(0) { $0 + $1.instanceCount * VirtualMachineSize.cores(of: $1.size) }
        try await CoreUsage(store: store).check(cores, subscription: subscription, replacing: deployment.privateID, quota: quota)
        var changed = deployment
        changed.configuration = configurationBytes
        changed.modified = now
        if deployment.status == .running {
            try await reconcile(changed, to: plan)
        } else {
            running[deployment.privateID, default: Running(plan: plan)].plan = plan
        }
        await pause("deployment-change-configuration")
        try await store.updateDeployment(changed)
        return changed
    }

    /// Starts (Running) or stops (Suspended) the deployment's instances.
    public func setStatus(of deployment: Deployment, to status: DeploymentStatus, now: Date) async throws -> Deployment {
        try await inTurn(of: deployment.service) { try await setStatusInTurn(of: try await current(deployment), to: status, now: now) }
    }

    private func setStatusInTurn(of deployment: Deployment, to status: DeploymentStatus, now: Date) async throws -> Deployment {
        var changed = deployment
        changed.status = status
        changed.modified = now
        if status == .running, deployment.status != .running || (running[deployment.privateID]?.instances.isEmpty ?? true) {
            if running[deployment.privateID] == nil {
                running[deployment.privateID] = Running(plan: try await makePlan(deployment, configuration: deployment.configuration))
            }
            try await startInstances(of: changed)
        } else if status == .suspended {
            await stopInstances(of: deployment.privateID, keepingAddresses: true)
        }
        await pause("deployment-set-status")
        try await store.updateDeployment(changed)
        return changed
    }

    /// Swaps the slots: the staging deployment takes over the production deployment's public
    /// addresses (its load balancers now pass connections to the staging instances), and back.
    /// Refused when, by its turn, `staging` is no longer in the staging slot.
    public func swap(production: Deployment?, staging: Deployment) async throws {
        try await inTurn(of: staging.service) {
            let deployments = try await store.deployments(of: staging.service, in: staging.subscription)
            guard let staging = deployments.first(where: { $0.privateID == staging.privateID && $0.slot == .staging }) else {
                throw DeploymentError.gone(staging.name)
            }
            swapInTurn(production: deployments.first { $0.slot == .production }, staging: staging)
            try await store.swapDeploymentSlots(of: staging.service, in: staging.subscription)
        }
    }

    private func swapInTurn(production: Deployment?, staging: Deployment) {
        if let production, var first = running[production.privateID], var second = running[staging.privateID] {
            for key in Set(first.balancers.keys).intersection(second.balancers.keys) {
                guard let productionBalancer = first.balancers[key], let stagingBalancer = second.balancers[key] else { continue }
                productionBalancer.setBackends(Self.addresses(of: second, for: key))
                stagingBalancer.setBackends(Self.addresses(of: first, for: key))
                first.balancers[key] = stagingBalancer
                second.balancers[key] = productionBalancer
            }
            running[production.privateID] = first
            running[staging.privateID] = second
            DeploymentFolder(root: folder, privateID: production.privateID).saveAddresses(first.balancers.mapValues(\.port))
            DeploymentFolder(root: folder, privateID: staging.privateID).saveAddresses(second.balancers.mapValues(\.port))
        }
    }

    /// Where the instances serving endpoint `key` (`role/endpoint`) listen.
    static func addresses(of state: Running, for key: String) -> [InstanceAddress] {
        state.instances.compactMap { instance in
            instance.served.first { instance.role + "/" + $0.name == key }?.address
        }
    }

    /// Stops everything the deployment runs, removes its files and its record.
    public func delete(_ deployment: Deployment) async throws {
        try await inTurn(of: deployment.service) {
            let deployment = try await current(deployment)
            await stopInstances(of: deployment.privateID)
            running[deployment.privateID] = nil
            manualUpgrades[deployment.privateID] = nil
            upgrades[deployment.privateID] = nil
            _ = try await store.deleteDeployment(deployment.name, of: deployment.service, in: deployment.subscription)
            DeploymentFolder(root: folder, privateID: deployment.privateID).remove()
        }
    }

    /// Deletes a certificate uploaded to `service` and removes it from the stores of the service's
    /// instances, in the service's turn: refused, naming the deployment, while a configuration names
    /// it — a change that starts to name it either comes first (and the delete is refused) or after
    /// (and is refused itself, the certificate gone). False when there was no such certificate.
    public func deleteCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws -> Bool {
        try await inTurn(of: service) {
            if let conflict = try await certificateInUse(thumbprint, of: service, in: subscription) { throw conflict }
            guard try await store.deleteServiceCertificate(thumbprint, of: service, in: subscription) else { return false }
            await uninstall(thumbprint, from: service, in: subscription)
            return true
        }
    }

    /// Why `thumbprint` cannot be deleted from `service` now, if a deployment's configuration
    /// names it (a quick answer for the API; `deleteCertificate` checks again in its turn).
    public func certificateInUse(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws -> DeploymentError? {
        guard let deployment = try await deploymentUsing(thumbprint, in: service, of: subscription) else { return nil }
        return .certificateInUse(thumbprint: thumbprint.description, deployment: deployment.name, slot: deployment.slot.rawValue, service: service)
    }

    /// How many changes wait for their turn on `service`'s deployments.
    public func waitingChanges(of service: String) async -> Int {
        await turns.waitingCount(service)
    }

    /// The deployment of `service` whose configuration names `thumbprint`, if any.
    private func deploymentUsing(_ thumbprint: Thumbprint, in service: String, of subscription: SubscriptionID) async throws -> Deployment? {
        try await store.deployments(of: service, in: subscription).first { deployment in
            guard let configuration = try? ServiceConfiguration(xml: deployment.configuration) else { return false }
            return DeploymentPlan.thumbprints(in: configuration).contains(thumbprint)
        }
    }

    /// Removes a deleted service certificate from the stores of the service's instances.
    private func uninstall(_ thumbprint: Thumbprint, from service: String, in subscription: SubscriptionID) async {
        guard let deployments = try? await store.deployments(of: service, in: subscription) else { return }
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
        guard let deployments = try? await store.allDeployments() else { return }
        let known = Set(deployments.map(\.privateID))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !known.contains(name) {
            DeploymentFolder(root: folder, privateID: name).remove()
        }
        for deployment in deployments {
            do {
                running[deployment.privateID] = Running(plan: try await makePlan(deployment, configuration: deployment.configuration))
                if deployment.status == .running { try await startInstances(of: deployment) }
            } catch {
                logger.error(
                    "could not restart a deployment", metadata: ["service": "\(deployment.service)", "deployment": "\(deployment.name)", "error": "\(error)"])
            }
        }
    }

    /// Stops every load balancer, and every instance in this process (when the server stops);
    /// instances on agents keep serving.
    public func shutdown() async {
        for (id, state) in running {
            for balancer in state.balancers.values { await balancer.stop() }
            await withTaskGroup(of: Void.self) { group in
                for instance in state.instances { group.addTask { await instance.agent.detach() } }
            }
            running[id] = nil
        }
    }

    /// The deployment as stored now (its slot, status and configuration may have changed since
    /// the caller read it); `DeploymentError.gone` when it was deleted meanwhile.
    func current(_ deployment: Deployment) async throws -> Deployment {
        guard
            let stored = try await store.deployments(of: deployment.service, in: deployment.subscription).first(where: { $0.privateID == deployment.privateID })
        else {
            throw DeploymentError.gone(deployment.name)
        }
        return stored
    }
}
