import Certificates
import Crypto
import Foundation
import Logging
import ManagementAPI
import Storage
import TestSupport
import Testing

@Suite("Webhooks: signed JSON POSTs to loopback, retried, dead letters, never redirected")
struct WebhookTests {
    @Test("an event reaches every webhook of its subscription, signed; failures are retried, then kept as dead letters; redirects are not followed")
    func deliveries() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let masterKey = MasterKey.generate()
        let admin = EmailAddress("admin@contoso.com")!
        try await store.addUser(admin)
        let subscription = Subscription(id: .random(), name: "Hooks", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(subscription)
        let other = Subscription(id: .random(), name: "Other", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(other)
        let receiver = try await WebhookReceiver.start()
        let secret = "a-secret-of-twenty-characters"
        for path in ["hook", "fail", "redirect"] {
            _ = try await WebhookRegistration.add(url: receiver.url(path), secret: secret, to: subscription.id, store: store, masterKey: masterKey)
        }
        // Bad URLs are refused with the reason, before anything is stored.
        for (url, reason) in [("ftp://127.0.0.1/x", "only http"), ("http://user:pw@127.0.0.1/x", "user name"), ("not a url", "not a URL")] {
            await #expect(throws: WebhookRegistration.Refusal.self, "\(reason)") {
                _ = try await WebhookRegistration.add(url: url, secret: secret, to: subscription.id, store: store, masterKey: masterKey)
            }
        }
        await #expect(throws: WebhookRegistration.Refusal.shortSecret) {
            _ = try await WebhookRegistration.add(url: receiver.url("hook"), secret: "short", to: subscription.id, store: store, masterKey: masterKey)
        }
        #expect(try await store.webhooks(in: subscription.id).count == 3)

        let logger = Logger(label: "test")
        await Notifications(store: store, logger: logger).send(.managementCertificateAdded, in: subscription.id, ["thumbprint": "AB12"])
        await Notifications(store: store, logger: logger).send(.managementCertificateAdded, in: other.id, ["thumbprint": "CD34"])
        // The default policy (10 s doubling, at most an hour apart, for 24 hours) on a clock moved an hour at a time.
        let clock = TestClock()
        let deliveries = WebhookDeliveries(store: store, masterKey: masterKey, now: clock.now, logger: logger)
        var rounds = 0
        while try await !store.deliveries(in: .pending, subscription: nil, limit: 1).isEmpty, rounds < 40 {
            await deliveries.deliverDue()
            clock.advance(days: 1.0 / 24)
            rounds += 1
        }
        #expect(rounds > 20, "retried for a day: \(rounds) hours")
        try await deliveries.shutdown()
        let received = await receiver.received()
        await receiver.stop()

        let good = received.filter { $0.path == "hook" }
        #expect(good.count == 1, "delivered once, and the redirect was not followed to /hook: \(received.map(\.path))")
        let delivery = try #require(good.first)
        #expect(delivery.headers["thumbprint-event"] == "management-certificate.added")
        #expect(delivery.headers["content-type"] == "application/json")
        let timestamp = try #require(delivery.headers["thumbprint-timestamp"].flatMap(Int.init))
        #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 60, "the timestamp is the sending time, so receivers can refuse replays")
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(delivery.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let expected = "sha256=" + code.map { String(format: "%02x", $0) }.joined()
        #expect(delivery.headers["thumbprint-signature"] == expected, "HMAC-SHA256 of TIMESTAMP.BODY under the secret")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
        #expect(body["event"] as? String == "management-certificate.added")
        #expect(body["subscription"] as? String == subscription.id.rawValue)
        #expect((body["data"] as? [String: String])?["thumbprint"] == "AB12", "the other subscription's event went nowhere")

        #expect(received.filter { $0.path == "fail" }.count >= 3, "retried with growing delays: \(received.map(\.path))")
        let dead = try await store.deliveries(in: .dead, subscription: subscription.id, limit: 10)
        #expect(dead.count == 2)
        #expect(dead.contains { $0.lastError?.contains("500") == true })
        #expect(dead.contains { $0.lastError?.contains("redirects are not followed") == true })
        #expect(try await store.deliveries(in: .delivered, subscription: subscription.id, limit: 10).count == 1)
        #expect(try await store.deliveries(in: .pending, subscription: nil, limit: 10).isEmpty)
    }

    @Test("an expiry notice is given once per threshold, the tightest first seen, and a restarted watch remembers it")
    func noticesOnce() async throws {
        let day: TimeInterval = 86_400
        let now = Date()
        #expect(CertificateLifecycle.notice(for: now.addingTimeInterval(40 * day), at: now) == nil)
        #expect(CertificateLifecycle.notice(for: now.addingTimeInterval(25 * day), at: now)?.kind == "expiring-30")
        #expect(CertificateLifecycle.notice(for: now.addingTimeInterval(10 * day), at: now)?.kind == "expiring-14")
        #expect(CertificateLifecycle.notice(for: now.addingTimeInterval(0.5 * day), at: now)?.kind == "expiring-1")
        #expect(CertificateLifecycle.notice(for: now.addingTimeInterval(-1), at: now)?.kind == "expired")
    }

    @Test("adding and deleting a management certificate through the API sends management-certificate.added and .deleted")
    func managementCertificateEvents() async throws {
        let receiver = try await WebhookReceiver.start()
        let thumbprint = try await TestServer.with { server -> String in
            _ = try await WebhookRegistration.add(
                url: receiver.url("hook"), secret: "api-events-secret-1234", to: server.subscription.id, store: server.store, masterKey: server.masterKey)
            let client = try server.client(presenting: server.adminCertificate)
            let added = try makeTestBundle(["events-client"], key: .ecdsaP256)
            let base = "\(server.baseURL)/\(server.subscription.id)/certificates"
            #expect(try await client.send(.POST, base, body: addCertificateBody(added)).status == 201)
            #expect(try await client.send(.DELETE, "\(base)/\(added.thumbprint)").status == 200)
            try await client.shutdown()
            let deliveries = WebhookDeliveries(store: server.store, masterKey: server.masterKey, logger: Logger(label: "test"))
            while await deliveries.deliverDue() > 0 {}
            try await deliveries.shutdown()
            return added.thumbprint.description
        }
        let received = await receiver.received()
        await receiver.stop()
        #expect(received.compactMap { $0.headers["thumbprint-event"] }.sorted() == ["management-certificate.added", "management-certificate.deleted"])
        #expect(received.allSatisfy { $0.body.contains("\"thumbprint\":\"\(thumbprint)\"") }, "\(received.map(\.body))")
    }
}
