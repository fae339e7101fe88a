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
                let details = Data(base64Encoded: certificate.data).flatMap { try? CertificateDetails(der: [UInt8]($0)) }
                entries.append(
                    Entry(
                        notAfter: certificate.notAfter, daysLeft: Portal.daysLeft(until: certificate.notAfter, now: instant), kind: "Management",
                        thumbprint: certificate.thumbprint.description, subject: details.map { String(describing: $0.subject) } ?? "",
                        place: membership.subscription.name, link: "/subscriptions/\(id)"))
            }
            for service in try await store.cloudServices(in: id) {
                for certificate in try await store.serviceCertificates(of: service.name, in: id) {
                    guard let details = try? CertificateDetails(der: certificate.certificate) else { continue }
                    entries.append(
                        Entry(
                            notAfter: details.notAfter, daysLeft: Portal.daysLeft(until: details.notAfter, now: instant), kind: "Service",
                            thumbprint: certificate.thumbprint.description, subject: String(describing: details.subject),
                            place: "\(membership.subscription.name) / \(service.name)", link: "/subscriptions/\(id)/services/\(service.name)"))
                }
            }
        }
        return entries.sorted { $0.notAfter < $1.notAfter }
    }
}
