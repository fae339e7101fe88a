import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing

/// Get Subscription's quotas are the ones enforced, and what a client sends is bounded.
@Suite("Quotas and bounds")
struct QuotaTests {
    static func subscriptionField(_ body: String, _ name: String) -> String? {
        guard let start = body.range(of: "<\(name)>"), let end = body.range(of: "</\(name)>") else { return nil }
        return String(body[start.upperBound..<end.lowerBound])
    }

    @Test("MaxHostedServices is enforced (20 then 400) and CurrentHostedServices counts them")
    func cloudServiceQuota() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)/services/hostedservices"
            for index in 0..<20 {
                #expect(try await client.send(.POST, url, body: CloudServiceTests().createBody("quota\(index)")).status == 201)
            }
            let refused = try await client.send(.POST, url, body: CloudServiceTests().createBody("quota20"))
            #expect(refused.status == 400 && refused.body.contains("20 cloud services"), "\(refused.body)")
            let subscription = try await client.send(.GET, "\(server.baseURL)/\(server.subscription.id)")
            #expect(Self.subscriptionField(subscription.body, "MaxHostedServices") == "20")
            #expect(Self.subscriptionField(subscription.body, "CurrentHostedServices") == "20")
            #expect(Self.subscriptionField(subscription.body, "CurrentCoreCount") == "0")
        }
    }

    @Test("descriptions, extended properties and expired management certificates are refused with a 400 that says why")
    func bounds() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)/services/hostedservices"
            func create(_ name: String, extra: String) -> String {
                """
                <CreateHostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>\(name)</ServiceName>\
                <Label>\(Data("x".utf8).base64EncodedString())</Label>\(extra)<Location>West US</Location></CreateHostedService>
                """
            }
            func properties(_ pairs: [(String, String)]) -> String {
                "<ExtendedProperties>" + pairs.map { "<ExtendedProperty><Name>\($0.0)</Name><Value>\($0.1)</Value></ExtendedProperty>" }.joined()
                    + "</ExtendedProperties>"
            }
            let cases: [(String, String, String)] = [
                ("long description", create("d1", extra: "<Description>\(String(repeating: "d", count: 1025))</Description>"), "at most 1024"),
                ("51 properties", create("p1", extra: properties((0..<51).map { ("p\($0)", "v") })), "at most 50 extended properties"),
                ("long name", create("p2", extra: properties([(String(repeating: "n", count: 65), "v")])), "longer than 64"),
                ("long value", create("p3", extra: properties([("name", String(repeating: "v", count: 256))])), "longer than 255"),
            ]
            for (name, body, expected) in cases {
                let response = try await client.send(.POST, url, body: body)
                #expect(response.status == 400 && response.body.contains(expected), "\(name): \(response.body)")
            }
            // Within the bounds it works, and an update cannot pass 50 properties either.
            #expect(try await client.send(.POST, url, body: create("fits", extra: properties((0..<50).map { ("p\($0)", "v") }))).status == 201)
            let update = """
                <UpdateHostedService xmlns="http://schemas.microsoft.com/windowsazure"><Description>more</Description>\
                \(properties([("another", "v")]))</UpdateHostedService>
                """
            let updated = try await client.send(.PUT, "\(url)/fits", body: update)
            #expect(updated.status == 400 && updated.body.contains("would have 51"), "\(updated.body)")

            let past = Date().addingTimeInterval(-10 * 86_400)
            let expired = try CertificateFactory(now: { past }).makeCertificate(CertificateRequest(dnsNames: ["old"], keyAlgorithm: .ecdsaP256, validDays: 1))
            let added = try await client.send(.POST, "\(server.baseURL)/\(server.subscription.id)/certificates", body: addCertificateBody(expired))
            #expect(added.status == 400 && added.body.contains("expired on"), "\(added.body)")
        }
    }
}
