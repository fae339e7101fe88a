import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a server answers an agent that asks for its instances: every instance the agent should
/// run, with certificates and keys (sent only over the agent's mutual-TLS connection).
public struct AgentAssignments: Sendable, Codable, Equatable {
    /// Names this set of instances and generations; the agent sends it back to wait for a change.
    public var digest: String
    /// Every instance the agent should run; any other it runs, it stops.
    public var instances: [AssignedInstance]

    /// Assignments from their parts.
    public init(digest: String, instances: [AssignedInstance]) {
        self.digest = digest
        self.instances = instances
    }
}

/// One instance an agent should run, at one placement generation.
public struct AssignedInstance: Sendable, Codable, Equatable {
    /// The placement generation; the agent reports it back once applied.
    public var generation: String
    /// The deployment's private id.
    public var deploymentID: String
    /// The role's name.
    public var role: String
    /// `<Role>_IN_<n>`.
    public var instance: String
    /// The certificates to install, each for its store.
    public var certificates: [AssignedCertificate]
    /// The role's input endpoints.
    public var endpoints: [EndpointAssignment]

    /// The wire form of `assignment` (its static files stay on the server).
    public init(generation: String, assignment: RoleAssignment) {
        self.generation = generation
        deploymentID = assignment.deploymentID
        role = assignment.role
        instance = assignment.instance
        certificates = assignment.certificates.map(AssignedCertificate.init)
        endpoints = assignment.endpoints
    }

    /// The assignment to apply; fails when a certificate or key does not decode.
    public func roleAssignment() throws(CertificateError) -> RoleAssignment {
        var installed: [InstalledCertificate] = []
        for certificate in certificates { installed.append(try certificate.installed()) }
        return RoleAssignment(
            deploymentID: deploymentID, role: role, instance: instance, certificates: installed, endpoints: endpoints, staticFiles: nil)
    }
}

/// A certificate on the wire to an agent: DER certificates (leaf first) and the PKCS#8 key.
public struct AssignedCertificate: Sendable, Codable, Equatable {
    /// The logical name in the definition.
    public var name: String
    /// Where the role declared it goes.
    public var store: CertificateStoreName
    /// The certificate and its chain, DER, leaf first.
    public var certificates: [Data]
    /// The private key, PKCS#8 DER, when it was uploaded with one.
    public var privateKey: Data?

    /// The wire form of an installation.
    public init(_ installed: InstalledCertificate) {
        name = installed.name
        store = installed.store
        certificates = installed.bundle.chainIncludingLeaf.map { Data($0.der) }
        privateKey = installed.bundle.privateKey.map { Data($0.pkcs8) }
    }

    /// The installation it describes.
    public func installed() throws(CertificateError) -> InstalledCertificate {
        var details: [CertificateDetails] = []
        for der in certificates { details.append(try CertificateDetails(der: Array(der))) }
        guard let leaf = details.first else { throw .malformedCertificate(reason: "an assigned certificate came without its DER") }
        let key = try privateKey.map { (der: Data) throws(CertificateError) in try CertificatePrivateKey(pkcs8: Array(der)) }
        return InstalledCertificate(
            name: name, store: store, bundle: try CertificateBundle(certificate: leaf, privateKey: key, chain: Array(details.dropFirst())))
    }
}

/// What an agent tells a server about the instances it runs.
public struct AgentReport: Sendable, Codable, Equatable {
    /// Every instance it runs or failed to start.
    public var instances: [ReportedInstance]

    /// A report from its parts.
    public init(instances: [ReportedInstance]) {
        self.instances = instances
    }
}

/// One instance in an agent's report.
public struct ReportedInstance: Sendable, Codable, Equatable {
    /// The deployment's private id.
    public var deploymentID: String
    /// `<Role>_IN_<n>`.
    public var instance: String
    /// The placement generation the agent applied (or failed to).
    public var generation: String
    /// The instance's status.
    public var status: InstanceStatus
    /// Where its endpoints listen, on the agent's host.
    public var endpoints: [ServedEndpoint]
    /// Why the instance could not run this generation, if it could not.
    public var failure: String?

    /// A report from its parts.
    public init(deploymentID: String, instance: String, generation: String, status: InstanceStatus, endpoints: [ServedEndpoint], failure: String?) {
        self.deploymentID = deploymentID
        self.instance = instance
        self.generation = generation
        self.status = status
        self.endpoints = endpoints
        self.failure = failure
    }
}
