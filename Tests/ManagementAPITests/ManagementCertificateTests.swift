import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing

@Suite("Management certificates over the API")
struct ManagementCertificateTests {
    @Test("add answers 201 with Location and an empty body; list, get and delete echo what was uploaded")
    func lifecycle() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let base = "\(server.baseURL)/\(server.subscription.id)/certificates"
            let added = try makeTestBundle(["added"], key: .rsa2048)
            let lowercase = added.thumbprint.description.lowercased()
            let response = try await client.send(.POST, base, body: addCertificateBody(added, thumbprint: lowercase))
            #expect(response.status == 201, "\(response.body)")
            #expect(response.body.isEmpty)
            #expect(response.headers["location"]?.hasSuffix("/subscriptions/\(server.subscription.id)/certificates/\(added.thumbprint)") == true)

            let list = try await client.send(.GET, base)
            #expect(list.body.contains("<SubscriptionCertificateThumbprint>\(lowercase)</SubscriptionCertificateThumbprint>"))
            #expect(list.body.components(separatedBy: "<SubscriptionCertificate>").count == 3)

            let one = try await client.send(.GET, "\(base)/\(added.thumbprint)")
            #expect(one.status == 200)
            #expect(
                one.body.contains(
                    "<SubscriptionCertificatePublicKey>\(Data(added.certificate.publicKey.keyBytes).base64EncodedString())</SubscriptionCertificatePublicKey>"))
            #expect(one.body.contains("<SubscriptionCertificateData>\(Data(added.cerBytes).base64EncodedString())</SubscriptionCertificateData>"))
            #expect(one.body.range(of: #"<Created>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z</Created>"#, options: .regularExpression) != nil)

            #expect(try await client.send(.POST, base, body: addCertificateBody(added)).status == 409)
            let deleted = try await client.send(.DELETE, "\(base)/\(added.thumbprint)")
            #expect(deleted.status == 200 && deleted.body.isEmpty)
            let gone = try await client.send(.GET, "\(base)/\(added.thumbprint)")
            #expect(gone.status == 404 && gone.errorCode == "ResourceNotFound")
            #expect(try await client.send(.DELETE, "\(base)/\(added.thumbprint)").status == 404)

            let audit = try await server.store.auditEntries(subscription: server.subscription.id)
            #expect(audit.map(\.operation).contains("AddManagementCertificate"))
            let deletion = try #require(audit.last { $0.operation == "DeleteManagementCertificate" && $0.outcome == "Succeeded" })
            #expect(deletion.callerThumbprint == server.adminCertificate.thumbprint.description)
            #expect(deletion.user == server.administrator.rawValue)
            #expect(deletion.target.contains(added.thumbprint.description))
        }
    }

    @Test("a certificate added through the API authenticates at once")
    func addedAuthenticates() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let fresh = try makeTestBundle(["fresh"], key: .ecdsaP256)
            #expect(try await client.send(.POST, "\(server.baseURL)/\(server.subscription.id)/certificates", body: addCertificateBody(fresh)).status == 201)
            let second = try server.client(presenting: fresh)
            defer { _ = second.shutdown() }
            #expect(try await second.send(.GET, "\(server.baseURL)/\(server.subscription.id)").status == 200)
        }
    }

    @Test("bad bodies are 400s that name the field; oversized ones 413")
    func badBodies() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)/certificates"
            let good = try makeTestBundle(["good"], key: .ecdsaP256)
            let other = try makeTestBundle(["other"], key: .ecdsaP256)
            let billionLaughs = """
                <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
                <SubscriptionCertificate><SubscriptionCertificateThumbprint>&lol2;</SubscriptionCertificateThumbprint></SubscriptionCertificate>
                """
            let xxe = """
                <?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <SubscriptionCertificate><SubscriptionCertificateData>&x;</SubscriptionCertificateData></SubscriptionCertificate>
                """
            let cases: [(String, String, String)] = [
                ("malformed XML", "<SubscriptionCertificate><Oops>", "InvalidXmlRequest"),
                ("billion laughs", billionLaughs, "InvalidXmlRequest"),
                ("XXE", xxe, "InvalidXmlRequest"),
                (
                    "unknown element",
                    addCertificateBody(good).replacingOccurrences(of: "</SubscriptionCertificate>", with: "<Extra>1</Extra></SubscriptionCertificate>"),
                    "InvalidXmlRequest"
                ),
                ("data not base64", addCertificateBody(good, data: "%%%not base64%%%"), "SubscriptionCertificateData"),
                ("data not a certificate", addCertificateBody(good, data: Data("hello".utf8).base64EncodedString()), "SubscriptionCertificateData"),
                ("thumbprint of another certificate", addCertificateBody(good, thumbprint: other.thumbprint.description), "SubscriptionCertificateThumbprint"),
                (
                    "public key of another certificate", addCertificateBody(good, publicKey: Data(other.certificate.publicKey.keyBytes).base64EncodedString()),
                    "SubscriptionCertificatePublicKey"
                ),
            ]
            for (name, body, expected) in cases {
                let response = try await client.send(.POST, url, body: body)
                #expect(response.status == 400, "\(name): \(response.status) \(response.body)")
                #expect(response.body.contains(expected), "\(name): \(response.body)")
            }
            let huge = String(repeating: "A", count: (4 << 20) + 10)
            let oversized = try await client.send(.POST, url, body: addCertificateBody(good, data: huge))
            #expect(oversized.status == 413)
            await #expect(try server.store.managementCertificates(in: server.subscription.id).count == 1, "nothing was added")
        }
    }

    @Test("200 parallel adds on one subscription leave exactly 100, and the refusals say which limit")
    func subscriptionLimitUnderConcurrency() async throws {
        try await TestServer.with(limits: CertificateLimits(perSubscription: 100, perUser: 1000)) { server in
            let client = try server.client(presenting: server.adminCertificate, connections: 16)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)/certificates"
            let bodies = try (0..<200).map { index in try addCertificateBody(makeTestBundle(["bulk\(index)"], key: .ecdsaP256)) }
            // At most 32 in flight (twice the client's connections, so the server always has 16 racing):
            // a request's 30 s timeout then starts when it is sent, not when all 200 were queued,
            // which a loaded CI machine could not serve in time.
            let statuses = try await withThrowingTaskGroup(of: APIResponse.self) { group in
                var pending = bodies[...]
                var responses: [APIResponse] = []
                for body in pending.prefix(32) { group.addTask { try await client.send(.POST, url, body: body) } }
                pending = pending.dropFirst(32)
                while let response = try await group.next() {
                    responses.append(response)
                    if let body = pending.popFirst() { group.addTask { try await client.send(.POST, url, body: body) } }
                }
                return responses
            }
            #expect(statuses.count == 200)
            #expect(statuses.filter { $0.status == 201 }.count == 99, "99 added beside the administrator's own")
            #expect(statuses.filter { $0.status == 400 }.allSatisfy { $0.body.contains("100 management certificates") })
            await #expect(try server.store.managementCertificates(in: server.subscription.id).count == 100)
        }
    }

    @Test("the per-user limit counts the caller's user across subscriptions; a co-administrator lifts it")
    func userLimitAndCoAdministrator() async throws {
        try await TestServer.with(limits: CertificateLimits(perSubscription: 100, perUser: 2)) { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)/certificates"
            #expect(try await client.send(.POST, url, body: addCertificateBody(makeTestBundle(["u1"], key: .ecdsaP256))).status == 201)
            let refused = try await client.send(.POST, url, body: addCertificateBody(makeTestBundle(["u2"], key: .ecdsaP256)))
            #expect(refused.status == 400)
            #expect(refused.body.contains("co-administrator"))

            let coadmin = EmailAddress("ops@contoso.com")!
            try await server.store.addUser(coadmin)
            try await server.store.addCoAdministrator(coadmin, to: server.subscription.id)
            let opsCertificate = try makeTestBundle(["ops"], key: .ecdsaP256)
            try await TestServer.register(opsCertificate, on: server.subscription.id, by: coadmin, in: server.store)
            let ops = try server.client(presenting: opsCertificate)
            defer { _ = ops.shutdown() }
            #expect(try await ops.send(.POST, url, body: addCertificateBody(makeTestBundle(["u3"], key: .ecdsaP256))).status == 201)
        }
    }
}
