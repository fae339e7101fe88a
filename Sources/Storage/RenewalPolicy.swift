#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A cloud service's opt-in to automatic renewal of its self-signed service certificates.
public struct RenewalPolicy: Sendable, Equatable, Codable {
    /// The subscription of the cloud service.
    public var subscription: SubscriptionID
    /// The cloud service.
    public var service: String
    /// How many days before a certificate's end it is renewed.
    public var daysBefore: Int
    /// How many days the new certificate is valid.
    public var validDays: Int

    /// A policy from its parts.
    public init(subscription: SubscriptionID, service: String, daysBefore: Int, validDays: Int) {
        self.subscription = subscription
        self.service = service
        self.daysBefore = daysBefore
        self.validDays = validDays
    }
}

/// One automatic renewal: the certificate replaced, its successor, and when the old one may be
/// deleted (it is kept a while so that a rollback still finds it).
public struct CertificateRenewal: Sendable, Equatable, Codable {
    /// The subscription of the cloud service.
    public var subscription: SubscriptionID
    /// The cloud service.
    public var service: String
    /// The thumbprint renewed.
    public var old: String
    /// The thumbprint of its successor.
    public var new: String
    /// When it was renewed.
    public var renewed: Date
    /// Whether the old certificate has been deleted.
    public var retired: Bool

    /// A renewal from its parts.
    public init(subscription: SubscriptionID, service: String, old: String, new: String, renewed: Date, retired: Bool = false) {
        self.subscription = subscription
        self.service = service
        self.old = old
        self.new = new
        self.renewed = renewed
        self.retired = retired
    }
}
