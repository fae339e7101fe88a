import Certificates
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every certificate a person can see, management and service, soonest expiry first.
struct PortalExpiry: Sendable {
    let portal: Portal

    /// One certificate on the expiry page.
    struct Entry: Sendable {
        var notAfter: Date
        var daysLeft: Int
        var kind: String
        var thumbprint: String
        var subject: String
        var place: String
        var link: String
        /// Expired, or expiring within 30 days.
        var soon: Bool { daysLeft <= 30 }
    }

    func entries(for memberships: [Membership]) async throws -> [Entry] {
        let store = portal.store
        let instant = portal.now()
        var entries: [Entry] = []
        for membership in memberships {
            let id = membership.subscription.id
            for certificate in try await store.managementCertificates(in: id) {
                let summary = Data(base64Encoded: certificate.data).flatMap { portal.summaries.summary(of: certificate.thumbprint, der: [UInt8]($0)) }
                entries.append(
                    Entry(
                        notAfter: certificate.notAfter, daysLeft: Portal.daysLeft(until: certificate.notAfter, now: instant), kind: "Management",
                        thumbprint: certificate.thumbprint.description, subject: summary?.subject ?? "",
                        place: membership.subscription.name, link: "/subscriptions/\(id)"))
            }
            for certificate in try await store.serviceCertificates(in: id) {
                guard let summary = portal.summaries.summary(of: certificate.thumbprint, der: certificate.certificate) else { continue }
                entries.append(
                    Entry(
                        notAfter: summary.notAfter, daysLeft: Portal.daysLeft(until: summary.notAfter, now: instant), kind: "Service",
                        thumbprint: certificate.thumbprint.description, subject: summary.subject,
                        place: "\(membership.subscription.name) / \(certificate.service)", link: "/subscriptions/\(id)/services/\(certificate.service)"))
            }
        }
        return entries.sorted { $0.notAfter < $1.notAfter }
    }
}
