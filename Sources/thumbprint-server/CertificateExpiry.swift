import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How soon a certificate expires, as the client commands show it: whole days left (negative
/// once expired) and a flag, `expired` or `soon` (30 days or fewer) or `ok`.
struct CertificateExpiry: Encodable, Equatable {
    /// Certificates expiring within this many days are flagged `soon`.
    static let soonDays = 30

    /// Whole days until it expires, rounded down; negative once expired.
    var daysLeft: Int
    /// `expired`, `soon` or `ok`.
    var state: String

    /// The expiry of a certificate valid until `notAfter`, seen at `now`.
    init(notAfter: Date, now: Date = Date()) {
        let seconds = notAfter.timeIntervalSince(now)
        daysLeft = Int((seconds / 86_400).rounded(.down))
        state = seconds < 0 ? "expired" : daysLeft <= Self.soonDays ? "soon" : "ok"
    }

    /// The column the lists print: days left, flagged.
    var column: String {
        switch state {
        case "expired": return "EXPIRED"
        case "soon": return "\(daysLeft) (soon)"
        default: return "\(daysLeft)"
        }
    }
}
