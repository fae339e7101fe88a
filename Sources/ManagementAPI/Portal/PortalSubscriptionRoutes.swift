import Certificates
import Hummingbird
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The subscriptions a person has a role on, one subscription's page (management certificates,
/// users, cloud services, audit log) and the expiry list.
struct PortalSubscriptionRoutes: Sendable {
    let portal: Portal
    var store: any ManagementStore { portal.store }

    func register(on router: Router<PortalRequestContext>) {
        router.get("/") { _, context in try await home(context) }
        router.get("subscriptions/:subscription") { request, context in try await subscription(request, context: context) }
        router.post("subscriptions/:subscription/management-certificates") { request, context in try await addManagementCertificate(request, context: context) }
        router.post("subscriptions/:subscription/management-certificates/delete") { _, context in try await deleteManagementCertificate(context) }
        router.get("expiring") { _, context in try await expiring(context) }
    }

    func home(_ context: PortalRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let memberships = try await store.memberships(of: session.user)
        let rows: [[String: Any]] = memberships.map { ["id": $0.subscription.id.rawValue, "name": $0.subscription.name, "role": $0.role.displayName] }
        let soon = try await PortalExpiry(portal: portal).entries(for: memberships).filter(\.soon).count
        return await portal.pages.page(
            "home", title: "Subscriptions", values: ["subscriptions": rows, "expiringCount": soon, "hasExpiring": soon > 0], session: session)
    }

    /// The subscription's page; after a refused form, `alert` says why and `kept` holds what the
    /// person typed (by field name), so that nothing is lost.
    func subscription(
        _ request: Request, context: PortalRequestContext, notice: String? = nil, alert: String? = nil, status: HTTPResponse.Status = .ok,
        kept: [String: String] = [:]
    ) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        let id = subscription.id
        let instant = portal.now()
        let certificates = try await store.managementCertificates(in: id)
        let rows: [[String: Any]] = certificates.sorted { $0.notAfter < $1.notAfter }.map { certificate in
            let details = Data(base64Encoded: certificate.data).flatMap { portal.summaries.summary(of: certificate.thumbprint, der: [UInt8]($0)) }
            let days = Portal.daysLeft(until: certificate.notAfter, now: instant)
            return [
                "thumbprint": certificate.thumbprint.description, "subject": details?.subject ?? "",
                "expires": Portal.day(certificate.notAfter), "daysLeft": days, "soon": days <= 30,
                "extra": "\(certificate.addedBy) (\((certificate.role ?? .coAdministrator).displayName))",
                "canDelete": role.allows(.manageManagementCertificates), "deleteAction": "/subscriptions/\(id)/management-certificates/delete",
                "csrf": session.csrfToken,
            ]
        }
        let user = request.uri.queryParameters.get("user") ?? ""
        let operation = request.uri.queryParameters.get("operation") ?? ""
        let audit = try await store.auditEntries(subscription: id).reversed().filter { entry in
            (user.isEmpty || (entry.user ?? "").localizedCaseInsensitiveContains(user))
                && (operation.isEmpty || entry.operation.localizedCaseInsensitiveContains(operation))
        }.prefix(100)
        let soon = try await PortalExpiry(portal: portal).entries(for: [Membership(subscription: subscription, role: role)]).filter(\.soon).count
        let values: [String: Any] = [
            "subscription": id.rawValue, "role": role.displayName, "certificates": rows,
            "managementCount": certificates.count, "managementLimit": portal.limits.perSubscription,
            "limitReached": certificates.count >= portal.limits.perSubscription, "canManageManagement": role.allows(.manageManagementCertificates),
            "members": try await store.members(of: id).enumerated().map { index, member -> [String: Any] in
                [
                    "user": member.user.rawValue, "role": member.role.displayName, "index": index, "subscription": id.rawValue, "csrf": session.csrfToken,
                    "changeable": role.allows(.manageUsers) && member.role != .serviceAdministrator,
                    "roles": PortalUserRoutes.grantable(by: role).map { ["value": $0.argument, "name": $0.displayName, "selected": $0 == member.role] },
                ]
            },
            "canManageUsers": role.allows(.manageUsers),
            "grantable": PortalUserRoutes.grantable(by: role).reversed().map { ["value": $0.argument, "name": $0.displayName] },
            "canManageServices": role.allows(.manageCloudServices), "newServiceName": kept["name"] ?? "", "newServiceLabel": kept["label"] ?? "",
            "locations": portal.locations.names.map { name in
                ["name": name, "selected": name == (kept["location"] ?? portal.locations.names.first)] as [String: Any]
            },
            "newUserEmail": kept["email"] ?? "", "newWebhookURL": kept["webhookURL"] ?? "",
            "webhooks": role.allows(.manageUsers)
                ? try await store.webhooks(in: id).map {
                    ["id": $0.id, "url": $0.url, "added": Portal.day($0.created), "subscription": id.rawValue, "csrf": session.csrfToken]
                } : [],
            "services": try await store.cloudServices(in: id).map {
                ["name": $0.name, "location": $0.location ?? $0.affinityGroup ?? "", "subscription": id.rawValue]
            },
            "audit": audit.map {
                [
                    "time": UTCCalendar.iso8601($0.time), "user": $0.user ?? $0.callerThumbprint ?? "", "operation": $0.operation, "target": $0.target,
                    "outcome": $0.outcome,
                ]
            },
            "filterUser": user, "filterOperation": operation, "expiringCount": soon, "hasExpiring": soon > 0,
        ]
        return await portal.pages.page("subscription", title: subscription.name, values: values, session: session, notice: notice, alert: alert, status: status)
    }

    /// A .cer (DER or PEM) registered as the person's management certificate, acting with their role.
    func addManagementCertificate(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageManagementCertificates, role)
        guard let file = context.form.files["certificate"], !file.bytes.isEmpty else {
            return try await self.subscription(request, context: context, alert: "Choose a certificate file (.cer) to upload.", status: .badRequest)
        }
        let details: CertificateDetails
        do {
            let read = try CertificateFile.read(file.bytes) { nil }
            details = try CertificateDetails(der: read.bundle.cerBytes)
        } catch {
            return try await self.subscription(
                request, context: context, alert: "\(file.name) is not a certificate this portal can read (.cer, DER or PEM): \(error)", status: .badRequest)
        }
        guard details.notAfter > portal.now() else {
            return try await self.subscription(
                request, context: context, alert: "The certificate expired on \(Portal.day(details.notAfter)); make a new one and upload that.",
                status: .badRequest)
        }
        let registration = ManagementCertificate(
            subscription: subscription.id, thumbprint: details.thumbprint, publicKey: Data(details.publicKey.keyBytes).base64EncodedString(),
            data: Data(details.der).base64EncodedString(), created: portal.now(), notAfter: details.notAfter, addedBy: session.user, role: role)
        do {
            try await store.addManagementCertificate(registration, limits: portal.limits)
        } catch {
            await portal.audit(
                "AddManagementCertificate", target: "certificates/\(details.thumbprint)", subscription: subscription.id, user: session.user, outcome: "Refused")
            return try await self.subscription(request, context: context, alert: "The certificate was not added: \(error.description)", status: .badRequest)
        }
        await portal.audit("AddManagementCertificate", target: "certificates/\(details.thumbprint)", subscription: subscription.id, user: session.user)
        await portal.notifications.send(
            .managementCertificateAdded, in: subscription.id, ["thumbprint": details.thumbprint.description, "addedBy": session.user.rawValue])
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)")
    }

    func deleteManagementCertificate(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role) = try await portal.membership(context)
        try Portal.require(.manageManagementCertificates, role)
        guard let thumbprint = try? Thumbprint.parse(context.form["thumbprint"]).thumbprint else { throw PortalRefusal.notFound }
        guard context.form["confirm"] == "yes" else {
            return await portal.confirmation(
                "Delete the management certificate \(thumbprint) from \(subscription.name)? Programs that present it can no longer manage the subscription.",
                action: "/subscriptions/\(subscription.id)/management-certificates/delete", fields: ["thumbprint": thumbprint.description],
                button: "Delete", back: "/subscriptions/\(subscription.id)", session: session)
        }
        guard try await store.deleteManagementCertificate(thumbprint, in: subscription.id) else {
            throw PortalRefusal(.notFound, "There is no such management certificate on this subscription.")
        }
        await portal.audit("DeleteManagementCertificate", target: "certificates/\(thumbprint)", subscription: subscription.id, user: session.user)
        await portal.notifications.send(
            .managementCertificateDeleted, in: subscription.id, ["thumbprint": thumbprint.description, "deletedBy": session.user.rawValue])
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)")
    }

    func expiring(_ context: PortalRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let entries = try await PortalExpiry(portal: portal).entries(for: try await store.memberships(of: session.user))
        let rows: [[String: Any]] = entries.map {
            [
                "daysLeft": $0.daysLeft, "expires": Portal.day($0.notAfter), "kind": $0.kind, "thumbprint": $0.thumbprint, "subject": $0.subject,
                "place": $0.place, "link": $0.link, "soon": $0.soon,
            ]
        }
        return await portal.pages.page("expiring", title: "Certificates by expiry", values: ["certificates": rows], session: session)
    }
}
