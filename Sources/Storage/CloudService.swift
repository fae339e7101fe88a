import Certificates

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
    public init(
        subscription: SubscriptionID, name: String, label: String, description: String?, location: String?,
        affinityGroup: String?, extendedProperties: [ExtendedProperty], created: Date, modified: Date
    ) {
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

extension CloudService {
    /// Descriptions are at most this many characters.
    public static let maximumDescriptionLength = 1024

    /// The rule for cloud service names (they become DNS labels): 1 to 63 ASCII letters, digits
    /// and hyphens, starting with a letter and not ending with a hyphen.
    public static func isValidName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard (1...63).contains(scalars.count), let first = scalars.first, first.isASCIILetter, scalars.last != "-" else { return false }
        return scalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" }
    }
}

extension Unicode.Scalar {
    /// `a`–`z` or `A`–`Z`.
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
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

    /// At most this many on one cloud service or deployment.
    public static let maximumCount = 50
    /// Names are at most this many characters.
    public static let maximumNameLength = 64
    /// Values are at most this many characters.
    public static let maximumValueLength = 255

    /// What is wrong with a resource's whole list of properties, or nil when it keeps the bounds.
    public static func problem(with properties: [ExtendedProperty]) -> String? {
        if properties.count > maximumCount {
            return "A resource has at most \(maximumCount) extended properties; this one would have \(properties.count)."
        }
        if let long = properties.first(where: { $0.name.count > maximumNameLength }) {
            return "The extended property name \(long.name.prefix(80)) is longer than \(maximumNameLength) characters."
        }
        if let long = properties.first(where: { $0.value.count > maximumValueLength }) {
            return "The value of extended property \(long.name) is longer than \(maximumValueLength) characters."
        }
        return nil
    }
}

/// A certificate uploaded to a cloud service: the DER certificate and, when it came in a .pfx,
/// its private key sealed under the master key (`KeyEnvelope`). The store never sees a plain key.
public struct ServiceCertificate: Sendable, Equatable {
    /// The subscription of its cloud service.
    public var subscription: SubscriptionID
    /// The cloud service it belongs to.
    public var service: String
    /// Its SHA-1 thumbprint, computed by the server.
    public var thumbprint: Thumbprint
    /// The DER certificate.
    public var certificate: [UInt8]
    /// The sealed PKCS#8 private key, if one was uploaded.
    public var sealedPrivateKey: [UInt8]?
    /// When it was uploaded.
    public var created: Date

    /// A service certificate from its parts.
    public init(
        subscription: SubscriptionID, service: String, thumbprint: Thumbprint, certificate: [UInt8], sealedPrivateKey: [UInt8]?,
        created: Date
    ) {
        self.subscription = subscription
        self.service = service
        self.thumbprint = thumbprint
        self.certificate = certificate
        self.sealedPrivateKey = sealedPrivateKey
        self.created = created
    }

    /// The context a private key is sealed under, so that it opens only in its own row.
    public static func sealingContext(service: String, thumbprint: Thumbprint) -> String {
        "service-certificate/\(service.lowercased())/\(thumbprint)"
    }
}
