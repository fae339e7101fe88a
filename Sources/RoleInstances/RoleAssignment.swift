import Certificates

/// Everything one role instance needs to run: what the server sends its agent, in plain values,
/// so that the agent could as well run on another host.
public struct RoleAssignment: Sendable, Equatable {
    /// The deployment's private id, which names the instance's folder.
    public var deploymentID: String
    /// The role's name, from the definition.
    public var role: String
    /// `<Role>_IN_<n>`.
    public var instance: String
    /// The certificates the role declares, each for its store.
    public var certificates: [InstalledCertificate]
    /// The role's input endpoints.
    public var endpoints: [EndpointAssignment]
    /// The folder of the role's static files from the package, if it brought any.
    public var staticFiles: String?

    /// An assignment from its parts.
    public init(
        deploymentID: String, role: String, instance: String, certificates: [InstalledCertificate],
        endpoints: [EndpointAssignment], staticFiles: String?
    ) {
        self.deploymentID = deploymentID
        self.role = role
        self.instance = instance
        self.certificates = certificates
        self.endpoints = endpoints
        self.staticFiles = staticFiles
    }
}

/// A certificate to install in an instance's store: the declared location and store, and the
/// private key when it was uploaded with one.
public struct InstalledCertificate: Sendable, Equatable {
    /// The logical name in the definition.
    public var name: String
    /// Where the role declared it goes.
    public var store: CertificateStoreName
    /// The certificate, with its key when uploaded with one.
    public var bundle: CertificateBundle

    /// An installation from its parts.
    public init(name: String, store: CertificateStoreName, bundle: CertificateBundle) {
        self.name = name
        self.store = store
        self.bundle = bundle
    }

    /// Checks that an https endpoint can serve this certificate (a key that matches, a chain TLS
    /// accepts) before any instance is asked to, so that a change fails whole or not at all.
    public func checkServable() throws {
        _ = try InstanceEndpoint.tlsContext(for: bundle)
    }

    public static func == (lhs: InstalledCertificate, rhs: InstalledCertificate) -> Bool {
        lhs.name == rhs.name && lhs.store == rhs.store && lhs.bundle.thumbprint == rhs.bundle.thumbprint
            && (lhs.bundle.privateKey == nil) == (rhs.bundle.privateKey == nil)
    }
}

/// One input endpoint as an instance serves it.
public struct EndpointAssignment: Sendable, Equatable, Codable {
    /// The endpoint's name in the definition.
    public var name: String
    /// `http`, `https` or `tcp` (served as plain HTTP).
    public var protocolName: String
    /// The public port the definition gives (the load balancer listens on a free one).
    public var port: Int
    /// For https: the logical name of the certificate to serve.
    public var certificate: String?

    /// An endpoint from its parts.
    public init(name: String, protocolName: String, port: Int, certificate: String?) {
        self.name = name
        self.protocolName = protocolName
        self.port = port
        self.certificate = certificate
    }
}
