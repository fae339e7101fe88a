import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing
import WireFormat

/// Mutual-TLS authentication over real TLS on loopback: every refusal is an HTTP 403 with an
/// XML body, never a dropped handshake.
@Suite("Authentication by client certificate")
struct AuthenticationTests {
    @Test("the registered certificate gets its subscription; every response has a request id")
    func registeredCertificate() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let response = try await client.send(.GET, "\(server.baseURL)/\(server.subscription.id)")
            #expect(response.status == 200)
            #expect(response.body.contains("<SubscriptionID>\(server.subscription.id)</SubscriptionID>"))
            #expect(response.body.hasPrefix("<Subscription xmlns=\"http://schemas.microsoft.com/windowsazure\""))
            let requestID = try #require(response.headers["x-ms-request-id"])
            #expect(requestID.count == 32 && requestID.allSatisfy(\.isHexDigit))
        }
    }

    @Test(
        "removing a co-administrator revokes the certificates they added, on an open connection too; the administrator may delete them, and adding the user again restores them"
    )
    func coAdministratorRemovalRevokes() async throws {
        try await TestServer.with { server in
            let developer = EmailAddress("dev@contoso.com")!
            try await server.store.addUser(developer)
            try await server.store.addCoAdministrator(developer, to: server.subscription.id)
            let certificate = try makeTestBundle(["dev-client"], key: .ecdsaP256)
            try await TestServer.register(certificate, on: server.subscription.id, by: developer, in: server.store)
            let client = try server.client(presenting: certificate, connections: 1)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)"
            #expect(try await client.send(.GET, url).status == 200)

            await #expect(try server.store.removeCoAdministrator(developer, from: server.subscription.id))
            let refused = try await client.send(.GET, url)
            #expect(refused.status == 403 && refused.errorCode == "ForbiddenError", "the kept-alive connection lost access: \(refused.status)")

            try await server.store.addCoAdministrator(developer, to: server.subscription.id)
            #expect(try await client.send(.GET, url).status == 200)
            await #expect(try server.store.removeCoAdministrator(developer, from: server.subscription.id))
            let admin = try server.client(presenting: server.adminCertificate)
            defer { _ = admin.shutdown() }
            #expect(try await admin.send(.DELETE, "\(url)/certificates/\(certificate.thumbprint)").status == 200)
            await #expect(try server.store.managementCertificates(in: server.subscription.id).allSatisfy { $0.thumbprint != certificate.thumbprint })
        }
    }

    @Test("no certificate, an unknown one, one of another subscription, an unknown subscription: 403 ForbiddenError")
    func refusals() async throws {
        try await TestServer.with { server in
            let other = try await Administration(store: server.store).createSubscription(name: "Other", administrator: server.administrator)
            let stranger = try makeTestBundle(["stranger"], key: .ecdsaP256)
            let elsewhere = try makeTestBundle(["elsewhere"], key: .ecdsaP256)
            try await TestServer.register(elsewhere, on: other.id, by: server.administrator, in: server.store)
            let cases: [(String, CertificateBundle?, String)] = [
                ("no certificate", nil, "\(server.subscription.id)"),
                ("unknown certificate", stranger, "\(server.subscription.id)"),
                ("registered on another subscription", elsewhere, "\(server.subscription.id)"),
                ("unknown subscription", server.adminCertificate, "\(SubscriptionID.random())"),
                ("not a subscription id", server.adminCertificate, "services"),
            ]
            for (name, certificate, path) in cases {
                let client = try server.client(presenting: certificate)
                let response = try await client.send(.GET, "\(server.baseURL)/\(path)/certificates")
                #expect(response.status == 403, "\(name)")
                #expect(response.errorCode == "ForbiddenError", "\(name): \(response.body)")
                #expect(response.headers["x-ms-request-id"] != nil, "\(name)")
                try await client.shutdown()
            }
        }
    }

    @Test("a certificate deleted while its connection stays open is refused on the next request")
    func deletedOnKeepAlive() async throws {
        try await TestServer.with { server in
            let doomed = try makeTestBundle(["doomed"], key: .ecdsaP256)
            try await TestServer.register(doomed, on: server.subscription.id, by: server.administrator, in: server.store)
            let client = try server.client(presenting: doomed, connections: 1)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)"
            #expect(try await client.send(.GET, url).status == 200)
            let admin = try server.client(presenting: server.adminCertificate)
            #expect(try await admin.send(.DELETE, "\(url)/certificates/\(doomed.thumbprint)").status == 200)
            try await admin.shutdown()
            let after = try await client.send(.GET, url)
            #expect(after.status == 403)
            #expect(after.errorCode == "ForbiddenError")
        }
    }

    @Test("an expired certificate is refused")
    func expired() async throws {
        try await TestServer.with { server in
            let past = Date().addingTimeInterval(-3 * 86_400)
            let expired = try CertificateFactory(now: { past }).makeCertificate(
                CertificateRequest(dnsNames: ["expired"], keyAlgorithm: .ecdsaP256, validDays: 1))
            try await TestServer.register(expired, on: server.subscription.id, by: server.administrator, in: server.store)
            let client = try server.client(presenting: expired)
            defer { _ = client.shutdown() }
            let response = try await client.send(.GET, "\(server.baseURL)/\(server.subscription.id)")
            #expect(response.status == 403)
        }
    }

    @Test("a missing or malformed x-ms-version is 400 MissingOrIncorrectVersionHeader", arguments: [nil, "yesterday", "2014-13-01"])
    func versionHeader(version: String?) async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let response = try await client.send(.GET, "\(server.baseURL)/\(server.subscription.id)", version: version)
            #expect(response.status == 400)
            #expect(response.errorCode == "MissingOrIncorrectVersionHeader")
        }
    }
}

@Suite("Get Operation Status")
struct OperationStatusTests {
    @Test("reports a recorded operation in the real service's form; an unknown id is 404")
    func operationStatus() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let succeeded = try #require(OperationID(RequestID.random().rawValue))
            let failed = try #require(OperationID(RequestID.random().rawValue))
            try await server.store.saveOperation(OperationRecord(id: succeeded, subscription: server.subscription.id, status: .succeeded, httpStatusCode: 200))
            try await server.store.saveOperation(
                OperationRecord(
                    id: failed, subscription: server.subscription.id, status: .failed, httpStatusCode: 400,
                    errorCode: "BadRequest", errorMessage: "The password is incorrect."))
            let base = "\(server.baseURL)/\(server.subscription.id)/operations"
            let ok = try await client.send(.GET, "\(base)/\(succeeded)")
            #expect(ok.status == 200)
            #expect(ok.body.contains("<ID>\(succeeded.dashed)</ID><Status>Succeeded</Status><HttpStatusCode>200</HttpStatusCode>"))
            let bad = try await client.send(.GET, "\(base)/\(failed)")
            #expect(
                bad.body.contains(
                    "<Status>Failed</Status><HttpStatusCode>400</HttpStatusCode><Error><Code>BadRequest</Code><Message>The password is incorrect.</Message></Error>"
                ))
            #expect(try await client.send(.GET, "\(base)/\(RequestID.random())").status == 404)
        }
    }
}
