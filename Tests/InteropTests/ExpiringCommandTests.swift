import Foundation
import TestSupport
import Testing

@Suite("Expiry in the client commands", .serialized)
struct ExpiringCommandTests {
    @Test("cert lists show days left and flag expired and soon; expiring lists what expires within the window, soonest first, and exits 1 on an expired one")
    func expiring() async throws {
        let server = try PythonClientTests.RunningServer()
        let folder = server.folder
        let environment = ["THUMBPRINT_HOME": folder.file("home"), "PFX_PASSWORD": "expiry-secret"]
        func run(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                thumbprintExecutable, arguments + ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"],
                environment: environment, currentDirectory: folder.path)
        }
        var thumbprints: [String: String] = [:]
        for (name, days) in [("soon", 10), ("later", 365)] {
            let made = try runProcess(
                thumbprintExecutable,
                ["cert", "new", "--dns-name", "\(name).contoso.net", "--valid-days", "\(days)", "--pfx", "\(name).pfx", "--password-env", "PFX_PASSWORD"],
                environment: environment, currentDirectory: folder.path)
            try #require(made.status == 0, "\(made.standardError)")
            thumbprints[name] = made.lastLine
        }
        // An expired certificate, as only another tool can make one (openssl on Debian 12 cannot backdate the end).
        let expired = try runProcess(
            testPython,
            [
                "-c",
                """
                import datetime, hashlib, sys
                from cryptography import x509
                from cryptography.hazmat.primitives import hashes, serialization
                from cryptography.hazmat.primitives.asymmetric import rsa
                from cryptography.hazmat.primitives.serialization import pkcs12
                from cryptography.x509.oid import NameOID
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired.contoso.net")])
                now = datetime.datetime.now(datetime.timezone.utc)
                certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                    .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=40))
                    .not_valid_after(now - datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
                open(sys.argv[1], "wb").write(pkcs12.serialize_key_and_certificates(
                    b"expired", key, certificate, None, serialization.BestAvailableEncryption(b"expiry-secret")))
                print(hashlib.sha1(certificate.public_bytes(serialization.Encoding.DER)).hexdigest().upper())
                """, folder.file("expired.pfx"),
            ])
        try #require(expired.status == 0, "\(expired.standardError)")
        thumbprints["expired"] = expired.lastLine

        try #require(try run(["service", "create", "exp1"]).status == 0)
        for name in ["expired", "soon", "later"] {
            let added = try run(["service", "cert", "add", "--service", "exp1", "\(name).pfx", "--password-env", "PFX_PASSWORD"])
            try #require(added.status == 0, "\(name): \(added.standardError)")
        }

        let listed = try run(["service", "cert", "list", "--service", "exp1"])
        #expect(listed.status == 0)
        let lines = listed.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("DAYS LEFT") == true)
        #expect(lines.first { $0.hasPrefix(thumbprints["expired"] ?? "-") }?.contains("EXPIRED") == true, "\(listed.standardOutput)")
        #expect(lines.first { $0.hasPrefix(thumbprints["soon"] ?? "-") }?.contains("(soon)") == true, "\(listed.standardOutput)")
        let later = lines.first { $0.hasPrefix(thumbprints["later"] ?? "-") } ?? ""
        #expect(!later.contains("(soon)") && !later.contains("EXPIRED") && later.contains("36"), "\(later)")
        let managementList = try run(["mgmt-cert", "list", "--json"])
        let management = try #require(try JSONSerialization.jsonObject(with: Data(managementList.standardOutput.utf8)) as? [[String: Any]])
        #expect(management.allSatisfy { ($0["expiry"] as? [String: Any])?["state"] as? String == "ok" }, "\(management)")

        let soonest = try run(["expiring", "--within", "30d", "--json"])
        #expect(soonest.status == 1, "an expired certificate makes it exit 1: \(soonest.standardError)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(soonest.standardOutput.utf8)) as? [[String: Any]])
        #expect(found.compactMap { $0["thumbprint"] as? String } == [thumbprints["expired"], thumbprints["soon"]].compactMap { $0 }, "\(found)")
        #expect(found.first?["service"] as? String == "exp1" && found.first?["kind"] as? String == "service")
        #expect(((found.first?["expiry"] as? [String: Any])?["daysLeft"] as? Int ?? 0) < 0)

        let wide = try run(["expiring", "--within", "400"])
        #expect(wide.status == 1)
        #expect(wide.standardOutput.contains(thumbprints["later"] ?? "-") && wide.standardOutput.contains("management"), "\(wide.standardOutput)")

        try #require(try run(["service", "cert", "remove", "--service", "exp1", thumbprints["expired"] ?? ""]).status == 0)
        let clean = try run(["expiring"])
        #expect(clean.status == 0, "nothing expired any more: \(clean.standardOutput)\(clean.standardError)")
        #expect(clean.standardOutput.contains(thumbprints["soon"] ?? "-"))
        let bad = try run(["expiring", "--within", "soon"])
        #expect(bad.status == 2 && bad.standardError.contains("--within takes days"), "\(bad.standardError)")
    }
}
