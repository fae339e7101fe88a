#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two places a cloud service can hold a deployment.
public enum DeploymentSlot: String, Sendable, Codable, CaseIterable {
    case production = "Production"
    case staging = "Staging"

    /// Reads a slot as the API's path gives it, in any case.
    public init?(path: String) {
        guard let slot = Self.allCases.first(where: { $0.rawValue.lowercased() == path.lowercased() }) else { return nil }
        self = slot
    }
}

/// Whether a deployment's instances run.
public enum DeploymentStatus: String, Sendable, Codable {
    case running = "Running"
    case suspended = "Suspended"
}

/// A deployment of a package to a slot of a cloud service, with its configuration.
public struct Deployment: Sendable, Equatable {
    /// The subscription of its cloud service.
    public var subscription: SubscriptionID
    /// The cloud service it belongs to.
    public var service: String
    /// Its name, unique within the service.
    public var name: String
    /// Production or staging.
    public var slot: DeploymentSlot
    /// 32 lower-case hex digits; names its folder.
    public var privateID: String
    /// Base64, as the client sent it.
    public var label: String
    /// Running or suspended.
    public var status: DeploymentStatus
    /// The `.cscfg` exactly as last submitted.
    public var configuration: [UInt8]
    /// The `.csdef` from the package.
    public var definition: [UInt8]
    /// Where the package's role folders were unpacked, if it had any.
    public var packageFolder: String?
    /// Name and value pairs set at creation.
    public var extendedProperties: [ExtendedProperty]
    /// When it was created.
    public var created: Date
    /// When it last changed.
    public var modified: Date
    /// Role instances removed by Delete Role Instances: their names are not used again, so that
    /// the others keep theirs.
    public var removedInstances: Set<String>

    /// A deployment from its parts.
    public init(
        subscription: SubscriptionID, service: String, name: String, slot: DeploymentSlot, privateID: String, label: String, status: DeploymentStatus,
        configuration: [UInt8], definition: [UInt8], packageFolder: String?, extendedProperties: [ExtendedProperty],
        created: Date, modified: Date, removedInstances: Set<String> = []
    ) {
        self.removedInstances = removedInstances
        self.subscription = subscription
        self.service = service
        self.name = name
        self.slot = slot
        self.privateID = privateID
        self.label = label
        self.status = status
        self.configuration = configuration
        self.definition = definition
        self.packageFolder = packageFolder
        self.extendedProperties = extendedProperties
        self.created = created
        self.modified = modified
    }
}

extension Deployment {
    /// The rule for deployment names: 1 to 100 ASCII letters, digits, hyphens and underscores.
    public static func isValidName(_ name: String) -> Bool {
        (1...100).contains(name.unicodeScalars.count)
            && name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
