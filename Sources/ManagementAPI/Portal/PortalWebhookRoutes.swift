import HTTPTypes
import Hummingbird
import Storage

/// A subscription's webhooks in the portal, for those who manage its users (service
/// administrator, co-administrators): add one (the secret typed, or made and shown once) and
/// remove one. The same as `thumbprint admin subscription webhook`.
struct PortalWebhookRoutes: Sendable {
    let portal: Portal

    func register(on router: Router<PortalRequestContext>) {
        router.post("subscriptions/:subscription/webhooks") { request, context in try await add(request, context: context) }
        router.post("subscriptions/:subscription/webhooks/remove") { _, context in try await remove(context) }
    }

    /// A refusal shows the subscription's page again with the URL kept (never the secret).
    func add(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageUsers, role)
        let url = context.form["url"].trimmingCharacters(in: .whitespaces)
        let typed = context.form["secret"]
        let secret = typed.isEmpty ? WebhookRegistration.makeSecret() : typed
        let page = PortalSubscriptionRoutes(portal: portal)
        let webhook: Webhook
        do {
            webhook = try await WebhookRegistration.add(
                url: url, secret: secret, to: subscription.id, store: portal.store, masterKey: portal.masterKey, now: portal.now())
        } catch let refusal as WebhookRegistration.Refusal {
            let reason = refusal.description.prefix(1).uppercased() + refusal.description.dropFirst() + "."
            return try await page.subscription(request, context: context, alert: reason, status: .badRequest, kept: ["webhookURL": url])
        }
        await portal.audit("AddWebhook", target: "webhooks/\(webhook.id)", subscription: subscription.id, user: session.user)
        let shown = typed.isEmpty ? " Its signing secret, shown this once: \(secret)" : " It signs with the secret you typed."
        return try await page.subscription(request, context: context, notice: "Webhook \(webhook.id) added: events are POSTed to \(webhook.url).\(shown)")
    }

    func remove(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageUsers, role)
        let id = context.form["id"]
        guard let webhook = try await portal.store.webhooks(in: subscription.id).first(where: { $0.id == id }) else { throw PortalRefusal.notFound }
        guard context.form["confirm"] == "yes" else {
            return await portal.confirmation(
                "Stop sending \(subscription.name)'s events to \(webhook.url)? Deliveries still waiting for it are dropped.",
                action: "/subscriptions/\(subscription.id)/webhooks/remove", fields: ["id": id], button: "Remove",
                back: "/subscriptions/\(subscription.id)", session: session)
        }
        guard try await portal.store.removeWebhook(id, from: subscription.id) else { throw PortalRefusal.notFound }
        await portal.audit("RemoveWebhook", target: "webhooks/\(id)", subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)")
    }
}
