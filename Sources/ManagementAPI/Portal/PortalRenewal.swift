import Certificates
import Deployments
import Hummingbird
import ServiceModel
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Renewing a certificate of a running deployment: the person picks the thumbprint in use and
/// an uploaded replacement, sees the exact configuration change, confirms, and the change runs
/// as an operation that the deployment page follows. Only thumbprints change: no new package.
struct PortalRenewal: Sendable {
    let portal: Portal

    func renew(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.changeThumbprints, role)
        let service = try context.parameters.require("service")
        guard let slot = DeploymentSlot(path: try context.parameters.require("slot")),
            let deployment = try await portal.store.deployments(of: service, in: subscription.id).first(where: { $0.slot == slot })
        else { throw PortalRefusal.notFound }
        let current = context.form["current"]
        guard let replacement = try? Thumbprint.parse(context.form["replacement"]).thumbprint,
            let uploaded = try await portal.store.serviceCertificate(replacement, of: service, in: subscription.id), uploaded.sealedPrivateKey != nil
        else { throw PortalRefusal(.badRequest, "Pick a replacement among the certificates uploaded to \(service) with their private key.") }
        let (configuration, changes) = try Self.replacing(current, with: replacement, in: deployment.configuration)
        let pagePath = "/subscriptions/\(subscription.id)/services/\(service)/deployments/\(slot.rawValue.lowercased())"
        guard context.form["confirm"] == "yes" else {
            let values: [String: Any] = [
                "subscription": subscription.id.rawValue, "service": service, "slot": slot.rawValue.lowercased(), "name": deployment.name,
                "current": current, "replacement": replacement.description,
                "changes": changes.map { ["role": $0.role, "certificate": $0.certificate, "old": $0.old, "new": replacement.description] },
            ]
            return await portal.pages.page("renew", title: "Renew a certificate", values: values, session: session)
        }
        let id = OperationID.random()
        let operation = OperationRecord(id: id, subscription: subscription.id, status: .inProgress)
        let accepted = AuditEntry(
            time: portal.now(), subscription: subscription.id, callerThumbprint: nil, user: session.user.rawValue, operation: "ChangeDeploymentConfiguration",
            target: "services/hostedservices/\(service)/deployments/\(deployment.name)", outcome: "Accepted", requestID: id.rawValue, httpStatus: 202)
        let (runtime, store, now, notifications) = (portal.runtime, portal.store, portal.now, portal.notifications)
        let permitted: ConfigurationChange = role.allows(.changeConfiguration) ? [.thumbprints, .otherThanThumbprints] : .thumbprints
        do {
            try await portal.operations.begin(operation, audit: accepted, logger: context.logger) { entry in
                try? await store.appendAudit(entry)
            } work: {
                let changed = try await runtime.changeConfiguration(of: deployment, in: subscription.id, to: configuration, permitted: permitted, now: now())
                await notifications.rotationFinished(of: changed, from: deployment.configuration, to: changed.configuration)
            }
        } catch let error as APIError {
            throw PortalRefusal(error.status, error.message)
        }
        throw PortalRedirect(to: "\(pagePath)?operation=\(id)")
    }

    /// The configuration with `current` replaced, and where; refused with the reason.
    static func replacing(_ current: String, with replacement: Thumbprint, in configuration: [UInt8]) throws -> ([UInt8], [ThumbprintReplacement.Change]) {
        do {
            let replaced = try ThumbprintReplacement(replacing: current, with: replacement, in: configuration)
            return (replaced.configuration, replaced.changes)
        } catch .unreadableConfiguration {
            throw PortalRefusal(.badRequest, "The deployment's configuration cannot be read, so it cannot be changed here.")
        } catch .notInUse {
            throw PortalRefusal(.badRequest, "Pick a certificate the deployment uses now.")
        } catch .notOnlyThumbprints {
            throw PortalRefusal(.badRequest, "The replacement would change nothing, or more than thumbprints; choose another certificate.")
        }
    }
}
