import Certificates
import Deployments
import Foundation
import Logging
import Storage
import TestSupport
import Testing

@Suite("The deployment runtime")
struct DeploymentRuntimeTests {
    @Test("a second change while one is still being applied is refused as busy; the first one completes")
    func busy() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let admin = EmailAddress("admin@contoso.com")!
        try store.addUser(admin)
        let subscription = Subscription(id: .random(), name: "Shop", serviceAdministrator: admin, createdAt: Date())
        try store.createSubscription(subscription)
        try store.createCloudService(CloudService(subscription: subscription.id, name: "shop", label: "c2hvcA==", description: nil, location: "Local",
                                                  affinityGroup: nil, extendedProperties: [], created: Date(), modified: Date()))
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

        let runtime = DeploymentRuntime(store: store, masterKey: masterKey, folder: folder.file("deployments"),
                                        packagesDirectory: folder.file("packages"), logger: Logger(label: "test"))
        let deployment = try await runtime.create(.init(
            service: "shop", slot: .production, name: "shop1", packageURL: "file://" + folder.file("packages/shop.cspkg"),
            label: "c2hvcA==", configuration: try configuration(2), start: true, extendedProperties: []
        ), now: Date())

        // Scaling to 20 instances takes long enough (20 endpoints and TLS contexts) for the second change to arrive meanwhile.
        async let first = Result(catching: { try await runtime.changeConfiguration(of: deployment, to: try configuration(20), now: Date()) })
        async let second = Result(catching: { try await runtime.changeConfiguration(of: deployment, to: try configuration(3), now: Date()) })
        let outcomes = await [first, second]
        let refused = outcomes.filter { if case .failure(DeploymentError.busy(deployment: "shop1")) = $0 { return true } else { return false } }
        let applied = outcomes.compactMap { try? $0.get() }
        #expect(refused.count == 1 && applied.count == 1, "\(outcomes)")
        let view = await runtime.view(of: try #require(applied.first))
        #expect([20, 3].contains(view.instances.count))
        #expect(view.instances.allSatisfy { $0.status == .readyRole })
        await runtime.shutdown()
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
