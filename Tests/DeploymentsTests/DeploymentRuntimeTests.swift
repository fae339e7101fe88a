import Certificates
import Deployments
import Foundation
import Logging
import Storage
import TestSupport
import Testing

@Suite("The deployment runtime")
struct DeploymentRuntimeTests {
    @Test("a second change while one is still being applied is refused as busy; the first one completes; changes past the core quota are refused")
    func busy() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let admin = EmailAddress("admin@contoso.com")!
        try store.addUser(admin)
        let subscription = Subscription(id: .random(), name: "Shop", serviceAdministrator: admin, createdAt: Date())
        try store.createSubscription(subscription)
        try store.createCloudService(CloudService(subscription: subscription.id, name: "shop", label: "c2hvcA==", description: nil, location: "Local",
                                                  affinityGroup: nil, extendedProperties: [], created: Date(), modified: Date()), limit: 20)
        let masterKey = MasterKey.generate()
        let bundle = try makeTestBundle(["www.contoso.net"])
        try store.addServiceCertificate(try DeploymentPlanTests.upload(bundle, withKey: true, masterKey: masterKey))
        try FileManager.default.createDirectory(atPath: folder.file("packages"), withIntermediateDirectories: true)
        let zipped = try runProcess("/usr/bin/env", ["python3", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('ServiceDefinition.csdef', sys.argv[2])",
                                                    folder.file("packages/shop.cspkg"), DeploymentPlanTests.definition])
        try #require(zipped.status == 0, "\(zipped.standardError)")
        func configuration(_ count: Int) throws -> [UInt8] {
            Array("""
                <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
                  <Role name="Web"><Instances count="\(count)" />
                    <Certificates><Certificate name="SSL" thumbprint="\(bundle.thumbprint)" thumbprintAlgorithm="sha1" /></Certificates></Role>
                </ServiceConfiguration>
                """.utf8)
        }

        // 20 Medium instances are 40 cores: more than the standard quota, which another test checks.
        let runtime = DeploymentRuntime(store: store, masterKey: masterKey, folder: folder.file("deployments"),
                                        packagesDirectory: folder.file("packages"), quota: .init(maximumCloudServices: 20, maximumCores: 100),
                                        logger: Logger(label: "test"))
        let deployment = try await runtime.create(.init(
            subscription: subscription.id, service: "shop", slot: .production, name: "shop1", packageURL: "file://" + folder.file("packages/shop.cspkg"),
            label: "c2hvcA==", configuration: try configuration(2), start: true, extendedProperties: []
        ), now: Date())

        // Scaling to 20 instances takes long enough (20 endpoints and TLS contexts) for the second change to arrive meanwhile.
        async let first = Result(catching: { try await runtime.changeConfiguration(of: deployment, in: subscription.id, to: try configuration(20), now: Date()) })
        async let second = Result(catching: { try await runtime.changeConfiguration(of: deployment, in: subscription.id, to: try configuration(3), now: Date()) })
        let outcomes = await [first, second]
        let refused = outcomes.filter { if case .failure(DeploymentError.busy(deployment: "shop1")) = $0 { return true } else { return false } }
        let applied = outcomes.compactMap { try? $0.get() }
        #expect(refused.count == 1 && applied.count == 1, "\(outcomes)")
        let view = await runtime.view(of: try #require(applied.first))
        #expect([20, 3].contains(view.instances.count))
        #expect(view.instances.allSatisfy { $0.status == .readyRole })
        await runtime.shutdown()

        // With the standard quota (20 cores), 11 Medium instances are refused, naming the cores, and nothing changes.
        let quoted = DeploymentRuntime(store: store, masterKey: masterKey, folder: folder.file("deployments"),
                                       packagesDirectory: folder.file("packages"), logger: Logger(label: "test"))
        let current = try #require(try store.deployments(of: "shop").first)
        await #expect(throws: DeploymentError.quotaExceeded(requested: 22, inUse: 0, limit: 20)) {
            _ = try await quoted.changeConfiguration(of: current, in: subscription.id, to: try configuration(11), now: Date())
        }
        _ = try await quoted.changeConfiguration(of: current, in: subscription.id, to: try configuration(10), now: Date())
        await #expect(throws: DeploymentError.quotaExceeded(requested: 2, inUse: 20, limit: 20)) {
            _ = try await quoted.create(.init(
                subscription: subscription.id, service: "shop", slot: .staging, name: "shop2", packageURL: "file://" + folder.file("packages/shop.cspkg"),
                label: "c2hvcA==", configuration: try configuration(1), start: false, extendedProperties: []
            ), now: Date())
        }
        #expect(try store.deployments(of: "shop").count == 1)
        await quoted.shutdown()
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
