import Certificates
import Deployments
import Logging
import ServiceModel
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Automatic renewal for the cloud services that opted in (`thumbprint service renewal set`):
/// a self-signed service certificate that a running deployment uses is replaced, its policy's
/// days before its end, by a new one with the same subject, names, key type and size; every
/// deployment that names the old one changes only that thumbprint (a normal configuration
/// change, checked first, with no dropped connection); the old certificate is kept 7 days,
/// then deleted. CA-signed certificates are never renewed here, only warned about. Each step
/// is audited and notified.
struct CertificateRenewer: Sendable {
    /// How long a replaced certificate is kept (a rollback still finds it).
    static let keepReplaced: TimeInterval = 7 * 86_400
    /// The user the audit log names for these steps.
    static let auditUser = "thumbprint (automatic renewal)"

    let store: any ManagementStore
    let runtime: DeploymentRuntime
    let masterKey: MasterKey
    let notifications: Notifications
    let now: @Sendable () -> Date
    let logger: Logger

    /// Renews what is due under every policy.
    func renewDue() async throws {
        let renewed = Set(try await store.pendingRenewals().map { "\($0.subscription)/\($0.service.lowercased())/\($0.old)" })
        for policy in try await store.renewalPolicies() {
            let deployments = try await store.deployments(of: policy.service, in: policy.subscription).filter { $0.status == .running }
            let inUse = Set(deployments.flatMap { (try? ServiceConfiguration(xml: $0.configuration)).map(DeploymentPlan.thumbprints(in:)) ?? [] })
            for thumbprint in inUse.sorted() where !renewed.contains("\(policy.subscription)/\(policy.service)/\(thumbprint)") {
                guard let certificate = try await store.serviceCertificate(thumbprint, of: policy.service, in: policy.subscription),
                    let details = try? CertificateDetails(der: certificate.certificate)
                else { continue }
                let left = details.notAfter.timeIntervalSince(now()) / 86_400
                guard left <= Double(policy.daysBefore) else { continue }
                guard details.isSelfSigned else {
                    if try await store.recordNotice("not-renewed", about: "service/\(policy.service)/\(thumbprint)", in: policy.subscription, at: now()) {
                        logger.warning(
                            "\(thumbprint) of \(policy.service) ends on \(UTCCalendar.iso8601(details.notAfter)) and is CA-signed: it is not renewed automatically; upload its renewal from the CA"
                        )
                        await audit(policy, "RenewCertificate", thumbprint, "Skipped: CA-signed certificates are renewed by their CA")
                    }
                    continue
                }
                await renew(certificate, details, under: policy, deployments: deployments)
            }
        }
    }

    /// Deletes certificates replaced at least 7 days ago that no deployment names again.
    func retireReplaced() async throws {
        for var renewal in try await store.pendingRenewals() where renewal.renewed.addingTimeInterval(Self.keepReplaced) <= now() {
            guard let old = try? Thumbprint.parse(renewal.old).thumbprint else { continue }
            if try await runtime.certificateInUse(old, of: renewal.service, in: renewal.subscription) != nil { continue }
            let policy = RenewalPolicy(subscription: renewal.subscription, service: renewal.service, daysBefore: 0, validDays: 0)
            do {
                _ = try await runtime.deleteCertificate(old, of: renewal.service, in: renewal.subscription)
                renewal.retired = true
                try await store.saveRenewal(renewal)
                await audit(policy, "DeleteRenewedCertificate", old, "Succeeded")
            } catch {
                await audit(policy, "DeleteRenewedCertificate", old, "Failed: \(error)")
            }
        }
    }

    private func renew(_ certificate: ServiceCertificate, _ details: CertificateDetails, under policy: RenewalPolicy, deployments: [Deployment]) async {
        let old = certificate.thumbprint
        var uploaded: Thumbprint?
        do {
            let successor = try makeSuccessor(of: certificate, details, validDays: policy.validDays)
            let sealed = try successor.privateKey.map {
                try KeyEnvelope.seal(
                    $0.pkcs8, context: ServiceCertificate.sealingContext(service: certificate.service, thumbprint: successor.thumbprint), with: masterKey)
            }
            try await store.addServiceCertificate(
                ServiceCertificate(
                    subscription: policy.subscription, service: certificate.service, thumbprint: successor.thumbprint, certificate: successor.cerBytes,
                    sealedPrivateKey: sealed, created: now()))
            uploaded = successor.thumbprint
            await audit(policy, "AddServiceCertificate", successor.thumbprint, "Succeeded: renews \(old)")
            let naming = deployments.filter {
                (try? ServiceConfiguration(xml: $0.configuration)).map { DeploymentPlan.thumbprints(in: $0).contains(old) } ?? false
            }
            for deployment in naming {
                let replaced = try ThumbprintReplacement(replacing: old.description, with: successor.thumbprint, in: deployment.configuration)
                _ = try await runtime.changeConfiguration(
                    of: deployment, in: policy.subscription, to: replaced.configuration, permitted: .thumbprints, now: now())
                await audit(policy, "ChangeDeploymentConfiguration", successor.thumbprint, "Succeeded: \(deployment.name) uses it instead of \(old)")
                await notifications.rotationFinished(of: deployment, from: deployment.configuration, to: replaced.configuration)
            }
            try await store.saveRenewal(
                CertificateRenewal(
                    subscription: policy.subscription, service: policy.service, old: old.description, new: successor.thumbprint.description, renewed: now()))
            logger.info("renewed \(old) of \(policy.service) as \(successor.thumbprint)")
            await notifications.send(
                .renewalSucceeded, in: policy.subscription,
                [
                    "service": certificate.service, "oldThumbprint": old.description, "newThumbprint": successor.thumbprint.description,
                    "notAfter": UTCCalendar.iso8601(successor.certificate.notAfter),
                ])
        } catch {
            logger.warning("renewing \(old) of \(policy.service) failed: \(error)")
            await audit(policy, "RenewCertificate", old, "Failed: \(error)")
            // The successor goes again unless a deployment took it; the next round tries anew.
            if let uploaded { _ = try? await runtime.deleteCertificate(uploaded, of: certificate.service, in: policy.subscription) }
            if (try? await store.recordNotice("renewal-failed", about: "service/\(policy.service)/\(old)", in: policy.subscription, at: now())) == true {
                await notifications.send(
                    .renewalFailed, in: policy.subscription, ["service": certificate.service, "thumbprint": old.description, "reason": "\(error)"])
            }
        }
    }

    /// A new certificate like `details`: same subject, names and key kind, self-signed.
    private func makeSuccessor(of certificate: ServiceCertificate, _ details: CertificateDetails, validDays: Int) throws -> CertificateBundle {
        guard let sealed = certificate.sealedPrivateKey else { throw CertificateError.missingPrivateKey }
        let key = try CertificatePrivateKey(
            pkcs8: try KeyEnvelope.open(
                sealed, context: ServiceCertificate.sealingContext(service: certificate.service, thumbprint: certificate.thumbprint), with: masterKey))
        var request = CertificateRequest(dnsNames: details.dnsNames, keyAlgorithm: key.keyAlgorithm, validDays: validDays)
        request.subject = details.subject
        request.commonName = details.commonName
        return try CertificateFactory(now: now).makeCertificate(request)
    }

    private func audit(_ policy: RenewalPolicy, _ operation: String, _ thumbprint: Thumbprint, _ outcome: String) async {
        try? await store.appendAudit(
            AuditEntry(
                time: now(), subscription: policy.subscription, callerThumbprint: nil, user: Self.auditUser, operation: operation,
                target: "services/hostedservices/\(policy.service)/certificates/sha1-\(thumbprint)", outcome: outcome))
    }
}
