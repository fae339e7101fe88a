import Certificates
import RoleInstances
import ServiceModel
import Storage

/// What each role of a deployment runs: its instance count, the certificates its instances
/// install and the endpoints they serve. Made from the definition, the configuration and the
/// certificates uploaded to the cloud service, after validating that they agree.
public struct DeploymentPlan: Sendable {
    /// One role's part of the plan.
    public struct Role: Sendable {
        /// The role's name.
        public var name: String
        /// `vmsize` from the definition.
        public var size: String
        /// How many instances run.
        public var instanceCount: Int
        /// The certificates every instance installs.
        public var certificates: [InstalledCertificate]
        /// The input endpoints every instance serves.
        public var endpoints: [EndpointAssignment]
    }

    /// The roles, in definition order.
    public var roles: [Role]
    /// How many upgrade domains the instances are spread over: the definition's count, but no
    /// more than the largest role has instances (instance `i` of a role is in domain `i` modulo it).
    public var upgradeDomainCount = 1

    /// Validates and plans; throws `DeploymentError.invalid` naming every problem.
    public static func make(
        definition: ServiceDefinition, configuration: ServiceConfiguration, uploaded: [ServiceCertificate],
        service: String, masterKey: MasterKey
    ) throws(DeploymentError) -> DeploymentPlan {
        let known = Dictionary(
            uploaded.map { ($0.thumbprint, UploadedCertificate(hasPrivateKey: $0.sealedPrivateKey != nil)) },
            uniquingKeysWith: { first, _ in first })
        let issues = ServiceModelValidator(uploaded: known).validate(definition, configuration)
        guard issues.isEmpty else { throw .invalid(issues.map(\.description)) }

        let byThumbprint = Dictionary(uploaded.map { ($0.thumbprint, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        var roles: [Role] = []
        for role in definition.roles {
            guard let roleConfiguration = configuration.roles.first(where: { $0.name == role.name }) else { continue }
            var installed: [InstalledCertificate] = []
            for declaration in role.certificates {
                guard let store = declaration.store,
                    let reference = roleConfiguration.certificates.first(where: { $0.name == declaration.name }),
                    let thumbprint = reference.thumbprint,
                    let upload = byThumbprint[thumbprint]
                else { continue }
                do {
                    installed.append(InstalledCertificate(name: declaration.name, store: store, bundle: try bundle(of: upload, masterKey: masterKey)))
                } catch {
                    problems.append("the certificate \(thumbprint) of role \(role.name) cannot be opened: \(error)")
                }
            }
            let endpoints = role.inputEndpoints.map {
                EndpointAssignment(name: $0.name, protocolName: $0.protocolName, port: $0.port ?? 0, certificate: $0.certificate)
            }
            // The validator has checked each https certificate was uploaded with its key; what is
            // left is whether TLS accepts that key and chain.
            for endpoint in endpoints where endpoint.protocolName == "https" {
                guard let certificate = installed.first(where: { $0.name == endpoint.certificate }) else { continue }
                do {
                    try certificate.checkServable()
                } catch {
                    problems.append(
                        "Certificate with thumbprint \(certificate.bundle.thumbprint) cannot be served on HTTPS input endpoint \(endpoint.name): \(error)")
                }
            }
            roles.append(
                Role(
                    name: role.name, size: role.vmSize, instanceCount: roleConfiguration.instanceCount ?? 1,
                    certificates: installed, endpoints: endpoints))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        var plan = DeploymentPlan(roles: roles)
        plan.upgradeDomainCount = max(1, min(definition.upgradeDomainCount, roles.map(\.instanceCount).max() ?? 1))
        return plan
    }

    /// Every thumbprint the configuration names (to refuse deleting one still in use).
    public static func thumbprints(in configuration: ServiceConfiguration) -> Set<Thumbprint> {
        Set(configuration.roles.flatMap(\.certificates).compactMap(\.thumbprint))
    }

    /// The uploaded certificate with its private key unsealed.
    static func bundle(of upload: ServiceCertificate, masterKey: MasterKey) throws -> CertificateBundle {
        let certificate = try CertificateDetails(der: upload.certificate)
        guard let sealed = upload.sealedPrivateKey else { return try CertificateBundle(certificate: certificate, privateKey: nil) }
        let pkcs8 = try KeyEnvelope.open(
            sealed, context: ServiceCertificate.sealingContext(service: upload.service, thumbprint: upload.thumbprint), with: masterKey)
        return try CertificateBundle(certificate: certificate, privateKey: try CertificatePrivateKey(pkcs8: pkcs8))
    }
}
