import Certificates
import Deployments
import Logging
import ServiceLifecycle
import ServiceModel
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The server's watch over certificates, hourly: notices when a certificate of any subscription
/// nears its end (30, 14, 7 and 1 days, and expired; each once, remembered in the database) and
/// automatic renewal of self-signed service certificates for cloud services that opted in
/// (`CertificateRenewer`). One server of several does a round at a time.
public struct CertificateLifecycle: Service {
    /// The days before the end at which a notice is given.
    public static let noticeDays = [30, 14, 7, 1]

    let store: any ManagementStore
    let renewer: CertificateRenewer
    let notifications: Notifications
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let holder = UUID().uuidString.lowercased()

    /// A watch over `store`; deployments change through `runtime`.
    public init(
        store: any ManagementStore, runtime: DeploymentRuntime, masterKey: MasterKey, notifications: Notifications, interval: Duration = .seconds(3_600),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.notifications = notifications
        self.interval = interval
        self.now = now
        self.logger = logger
        renewer = CertificateRenewer(store: store, runtime: runtime, masterKey: masterKey, notifications: notifications, now: now, logger: logger)
    }

    /// A round now, then one every `interval` until the server stops.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round: notices, renewals, then old certificates past their keeping time; false when
    /// another server is doing a round.
    @discardableResult
    public func round() async -> Bool {
        let turn = "#certificate-lifecycle"
        guard (try? await store.takeServiceTurn(turn, holder: holder, until: Date().addingTimeInterval(600), now: Date())) == true else { return false }
        do {
            try await giveNotices()
            try await renewer.renewDue()
            try await renewer.retireReplaced()
        } catch {
            logger.warning("the certificate watch stopped this round: \(error)")
        }
        try? await store.giveServiceTurn(turn, holder: holder)
        return true
    }

    /// The notice due for a certificate ending at `notAfter`: `expired`, or the tightest of
    /// `noticeDays` it is within; nil when none is.
    public static func notice(for notAfter: Date, at time: Date) -> (kind: String, days: Int?)? {
        if notAfter <= time { return ("expired", nil) }
        let left = Int((notAfter.timeIntervalSince(time) / 86_400).rounded(.down))
        guard let threshold = noticeDays.filter({ left < $0 }).min() else { return nil }
        return ("expiring-\(threshold)", threshold)
    }

    private func giveNotices() async throws {
        let time = now()
        for subscription in try await store.allSubscriptions() {
            var watched: [(subject: String, notAfter: Date, data: [String: String])] = []
            for certificate in try await store.managementCertificates(in: subscription.id) {
                watched.append(
                    ("management/\(certificate.thumbprint)", certificate.notAfter, ["kind": "management", "thumbprint": certificate.thumbprint.description]))
            }
            for certificate in try await store.serviceCertificates(in: subscription.id) {
                guard let details = try? CertificateDetails(der: certificate.certificate) else { continue }
                watched.append(
                    (
                        "service/\(certificate.service.lowercased())/\(certificate.thumbprint)", details.notAfter,
                        [
                            "kind": "service", "service": certificate.service, "thumbprint": certificate.thumbprint.description,
                            "subject": details.subject.description, "selfSigned": details.isSelfSigned ? "true" : "false",
                        ]
                    ))
            }
            for certificate in watched {
                guard let (kind, days) = Self.notice(for: certificate.notAfter, at: time) else { continue }
                guard try await store.recordNotice(kind, about: certificate.subject, in: subscription.id, at: time) else { continue }
                // A certificate first seen within 7 days gets that notice only, not the 30 and 14 too.
                for wider in Self.noticeDays where days.map({ wider > $0 }) ?? true {
                    _ = try await store.recordNotice("expiring-\(wider)", about: certificate.subject, in: subscription.id, at: time)
                }
                var data = certificate.data
                data["notAfter"] = UTCCalendar.iso8601(certificate.notAfter)
                if let days { data["days"] = String(days) }
                logger.warning("certificate \(certificate.subject) of subscription \(subscription.id): \(kind)")
                await notifications.send(days == nil ? .certificateExpired : .certificateExpiring, in: subscription.id, data)
            }
        }
    }
}
