import Foundation
import HTTPTypes
import ManagementAPI
import Testing

@testable import FuzzChecks

/// The `Router` target reaches the routes: its fixture answers as the real server would, so a
/// clean fuzz run means the routes were exercised, not that every request met a 403.
@Suite("The Router fuzz target's server")
struct RouterTargetTests {
    static let subscription = RouterFixture.subscription.rawValue

    func answer(_ input: String, method: UInt8 = 0) async throws -> InProcessAPI.Answer {
        let (method, presents, path, version, body) = try #require(APIChecks.request(from: [method] + Array(input.utf8)))
        var head = HTTPRequest(method: method, scheme: "https", authority: "127.0.0.1", path: path)
        if let version { head.headerFields[HTTPField.Name("x-ms-version")!] = version }
        let fixture = await RouterFixture.shared
        return await fixture.api.respond(to: head, body: body, presenting: presents ? fixture.certificate : nil)
    }

    @Test("a reader's GET of the subscription and of its cloud service is 200 with XML; without the certificate 403; without a version 400")
    func reachesRoutes() async throws {
        let subscription = try await answer("/\(Self.subscription)\n2014-10-01\n")
        #expect(subscription.status == .ok)
        #expect(String(decoding: subscription.body, as: UTF8.self).contains("<SubscriptionID>\(Self.subscription)</SubscriptionID>"))
        let service = try await answer("/\(Self.subscription)/services/hostedservices/fuzz-service\n2014-10-01\n")
        #expect(service.status == .ok)
        #expect(String(decoding: service.body, as: UTF8.self).contains("<ServiceName>fuzz-service</ServiceName>"))
        #expect(try await answer("/\(Self.subscription)\n2014-10-01\n", method: 0x80).status == .forbidden)
        #expect(try await answer("/\(Self.subscription)\n\n").status == .badRequest)
    }

    @Test("a reader's write is refused with the role it lacks, before its body is read, and nothing changes")
    func readerChangesNothing() async throws {
        let create = try await answer(
            "/\(Self.subscription)/services/hostedservices\n2014-10-01\n<CreateHostedService><ServiceName>x</ServiceName></CreateHostedService>", method: 2)
        #expect(create.status == .forbidden)
        let list = try await answer("/\(Self.subscription)/services/hostedservices\n2014-10-01\n")
        #expect(String(decoding: list.body, as: UTF8.self).components(separatedBy: "<HostedService>").count == 2, "only fuzz-service")
    }

    @Test("an input whose path holds a byte an HTTP parser refuses is skipped, not sent")
    func refusedBytes() {
        #expect(APIChecks.request(from: [0] + Array("/a b\n\n".utf8)) == nil)
        #expect(APIChecks.request(from: [0] + Array("no-slash\n\n".utf8)) == nil)
        #expect(APIChecks.request(from: [0, 0x2F, 0xC3, 0xA9]) == nil)
        #expect(APIChecks.request(from: [0] + Array("/a\n\u{7}\n".utf8)) == nil)
    }
}
