import Foundation
import Storage
import Testing

@Suite("Webhooks, deliveries, notices and renewals, on both backends")
struct LifecycleStorageTests {
    @Test(
        "webhooks and their deliveries: claimed once while held, saved after each attempt, listed by state; removal drops what waits",
        arguments: StorageBackend.allCases)
    func deliveries(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let store = fixture.store
        let subscription = SubscriptionID.random()
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        let hook = Webhook(id: "h1", subscription: subscription, url: "http://127.0.0.1:1/hook", sealedSecret: [1, 2, 3], created: now)
        try await store.addWebhook(hook)
        #expect(try await store.webhooks(in: subscription) == [hook])
        #expect(try await store.webhooks(in: .random()).isEmpty)
        let first = WebhookDelivery(id: "d1", webhook: "h1", subscription: subscription, event: "e", body: "{}", created: now, nextAttempt: now)
        let later = WebhookDelivery(id: "d2", webhook: "h1", subscription: subscription, event: "e", body: "{}", created: now, nextAttempt: now + 60)
        try await store.enqueueDeliveries([first, later])

        let claimed = try await store.claimDueDeliveries(now: now, holdUntil: now + 30, limit: 10)
        #expect(claimed == [first], "only what is due")
        #expect(try await store.claimDueDeliveries(now: now + 1, holdUntil: now + 31, limit: 10).isEmpty, "held: no other server sends it meanwhile")
        var failed = first
        failed.attempts = 1
        failed.state = .dead
        failed.nextAttempt = nil
        failed.lastError = "answered 500"
        try await store.updateDelivery(failed)
        #expect(try await store.deliveries(in: .dead, subscription: subscription, limit: 10) == [failed])
        #expect(try await store.deliveries(in: .dead, subscription: nil, limit: 10) == [failed])
        #expect(try await store.deliveries(in: .pending, subscription: subscription, limit: 10) == [later])
        #expect(try await store.removeWebhook("h1", from: .random()) == false, "only from its own subscription")
        #expect(try await store.removeWebhook("h1", from: subscription))
        #expect(try await store.deliveries(in: .pending, subscription: nil, limit: 10).isEmpty)
        #expect(try await store.deliveries(in: .dead, subscription: nil, limit: 10) == [failed], "dead letters stay for the failures list")
    }

    @Test("a notice is recorded once; renewal policies and renewals are kept until retired", arguments: StorageBackend.allCases)
    func noticesAndRenewals(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let store = fixture.store
        let subscription = SubscriptionID.random()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.recordNotice("expiring-30", about: "service/shop/AB", in: subscription, at: now))
        #expect(try await store.recordNotice("expiring-30", about: "service/shop/AB", in: subscription, at: now) == false)
        #expect(try await store.recordNotice("expiring-14", about: "service/shop/AB", in: subscription, at: now))

        let policy = RenewalPolicy(subscription: subscription, service: "shop", daysBefore: 30, validDays: 365)
        try await store.setRenewalPolicy(policy, service: "Shop", in: subscription)
        #expect(try await store.renewalPolicies() == [policy])
        try await store.setRenewalPolicy(nil, service: "shop", in: subscription)
        #expect(try await store.renewalPolicies().isEmpty)

        var renewal = CertificateRenewal(subscription: subscription, service: "shop", old: "AB", new: "CD", renewed: now)
        try await store.saveRenewal(renewal)
        #expect(try await store.pendingRenewals() == [renewal])
        renewal.retired = true
        try await store.saveRenewal(renewal)
        #expect(try await store.pendingRenewals().isEmpty)
    }
}
