import Certificates

/// A service definition (`.csdef`): the roles of a cloud service, the certificates each names
/// logically (with the store they go into) and the endpoints that serve them.
public struct ServiceDefinition: Sendable, Equatable {
    /// The XML namespace of `.csdef` files.
    public static let namespace = "http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition"

    /// The service's name (`name` on the root).
    public var name: String
    /// The web and worker roles, in file order.
    public var roles: [RoleDefinition]
    /// Top-level elements Thumbprint does not interpret (such as `NetworkTrafficRules`), kept as written.
    public var otherElements: [XMLElement]
    /// `upgradeDomainCount`: how many upgrade domains the instances are spread over (1 to 20;
    /// 5 when absent or out of range, the platform's default).
    public var upgradeDomainCount: Int

    /// Reads a `.csdef`; elements Thumbprint does not use are kept out of the way, not refused.
    public init(xml bytes: [UInt8]) throws(ServiceModelError) {
        let root = try ServiceModelFile.definition.root(of: bytes, named: "ServiceDefinition")
        name = root.attributes["name"] ?? ""
        upgradeDomainCount = root.attributes["upgradeDomainCount"].flatMap { Int($0) }.flatMap { (1...20).contains($0) ? $0 : nil } ?? 5
        roles = root.children.filter { Self.roleKinds.contains($0.name) }.map(RoleDefinition.init)
        otherElements = root.children.filter { !Self.roleKinds.contains($0.name) }
    }

    static let roleKinds: Set<String> = ["WebRole", "WorkerRole"]
}

/// One role of a service definition.
public struct RoleDefinition: Sendable, Equatable {
    /// `WebRole` or `WorkerRole`.
    public var kind: String
    /// The role's name.
    public var name: String
    /// The certificates the role declares.
    public var certificates: [CertificateDeclaration]
    /// The role's input endpoints.
    public var inputEndpoints: [InputEndpoint]
    /// The names of the settings the role declares.
    public var settings: [String]
    /// The plugin modules the role imports (`Imports/Import@moduleName`), such as `RemoteAccess`.
    public var imports: [String]
    /// The line of the role's start tag.
    public var line: Int
    /// `vmsize`, `Small` when not given.
    public var vmSize: String
    /// Child elements Thumbprint does not interpret (`Sites`, `LocalResources`, `Startup`, …), kept as written.
    public var otherElements: [XMLElement]

    static let interpreted: Set<String> = ["Certificates", "Endpoints", "ConfigurationSettings", "Imports"]

    init(_ element: XMLElement) {
        kind = element.name
        vmSize = element.attributes["vmsize"] ?? "Small"
        otherElements = element.children.filter { !Self.interpreted.contains($0.name) }
        name = element.attributes["name"] ?? ""
        certificates = element.child("Certificates")?.children("Certificate").map(CertificateDeclaration.init) ?? []
        inputEndpoints = element.child("Endpoints")?.children("InputEndpoint").map(InputEndpoint.init) ?? []
        settings = element.child("ConfigurationSettings")?.children("Setting").compactMap { $0.attributes["name"] } ?? []
        imports = element.child("Imports")?.children("Import").compactMap { $0.attributes["moduleName"] } ?? []
        line = element.line
    }
}

/// A certificate a role names logically, and where every instance installs it.
public struct CertificateDeclaration: Sendable, Equatable {
    /// The logical name the configuration gives a thumbprint for.
    public var name: String
    /// `storeLocation` as written.
    public var storeLocationText: String
    /// `storeName` as written: a well-known store or a custom name.
    public var storeNameText: String
    /// `permissionLevel`: `limitedOrElevated` (the default) or `elevated`.
    public var permissionLevel: String
    /// The line of the element.
    public var line: Int

    /// A certificate a plugin declares for the role that imports it (RemoteAccess declares
    /// `Microsoft.WindowsAzure.Plugins.RemoteAccess.PasswordEncryption`, installed in LocalMachine\My).
    init(pluginCertificate name: String, line: Int) {
        self.name = name
        storeLocationText = "LocalMachine"
        storeNameText = "My"
        permissionLevel = "limitedOrElevated"
        self.line = line
    }

    init(_ element: XMLElement) {
        name = element.attributes["name"] ?? ""
        storeLocationText = element.attributes["storeLocation"] ?? ""
        storeNameText = element.attributes["storeName"] ?? ""
        permissionLevel = element.attributes["permissionLevel"] ?? "limitedOrElevated"
        line = element.line
    }

    /// The store the certificate goes into, when both parts are valid.
    public var store: CertificateStoreName? {
        guard let location = StoreLocation(name: storeLocationText), let name = try? StoreName(name: storeNameText) else { return nil }
        return CertificateStoreName(location: location, name: name)
    }
}

/// An endpoint reachable from outside the service.
public struct InputEndpoint: Sendable, Equatable {
    /// The endpoint's name.
    public var name: String
    /// `http`, `https`, `tcp` or `udp`.
    public var protocolName: String
    /// The public port.
    public var port: Int?
    /// The port the role listens on (`localPort`, default `port`).
    public var localPort: Int?
    /// The logical certificate name an https endpoint serves.
    public var certificate: String?
    /// The line of the element.
    public var line: Int

    init(_ element: XMLElement) {
        name = element.attributes["name"] ?? ""
        protocolName = (element.attributes["protocol"] ?? "").lowercased()
        port = element.attributes["port"].flatMap { Int($0) }
        localPort = element.attributes["localPort"].flatMap { Int($0) } ?? port
        certificate = element.attributes["certificate"]
        line = element.line
    }
}
