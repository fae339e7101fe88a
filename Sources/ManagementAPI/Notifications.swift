import Certificates
import Logging
import ServiceModel
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The events a subscription's webhooks receive.
public enum NotificationEvent: String, Sendable, CaseIterable {
    /// A certificate expires within 30, 14, 7 or 1 days (each threshold once).
    case certificateExpiring = "certificate.expiring"
    /// A certificate has expired.
    case certificateExpired = "certificate.expired"
    /// An automatic renewal replaced a certificate in every deployment that used it.
    case renewalSucceeded = "renewal.succeeded"
    /// An automatic renewal failed; the old certificate stays in use.
    case renewalFailed = "renewal.failed"
    /// A configuration change that replaced thumbprints finished.
    case rotationFinished = "rotation.finished"
    /// A management certificate was added to the subscription.
    case managementCertificateAdded = "management-certificate.added"
    /// A management certificate was deleted from the subscription.
    case managementCertificateDeleted = "management-certificate.deleted"
}

/// Queues events for every webhook of their subscription; `WebhookDeliveries` sends them.
/// Sending never fails what caused the event: a store error is logged.
public struct Notifications: Sendable {
    /// The JSON a webhook receives.
    struct Body: Codable {
        var id: String
        var event: String
        var subscription: String
        var time: String
        var data: [String: String]
    }

    let store: any ManagementStore
    let now: @Sendable () -> Date
    let logger: Logger

    /// Notifications through `store`'s webhooks.
    public init(store: any ManagementStore, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
    }

    /// Queues `event` with `data` for each webhook of `subscription`.
    public func send(_ event: NotificationEvent, in subscription: SubscriptionID, _ data: [String: String]) async {
        do {
            let webhooks = try await store.webhooks(in: subscription)
            guard !webhooks.isEmpty else { return }
            let time = now()
            let body = Body(
                id: UUID().uuidString.lowercased(), event: event.rawValue, subscription: subscription.rawValue,
                time: UTCCalendar.iso8601(time), data: data)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text = String(decoding: try encoder.encode(body), as: UTF8.self)
            try await store.enqueueDeliveries(
                webhooks.map {
                    WebhookDelivery(
                        id: UUID().uuidString.lowercased(), webhook: $0.id, subscription: subscription, event: event.rawValue, body: text,
                        created: time, nextAttempt: time)
                })
        } catch {
            logger.warning("the \(event.rawValue) notification for subscription \(subscription) could not be queued: \(error)")
        }
    }

    /// Queues `rotation.finished` when a configuration change replaced thumbprints.
    public func rotationFinished(of deployment: Deployment, from old: [UInt8], to new: [UInt8]) async {
        guard let before = try? ServiceConfiguration(xml: old), let after = try? ServiceConfiguration(xml: new) else { return }
        let removed = Set(before.thumbprints).subtracting(after.thumbprints)
        let added = Set(after.thumbprints).subtracting(before.thumbprints)
        guard !removed.isEmpty || !added.isEmpty else { return }
        await send(
            .rotationFinished, in: deployment.subscription,
            [
                "service": deployment.service, "deployment": deployment.name, "slot": deployment.slot.rawValue,
                "oldThumbprints": removed.sorted().joined(separator: ","), "newThumbprints": added.sorted().joined(separator: ","),
            ])
    }
}

extension ServiceConfiguration {
    /// Every certificate thumbprint its roles name, upper-case.
    var thumbprints: [String] { roles.flatMap { $0.certificates.map { $0.thumbprintText.uppercased() } } }
}
