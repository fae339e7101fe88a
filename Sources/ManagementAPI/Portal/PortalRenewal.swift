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
        let (runtime, store, now) = (portal.runtime, portal.store, portal.now)
        let permitted: ConfigurationChange = role.allows(.changeConfiguration) ? [.thumbprints, .otherThanThumbprints] : .thumbprints
        do {
            try await portal.operations.begin(operation, audit: accepted, logger: context.logger) { entry in
                try? await store.appendAudit(entry)
            } work: {
                _ = try await runtime.changeConfiguration(of: deployment, in: subscription.id, to: configuration, permitted: permitted, now: now())
            }
        } catch let error as APIError {
            throw PortalRefusal(error.status, error.message)
        }
        throw PortalRedirect(to: "\(pagePath)?operation=\(id)")
    }

    /// One replaced thumbprint, for the page that shows the change.
    struct Replacement: Sendable {
        var role: String
        var certificate: String
        var old: String
    }

    /// The configuration with every `thumbprint` attribute equal to `current` (as written, any
    /// case) set to `replacement`, and where; refused when nothing or more than thumbprints would change.
    static func replacing(_ current: String, with replacement: Thumbprint, in configuration: [UInt8]) throws -> ([UInt8], [Replacement]) {
        guard let parsed = try? ServiceConfiguration(xml: configuration) else {
            throw PortalRefusal(.badRequest, "The deployment's configuration cannot be read, so it cannot be changed here.")
        }
        let changes = parsed.roles.flatMap { role in
            role.certificates.filter { $0.thumbprintText.caseInsensitiveCompare(current) == .orderedSame }.map {
                Replacement(role: role.name, certificate: $0.name, old: $0.thumbprintText)
            }
        }
        guard !current.isEmpty, !changes.isEmpty else { throw PortalRefusal(.badRequest, "Pick a certificate the deployment uses now.") }
        var text = String(decoding: configuration, as: UTF8.self)
        for quote in ["\"", "'"] {
            for old in Set(changes.map(\.old)) {
                text = text.replacingOccurrences(of: "thumbprint=\(quote)\(old)\(quote)", with: "thumbprint=\(quote)\(replacement)\(quote)")
            }
        }
        let result = Array(text.utf8)
        guard (try? ConfigurationChange(from: configuration, to: result)) == .thumbprints else {
            throw PortalRefusal(.badRequest, "The replacement would change nothing, or more than thumbprints; choose another certificate.")
        }
        return (result, changes)
    }
}
