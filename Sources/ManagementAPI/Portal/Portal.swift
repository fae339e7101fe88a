import Accounts
import Certificates
import Deployments
import Hummingbird
import Logging
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The portal: server-rendered pages where people sign in with their accounts and act on the
/// subscriptions they have a role on, with the same role rules as the API.
struct Portal: Sendable {
    let store: any ManagementStore
    let runtime: DeploymentRuntime
    let masterKey: MasterKey
    let limits: CertificateLimits
    let quota: SubscriptionQuota
    let locations: ServiceLocations
    let operations: AsyncOperations
    let signIn: SignIn
    let secondFactor: SecondFactor
    let sessions: PortalSessions
    let pages: PortalPages
    let notifications: Notifications
    let now: @Sendable () -> Date
    let logger: Logger
    /// Certificates as the pages show them, decoded once each.
    let summaries = CertificateSummaries()

    /// The portal's router, with its session middleware.
    func router() -> Router<PortalRequestContext> {
        let router = Router(context: PortalRequestContext.self)
        router.add(middleware: sessions.middleware())
        router.add(middleware: PortalSessionMiddleware(sessions: sessions, pages: pages, logger: logger))
        router.get("portal.css") { _, _ in PortalPages.stylesheet() }
        PortalAccountRoutes(portal: self).register(on: router)
        PortalSecondFactorRoutes(portal: self).register(on: router)
        PortalSubscriptionRoutes(portal: self).register(on: router)
        PortalServiceRoutes(portal: self).register(on: router)
        PortalUserRoutes(portal: self).register(on: router)
        PortalWebhookRoutes(portal: self).register(on: router)
        PortalCloudServiceRoutes(portal: self).register(on: router)
        return router
    }

    /// The subscription the path names and the person's role there; 404 when they have none, so
    /// that another subscription's pages do not even show that it exists.
    func membership(_ context: PortalRequestContext) async throws -> (session: PortalSession, subscription: Subscription, role: SubscriptionRole) {
        let session = try context.requireSession()
        guard let id = SubscriptionID(try context.parameters.require("subscription")),
            let role = try await store.role(of: session.user, in: id),
            let subscription = try await store.subscription(id)
        else { throw PortalRefusal.notFound }
        return (session, subscription, role)
    }

    /// Refuses (403, nothing changed) what `role` does not allow, naming the roles that may.
    static func require(_ action: SubscriptionAction, _ role: SubscriptionRole) throws {
        guard role.allows(action) else {
            let roles = SubscriptionRole.allowing(action).map(\.displayName).joined(separator: ", ")
            throw PortalRefusal(.forbidden, "To \(action.summary) you need one of these roles: \(roles). Your role here is \(role.displayName).")
        }
    }

    /// The page that asks before something is deleted: the same form again, with `confirm=yes`.
    func confirmation(
        _ question: String, action: String, fields: [String: String], button: String, back: String, session: PortalSession
    ) async -> Response {
        let values: [String: Any] = [
            "question": question, "action": action, "button": button, "back": back,
            "fields": fields.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
        ]
        return await pages.page("confirm", title: "Are you sure?", values: values, session: session)
    }

    /// Records a portal action in the audit log under the person who did it.
    func audit(_ operation: String, target: String, subscription: SubscriptionID?, user: EmailAddress, outcome: String = "Succeeded") async {
        try? await store.appendAudit(
            AuditEntry(
                time: now(), subscription: subscription, callerThumbprint: nil, user: user.rawValue, operation: operation, target: target, outcome: outcome))
    }

    /// What a locked sign-in says, whether or not the account exists.
    static let lockedMessage = "Too many failed sign-ins for this account in the last 15 minutes: wait, or ask an administrator to unlock it."

    /// A date as the pages show it.
    static func day(_ date: Date) -> String { String(UTCCalendar.iso8601(date).prefix(10)) }

    /// Whole days from `now` until `date` (negative once past).
    static func daysLeft(until date: Date, now: Date) -> Int { Int((date.timeIntervalSince(now) / 86_400).rounded(.down)) }
}
