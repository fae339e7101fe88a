import Certificates
import Deployments
import Foundation
import Logging
import RoleInstances
import Storage
import TestSupport
import Testing

/// A pause point a test controls: a change that reaches the armed name waits there until the
/// test opens it, so that another change can be lined up behind it without sleeping.
actor PauseGate {
    private var armed: String?
    private var reached = false
    private var reachedWaiters: [CheckedContinuation<Void, Never>] = []
    private var release: CheckedContinuation<Void, Never>?

    init(at name: String) { armed = name }

    /// The runtime's pause hook.
    func pause(_ name: String) async {
        guard name == armed else { return }
        armed = nil
        reached = true
        for waiter in reachedWaiters { waiter.resume() }
        reachedWaiters = []
        await withCheckedContinuation { release = $0 }
    }

    /// Returns once a change waits at the armed point.
    func waitUntilReached() async {
        if reached { return }
        await withCheckedContinuation { reachedWaiters.append($0) }
    }

    /// Lets the paused change go on.
    func open() {
        release?.resume()
        release = nil
    }
}

/// A store with subscription, cloud service `shop`, two uploaded certificates and a package.
struct RuntimeFixture {
    let folder: TemporaryDirectory
    let store: SQLiteManagementStore
    let subscription: Subscription
    let masterKey: MasterKey
    let first: CertificateBundle
    let second: CertificateBundle

    init() async throws {
        folder = try TemporaryDirectory()
        store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let admin = EmailAddress("admin@contoso.com")!
        try await store.addUser(admin)
        subscription = Subscription(id: .random(), name: "Shop", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(subscription)
        try await store.createCloudService(
            CloudService(
                subscription: subscription.id, name: "shop", label: "c2hvcA==", description: nil, location: "Local",
                affinityGroup: nil, extendedProperties: [], created: Date(), modified: Date()), limit: 20)
        masterKey = MasterKey.generate()
        first = try makeTestBundle(["www.contoso.net"])
        second = try makeTestBundle(["www.contoso.net"])
        for bundle in [first, second] {
            try await store.addServiceCertificate(try DeploymentPlanTests.upload(bundle, withKey: true, masterKey: masterKey, in: subscription.id))
        }
        try FileManager.default.createDirectory(atPath: folder.file("packages"), withIntermediateDirectories: true)
        let zipped = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('ServiceDefinition.csdef', sys.argv[2])",
                folder.file("packages/shop.cspkg"), DeploymentPlanTests.definition,
            ])
        try #require(zipped.status == 0, "\(zipped.standardError)")
    }

    /// A configuration of `count` Medium instances serving `bundle` (the first certificate by default).
    func configuration(_ count: Int, serving bundle: CertificateBundle? = nil) -> [UInt8] {
        Array(
            """
            <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
              <Role name="Web"><Instances count="\(count)" />
                <Certificates><Certificate name="SSL" thumbprint="\((bundle ?? first).thumbprint)" thumbprintAlgorithm="sha1" /></Certificates></Role>
            </ServiceConfiguration>
            """.utf8)
    }

    func runtime(quota: SubscriptionQuota = .standard, gate: PauseGate? = nil) -> DeploymentRuntime {
        DeploymentRuntime(
            store: store, masterKey: masterKey, folder: folder.file("deployments"), packagesDirectory: folder.file("packages"),
            quota: quota, logger: Logger(label: "test"), pause: { name in await gate?.pause(name) },
            makeAgent: LocalRoleInstance.maker(sealing: masterKey))
    }

    func create(
        _ runtime: DeploymentRuntime, slot: DeploymentSlot = .production, name: String = "shop1", count: Int = 2,
        start: Bool = true
    ) async throws -> Deployment {
        try await runtime.create(
            .init(
                subscription: subscription.id, service: "shop", slot: slot, name: name, packageURL: "file://" + folder.file("packages/shop.cspkg"),
                label: "c2hvcA==", configuration: configuration(count), start: start, extendedProperties: []
            ), now: Date())
    }

    /// Waits until `count` changes queue behind the one in progress.
    func waitForQueue(_ runtime: DeploymentRuntime, _ count: Int) async throws {
        for _ in 0..<2000 where await runtime.waitingChanges(of: "shop") < count { await Task.yield() }
        try #require(await runtime.waitingChanges(of: "shop") == count)
    }
}

@Suite("The deployment runtime: changes take turns")
struct DeploymentRuntimeTests {
    @Test("a status change that arrives during a configuration change waits its turn, then applies to the new configuration: neither is lost")
    func statusAfterConfiguration() async throws {
        let fixture = try await RuntimeFixture()
        let gate = PauseGate(at: "deployment-change-configuration")
        let runtime = fixture.runtime(gate: gate)
        let snapshot = try await fixture.create(runtime)
        let change = Task { try await runtime.changeConfiguration(of: snapshot, in: fixture.subscription.id, to: fixture.configuration(3), now: Date()) }
        await gate.waitUntilReached()
        let suspend = Task { try await runtime.setStatus(of: snapshot, to: .suspended, now: Date()) }
        try await fixture.waitForQueue(runtime, 1)
        await gate.open()
        _ = try await change.value
        _ = try await suspend.value
        let stored = try #require(try await fixture.store.deployments(of: "shop", in: fixture.subscription.id).first)
        #expect(stored.configuration == fixture.configuration(3), "the configuration change was kept")
        #expect(stored.status == .suspended, "the status change was kept")
        let view = await runtime.view(of: stored)
        #expect(view.instances.count == 3 && view.instances.allSatisfy { $0.status == .stoppedVM })
        await runtime.shutdown()
    }

    @Test("two runtimes on one database (two servers) take turns too: the second's change waits for the first's and keeps what it wrote")
    func turnsAcrossServers() async throws {
        let fixture = try await RuntimeFixture()
        let gate = PauseGate(at: "deployment-change-configuration")
        let first = fixture.runtime(gate: gate)
        let second = fixture.runtime()
        let snapshot = try await fixture.create(first)
        let change = Task { try await first.changeConfiguration(of: snapshot, in: fixture.subscription.id, to: fixture.configuration(3), now: Date()) }
        await gate.waitUntilReached()
        let suspend = Task { try await second.setStatus(of: snapshot, to: .suspended, now: Date()) }
        try await Task.sleep(for: .milliseconds(500))
        let meanwhile = try #require(try await fixture.store.deployments(of: "shop", in: fixture.subscription.id).first)
        #expect(meanwhile.status == .running, "the second server's change waits while the first one's runs")
        await gate.open()
        _ = try await change.value
        _ = try await suspend.value
        let stored = try #require(try await fixture.store.deployments(of: "shop", in: fixture.subscription.id).first)
        #expect(stored.status == .suspended)
        #expect(stored.configuration == fixture.configuration(3), "the second change read the first one's result, not the state before it")
        await first.shutdown()
    }

    @Test("a configuration change queued behind Suspended does not start the instances again")
    func configurationAfterSuspend() async throws {
        let fixture = try await RuntimeFixture()
        let gate = PauseGate(at: "deployment-set-status")
        let runtime = fixture.runtime(gate: gate)
        let snapshot = try await fixture.create(runtime)
        let suspend = Task { try await runtime.setStatus(of: snapshot, to: .suspended, now: Date()) }
        await gate.waitUntilReached()
        // The snapshot still says Running: the runtime must read the deployment when its turn comes.
        let change = Task { try await runtime.changeConfiguration(of: snapshot, in: fixture.subscription.id, to: fixture.configuration(3), now: Date()) }
        try await fixture.waitForQueue(runtime, 1)
        await gate.open()
        _ = try await suspend.value
        let changed = try await change.value
        #expect(changed.status == .suspended)
        let view = await runtime.view(of: changed)
        #expect(view.instances.count == 3 && view.instances.allSatisfy { $0.status == .stoppedVM }, "\(view.instances.map(\.status))")
        await runtime.shutdown()
    }

    @Test("deleting a certificate while a configuration change that names it is being applied waits, then is refused naming the deployment")
    func certificateDeleteWaitsForConfiguration() async throws {
        let fixture = try await RuntimeFixture()
        let gate = PauseGate(at: "deployment-change-configuration")
        let runtime = fixture.runtime(gate: gate)
        let snapshot = try await fixture.create(runtime)
        let change = Task {
            try await runtime.changeConfiguration(of: snapshot, in: fixture.subscription.id, to: fixture.configuration(2, serving: fixture.second), now: Date())
        }
        await gate.waitUntilReached()
        let delete = Task { try await runtime.deleteCertificate(fixture.second.thumbprint, of: "shop", in: fixture.subscription.id) }
        try await fixture.waitForQueue(runtime, 1)
        await gate.open()
        _ = try await change.value
        await #expect(
            throws: DeploymentError.certificateInUse(
                thumbprint: fixture.second.thumbprint.description, deployment: "shop1",
                slot: "Production", service: "shop")
        ) { _ = try await delete.value }
        #expect(
            try await fixture.store.serviceCertificate(fixture.second.thumbprint, of: "shop", in: fixture.subscription.id) != nil,
            "the certificate in use stays")
        // The one no longer named can go.
        #expect(try await runtime.deleteCertificate(fixture.first.thumbprint, of: "shop", in: fixture.subscription.id))
        await runtime.shutdown()
    }

    @Test("a change limited to what the caller may change is checked again in its turn: thumbprints for one, the rest for the other")
    func permittedChangeCheckedInTurn() async throws {
        let fixture = try await RuntimeFixture()
        let runtime = fixture.runtime()
        let snapshot = try await fixture.create(runtime)
        let subscription = fixture.subscription.id
        await #expect(throws: DeploymentError.changeNotPermitted(.thumbprints)) {
            _ = try await runtime.changeConfiguration(
                of: snapshot, in: subscription, to: fixture.configuration(2, serving: fixture.second), permitted: .otherThanThumbprints, now: Date())
        }
        await #expect(throws: DeploymentError.changeNotPermitted(.otherThanThumbprints)) {
            _ = try await runtime.changeConfiguration(of: snapshot, in: subscription, to: fixture.configuration(3), permitted: .thumbprints, now: Date())
        }
        let unchanged = try #require(try await fixture.store.deployments(of: "shop", in: subscription).first)
        #expect(unchanged.configuration == snapshot.configuration, "a refused change leaves the configuration as it was")
        let renewed = try await runtime.changeConfiguration(
            of: snapshot, in: subscription, to: fixture.configuration(2, serving: fixture.second), permitted: .thumbprints, now: Date())
        #expect(renewed.configuration == fixture.configuration(2, serving: fixture.second))
        await runtime.shutdown()
    }

    @Test("a swap that arrives during a change to the staging deployment waits for it and swaps what the change left")
    func swapAfterChange() async throws {
        let fixture = try await RuntimeFixture()
        let gate = PauseGate(at: "deployment-change-configuration")
        let runtime = fixture.runtime(quota: .init(maximumCloudServices: 20, maximumCores: 100), gate: gate)
        let production = try await fixture.create(runtime, count: 1)
        let staging = try await fixture.create(runtime, slot: .staging, name: "shop2", count: 1)
        let change = Task {
            try await runtime.changeConfiguration(of: staging, in: fixture.subscription.id, to: fixture.configuration(2, serving: fixture.second), now: Date())
        }
        await gate.waitUntilReached()
        let swap = Task { try await runtime.swap(production: production, staging: staging) }
        try await fixture.waitForQueue(runtime, 1)
        await gate.open()
        _ = try await change.value
        try await swap.value
        let stored = try await fixture.store.deployments(of: "shop", in: fixture.subscription.id)
        let nowProduction = try #require(stored.first { $0.slot == .production })
        #expect(
            nowProduction.name == "shop2" && nowProduction.configuration == fixture.configuration(2, serving: fixture.second),
            "the swapped-in deployment carries the change")
        let view = await runtime.view(of: nowProduction)
        #expect(view.instances.count == 2 && view.instances.allSatisfy { $0.endpoints.first?.thumbprint == fixture.second.thumbprint.description })
        await runtime.shutdown()
    }

    @Test("changes past the core quota are refused naming the cores, and nothing changes")
    func coreQuota() async throws {
        let fixture = try await RuntimeFixture()
        let runtime = fixture.runtime()
        let deployment = try await fixture.create(runtime)
        // Medium instances count two cores each; the standard quota is 20.
        await #expect(throws: DeploymentError.quotaExceeded(requested: 22, inUse: 0, limit: 20)) {
            _ = try await runtime.changeConfiguration(of: deployment, in: fixture.subscription.id, to: fixture.configuration(11), now: Date())
        }
        _ = try await runtime.changeConfiguration(of: deployment, in: fixture.subscription.id, to: fixture.configuration(10), now: Date())
        await #expect(throws: DeploymentError.quotaExceeded(requested: 2, inUse: 20, limit: 20)) {
            _ = try await fixture.create(runtime, slot: .staging, name: "shop2", count: 1, start: false)
        }
        #expect(try await fixture.store.deployments(of: "shop", in: fixture.subscription.id).count == 1)
        await runtime.shutdown()
    }
}
