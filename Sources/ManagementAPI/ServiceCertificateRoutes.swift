import Certificates
import Deployments
import Hummingbird
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Service certificates: Add (asynchronous), List, Get and Delete under
/// `/<subscription>/services/hostedservices/<service>/certificates`.
struct ServiceCertificateRoutes: Sendable {
    let store: any ManagementStore
    let masterKey: MasterKey
    let runtime: DeploymentRuntime
    let operations: AsyncOperations
    var now: @Sendable () -> Date { operations.now }

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        let base = ":subscription/services/hostedservices/:service/certificates"
        router.post(RouterPath(base)) { request, context in try await add(request, context: context) }
        router.get(RouterPath(base)) { request, context in try await list(request, context: context) }
        router.get("\(base)/:certificate") { _, context in try await get(context: context) }
        router.delete("\(base)/:certificate") { request, context in try await delete(request, context: context) }
    }

    /// 202 at once; the upload is opened, checked and sealed as an operation the client polls.
    func add(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .manageServiceCertificates)
        let body = try CertificateFileBody(try await XMLBody.read(request, root: "CertificateFile"))
        let (data, format, password) = (body.data, body.format, body.password)
        let (store, masterKey, now) = (self.store, self.masterKey, self.now)
        let subscription = caller.subscription
        return try await operations.start(request, context: context, caller: caller) {
            let uploaded = try await BackgroundWork.decryption.run {
                try Self.open(data, format: format, password: password, service: service.name, in: subscription, masterKey: masterKey, now: now())
            }
            await PausePoint.reach("service-certificate-upload")
            try await store.addServiceCertificate(uploaded)
        }
    }

    /// Opens an upload: a .pfx must hold exactly one private key, matching its certificate; the key is sealed at once.
    static func open(
        _ bytes: [UInt8], format: String, password: String, service: String, in subscription: SubscriptionID,
        masterKey: MasterKey, now: Date
    ) throws -> ServiceCertificate {
        let bundle: CertificateBundle
        if format == "pfx" {
            bundle = try PKCS12Reader.read(bytes, password: password)
            guard bundle.privateKey != nil else { throw CertificateError.missingPrivateKey }
        } else {
            bundle = try CertificateFile.read(bytes) { nil }.bundle.publicOnly
        }
        let sealed = try bundle.privateKey.map { key in
            try KeyEnvelope.seal(key.pkcs8, context: ServiceCertificate.sealingContext(service: service, thumbprint: bundle.thumbprint), with: masterKey)
        }
        return ServiceCertificate(
            subscription: subscription, service: service, thumbprint: bundle.thumbprint, certificate: bundle.cerBytes, sealedPrivateKey: sealed, created: now)
    }

    func list(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .read)
        let certificates = try await store.serviceCertificates(of: service.name, in: caller.subscription)
        let base = "\(ManagementServer.publicBaseURL(request))/\(caller.subscription)/services/hostedservices/\(service.name)/certificates"
        return xmlResponse(
            AzureXML.document("Certificates") { xml in
                for certificate in certificates {
                    xml.element("Certificate") { entry in
                        entry.element("CertificateUrl", "\(base)/sha1-\(certificate.thumbprint)")
                        entry.element("Thumbprint", certificate.thumbprint.description)
                        entry.element("ThumbprintAlgorithm", "sha1")
                        entry.element("Data", Data(certificate.certificate).base64EncodedString())
                    }
                }
            })
    }

    /// Only `Data`, as the real service answers; whether a private key came with the upload
    /// goes in a header of Thumbprint's own (`x-thumbprint-private-key: present|absent`), which
    /// clients of the real service ignore and `thumbprint service validate` reads.
    func get(context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .downloadCertificates)
        guard let certificate = try await store.serviceCertificate(try thumbprint(context), of: service.name, in: caller.subscription) else {
            throw APIError.notFound("The certificate does not exist.")
        }
        var response = xmlResponse(AzureXML.document("Certificate") { $0.element("Data", Data(certificate.certificate).base64EncodedString()) })
        response.headers[.privateKeyUploaded] = certificate.sealedPrivateKey == nil ? "absent" : "present"
        return response
    }

    /// Refused while a deployment's configuration names the certificate; once deleted, it leaves
    /// the stores of the service's instances too. Check and delete are one step in the service's
    /// turn, so no configuration change can start naming the certificate in between.
    func delete(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .manageServiceCertificates)
        let thumbprint = try thumbprint(context)
        // Answered at once when it cannot succeed; the delete itself checks again in the
        // service's turn, so a configuration change that starts to name it meanwhile fails it.
        guard try await store.serviceCertificate(thumbprint, of: service.name, in: caller.subscription) != nil else {
            throw APIError.notFound("The certificate does not exist.")
        }
        if let conflict = try await runtime.certificateInUse(thumbprint, of: service.name, in: caller.subscription) { throw conflict }
        let runtime = self.runtime
        return try await operations.start(request, context: context, caller: caller) {
            _ = try await runtime.deleteCertificate(thumbprint, of: service.name, in: caller.subscription)
        }
    }

    /// `sha1-<thumbprint>`, the algorithm in any case.
    private func thumbprint(_ context: ManagementRequestContext) throws -> Thumbprint {
        let text = try context.parameters.require("certificate")
        guard text.lowercased().hasPrefix("sha1-"), let parsed = try? Thumbprint.parse(String(text.dropFirst(5))) else {
            throw APIError.notFound("The certificate does not exist.")
        }
        return parsed.thumbprint
    }
}
