import Certificates
import RoleInstances
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A role assignment as the database keeps it for an agent: certificates by thumbprint only, so
/// that no key leaves the sealed service certificates; the server an agent asks fills them in.
struct PlacedAssignment: Codable, Equatable {
    struct Certificate: Codable, Equatable {
        var name: String
        var store: CertificateStoreName
        var thumbprint: String
        var withKey: Bool
    }

    var role: String
    var certificates: [Certificate]
    var endpoints: [EndpointAssignment]

    init(_ assignment: RoleAssignment) {
        role = assignment.role
        certificates = assignment.certificates.map {
            Certificate(name: $0.name, store: $0.store, thumbprint: $0.bundle.thumbprint.description, withKey: $0.bundle.privateKey != nil)
        }
        endpoints = assignment.endpoints
    }

    /// The JSON stored in the placement: the same bytes for the same assignment, on any server.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The assignment a stored placement describes, with the service's certificates (keys unsealed).
    static func assignment(of placement: InstancePlacement, uploaded: [ServiceCertificate], masterKey: MasterKey) throws -> RoleAssignment {
        let placed = try JSONDecoder().decode(PlacedAssignment.self, from: Data(placement.assignment.utf8))
        var installed: [InstalledCertificate] = []
        for certificate in placed.certificates {
            guard let upload = uploaded.first(where: { $0.thumbprint.description == certificate.thumbprint }) else {
                throw DeploymentError.instanceFailed(
                    instance: placement.instance, reason: "certificate \(certificate.thumbprint) is no longer uploaded to \(placement.service)")
            }
            var bundle = try DeploymentPlan.bundle(of: upload, masterKey: masterKey)
            if !certificate.withKey { bundle = bundle.publicOnly }
            installed.append(InstalledCertificate(name: certificate.name, store: certificate.store, bundle: bundle))
        }
        return RoleAssignment(
            deploymentID: placement.deploymentID, role: placed.role, instance: placement.instance, certificates: installed, endpoints: placed.endpoints,
            staticFiles: nil)
    }
}
