import Certificates
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Adding a webhook to a subscription: the URL checked (http or https, a host, no user name or
/// password in it) and the signing secret sealed with the master key.
public enum WebhookRegistration {
    /// The longest URL accepted.
    public static let maximumURLLength = 2_000
    /// The shortest secret accepted from the user.
    public static let minimumSecretLength = 16
    /// The most webhooks one subscription may have.
    public static let maximumPerSubscription = 10

    /// Why a webhook was refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The URL cannot be used, and why.
        case badURL(String, reason: String)
        /// The secret is too short.
        case shortSecret
        /// The subscription has as many webhooks as it may.
        case tooMany(Int)
        /// There is no such subscription.
        case unknownSubscription(String)

        /// What to change, in a sentence.
        public var description: String {
            switch self {
            case .badURL(let url, let reason): "the webhook URL \(url) cannot be used: \(reason)"
            case .shortSecret: "the webhook secret must have at least \(WebhookRegistration.minimumSecretLength) characters"
            case .tooMany(let limit): "the subscription has \(limit) webhooks already, the most it may have; remove one first"
            case .unknownSubscription(let id): "there is no subscription \(id)"
            }
        }
    }

    /// A new random secret: 32 random bytes as hex.
    public static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }, uppercase: false)
    }

    /// Checks `url`: http(s), a host, no credentials, within the length bound.
    public static func check(_ url: String) throws(Refusal) {
        guard url.utf8.count <= maximumURLLength else { throw .badURL(String(url.prefix(60)) + "…", reason: "it is longer than \(maximumURLLength) bytes") }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .badURL(url, reason: "it is not a URL")
        }
        guard scheme == "http" || scheme == "https" else { throw .badURL(url, reason: "only http:// and https:// URLs are allowed, not \(scheme)://") }
        guard let host = components.host, !host.isEmpty else { throw .badURL(url, reason: "it names no host") }
        guard components.user == nil, components.password == nil else {
            throw .badURL(url, reason: "it carries a user name or password; the signature authenticates deliveries instead")
        }
        guard components.fragment == nil else { throw .badURL(url, reason: "a #fragment is never sent; leave it out") }
    }

    /// Adds a webhook for `url` signed with `secret` to `subscription`.
    public static func add(
        url: String, secret: String, to subscription: SubscriptionID, store: any ManagementStore, masterKey: MasterKey, now: Date = Date()
    ) async throws -> Webhook {
        try check(url)
        guard secret.count >= minimumSecretLength else { throw Refusal.shortSecret }
        guard try await store.subscription(subscription) != nil else { throw Refusal.unknownSubscription(subscription.rawValue) }
        guard try await store.webhooks(in: subscription).count < maximumPerSubscription else { throw Refusal.tooMany(maximumPerSubscription) }
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let webhook = Webhook(
            id: id, subscription: subscription, url: url,
            sealedSecret: try KeyEnvelope.seal(Array(secret.utf8), context: WebhookDeliveries.sealingContext(id), with: masterKey), created: now)
        try await store.addWebhook(webhook)
        return webhook
    }
}
