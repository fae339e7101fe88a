#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A cloud service (hosted service): the named container of deployments and service certificates.
public struct CloudService: Sendable, Equatable {
    /// The subscription it belongs to.
    public var subscription: SubscriptionID
    /// The service name, a DNS label unique across all subscriptions.
    public var name: String
    /// `Label` as sent: base64 of UTF-8 text.
    public var label: String
    /// The description, if any.
    public var description: String?
    /// The region, when not in an affinity group.
    public var location: String?
    /// The affinity group, when not given a region.
    public var affinityGroup: String?
    /// Extended properties, name → value, in the order they were set.
    public var extendedProperties: [ExtendedProperty]
    /// When it was created.
    public var created: Date
    /// When it last changed.
    public var modified: Date

    /// A cloud service from its parts.
    public init(subscription: SubscriptionID, name: String, label: String, description: String?, location: String?,
                affinityGroup: String?, extendedProperties: [ExtendedProperty], created: Date, modified: Date) {
        self.subscription = subscription
        self.name = name
        self.label = label
        self.description = description
        self.location = location
        self.affinityGroup = affinityGroup
        self.extendedProperties = extendedProperties
        self.created = created
        self.modified = modified
    }
}

/// One `ExtendedProperty` name and value.
public struct ExtendedProperty: Sendable, Equatable, Codable {
    /// The name.
    public var name: String
    /// The value.
    public var value: String

    /// A property from its parts.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
