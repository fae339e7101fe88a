import Certificates
import Deployments
import Foundation
import Logging
import ManagementAPI
import RoleInstances
import ServiceModel
import Storage
import TestSupport
import Testing

/// A clock a test moves forward by days.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date()) { current = start }

    var now: @Sendable () -> Date { { self.lock.withLock { self.current } } }

    func advance(days: Double) { lock.withLock { current = current.addingTimeInterval(days * 86_400) } }
}

@Suite("Automatic renewal under an injected clock", .serialized)
struct RenewalTests {
    static let definition = """
        <ServiceDefinition name="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
          <WebRole name="Web" vmsize="Small">
            <Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
            <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates>
          </WebRole>
        </ServiceDefinition>
        """

    static func configuration(_ thumbprint: Thumbprint, count: Int) -> [UInt8] {
        Array(
            """
            <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
              <Role name="Web"><Instances count="\(count)" />
                <Certificates><Certificate name="SSL" thumbprint="\(thumbprint)" thumbprintAlgorithm="sha1" /></Certificates></Role>
            </ServiceConfiguration>
            """.utf8)
    }

    /// Fresh TLS connections to `port` until `stop` exists: how many, which failed, which thumbprints were served.
    static let probe = """
        import hashlib, json, os, socket, ssl, sys
        port, stop = int(sys.argv[1]), sys.argv[2]
        context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
        seen, failures, count = {}, [], 0
        while not os.path.exists(stop) or count < 20:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, context.wrap_socket(raw) as tls:
                    thumbprint = hashlib.sha1(tls.getpeercert(binary_form=True)).hexdigest().upper()
                    seen[thumbprint] = seen.get(thumbprint, 0) + 1
                    tls.sendall(b"GET / HTTP/1.1\\r\\nHost: shop\\r\\nConnection: close\\r\\n\\r\\n")
                    answer = tls.recv(64)
                    if not answer.startswith(b"HTTP/1.1 200"): failures.append("answer %r" % answer[:30])
                count += 1
            except Exception as error:
                failures.append(repr(error))
        print(json.dumps({"connections": count, "failures": failures, "seen": seen}))
        """

    @Test(
        "a self-signed certificate in use is renewed N days before its end: same subject, names and key; the deployment switches with no failed connection; the old one is deleted 7 days later; a CA-signed one is only warned about"
    )
    func renewsUnderInjectedClock() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let masterKey = MasterKey.generate()
        let admin = EmailAddress("admin@contoso.com")!
        try await store.addUser(admin)
        let subscription = Subscription(id: .random(), name: "Shop", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(subscription)
        try await store.createCloudService(
            CloudService(
                subscription: subscription.id, name: "shop", label: "c2hvcA==", description: nil, location: "Local", affinityGroup: nil,
                extendedProperties: [], created: Date(), modified: Date()), limit: 20)
        let clock = TestClock()
        let selfSigned = try CertificateFactory(now: clock.now).makeCertificate(
            CertificateRequest(dnsNames: ["www.contoso.net", "contoso.net"], keyAlgorithm: .rsa3072, validDays: 40))
        let authority = try ServerIdentity.makeAuthority()
        let caSigned = try CertificateFactory(now: clock.now).makeCertificate(
            CertificateRequest(dnsNames: ["staging.contoso.net"], validDays: 20), issuer: authority)
        for bundle in [selfSigned, caSigned] {
            let sealed = try KeyEnvelope.seal(
                try #require(bundle.privateKey).pkcs8, context: ServiceCertificate.sealingContext(service: "shop", thumbprint: bundle.thumbprint),
                with: masterKey)
            try await store.addServiceCertificate(
                ServiceCertificate(
                    subscription: subscription.id, service: "shop", thumbprint: bundle.thumbprint, certificate: bundle.cerBytes,
                    sealedPrivateKey: sealed, created: Date()))
        }
        try FileManager.default.createDirectory(atPath: folder.file("packages"), withIntermediateDirectories: true)
        let zipped = try runProcess(
            "python3",
            [
                "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('ServiceDefinition.csdef', sys.argv[2])",
                folder.file("packages/shop.cspkg"), Self.definition,
            ])
        try #require(zipped.status == 0, "\(zipped.standardError)")
        var logger = Logger(label: "renewal-test")
        logger.logLevel = .warning
        let runtime = DeploymentRuntime(
            store: store, masterKey: masterKey, folder: folder.file("deployments"), packagesDirectory: folder.file("packages"), logger: logger,
            makeAgent: LocalRoleInstance.maker(sealing: masterKey))
        for (slot, name, bundle, count) in [(DeploymentSlot.production, "shop1", selfSigned, 2), (.staging, "shop2", caSigned, 1)] {
            _ = try await runtime.create(
                .init(
                    subscription: subscription.id, service: "shop", slot: slot, name: name, packageURL: "file://" + folder.file("packages/shop.cspkg"),
                    label: "c2hvcA==", configuration: Self.configuration(bundle.thumbprint, count: count), start: true, extendedProperties: []),
                now: clock.now())
        }
        let receiver = try await WebhookReceiver.start()
        _ = try await WebhookRegistration.add(
            url: receiver.url("hook"), secret: "renewal-test-secret-1234", to: subscription.id, store: store, masterKey: masterKey)
        try await store.setRenewalPolicy(
            RenewalPolicy(subscription: subscription.id, service: "shop", daysBefore: 30, validDays: 90), service: "shop", in: subscription.id)
        let notifications = Notifications(store: store, now: clock.now, logger: logger)
        let lifecycle = CertificateLifecycle(
            store: store, runtime: runtime, masterKey: masterKey, notifications: notifications, now: clock.now, logger: logger)
        let deliveries = WebhookDeliveries(store: store, masterKey: masterKey, now: clock.now, logger: logger)
        func events() async throws -> [String] {
            while await deliveries.deliverDue() > 0 {}
            return await receiver.received().compactMap { $0.headers["thumbprint-event"] }
        }

        // Day 0: the self-signed one has 40 days, the CA-signed one 20: only that one is due, and only warned about.
        #expect(await lifecycle.round())
        #expect(try await events() == ["certificate.expiring"])
        #expect(try await store.serviceCertificates(of: "shop", in: subscription.id).count == 2, "nothing renewed")
        #expect(try await store.auditEntries(subscription: subscription.id).contains { $0.outcome.hasPrefix("Skipped: CA-signed") })

        let production = try #require(try await store.deployments(of: "shop", in: subscription.id).first { $0.slot == .production })
        let port = try #require(await runtime.view(of: production).instances.first?.endpoints.first?.publicPort)
        let stop = folder.file("stop-probe")
        async let probed = awaitProcess("python3", ["-c", Self.probe, String(port), stop])
        try await Task.sleep(for: .milliseconds(300))

        // Day 15: 25 days left, within the policy's 30: renewed and switched.
        clock.advance(days: 15)
        #expect(await lifecycle.round())
        let renewals = try await store.pendingRenewals()
        let renewal = try #require(renewals.first)
        #expect(renewals.count == 1 && renewal.old == selfSigned.thumbprint.description, "only the self-signed one: \(renewals)")
        let successor = try #require(try await store.serviceCertificate(Thumbprint.parse(renewal.new).thumbprint, of: "shop", in: subscription.id))
        let details = try CertificateDetails(der: successor.certificate)
        #expect(details.subject == selfSigned.certificate.subject)
        #expect(details.dnsNames == ["www.contoso.net", "contoso.net"])
        #expect(
            details.publicKey.algorithmName == selfSigned.certificate.publicKey.algorithmName && details.publicKey.sizeInBits == 3072, "same key type and size")
        #expect(details.isSelfSigned && details.notAfter.timeIntervalSince(clock.now()) > 89 * 86_400)
        #expect(successor.sealedPrivateKey != nil)
        let changed = try #require(try await store.deployments(of: "shop", in: subscription.id).first { $0.slot == .production })
        #expect(
            String(decoding: changed.configuration, as: UTF8.self) == String(decoding: Self.configuration(successor.thumbprint, count: 2), as: UTF8.self),
            "only the thumbprint changed")
        let staging = try #require(try await store.deployments(of: "shop", in: subscription.id).first { $0.slot == .staging })
        #expect(staging.configuration == Self.configuration(caSigned.thumbprint, count: 1), "the CA-signed certificate stays")
        try await Task.sleep(for: .milliseconds(500))
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        let probe = try await probed
        let report = try #require(try JSONSerialization.jsonObject(with: Data(probe.standardOutput.utf8)) as? [String: Any], "\(probe.standardError)")
        #expect((report["failures"] as? [String])?.isEmpty == true, "failed connections: \(report)")
        print("renewal probe: \(report["connections"] ?? 0) connections, served \(report["seen"] ?? [:])")
        let seen = report["seen"] as? [String: Int] ?? [:]
        #expect(seen[successor.thumbprint.description] ?? 0 > 0, "the endpoint serves the new certificate: \(seen)")
        #expect(await runtime.view(of: changed).instances.allSatisfy { $0.endpoints.first?.thumbprint == successor.thumbprint.description })

        let sent = try await events()
        #expect(sent.filter { $0 == "certificate.expiring" }.count == 3, "the self-signed one's 30-day notice, the CA-signed one's 7-day: \(sent)")
        #expect(sent.contains("renewal.succeeded") && sent.contains("rotation.finished"), "\(sent)")

        // Again, and from a watch started anew (a restart): nothing renewed twice, no notice twice.
        #expect(await lifecycle.round())
        let restarted = CertificateLifecycle(
            store: store, runtime: runtime, masterKey: masterKey, notifications: notifications, now: clock.now, logger: logger)
        #expect(await restarted.round())
        #expect(try await store.serviceCertificates(of: "shop", in: subscription.id).count == 3)
        #expect(try await events().count == sent.count)

        // Day 23: the old certificate was kept 7 days, and goes.
        clock.advance(days: 8)
        #expect(await lifecycle.round())
        #expect(try await store.serviceCertificate(selfSigned.thumbprint, of: "shop", in: subscription.id) == nil)
        #expect(try await store.pendingRenewals().isEmpty)
        let operations = try await store.auditEntries(subscription: subscription.id).filter { $0.user == "thumbprint (automatic renewal)" }.map(\.operation)
        #expect(
            Set(operations).isSuperset(of: ["RenewCertificate", "AddServiceCertificate", "ChangeDeploymentConfiguration", "DeleteRenewedCertificate"]),
            "\(operations)")

        try await deliveries.shutdown()
        await receiver.stop()
        await runtime.shutdown()
    }
}
