import Certificates
import Storage
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the pages show of a certificate (subject, names, expiry), decoded once per thumbprint:
/// a thumbprint names one certificate forever, so an entry never goes stale, and pages listing
/// a thousand certificates do not decode a thousand certificates per view.
final class CertificateSummaries: Sendable {
    /// What a page shows of one certificate.
    struct Summary: Sendable {
        var subject: String
        var dnsNames: [String]
        var notAfter: Date
    }

    private let entries = Mutex(EvictingMap<Thumbprint, Summary>(capacity: 100_000))

    /// The summary of the DER certificate `der` whose thumbprint is `thumbprint`; nil when it does not decode.
    func summary(of thumbprint: Thumbprint, der: [UInt8]) -> Summary? {
        if let known = entries.withLock({ $0[thumbprint] }) { return known }
        guard let details = try? CertificateDetails(der: der) else { return nil }
        let summary = Summary(subject: String(describing: details.subject), dnsNames: details.dnsNames, notAfter: details.notAfter)
        entries.withLock { $0.insert(summary, for: thumbprint) }
        return summary
    }
}
