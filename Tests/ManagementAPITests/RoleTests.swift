import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing

/// Roles on the API: a management certificate acts with the role recorded when it was added, and
/// never with more than its user has now; a refusal is 403 naming the roles that may.
@Suite("Roles on the Service Management API")
struct RoleTests {
    /// A user with `role` on the server's subscription and a certificate registered with that role.
    func member(_ name: String, _ role: SubscriptionRole, on server: TestServer, recordedRole: SubscriptionRole?? = nil) async throws -> HTTPClient {
        let user = EmailAddress("\(name)@contoso.com")!
        try await server.store.addUser(user)
        try await server.store.setRole(role, for: user, in: server.subscription.id)
        let certificate = try makeTestBundle(["\(name)-client"], key: .ecdsaP256)
        try await server.store.addManagementCertificate(
            ManagementCertificate(
                subscription: server.subscription.id, thumbprint: certificate.thumbprint,
                publicKey: Data(certificate.certificate.publicKey.keyBytes).base64EncodedString(),
                data: Data(certificate.cerBytes).base64EncodedString(), created: Date(), notAfter: certificate.certificate.notAfter,
                addedBy: user, role: recordedRole ?? role
            ), limits: .standard)
        return try server.client(presenting: certificate, connections: 1)
    }

    func createService(_ name: String) -> String {
        """
        <CreateHostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>\(name)</ServiceName>\
        <Label>\(Data(name.utf8).base64EncodedString())</Label><Location>West US</Location></CreateHostedService>
        """
    }

    @Test("reader, certificate manager and deployer may do exactly their rows; a refusal names the roles that may and the one the caller has")
    func rolesOnTheAPI() async throws {
        try await TestServer.with { server in
            let base = "\(server.baseURL)/\(server.subscription.id)"
            let admin = try server.client(presenting: server.adminCertificate)
            let reader = try await member("reader", .reader, on: server)
            let manager = try await member("manager", .certificateManager, on: server)
            let deployer = try await member("deployer", .deployer, on: server)
            defer { for client in [admin, reader, manager, deployer] { _ = client.shutdown() } }
            #expect(try await admin.send(.POST, "\(base)/services/hostedservices", body: createService("shop")).status == 201)

            // Everyone reads.
            for client in [reader, manager, deployer] {
                #expect(try await client.send(.GET, base).status == 200)
                #expect(try await client.send(.GET, "\(base)/services/hostedservices/shop").status == 200)
            }
            // A reader changes nothing; the refusal says who may and what the caller is.
            let refused = try await reader.send(.POST, "\(base)/services/hostedservices", body: createService("reader"))
            #expect(refused.status == 403 && refused.errorCode == "ForbiddenError")
            #expect(refused.body.contains("Service administrator, Co-administrator, Deployer") && refused.body.contains("the Reader role"), "\(refused.body)")

            // A certificate manager may not create services or deployments …
            #expect(try await manager.send(.POST, "\(base)/services/hostedservices", body: createService("manager")).status == 403)
            let deployment = try await manager.send(.POST, "\(base)/services/hostedservices/shop/deploymentslots/production", body: "<CreateDeployment/>")
            #expect(deployment.status == 403 && deployment.body.contains("Certificate manager role"), "\(deployment.body)")
            // … a deployer may, and may not add management certificates nor download or delete service certificates.
            #expect(try await deployer.send(.POST, "\(base)/services/hostedservices", body: createService("deployer")).status == 201)
            #expect(try await deployer.send(.POST, "\(base)/certificates", body: "<SubscriptionCertificate/>").status == 403)
            let thumbprint = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
            #expect(try await deployer.send(.GET, "\(base)/services/hostedservices/shop/certificates/sha1-\(thumbprint)").status == 403)
            #expect(try await deployer.send(.DELETE, "\(base)/services/hostedservices/shop/certificates/sha1-\(thumbprint)").status == 403)
            // The manager gets past the role check to the real answer (no such certificate).
            #expect(try await manager.send(.GET, "\(base)/services/hostedservices/shop/certificates/sha1-\(thumbprint)").status == 404)
        }
    }

    @Test("a certificate added before roles acts as co-administrator, but never with more than its user's role now")
    func recordedRoleAndUserRole() async throws {
        try await TestServer.with { server in
            let base = "\(server.baseURL)/\(server.subscription.id)"
            let old = try await member("old", .coAdministrator, on: server, recordedRole: .some(nil))
            defer { _ = old.shutdown() }
            #expect(try await old.send(.POST, "\(base)/services/hostedservices", body: createService("old")).status == 201)

            try await server.store.setRole(.reader, for: EmailAddress("old@contoso.com")!, in: server.subscription.id)
            let refused = try await old.send(.POST, "\(base)/services/hostedservices", body: createService("older"))
            #expect(
                refused.status == 403 && refused.body.contains("Co-administrator role it was added with") && refused.body.contains("Reader role"),
                "\(refused.body)")
            #expect(try await old.send(.GET, base).status == 200)
        }
    }
}
