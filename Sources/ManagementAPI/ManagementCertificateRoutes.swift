import Certificates
import Hummingbird
import NIOCore
import ServiceModel
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Add, List, Get and Delete Management Certificate: `/<subscription>/certificates[/<thumbprint>]`.
struct ManagementCertificateRoutes: Sendable {
    let store: any ManagementStore
    let limits: CertificateLimits
    let now: @Sendable () -> Date
    let notifications: Notifications
    let renderedLists = RenderedLists()

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        router.post(":subscription/certificates") { request, context in try await add(request, context: context) }
        router.get(":subscription/certificates") { _, context in try await list(context: context) }
        router.get(":subscription/certificates/:thumbprint") { _, context in try await get(context: context) }
        router.delete(":subscription/certificates/:thumbprint") { _, context in try await delete(context: context) }
    }

    func add(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageManagementCertificates)
        let upload = try ManagementCertificateUpload(body: try await XMLBody.read(request, root: "SubscriptionCertificate"))
        let instant = now()
        // It could never authenticate: say so now rather than with a 403 on first use.
        guard upload.certificate.notAfter > instant else {
            throw APIError.badRequest(
                "The certificate \(upload.thumbprint) expired on \(UTCCalendar.iso8601(upload.certificate.notAfter)); make a new one (`thumbprint cert new`) and add that."
            )
        }
        let registration = ManagementCertificate(
            subscription: caller.subscription, thumbprint: upload.thumbprint, thumbprintAsUploaded: upload.thumbprintText,
            publicKey: upload.publicKeyText, data: upload.dataText, created: instant, notAfter: upload.certificate.notAfter,
            addedBy: caller.user, role: caller.role
        )
        try await store.addManagementCertificate(registration, limits: limits)
        await notifications.send(
            .managementCertificateAdded, in: caller.subscription, ["thumbprint": upload.thumbprint.description, "addedBy": caller.user.rawValue])
        let location = "\(ManagementServer.publicBaseURL(request))/subscriptions/\(caller.subscription)/certificates/\(upload.thumbprint)"
        return Response(status: .created, headers: [.location: location])
    }

    func list(context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .read)
        let certificates = try await store.managementCertificates(in: caller.subscription)
        let body = renderedLists.body(for: caller.subscription, certificates) {
            AzureXML.document("SubscriptionCertificates") { xml in
                for certificate in certificates {
                    xml.element("SubscriptionCertificate") { Self.write(certificate, into: &$0) }
                }
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: ResponseBody(byteBuffer: body))
    }

    func get(context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .read)
        guard let certificate = try await store.managementCertificate(try thumbprint(context), in: caller.subscription) else {
            throw APIError.notFound("The certificate was not found.")
        }
        return xmlResponse(AzureXML.document("SubscriptionCertificate") { Self.write(certificate, into: &$0) })
    }

    func delete(context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageManagementCertificates)
        let thumbprint = try thumbprint(context)
        guard try await store.deleteManagementCertificate(thumbprint, in: caller.subscription) else {
            throw APIError.notFound("The certificate was not found.")
        }
        await notifications.send(
            .managementCertificateDeleted, in: caller.subscription, ["thumbprint": thumbprint.description, "deletedBy": caller.user.rawValue])
        return Response(status: .ok)
    }

    private func thumbprint(_ context: ManagementRequestContext) throws -> Thumbprint {
        let text = try context.parameters.require("thumbprint")
        guard let parsed = try? Thumbprint.parse(text.removingPercentEncoding ?? text) else {
            throw APIError.notFound("The certificate was not found.")
        }
        return parsed.thumbprint
    }

    static func write(_ certificate: ManagementCertificate, into xml: inout AzureXML) {
        xml.element("SubscriptionCertificatePublicKey", certificate.publicKey)
        xml.element("SubscriptionCertificateThumbprint", certificate.thumbprintAsUploaded)
        xml.element("SubscriptionCertificateData", certificate.data)
        xml.element("Created", UTCCalendar.iso8601WithFraction(certificate.created))
    }
}

/// A 200 response with an XML body.
func xmlResponse(_ body: String) -> Response {
    Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
}
