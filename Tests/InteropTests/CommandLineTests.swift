import Certificates
import Foundation
import TestSupport
import Testing

/// The `thumbprint` executable, run as a user would, with its own store in a temporary folder.
@Suite("The thumbprint command line")
struct CommandLineTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    func thumbprint(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        var merged = ["THUMBPRINT_HOME": folder.file("home"), "PFX_PASSWORD": "s3cret"]
        for (key, value) in environment { merged[key] = value }
        let result = try runProcess(thumbprintExecutable, arguments, environment: merged, input: input, currentDirectory: folder.path)
        #expect(!result.standardError.contains("Fatal error"), "crashed: \(result.standardError)")
        return result
    }

    func summary(_ source: String, _ extra: [String] = []) throws -> CertificateSummary {
        let result = try thumbprint(["cert", "show", source, "--json"] + extra)
        try #require(result.status == 0, "\(result.standardError)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(CertificateSummary.self, from: Data(result.standardOutput.utf8))
    }

    @Test("cert new: the last line is the thumbprint; the files and the store agree with it")
    func newCertificate() throws {
        let result = try thumbprint([
            "cert", "new", "--dns-name", "contoso.net", "--dns-name", "www.contoso.net",
            "--pfx", "c.pfx", "--cer", "c.cer", "--pem", "c.pem", "--password-env", "PFX_PASSWORD",
        ])
        try #require(result.status == 0, "\(result.standardError)")
        let thumbprint = result.lastLine
        #expect(thumbprint.count == 40 && thumbprint.allSatisfy { $0.isHexDigit && !$0.isLowercase })
        let fingerprint = try runProcess("openssl", ["x509", "-in", folder.file("c.cer"), "-inform", "DER", "-noout", "-fingerprint", "-sha1"])
        #expect(fingerprint.standardOutput.replacingOccurrences(of: ":", with: "").contains(thumbprint))

        let fromPFX = try summary("c.pfx", ["--password-env", "PFX_PASSWORD"])
        #expect(fromPFX.thumbprint == thumbprint)
        #expect(fromPFX.hasPrivateKey)
        #expect(fromPFX.dnsNames == ["contoso.net", "www.contoso.net"])
        #expect(fromPFX.subject == "CN=contoso.net")
        #expect(fromPFX.keyAlgorithm == "rsa" && fromPFX.keySize == 2048)
        #expect(try summary("c.pem").thumbprint == thumbprint)
        let stored = try summary(thumbprint.lowercased())
        #expect(stored.hasPrivateKey && stored.thumbprint == thumbprint)
        #expect(!(try summary("c.cer").hasPrivateKey))

        let pfxMode = try FileManager.default.attributesOfItem(atPath: folder.file("c.pfx"))[.posixPermissions] as? Int
        #expect(pfxMode == 0o600)
    }

    @Test("show --json has every documented field with its type")
    func showJSONFields() throws {
        let created = try thumbprint(["cert", "new", "--dns-name", "json.contoso.net", "--key", "ecdsa-p256", "--cer", "j.cer"])
        try #require(created.status == 0)
        let result = try thumbprint(["cert", "show", "j.cer", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        for key in ["thumbprint", "sha256", "subject", "issuer", "notBefore", "notAfter", "keyAlgorithm"] {
            #expect(object[key] is String, "\(key)")
        }
        #expect(object["dnsNames"] as? [String] == ["json.contoso.net"])
        #expect(object["keyAlgorithm"] as? String == "ecdsa-p256")
        #expect(object["keySize"] as? Int == 256)
        #expect(object["hasPrivateKey"] as? Bool == false)
        #expect((object["notAfter"] as? String).flatMap(ISO8601DateFormatter().date(from:)) != nil)
        #expect((object["sha256"] as? String)?.count == 64)
    }

    @Test("passwords come from a file's first line and from stdin less one newline, never from argv")
    func passwordSources() throws {
        try "from-file\nsecond line\n".write(toFile: folder.file("pw.txt"), atomically: true, encoding: .utf8)
        let fromFile = try thumbprint(["cert", "new", "--dns-name", "f.contoso.net", "--pfx", "f.pfx", "--password-file", "pw.txt"])
        try #require(fromFile.status == 0, "\(fromFile.standardError)")
        #expect(
            try PKCS12Reader.read(CertificateFile.readLimited(path: folder.file("f.pfx")), password: "from-file").thumbprint.description == fromFile.lastLine)

        let fromStdin = try thumbprint(["cert", "new", "--dns-name", "s.contoso.net", "--pfx", "s.pfx", "--password-stdin"], input: "from stdin \n")
        try #require(fromStdin.status == 0, "\(fromStdin.standardError)")
        #expect(
            try PKCS12Reader.read(CertificateFile.readLimited(path: folder.file("s.pfx")), password: "from stdin ").thumbprint.description == fromStdin.lastLine
        )

        let noSource = try thumbprint(["cert", "new", "--dns-name", "n.contoso.net", "--pfx", "n.pfx"])
        #expect(noSource.status == 2)
        #expect(noSource.standardError.contains("--password-env"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("n.pfx")), "nothing is written")

        let asArgument = try thumbprint(["cert", "new", "--dns-name", "a.contoso.net", "--pfx", "a.pfx", "--password", "x"])
        #expect(asArgument.status == 2)

        // The value instead of the name (`--password-env "$PFX_PASSWORD"`): never echoed.
        let value = try thumbprint(["cert", "new", "--dns-name", "v.contoso.net", "--pfx", "v.pfx", "--password-env", "choose one!"])
        #expect(value.status == 2)
        #expect(!value.standardError.contains("choose one"), "the password given by mistake is shown: \(value.standardError)")
        #expect(value.standardError.contains("NAME of an environment variable"), "\(value.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("v.pfx")))
        let unset = try thumbprint(["cert", "new", "--dns-name", "u.contoso.net", "--pfx", "u.pfx", "--password-env", "NO_SUCH_VARIABLE_SET"])
        #expect(unset.standardError.contains("the environment variable NO_SUCH_VARIABLE_SET is not set"), "\(unset.standardError)")
    }

    @Test("check: exit 0 when every rule passes, 1 when one fails, 2 for bad input; --json is one document")
    func checkExitCodes() throws {
        let created = try thumbprint([
            "cert", "new", "--dns-name", "www.contoso.net", "--pfx", "s.pfx", "--pfx-profile", "legacy",
            "--cer", "s.cer", "--password-env", "PFX_PASSWORD",
        ])
        try #require(created.status == 0)
        let good = try thumbprint(["cert", "check", "s.pfx", "--password-env", "PFX_PASSWORD", "--for", "service", "--domain", "www.contoso.net"])
        #expect(good.status == 0, "\(good.standardOutput)")

        let wrongDomain = try thumbprint([
            "cert", "check", "s.pfx", "--password-env", "PFX_PASSWORD", "--for", "service", "--domain", "shop.fabrikam.com", "--json",
        ])
        #expect(wrongDomain.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(wrongDomain.standardOutput.utf8)) as? [String: Any])
        #expect(report["passed"] as? Bool == false)
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.contains { $0["rule"] as? String == "domain" && $0["status"] as? String == "fail" && $0["fix"] is String })

        let noKey = try thumbprint(["cert", "check", "s.cer", "--for", "service"])
        #expect(noKey.status == 1)
        #expect(noKey.standardOutput.contains("FAIL  private-key"))
        #expect(try thumbprint(["cert", "check", "s.cer", "--for", "management"]).status == 0)

        let wrongPassword = try thumbprint(["cert", "check", "s.pfx", "--password-env", "OTHER", "--for", "service"], environment: ["OTHER": "nope"])
        #expect(wrongPassword.status == 2)
        #expect(wrongPassword.standardError.contains("password is incorrect"))
        #expect(!wrongPassword.standardError.contains("nope"), "the password never appears in errors")
        #expect(try thumbprint(["cert", "check", "s.pfx", "--for", "nothing"]).status == 2)
    }

    @Test("bad input exits 2 with a message, never a stack trace")
    func badInput() throws {
        _ = FileManager.default.createFile(atPath: folder.file("empty.cer"), contents: Data())
        _ = FileManager.default.createFile(atPath: folder.file("random.pfx"), contents: Data((0..<512).map { _ in UInt8.random(in: 1...255) }))
        _ = FileManager.default.createFile(atPath: folder.file("big.pfx"), contents: Data(count: 1_100_000))
        try "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n".write(toFile: folder.file("label.pem"), atomically: true, encoding: .utf8)
        let cases: [(String, String)] = [
            ("empty.cer", "empty"), ("random.pfx", "not a certificate file"), ("big.pfx", "at most 1048576 bytes"),
            ("label.pem", "RSA PUBLIC KEY"), ("missing.cer", "no such file"),
        ]
        for (file, message) in cases {
            let result = try thumbprint(["cert", "show", file])
            #expect(result.status == 2, "\(file)")
            #expect(result.standardError.contains(message), "\(file): \(result.standardError)")
        }

        // Usage errors in the same form as the rest, with a hint for an unquoted thumbprint.
        let unquoted = try thumbprint(["cert", "show"] + Array(repeating: "3f", count: 20))
        #expect(unquoted.status == 2)
        #expect(unquoted.standardError.hasPrefix("thumbprint: error: "), "\(unquoted.standardError)")
        #expect(unquoted.standardError.contains("must be quoted"), "\(unquoted.standardError)")
        let admin = try thumbprint(["admin", "--data-dir", folder.file("data"), "user", "add", "not-an-address"])
        #expect(admin.status == 2)
        #expect(admin.standardError.hasPrefix("thumbprint: error: 'not-an-address' is not an e-mail address"), "\(admin.standardError)")
        #expect(admin.standardError.contains("Usage:"), "\(admin.standardError)")
    }

    @Test("export, import, list and remove across stores; pasted thumbprints are normalised with a warning")
    func storeRoundTrip() throws {
        let created = try thumbprint(["cert", "new", "--dns-name", "store.contoso.net"])
        let thumbprint = created.lastLine
        let exported = try self.thumbprint([
            "cert", "export", thumbprint, "--pfx", "e.pfx", "--password-env", "PFX_PASSWORD", "--pem", "e.pem", "--include-key",
        ])
        try #require(exported.status == 0, "\(exported.standardError)")
        #expect(try String(contentsOfFile: folder.file("e.pem"), encoding: .utf8).contains("BEGIN PRIVATE KEY"))

        let imported = try self.thumbprint(["cert", "import", "e.pfx", "--password-env", "PFX_PASSWORD", "--store", "cert:\\LocalMachine\\Root"])
        #expect(imported.status == 0 && imported.lastLine == thumbprint)
        let listed = try self.thumbprint(["store", "list", "--store", "LocalMachine/Root", "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["thumbprint"] as? String } == [thumbprint])

        let spaced =
            "\u{200E}"
            + stride(from: 0, to: 40, by: 2).map { index -> String in
                let start = thumbprint.index(thumbprint.startIndex, offsetBy: index)
                return String(thumbprint[start..<thumbprint.index(start, offsetBy: 2)]).lowercased()
            }.joined(separator: " ")
        let removed = try self.thumbprint(["store", "remove", spaced, "--store", "LocalMachine/Root"])
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(removed.standardError.contains("invisible"))
        #expect(try self.thumbprint(["store", "remove", thumbprint, "--store", "LocalMachine/Root"]).status == 2)

        let publicOnly = try self.thumbprint(["cert", "import", "e.pem", "--store", "CurrentUser/TrustedPeople"])
        #expect(publicOnly.status == 0)
        let noKeyExport = try self.thumbprint(["cert", "export", thumbprint, "--store", "CurrentUser/TrustedPeople", "--cer", "x.cer"])
        #expect(noKeyExport.status == 0)

        // Without --store, remove looks in every store and refuses to choose between several.
        let ambiguous = try self.thumbprint(["store", "remove", thumbprint])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.standardError.contains("CurrentUser/My, CurrentUser/TrustedPeople"), "\(ambiguous.standardError)")
        #expect(try self.thumbprint(["store", "remove", thumbprint, "--store", "CurrentUser/My"]).status == 0)
        let found = try self.thumbprint(["store", "remove", thumbprint])
        #expect(found.status == 0 && found.standardOutput.contains("from CurrentUser/TrustedPeople"), "\(found.standardOutput)\(found.standardError)")
        #expect(try self.thumbprint(["store", "remove", thumbprint]).standardError.contains("no local store holds"))
    }

    @Test("a CA made by cert new signs a certificate with --issuer; the chain travels in the .pfx")
    func issuedCertificate() throws {
        let authority = try thumbprint(["cert", "new", "--dns-name", "ca.contoso.net", "--ca", "--store", "CurrentUser/Root"])
        try #require(authority.status == 0)
        let leaf = try thumbprint([
            "cert", "new", "--dns-name", "svc.contoso.net", "--issuer", authority.lastLine, "--pfx", "leaf.pfx", "--password-env", "PFX_PASSWORD",
        ])
        try #require(leaf.status == 0, "\(leaf.standardError)")
        let shown = try summary("leaf.pfx", ["--password-env", "PFX_PASSWORD"])
        #expect(shown.chain == [authority.lastLine])
        #expect(!shown.selfSigned)
        let verified = try runProcess(
            "sh",
            [
                "-c",
                "openssl pkcs12 -in leaf.pfx -passin env:PFX_PASSWORD -nokeys -cacerts > ca.pem && openssl pkcs12 -in leaf.pfx -passin env:PFX_PASSWORD -nokeys -clcerts > leaf.pem && openssl verify -CAfile ca.pem leaf.pem",
            ],
            environment: ["PFX_PASSWORD": "s3cret"], currentDirectory: folder.path)
        #expect(verified.standardOutput.contains("leaf.pem: OK"), "\(verified.standardOutput)\(verified.standardError)")
    }

    @Test("thumbprint links neither FoundationXML nor full Foundation, so that it links statically and starts fast")
    func smallProgram() throws {
        let libraries = try runProcess("/usr/bin/env", ["ldd", thumbprintExecutable])
        try #require(libraries.status == 0, "\(libraries.standardError)")
        for heavy in ["libFoundationXML", "libFoundation.so", "libxml2", "libFoundationNetworking"] {
            #expect(!libraries.standardOutput.contains(heavy), "thumbprint links \(heavy); move the command that needs it to thumbprint-server")
        }
    }

    @Test("service validate: 0 when the files agree, 1 with located issues, 2 for unreadable XML")
    func serviceValidate() throws {
        let realworld = repositoryRoot.appendingPathComponent("Tests/Fixtures/realworld").path
        func validate(_ folder: String, _ extra: [String] = []) throws -> ProcessResult {
            try thumbprint(
                [
                    "service", "validate", "--definition", "\(realworld)/\(folder)/ServiceDefinition.csdef",
                    "--configuration", "\(realworld)/\(folder)/ServiceConfiguration.cscfg",
                ] + extra)
        }
        let good = try validate("blueyonder-companion")
        #expect(good.status == 0, "\(good.standardOutput)")
        let broken = try validate("graph-avplaybackbot-emptythumb")
        #expect(broken.status == 1)
        #expect(broken.standardOutput.contains("ServiceConfiguration.cscfg:14: role AVPWorkerRole, certificate test: the thumbprint is empty"))
        let json = try validate("wingz", ["--json"])
        #expect(json.status == 1)
        #expect(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]] != nil)
        let unreadable = try validate("dynatrace")
        #expect(unreadable.status == 2)
        #expect(unreadable.standardError.contains("ServiceConfiguration.cscfg cannot be read"))
    }
}
