import HTTPTypes
import Hummingbird
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Creating and deleting cloud services, with the API's rules.
struct PortalCloudServiceRoutes: Sendable {
    let portal: Portal

    func register(on router: Router<PortalRequestContext>) {
        router.post("subscriptions/:subscription/services") { request, context in try await create(request, context: context) }
        router.post("subscriptions/:subscription/services/:service/delete") { _, context in try await delete(context) }
    }

    /// A refusal shows the subscription's page again with what was typed.
    func create(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageCloudServices, role)
        let name = context.form["name"]
        let label = context.form["label"].isEmpty ? name : context.form["label"]
        let location = context.form["location"]
        let refuse = { (reason: String, status: HTTPResponse.Status) async throws -> Response in
            try await PortalSubscriptionRoutes(portal: portal).subscription(
                request, context: context, alert: reason, status: status, kept: ["name": name, "label": label, "location": location])
        }
        guard CloudService.isValidName(name) else {
            return try await refuse("\(name) is not a cloud service name: use 1 to 63 letters, digits and hyphens, starting with a letter.", .badRequest)
        }
        guard label.count <= 100 else { return try await refuse("The label has more than 100 characters.", .badRequest) }
        guard let known = portal.locations.named(location) else { return try await refuse(portal.locations.problem(with: location) ?? "", .badRequest) }
        let instant = portal.now()
        let service = CloudService(
            subscription: subscription.id, name: name, label: Data(label.utf8).base64EncodedString(), description: nil, location: known,
            affinityGroup: nil, extendedProperties: [], created: instant, modified: instant)
        do {
            try await portal.store.createCloudService(service, limit: portal.quota.maximumCloudServices)
        } catch {
            return try await refuse(error.description, .conflict)
        }
        await portal.audit("CreateCloudService", target: "services/hostedservices/\(name)", subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)/services/\(name)")
    }

    /// Asks first; refused while the service has deployments.
    func delete(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageCloudServices, role)
        let name = try context.parameters.require("service")
        guard try await portal.store.cloudService(name, in: subscription.id) != nil else { throw PortalRefusal.notFound }
        if let deployment = try await portal.store.deployments(of: name, in: subscription.id).first {
            throw PortalRefusal(
                .conflict,
                "The cloud service \(name) still has deployment \(deployment.name) in the \(deployment.slot.rawValue) slot; delete its deployments first.")
        }
        guard context.form["confirm"] == "yes" else {
            return await portal.confirmation(
                "Delete the cloud service \(name) and its certificates?", action: "/subscriptions/\(subscription.id)/services/\(name)/delete", fields: [:],
                button: "Delete", back: "/subscriptions/\(subscription.id)/services/\(name)", session: session)
        }
        guard try await portal.store.deleteCloudService(name, in: subscription.id) else { throw PortalRefusal.notFound }
        await portal.audit("DeleteCloudService", target: "services/hostedservices/\(name)", subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)")
    }
}
