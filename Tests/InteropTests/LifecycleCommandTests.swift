import Foundation
import TestSupport
import Testing

@Suite("The server's own certificate, webhooks and renewal from the command line", .serialized)
struct LifecycleCommandTests {
    /// The served certificate (PEM) of a TLS server on `port`, as openssl sees it.
    static func servedCertificate(_ port: Int) throws -> String {
        try runProcess("sh", ["-c", "openssl s_client -connect 127.0.0.1:\(port) -noservername </dev/null 2>/dev/null | openssl x509"]).standardOutput
    }

    static func issuer(_ pem: String) throws -> String {
        try runProcess("openssl", ["x509", "-noout", "-issuer"], input: pem).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func fingerprint(_ pem: String) throws -> String {
        try runProcess("openssl", ["x509", "-noout", "-fingerprint", "-sha1"], input: pem).standardOutput
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return try condition()
    }

    @Test("admin tls renew and admin ca rotate change what a running server presents to new connections, with an overlap in which both CAs are trusted")
    func renewAndRotate() async throws {
        let server = try PythonClientTests.RunningServer()
        let folder = server.folder
        func admin(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(thumbprintExecutable, ["admin"] + arguments + ["--data-dir", server.data])
        }
        let caFile = server.data + "/tls/ca.pem"
        let first = try Self.servedCertificate(server.port)
        #expect(try Self.issuer(first) == "issuer=CN = Thumbprint local CA")
        try FileManager.default.copyItem(atPath: caFile, toPath: folder.file("old-ca.pem"))

        let renewed = try admin(["tls", "renew", "--json"])
        try #require(renewed.status == 0, "\(renewed.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(renewed.standardOutput.utf8)) as? [String: Any])
        let thumbprint = try #require(report["thumbprint"] as? String)
        #expect((report["names"] as? [String])?.contains("localhost") == true)
        #expect(
            try await Self.eventually(15) {
                try Self.fingerprint(Self.servedCertificate(server.port)).replacingOccurrences(of: ":", with: "").contains(thumbprint)
            },
            "new connections get the renewed certificate without a restart")
        #expect(server.process.isRunning)

        let rotated = try admin(["ca", "rotate", "--overlap", "8s", "--json"])
        try #require(rotated.status == 0, "\(rotated.standardError)")
        let rotation = try #require(try JSONSerialization.jsonObject(with: Data(rotated.standardOutput.utf8)) as? [String: Any])
        let next = try #require(rotation["next"] as? String)
        #expect(
            try await Self.eventually(10) { (try? String(contentsOfFile: caFile, encoding: .utf8))?.components(separatedBy: "BEGIN CERTIFICATE").count == 3 },
            "during the overlap, ca.pem holds both CAs")
        let during = try Self.servedCertificate(server.port)
        #expect(try Self.issuer(during) == "issuer=CN = Thumbprint local CA", "the old CA still issues during the overlap")
        let verifiedDuring = try runProcess("openssl", ["verify", "-CAfile", caFile], input: during)
        #expect(verifiedDuring.status == 0, "a client with the new trust file accepts the server during the overlap: \(verifiedDuring.standardError)")
        let again = try admin(["ca", "rotate", "--overlap", "1s"])
        #expect(again.status != 0 && again.standardError.contains("under way"), "one rotation at a time: \(again.standardError)")

        #expect(
            try await Self.eventually(25) { try Self.issuer(Self.servedCertificate(server.port)).contains(next.replacingOccurrences(of: "CN=", with: "")) },
            "after the overlap, new connections get a certificate from the new CA (\(next))")
        let after = try Self.servedCertificate(server.port)
        #expect(
            try await Self.eventually(5) { (try? String(contentsOfFile: caFile, encoding: .utf8))?.components(separatedBy: "BEGIN CERTIFICATE").count == 2 },
            "after the overlap, ca.pem holds the new CA only")
        #expect(try runProcess("openssl", ["verify", "-CAfile", caFile], input: after).status == 0)
        #expect(try runProcess("openssl", ["verify", "-CAfile", folder.file("old-ca.pem")], input: after).status != 0, "the old CA no longer vouches for it")
        let listed = try runProcess(
            thumbprintExecutable, ["subscription", "show", "--publish-settings", server.data + "/admin.publishsettings", "--ca", caFile])
        #expect(listed.status == 0, "the CLI with the new trust file works: \(listed.standardError)")
    }

    @Test("admin subscription webhook add/list/remove, admin webhook failures and service renewal set/show/off")
    func webhookAndRenewalCommands() async throws {
        let server = try PythonClientTests.RunningServer()
        let subscription = try #require(server.subscriptionID)
        func admin(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
            try runProcess(thumbprintExecutable, ["admin"] + arguments + ["--data-dir", server.data], environment: environment)
        }
        func client(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                thumbprintExecutable, arguments + ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"])
        }
        let refused = try admin(["subscription", "webhook", "add", subscription, "file:///etc/passwd"])
        #expect(refused.status != 0 && refused.standardError.contains("only http:// and https://"), "\(refused.standardError)")
        let short = try admin(
            ["subscription", "webhook", "add", subscription, "http://127.0.0.1:1/x", "--secret-env", "HOOK_SECRET"], environment: ["HOOK_SECRET": "short"])
        #expect(short.status != 0 && short.standardError.contains("at least 16"), "\(short.standardError)")
        #expect(!short.standardError.contains("short\n"), "the secret is never echoed")
        let added = try admin(["subscription", "webhook", "add", subscription, "http://127.0.0.1:1/hook", "--json"])
        try #require(added.status == 0, "\(added.standardError)")
        let addedReport = try #require(try JSONSerialization.jsonObject(with: Data(added.standardOutput.utf8)) as? [String: Any])
        #expect((addedReport["secret"] as? String)?.count == 64, "a made secret is printed once")
        let id = try #require((addedReport["webhook"] as? [String: Any])?["id"] as? String)
        let listed = try admin(["subscription", "webhook", "list", subscription])
        #expect(listed.standardOutput.contains(id) && listed.standardOutput.contains("http://127.0.0.1:1/hook"))
        #expect(!listed.standardOutput.contains(addedReport["secret"] as? String ?? "-"), "list never shows the secret")
        let failures = try admin(["webhook", "failures", "--json"])
        #expect(failures.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(failures.standardOutput.utf8)) as? [Any])?.isEmpty == true, "\(failures.standardOutput)")
        #expect(try admin(["subscription", "webhook", "remove", subscription, id]).status == 0)
        #expect(try admin(["subscription", "webhook", "remove", subscription, id]).status != 0)

        try #require(try client(["service", "create", "renew1"]).status == 0)
        let set = try client(["service", "renewal", "set", "--service", "renew1", "--days-before", "21", "--valid-days", "120"])
        #expect(set.status == 0, "\(set.standardError)")
        let shown = try client(["service", "renewal", "show", "--service", "renew1", "--json"])
        let policy = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any], "\(shown.standardError)")
        #expect(policy["daysBefore"] as? Int == 21 && policy["validDays"] as? Int == 120)
        let bad = try client(["service", "renewal", "set", "--service", "renew1", "--days-before", "400"])
        #expect(bad.status != 0 && bad.standardError.contains("--days-before"))
        #expect(try client(["service", "renewal", "off", "--service", "renew1"]).status == 0)
        let gone = try client(["service", "renewal", "show", "--service", "renew1"])
        #expect(gone.status != 0 && gone.standardError.contains("no automatic renewal"), "\(gone.standardError)")
    }
}
