import Foundation
import RoleInstances
import ServiceModel
import ServicePackages
import Storage

/// Upgrade Deployment: a new package (and configuration) rolled out upgrade domain by upgrade
/// domain (`Auto`) or at once (`Simultaneous`). Before a domain's instances are touched they
/// leave the load balancers, so new connections go to the other domains while open ones finish;
/// they start again on the new package and rejoin before the next domain begins. Validated in
/// full first: a refused upgrade changes nothing.
extension DeploymentRuntime {
    /// What an upgrade brings.
    public struct UpgradeRequest: Sendable {
        /// Where the new package is.
        public var packageURL: String
        /// The new `.cscfg`.
        public var configuration: [UInt8]
        /// The new label (base64, as sent).
        public var label: String
        /// How the domains are walked.
        public var mode: UpgradeMode

        /// A request from its parts.
        public init(packageURL: String, configuration: [UInt8], label: String, mode: UpgradeMode) {
            self.packageURL = packageURL
            self.configuration = configuration
            self.label = label
            self.mode = mode
        }
    }

    /// Upgrades the deployment; returns it as stored afterwards.
    public func upgrade(_ deployment: Deployment, with request: UpgradeRequest, now: Date) async throws -> Deployment {
        try await inTurn(of: deployment.service) {
            try await ChangeDuration.measure("upgrade") { try await upgradeInTurn(deployment, with: request, now: now) }
        }
    }

    private func upgradeInTurn(_ deployment: Deployment, with request: UpgradeRequest, now: Date) async throws -> Deployment {
        let deployment = try await current(deployment)
        guard manualUpgrades[deployment.privateID] == nil else { throw DeploymentError.upgradeInProgress(deployment.name) }
        let home = DeploymentFolder(root: folder, privateID: deployment.privateID)
        // The folder in use stays (connections opened before a switch still read it); older ones go.
        home.removeRolesFolders(except: deployment.packageFolder)
        let roles = home.newRolesFolder()
        let (package, plan, packageFolder) = try await prepare(
            request.packageURL, configuration: request.configuration, service: deployment.service, subscription: deployment.subscription,
            replacing: deployment.privateID, home: home, rolesFolder: roles)
        var changed = deployment
        changed.definition = package.definitionXML
        changed.configuration = request.configuration
        changed.packageFolder = packageFolder
        changed.label = request.label
        changed.modified = now
        if request.mode == .manual, deployment.status == .running, let before = running[deployment.privateID]?.plan {
            // Nothing moves until Walk Upgrade Domain asks for domain 0.
            manualUpgrades[deployment.privateID] = ManualUpgrade(changed: changed, plan: plan, before: before, nextDomain: 0, rolesFolder: roles)
            upgrades[deployment.privateID] = UpgradeProgress(mode: .manual, domain: 0, during: false)
            return deployment
        }
        if deployment.status == .running, let before = running[deployment.privateID]?.plan {
            defer { upgrades[deployment.privateID] = nil }
            do {
                if request.mode == .auto {
                    for domain in 0..<before.upgradeDomainCount {
                        upgrades[deployment.privateID] = UpgradeProgress(mode: .auto, domain: domain, during: true)
                        try await upgradeDomain(domain, of: changed, to: plan)
                    }
                }
                try await reconcile(changed, to: plan)
            } catch {
                // Domains already moved go back to the package and plan still stored.
                try? await reconcile(deployment, to: before)
                try? FileManager.default.removeItem(atPath: roles)
                throw error
            }
        } else {
            running[deployment.privateID, default: Running(plan: plan)].plan = plan
        }
        await pause("deployment-upgrade")
        try await store.updateDeployment(changed)
        return changed
    }

    /// Opens the package at `url` and validates it with `configuration` against the service's
    /// certificates and the subscription's cores (not counting the deployment `replacing`),
    /// then unpacks its roles' static files into `rolesFolder`; where they are, if it has any.
    func prepare(
        _ url: String, configuration bytes: [UInt8], service: String, subscription: SubscriptionID, replacing: String?, home: DeploymentFolder,
        rolesFolder: String
    ) async throws -> (package: ServicePackage, plan: DeploymentPlan, packageFolder: String?) {
        let package = try await home.openPackage(url, packagesDirectory: packagesDirectory)
        let configuration = try Self.configuration(bytes)
        let plan = try DeploymentPlan.make(
            definition: package.definition, configuration: configuration, uploaded: try await store.serviceCertificates(of: service, in: subscription),
            service: service, masterKey: masterKey)
        try await CoreUsage(store: store).check(
            VirtualMachineSize.cores(definition: package.definition, configuration: configuration),
            subscription: subscription, replacing: replacing, quota: quota)
        var packageFolder: String?
        for role in package.definition.roles where !package.files(ofRole: role.name).isEmpty {
            packageFolder = rolesFolder
            try package.extractFiles(ofRole: role.name, to: rolesFolder + "/" + role.name)
        }
        return (package, plan, packageFolder)
    }

    /// Moves one upgrade domain to `plan`: its instances leave the load balancers, stop, start on
    /// the new package and assignment, and rejoin; the other domains serve meanwhile.
    func upgradeDomain(_ domain: Int, of deployment: Deployment, to plan: DeploymentPlan) async throws {
        guard var state = running[deployment.privateID] else { return }
        let count = state.plan.upgradeDomainCount
        let moving = state.instances.indices.filter { state.instances[$0].index % count == domain }
        guard !moving.isEmpty else { return }
        let staying = state.instances.indices.filter { !moving.contains($0) }.map { state.instances[$0] }
        try await pointBalancers(of: deployment, at: staying, plan: state.plan, state: &state)
        await withTaskGroup(of: Void.self) { group in
            for position in moving { group.addTask { [agent = state.instances[position].agent] in await agent.stop() } }
        }
        await pause("deployment-upgrade-domain")
        // The domain's instances start again in parallel, each as a new agent on the new package.
        var wanted: [(RunningInstance, RoleAssignment)] = []
        var positions: [Int] = []
        for position in moving {
            var instance = state.instances[position]
            guard let role = plan.roles.first(where: { $0.name == instance.role }) else { continue }
            instance.agent = makeAgent(site(deployment, instance: instance.name))
            wanted.append((instance, Self.assignment(of: role, instance: instance.name, in: deployment)))
            positions.append(position)
        }
        let served = try await apply(wanted)
        for (offset, position) in positions.enumerated() {
            state.instances[position].agent = wanted[offset].0.agent
            state.instances[position].served = served[offset] ?? []
        }
        try await pointBalancers(of: deployment, at: state.instances, plan: plan, state: &state)
        running[deployment.privateID] = state
    }
}
