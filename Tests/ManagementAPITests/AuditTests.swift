import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing

@Suite("The audit log")
struct AuditTests {
    @Test("operations are named as the API names them; an asynchronous one is recorded Accepted, then with its final outcome; admin actions are recorded")
    func namesAndOutcomes() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let base = "\(server.baseURL)/\(server.subscription.id)/services/hostedservices"
            #expect(try await client.send(.POST, base, body: CloudServiceTests().createBody("audited")).status == 201)
            // A PFX with the wrong password: accepted, then failed.
            let pfx = try makeTestBundle(["www.contoso.net"]).pfx(password: "right", profile: .modern)
            let body = """
                <CertificateFile xmlns="http://schemas.microsoft.com/windowsazure"><Data>\(Data(pfx).base64EncodedString())</Data>\
                <CertificateFormat>pfx</CertificateFormat><Password>wrong</Password></CertificateFile>
                """
            let upload = try await client.send(.POST, "\(base)/audited/certificates", body: body)
            #expect(upload.status == 202)
            _ = try await ExpensiveRequestTests.finished(client, server, try #require(upload.headers["x-ms-request-id"]))
            let der = try makeTestBundle(["public.contoso.net"]).cerBytes
            let cer = """
                <CertificateFile xmlns="http://schemas.microsoft.com/windowsazure"><Data>\(Data(der).base64EncodedString())</Data>\
                <CertificateFormat>cer</CertificateFormat></CertificateFile>
                """
            let added = try await client.send(.POST, "\(base)/audited/certificates", body: cer)
            _ = try await ExpensiveRequestTests.finished(client, server, try #require(added.headers["x-ms-request-id"]))
            let thumbprint = Thumbprint(certificateDER: der)
            let deleted = try await client.send(.DELETE, "\(base)/audited/certificates/sha1-\(thumbprint)")
            #expect(deleted.status == 202)
            _ = try await ExpensiveRequestTests.finished(client, server, try #require(deleted.headers["x-ms-request-id"]))
            let swap = try await client.send(
                .POST, "\(base)/audited", body: "<Swap xmlns=\"http://schemas.microsoft.com/windowsazure\"><SourceDeployment>none</SourceDeployment></Swap>")
            #expect(swap.status == 409)

            let administration = Administration(store: server.store)
            let developer = EmailAddress("dev@contoso.com")!
            try await administration.addUser(developer)
            try await administration.addCoAdministrator(developer, to: server.subscription.id)
            #expect(try await administration.removeCoAdministrator(developer, from: server.subscription.id))

            let entries = try await server.store.auditEntries(subscription: nil)
            let summary = entries.map { "\($0.operation) \($0.outcome)" }
            #expect(summary.contains("CreateCloudService Succeeded"), "\(summary)")
            let uploads = entries.filter { $0.operation == "AddServiceCertificate" }.map(\.outcome)
            #expect(uploads == ["Accepted", "BadRequest", "Accepted", "Succeeded"], "\(summary)")
            #expect(entries.filter { $0.operation == "DeleteServiceCertificate" }.map(\.outcome) == ["Accepted", "Succeeded"], "\(summary)")
            #expect(entries.first { $0.operation == "AddServiceCertificate" }?.user == server.administrator.rawValue)
            #expect(summary.contains("SwapDeployment ConflictError"), "\(summary)")
            for operation in ["AddUser", "SetSubscriptionRole", "RemoveSubscriptionUser"] {
                #expect(summary.contains("\(operation) Succeeded"), "\(summary)")
            }
            #expect(!summary.contains { $0.hasPrefix("POST") || $0.hasPrefix("DELETE") || $0.hasPrefix("PUT") }, "\(summary)")
        }
    }
}
