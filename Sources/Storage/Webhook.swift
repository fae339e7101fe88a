#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a subscription's notifications go: an http(s) URL, with the secret that signs each
/// delivery sealed by the master key.
public struct Webhook: Sendable, Equatable, Codable {
    /// A short random id, for removing it.
    public var id: String
    /// The subscription whose events it receives.
    public var subscription: SubscriptionID
    /// The http:// or https:// URL each event is POSTed to.
    public var url: String
    /// The signing secret, sealed with the master key.
    public var sealedSecret: [UInt8]
    /// When it was added.
    public var created: Date

    /// A webhook from its parts.
    public init(id: String, subscription: SubscriptionID, url: String, sealedSecret: [UInt8], created: Date) {
        self.id = id
        self.subscription = subscription
        self.url = url
        self.sealedSecret = sealedSecret
        self.created = created
    }
}

/// One event on its way to one webhook: pending until the receiver answers 2xx, retried with
/// growing delays, and dead (kept for `admin webhook failures`) when retries run out.
public struct WebhookDelivery: Sendable, Equatable, Codable {
    /// Where a delivery stands.
    public enum State: String, Sendable, Codable {
        /// Not yet answered 2xx; tried again at `nextAttempt`.
        case pending
        /// The receiver answered 2xx.
        case delivered
        /// Retries ran out.
        case dead
    }

    /// A random id, sent along so that receivers can drop repeats.
    public var id: String
    /// The webhook it goes to.
    public var webhook: String
    /// The subscription of the event.
    public var subscription: SubscriptionID
    /// The event's name, such as `certificate.expiring`.
    public var event: String
    /// The JSON body, exactly as signed and sent.
    public var body: String
    /// When the event happened.
    public var created: Date
    /// Attempts made so far.
    public var attempts: Int
    /// When to try next (pending only).
    public var nextAttempt: Date?
    /// Where it stands.
    public var state: State
    /// What went wrong the last time, for the failures list.
    public var lastError: String?

    /// A delivery from its parts.
    public init(
        id: String, webhook: String, subscription: SubscriptionID, event: String, body: String, created: Date, attempts: Int = 0,
        nextAttempt: Date?, state: State = .pending, lastError: String? = nil
    ) {
        self.id = id
        self.webhook = webhook
        self.subscription = subscription
        self.event = event
        self.body = body
        self.created = created
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.state = state
        self.lastError = lastError
    }
}
