import Certificates

/// A service configuration (`.cscfg`): per role, the instance count, setting values and the
/// thumbprint of each certificate the definition names.
public struct ServiceConfiguration: Sendable, Equatable {
    /// The XML namespace of `.cscfg` files.
    public static let namespace = "http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration"

    /// `serviceName` on the root; must equal the definition's name.
    public var serviceName: String
    /// The roles, in file order.
    public var roles: [RoleConfiguration]
    /// Top-level elements Thumbprint does not interpret (such as `NetworkConfiguration`), kept as written.
    public var otherElements: [XMLElement]

    /// Reads a `.cscfg`; elements Thumbprint does not use are kept out of the way, not refused.
    public init(xml bytes: [UInt8]) throws(ServiceModelError) {
        let root = try ServiceModelFile.configuration.root(of: bytes, named: "ServiceConfiguration")
        serviceName = root.attributes["serviceName"] ?? ""
        roles = root.children("Role").map(RoleConfiguration.init)
        otherElements = root.children.filter { $0.name != "Role" }
    }
}

/// One role of a service configuration.
public struct RoleConfiguration: Sendable, Equatable {
    /// The role's name.
    public var name: String
    /// `Instances/@count` as written.
    public var instanceCountText: String?
    /// Setting values by name.
    public var settings: [String: String]
    /// The certificates' thumbprints.
    public var certificates: [CertificateReference]
    /// The line of the role's start tag.
    public var line: Int
    /// The line of the `Instances` element (or the role's).
    public var instancesLine: Int
    /// Child elements Thumbprint does not interpret (such as `OsImage`), kept as written.
    public var otherElements: [XMLElement]

    static let interpreted: Set<String> = ["Instances", "ConfigurationSettings", "Certificates"]

    init(_ element: XMLElement) {
        otherElements = element.children.filter { !Self.interpreted.contains($0.name) }
        name = element.attributes["name"] ?? ""
        instanceCountText = element.child("Instances")?.attributes["count"]
        var values: [String: String] = [:]
        for setting in element.child("ConfigurationSettings")?.children("Setting") ?? [] {
            if let name = setting.attributes["name"] { values[name] = setting.attributes["value"] ?? "" }
        }
        settings = values
        certificates = element.child("Certificates")?.children("Certificate").map(CertificateReference.init) ?? []
        line = element.line
        instancesLine = element.child("Instances")?.line ?? element.line
    }

    /// The instance count, when it is a whole number.
    public var instanceCount: Int? { instanceCountText.flatMap { Int($0) } }
}

/// The thumbprint a configuration gives for a certificate the definition names.
public struct CertificateReference: Sendable, Equatable {
    /// The logical name.
    public var name: String
    /// `thumbprint` as written.
    public var thumbprintText: String
    /// The thumbprint, parsed once when the file is read; nil when `thumbprintText` is not one.
    public var thumbprint: Thumbprint?
    /// `thumbprintAlgorithm` as written.
    public var algorithm: String
    /// The line of the element.
    public var line: Int

    init(_ element: XMLElement) {
        name = element.attributes["name"] ?? ""
        thumbprintText = element.attributes["thumbprint"] ?? ""
        thumbprint = try? Thumbprint.parse(thumbprintText).thumbprint
        algorithm = element.attributes["thumbprintAlgorithm"] ?? "sha1"
        line = element.line
    }
}
