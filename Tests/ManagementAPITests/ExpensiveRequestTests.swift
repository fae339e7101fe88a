import AsyncHTTPClient
import Certificates
import Foundation
import ManagementAPI
import Storage
import TestSupport
import Testing

/// Requests that cost the server much more than they cost the sender: each is refused early or
/// done off the event loops, and other clients keep being served meanwhile.
@Suite("Expensive requests do not stall the server", .serialized)
struct ExpensiveRequestTests {
    /// `openssl pkcs12 -export` of a fresh key and certificate with `iterations` for the MAC and both bags.
    static func pfx(iterations: Int, in folder: TemporaryDirectory) throws -> [UInt8] {
        let made = try runProcess(
            "/bin/sh",
            [
                "-c",
                """
                openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=www.contoso.net -days 30 2>/dev/null &&
                openssl pkcs12 -export -inkey k.pem -in c.pem -iter \(iterations) -passout pass:secret -out i\(iterations).pfx
                """,
            ], currentDirectory: folder.path)
        try #require(made.status == 0, "\(made.standardError)")
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("i\(iterations).pfx"))))
    }

    static func uploadBody(_ pfx: [UInt8]) -> String {
        """
        <CertificateFile xmlns="http://schemas.microsoft.com/windowsazure"><Data>\(Data(pfx).base64EncodedString())</Data>\
        <CertificateFormat>pfx</CertificateFormat><Password>secret</Password></CertificateFile>
        """
    }

    /// Polls Get Operation Status until the operation ends; returns its body.
    static func finished(_ client: HTTPClient, _ server: TestServer, _ requestID: String) async throws -> String {
        for _ in 0..<600 {
            let status = try await client.send(.GET, "\(server.baseURL)/\(server.subscription.id)/operations/\(requestID)")
            if !status.body.contains("InProgress") { return status.body }
            try await Task.sleep(for: .milliseconds(100))
        }
        return "still InProgress"
    }

    @Test("a 4 MB body with 470,886 attributes is refused at once while another client's requests keep succeeding")
    func attributeBomb() async throws {
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            var body = "<SubscriptionCertificate "
            var index = 0
            while body.utf8.count < (4 << 20) - 64 {
                body += "a\(index)=\"\" "
                index += 1
            }
            body += "/>"
            let url = "\(server.baseURL)/\(server.subscription.id)/certificates"
            let bomb = Task { () -> (APIResponse, Duration) in
                let started = ContinuousClock.now
                let response = try await client.send(.POST, url, body: body)
                return (response, ContinuousClock.now - started)
            }
            // Meanwhile another client lists certificates, each answer quick.
            let other = try server.client(presenting: server.adminCertificate)
            defer { _ = other.shutdown() }
            var slowest = Duration.zero
            for _ in 0..<20 {
                let started = ContinuousClock.now
                #expect(try await other.send(.GET, url).status == 200)
                slowest = max(slowest, ContinuousClock.now - started)
            }
            let (response, took) = try await bomb.value
            #expect(response.status == 400 && response.body.contains("more than 256 attributes"), "\(response.body.prefix(300))")
            // Sending 4 MB over loopback TLS is most of this; parsing it took a minute before.
            #expect(took < .seconds(5), "refused after \(took)")
            #expect(slowest < .seconds(1), "a GET took \(slowest) meanwhile")
        }
    }

    @Test("a PFX asking for more than 1,000,000 iterations fails its upload at once, naming the bound; the CLI refuses it too")
    func iterationBomb() async throws {
        let folder = try TemporaryDirectory()
        let bomb = try Self.pfx(iterations: 1_000_001, in: folder)
        let started = ContinuousClock.now
        #expect(throws: CertificateError.tooManyIterations(1_000_001, limit: 1_000_000)) { try PKCS12Reader.read(bomb, password: "secret") }
        #expect(ContinuousClock.now - started < .milliseconds(200))
        let shown = try runProcess(
            thumbprintExecutable, ["cert", "show", folder.file("i1000001.pfx"), "--password-env", "PFX_PASSWORD"],
            environment: ["PFX_PASSWORD": "secret"])
        #expect(shown.status == 2 && shown.standardError.contains("1000001 key-derivation iterations; at most 1000000"), "\(shown.standardError)")
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let base = "\(server.baseURL)/\(server.subscription.id)/services/hostedservices"
            #expect(try await client.send(.POST, base, body: CloudServiceTests().createBody("iter")).status == 201)
            let upload = try await client.send(.POST, "\(base)/iter/certificates", body: Self.uploadBody(bomb))
            #expect(upload.status == 202)
            let outcome = try await Self.finished(client, server, try #require(upload.headers["x-ms-request-id"]))
            #expect(outcome.contains("<Status>Failed</Status>") && outcome.contains("at most 1000000"), "\(outcome)")
        }
    }

    @Test("uploads of PFX files at the iteration bound are decrypted after the 202, off the event loops, while GETs keep answering")
    func expensiveUploadsInParallel() async throws {
        let folder = try TemporaryDirectory()
        let heavy = try Self.pfx(iterations: 1_000_000, in: folder)
        try await TestServer.with { server in
            let client = try server.client(presenting: server.adminCertificate)
            defer { _ = client.shutdown() }
            let base = "\(server.baseURL)/\(server.subscription.id)/services/hostedservices"
            #expect(try await client.send(.POST, base, body: CloudServiceTests().createBody("heavy")).status == 201)
            var accepted: [(String, Duration)] = []
            for _ in 0..<4 {
                let started = ContinuousClock.now
                let upload = try await client.send(.POST, "\(base)/heavy/certificates", body: Self.uploadBody(heavy))
                #expect(upload.status == 202)
                accepted.append((try #require(upload.headers["x-ms-request-id"]), ContinuousClock.now - started))
            }
            #expect(accepted.allSatisfy { $0.1 < .seconds(1) }, "the 202s waited for decryption: \(accepted.map(\.1))")
            var slowest = Duration.zero
            for _ in 0..<10 {
                let started = ContinuousClock.now
                #expect(try await client.send(.GET, "\(base)/heavy").status == 200)
                slowest = max(slowest, ContinuousClock.now - started)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(slowest < .seconds(1), "a GET took \(slowest) while uploads were decrypted")
            for (id, _) in accepted {
                #expect(try await Self.finished(client, server, id).contains("<Status>Succeeded</Status>"))
            }
        }
    }
}
