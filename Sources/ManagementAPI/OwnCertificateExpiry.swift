import Certificates
import Logging
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Warns in the server's log, at start and then daily, when its own TLS certificate or a
/// certificate of its chain (the local CA) expires within 30 days, or has expired.
public struct OwnCertificateExpiry: Service {
    /// Certificates expiring within this many days are warned about.
    public static let warningDays = 30

    let identity: @Sendable () -> CertificateBundle
    let logger: Logger
    let now: @Sendable () -> Date

    /// Warnings about `identity` (the certificate the server presents now, with its chain).
    public init(identity: @escaping @Sendable () -> CertificateBundle, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.identity = identity
        self.logger = logger
        self.now = now
    }

    /// The warnings due at `time`, one line each.
    public static func warnings(for identity: CertificateBundle, at time: Date) -> [String] {
        let named = [("the server's TLS certificate", identity.certificate)] + identity.chain.map { ("its CA \($0.subject)", $0) }
        return named.compactMap { name, certificate in
            let days = Int((certificate.notAfter.timeIntervalSince(time) / 86_400).rounded(.down))
            if certificate.notAfter < time {
                return "\(name) (\(certificate.thumbprint)) expired on \(UTCCalendar.iso8601(certificate.notAfter)): clients refuse it; replace it now"
            }
            guard days < warningDays else { return nil }
            return "\(name) (\(certificate.thumbprint)) expires in \(days) days, on \(UTCCalendar.iso8601(certificate.notAfter)): renew it before then"
        }
    }

    /// Warns now, then once a day until the server stops (a stop ends the wait at once).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for warning in Self.warnings(for: identity(), at: now()) { logger.warning("\(warning)") }
                try? await Task.sleep(for: .seconds(86_400))
            }
        }
    }
}
