import HTTPTypes
import Hummingbird
import Storage

/// Users and roles of a subscription, changed by those whose role allows it: only the service
/// administrator hands that role on (and becomes a co-administrator).
struct PortalUserRoutes: Sendable {
    let portal: Portal

    func register(on router: Router<PortalRequestContext>) {
        router.post("subscriptions/:subscription/users") { request, context in try await setRole(request, context: context) }
        router.post("subscriptions/:subscription/users/remove") { _, context in try await remove(context) }
    }

    /// The roles `role` may give.
    static func grantable(by role: SubscriptionRole) -> [SubscriptionRole] {
        SubscriptionRole.allCases.filter { $0 != .serviceAdministrator || role.allows(.changeServiceAdministrator) }
    }

    /// A refusal shows the subscription's page again with the email typed.
    func setRole(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageUsers, role)
        let typed = context.form["email"]
        let refuse = { (reason: String, status: HTTPResponse.Status) async throws -> Response in
            try await PortalSubscriptionRoutes(portal: portal).subscription(request, context: context, alert: reason, status: status, kept: ["email": typed])
        }
        guard let user = EmailAddress(typed), let wanted = SubscriptionRole(argument: context.form["role"]) else {
            return try await refuse("Give the user's email and one of the roles listed.", .badRequest)
        }
        if wanted == .serviceAdministrator { try Portal.require(.changeServiceAdministrator, role) }
        if user == subscription.serviceAdministrator {
            return try await refuse(StorageError.serviceAdministratorStays(user.rawValue).description, .conflict)
        }
        do {
            try await portal.store.setRole(wanted, for: user, in: subscription.id)
        } catch .unknownUser {
            return try await refuse("There is no user \(user); an administrator adds users with `thumbprint admin user add \(user)`.", .badRequest)
        }
        await portal.audit("SetSubscriptionRole", target: "users/\(user)/\(wanted.rawValue)", subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)")
    }

    func remove(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageUsers, role)
        guard let user = EmailAddress(context.form["email"]) else { throw PortalRefusal.notFound }
        guard context.form["confirm"] == "yes" else {
            return await portal.confirmation(
                "Take \(user)'s role on \(subscription.name) away? The management certificates they added stop working here.",
                action: "/subscriptions/\(subscription.id)/users/remove", fields: ["email": user.rawValue], button: "Remove",
                back: "/subscriptions/\(subscription.id)", session: session)
        }
        let removed: Bool
        do {
            removed = try await portal.store.removeMember(user, from: subscription.id)
        } catch .serviceAdministratorStays {
            throw PortalRefusal(.conflict, StorageError.serviceAdministratorStays(user.rawValue).description)
        }
        guard removed else { throw PortalRefusal.notFound }
        await portal.audit("RemoveSubscriptionUser", target: "users/\(user)", subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)")
    }
}
