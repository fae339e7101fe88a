import Certificates
import Deployments
import Hummingbird
import ServiceModel
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A cloud service's page (its certificates and deployments), uploads and deletions of its
/// certificates, a deployment's page and renewing a certificate a deployment uses.
struct PortalServiceRoutes: Sendable {
    let portal: Portal
    var store: any ManagementStore { portal.store }

    func register(on router: Router<PortalRequestContext>) {
        let base = "subscriptions/:subscription/services/:service"
        router.get(RouterPath(base)) { _, context in try await service(context) }
        router.post("\(base)/certificates") { _, context in try await upload(context) }
        router.post("\(base)/certificates/delete") { _, context in try await delete(context) }
        router.get("\(base)/deployments/:slot") { request, context in try await deployment(request, context: context) }
        router.post("\(base)/deployments/:slot/renew") { _, context in try await PortalRenewal(portal: portal).renew(context) }
    }

    /// The path's cloud service, in a subscription the person has a role on; 404 otherwise.
    func requestedService(_ context: PortalRequestContext) async throws -> (PortalSession, Subscription, SubscriptionRole, CloudService) {
        let (session, subscription, role) = try await portal.membership(context)
        guard let service = try await store.cloudService(try context.parameters.require("service"), in: subscription.id) else { throw PortalRefusal.notFound }
        return (session, subscription, role, service)
    }

    func service(_ context: PortalRequestContext, alert: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (session, subscription, role, service) = try await requestedService(context)
        let id = subscription.id
        let deployments = try await store.deployments(of: service.name, in: id)
        let instant = portal.now()
        // Each deployment's configuration is read once: which thumbprints it names.
        let named = deployments.map { deployment in
            Set((try? ServiceConfiguration(xml: deployment.configuration))?.roles.flatMap { $0.certificates.compactMap(\.thumbprint) } ?? [])
        }
        let rows: [[String: Any]] = try await store.serviceCertificates(of: service.name, in: id).compactMap { certificate in
            guard let details = portal.summaries.summary(of: certificate.thumbprint, der: certificate.certificate) else { return nil }
            let users = zip(deployments, named).filter { $0.1.contains(certificate.thumbprint) }.map(\.0)
            let days = Portal.daysLeft(until: details.notAfter, now: instant)
            let names = details.dnsNames.isEmpty ? "" : " (" + details.dnsNames.joined(separator: ", ") + ")"
            return [
                "thumbprint": certificate.thumbprint.description, "subject": details.subject + names,
                "expires": Portal.day(details.notAfter), "daysLeft": days, "soon": days <= 30,
                "extra": (users.isEmpty ? "not used" : users.map { "\($0.name) (\($0.slot.rawValue))" }.joined(separator: ", "))
                    + (certificate.sealedPrivateKey == nil ? "; no private key" : ""),
                "canDelete": role.allows(.manageServiceCertificates),
                "deleteAction": "/subscriptions/\(id)/services/\(service.name)/certificates/delete", "csrf": session.csrfToken,
            ]
        }
        let values: [String: Any] = [
            "subscription": id.rawValue, "service": service.name, "certificates": rows,
            "canManageCertificates": role.allows(.manageServiceCertificates), "canManageServices": role.allows(.manageCloudServices),
            "deployments": deployments.map {
                ["slot": $0.slot.rawValue.lowercased(), "name": $0.name, "status": $0.status.rawValue, "subscription": id.rawValue, "service": service.name]
            },
        ]
        return await portal.pages.page("service", title: "Cloud service \(service.name)", values: values, session: session, alert: alert, status: status)
    }

    /// A .pfx with its password, or a .cer; the key is sealed at once. Errors keep the page.
    func upload(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role, service) = try await requestedService(context)
        try Portal.require(.manageServiceCertificates, role)
        guard let file = context.form.files["certificate"], !file.bytes.isEmpty else {
            return try await self.service(context, alert: "Choose a certificate file (.pfx or .cer) to upload.", status: .badRequest)
        }
        let format: String
        do {
            format = try CertificateFile.detectFormat(file.bytes) == .pfx ? "pfx" : "cer"
        } catch {
            return try await self.service(context, alert: "\(file.name) is not a certificate file (.pfx or .cer): \(error)", status: .badRequest)
        }
        let uploaded: ServiceCertificate
        do {
            let (bytes, password, masterKey, now) = (file.bytes, context.form.fields["password"] ?? "", portal.masterKey, portal.now())
            uploaded = try await BackgroundWork.decryption.run {
                try ServiceCertificateRoutes.open(
                    bytes, format: format, password: password, service: service.name, in: subscription.id, masterKey: masterKey, now: now)
            }
        } catch let error as CertificateError {
            let message =
                switch error {
                case .incorrectPassword, .passwordRequired: "The certificate password is wrong for \(file.name); nothing was uploaded."
                default: "\(file.name) could not be used: \(error.description)"
                }
            return try await self.service(context, alert: message, status: .badRequest)
        }
        try await store.addServiceCertificate(uploaded)
        await portal.audit(
            "AddServiceCertificate", target: "services/hostedservices/\(service.name)/certificates/sha1-\(uploaded.thumbprint)",
            subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)/services/\(service.name)")
    }

    /// Refused while a deployment uses the certificate, naming it.
    func delete(_ context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role, service) = try await requestedService(context)
        try Portal.require(.manageServiceCertificates, role)
        guard let thumbprint = try? Thumbprint.parse(context.form["thumbprint"]).thumbprint else { throw PortalRefusal.notFound }
        guard context.form["confirm"] == "yes" else {
            return await portal.confirmation(
                "Delete the certificate \(thumbprint) from \(service.name)? Deployments can no longer name it.",
                action: "/subscriptions/\(subscription.id)/services/\(service.name)/certificates/delete", fields: ["thumbprint": thumbprint.description],
                button: "Delete", back: "/subscriptions/\(subscription.id)/services/\(service.name)", session: session)
        }
        do {
            guard try await portal.runtime.deleteCertificate(thumbprint, of: service.name, in: subscription.id) else { throw PortalRefusal.notFound }
        } catch let error as DeploymentError {
            return try await self.service(context, alert: error.description, status: .conflict)
        }
        await portal.audit(
            "DeleteServiceCertificate", target: "services/hostedservices/\(service.name)/certificates/sha1-\(thumbprint)",
            subscription: subscription.id, user: session.user)
        throw PortalRedirect(to: "/subscriptions/\(subscription.id)/services/\(service.name)")
    }

    func deployment(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let (session, subscription, role, service) = try await requestedService(context)
        guard let slot = DeploymentSlot(path: try context.parameters.require("slot")),
            let deployment = try await store.deployments(of: service.name, in: subscription.id).first(where: { $0.slot == slot })
        else { throw PortalRefusal.notFound }
        let view = await portal.runtime.view(of: deployment)
        var operationText: String?
        var refresh: Int?
        if let id = request.uri.queryParameters.get("operation").flatMap({ OperationID(String($0)) }),
            let operation = try await store.operation(id, in: subscription.id)
        {
            operationText = operation.status == .failed ? "failed: \(operation.errorMessage ?? "")" : operation.status.rawValue
            if operation.status == .inProgress { refresh = 2 }
        }
        let configuration = (try? ServiceConfiguration(xml: deployment.configuration))
        var inUse: [[String: Any]] = []
        for role in configuration?.roles ?? [] {
            for certificate in role.certificates {
                inUse.append(["value": certificate.thumbprintText, "label": "\(role.name) / \(certificate.name): \(certificate.thumbprintText)"])
            }
        }
        let uploaded = try await store.serviceCertificates(of: service.name, in: subscription.id).compactMap { certificate -> [String: Any]? in
            guard certificate.sealedPrivateKey != nil, let details = portal.summaries.summary(of: certificate.thumbprint, der: certificate.certificate) else {
                return nil
            }
            return ["thumbprint": certificate.thumbprint.description, "subject": details.subject, "expires": Portal.day(details.notAfter)]
        }
        let values: [String: Any] = [
            "subscription": subscription.id.rawValue, "service": service.name, "slot": slot.rawValue.lowercased(), "name": deployment.name,
            "status": deployment.status.rawValue, "url": view.url, "operation": operationText ?? "", "hasOperation": operationText != nil,
            "instances": view.instances.map { instance in
                [
                    "name": instance.name, "role": instance.role, "status": instance.status.rawValue,
                    "endpoints": instance.endpoints.map {
                        [
                            "name": $0.name, "protocolName": $0.protocolName, "publicPort": $0.publicPort, "thumbprint": $0.thumbprint ?? "",
                            "serves": $0.thumbprint != nil,
                        ] as [String: Any]
                    },
                ] as [String: Any]
            },
            "canRenew": role.allows(.changeThumbprints) && !inUse.isEmpty && !uploaded.isEmpty, "inUse": inUse, "uploaded": uploaded,
            "configuration": String(decoding: deployment.configuration, as: UTF8.self),
        ]
        return await portal.pages.page("deployment", title: "Deployment \(deployment.name)", values: values, session: session, refresh: refresh)
    }
}
