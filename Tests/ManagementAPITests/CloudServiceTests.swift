import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing

@Suite("Cloud services over the API")
struct CloudServiceTests {
    func createBody(_ name: String, location: String? = "West US", affinityGroup: String? = nil, label: String = Data("Web".utf8).base64EncodedString())
        -> String
    {
        """
        <CreateHostedService xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/windowsazure">\
        <ServiceName>\(name)</ServiceName><Label>\(label)</Label>\
        \(location.map { "<Location>\($0)</Location>" } ?? "")\(affinityGroup.map { "<AffinityGroup>\($0)</AffinityGroup>" } ?? "")\
        </CreateHostedService>
        """
    }

    @Test("names are unique across subscriptions; bad requests name what is wrong; create is audited and pollable")
    func createRules() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let url = "\(server.baseURL)/\(server.subscription.id)/services/hostedservices"
            let created = try await client.send(.POST, url, body: createBody("contoso"))
            #expect(created.status == 201)
            #expect(created.headers["location"]?.hasSuffix("/subscriptions/\(server.subscription.id)/compute/contoso") == true)
            let requestID = try #require(created.headers["x-ms-request-id"])
            let operation = try await client.send(.GET, "\(server.baseURL)/\(server.subscription.id)/operations/\(requestID)")
            #expect(operation.body.contains("<Status>Succeeded</Status>"))

            let taken = try await client.send(.POST, url, body: createBody("CONTOSO"))
            #expect(taken.status == 409 && taken.body.contains("already taken"))
            let cases: [(String, String, String)] = [
                ("bad name", createBody("-bad"), "ServiceName"),
                ("both places", createBody("both", affinityGroup: "group"), "exactly one of Location and AffinityGroup"),
                ("neither place", createBody("neither", location: nil), "exactly one of Location and AffinityGroup"),
                ("label not base64", createBody("label", label: "%%%"), "Label"),
            ]
            for (name, body, expected) in cases {
                let response = try await client.send(.POST, url, body: body)
                #expect(response.status == 400 && response.body.contains(expected), "\(name): \(response.body)")
            }
            #expect(try await client.send(.GET, "\(url)/nothing").errorCode == "ResourceNotFound")
            await #expect(
                try server.store.auditEntries(subscription: server.subscription.id).contains {
                    $0.operation == "CreateCloudService" && $0.outcome == "Succeeded"
                })
        }
    }
}
