import Certificates
import Foundation
import TestSupport
import Testing

/// Our files read by OpenSSL 3, and OpenSSL's files read by us.
@Suite("Interop with openssl")
struct OpenSSLInteropTests {
    /// openssl with no configuration file, so only the providers named on the command line load.
    func openssl(_ arguments: [String], password: String = "", in folder: TemporaryDirectory) throws -> ProcessResult {
        try runProcess("openssl", arguments, environment: ["OPENSSL_CONF": "/dev/null", "PFX_PASSWORD": password], currentDirectory: folder.path)
    }

    func sha1Fingerprint(ofPEMOrDER path: String, der: Bool, in folder: TemporaryDirectory) throws -> String {
        let result = try openssl(["x509", "-in", path, "-noout", "-fingerprint", "-sha1"] + (der ? ["-inform", "DER"] : []), in: folder)
        try #require(result.status == 0, "openssl x509: \(result.standardError)")
        // "SHA1 Fingerprint=AB:CD:…"
        return String(result.standardOutput.split(separator: "=").last ?? "").replacingOccurrences(of: ":", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("the modern profile opens with OpenSSL 3's default provider alone: AES-256-CBC, PBKDF2, SHA-256 MAC")
    func modernProfile() throws {
        let folder = try TemporaryDirectory()
        let bundle = try makeTestBundle(["modern.contoso.net"])
        try SecureFile.write(bundle.pfx(password: "s3cret", profile: .modern), to: folder.file("m.pfx"))
        let info = try openssl(
            ["pkcs12", "-provider", "default", "-in", "m.pfx", "-info", "-noout", "-passin", "env:PFX_PASSWORD"], password: "s3cret", in: folder)
        #expect(info.status == 0, "\(info.standardError)")
        #expect(info.standardError.contains("MAC: sha256"))
        #expect(info.standardError.contains("AES-256-CBC"))
        #expect(info.standardError.contains("PRF hmacWithSHA256"))
        try expectOpenSSLExtracts(bundle, from: "m.pfx", password: "s3cret", provider: ["-provider", "default"], in: folder)
    }

    @Test("the legacy profile opens with OpenSSL's 3DES support: 3DES bags and a SHA-1 MAC")
    func legacyProfile() throws {
        let folder = try TemporaryDirectory()
        let bundle = try makeTestBundle(["legacy.contoso.net"])
        try SecureFile.write(bundle.pfx(password: "s3cret", profile: .legacy), to: folder.file("l.pfx"))
        let info = try openssl(["pkcs12", "-in", "l.pfx", "-info", "-noout", "-passin", "env:PFX_PASSWORD"], password: "s3cret", in: folder)
        #expect(info.status == 0, "\(info.standardError)")
        #expect(info.standardError.contains("MAC: sha1"))
        #expect(info.standardError.components(separatedBy: "pbeWithSHA1And3-KeyTripleDES-CBC").count == 3, "both bags use 3DES")
        try expectOpenSSLExtracts(bundle, from: "l.pfx", password: "s3cret", provider: [], in: folder)
    }

    /// OpenSSL gets the same certificate and a key whose public half is the certificate's.
    func expectOpenSSLExtracts(_ bundle: CertificateBundle, from file: String, password: String, provider: [String], in folder: TemporaryDirectory) throws {
        let certificate = try openssl(
            ["pkcs12"] + provider + ["-in", file, "-nokeys", "-clcerts", "-out", "cert.pem", "-passin", "env:PFX_PASSWORD"], password: password, in: folder)
        try #require(certificate.status == 0, "\(certificate.standardError)")
        #expect(try sha1Fingerprint(ofPEMOrDER: "cert.pem", der: false, in: folder) == bundle.thumbprint.description)
        let key = try openssl(
            ["pkcs12"] + provider + ["-in", file, "-nocerts", "-nodes", "-out", "key.pem", "-passin", "env:PFX_PASSWORD"], password: password, in: folder)
        try #require(key.status == 0, "\(key.standardError)")
        let keyPublic = try openssl(["pkey", "-in", "key.pem", "-pubout"], in: folder)
        let certificatePublic = try openssl(["x509", "-in", "cert.pem", "-noout", "-pubkey"], in: folder)
        #expect(keyPublic.status == 0 && !keyPublic.standardOutput.isEmpty)
        #expect(keyPublic.standardOutput == certificatePublic.standardOutput)
    }

    @Test("our thumbprint equals openssl's SHA-1 fingerprint of the .cer and the .pem")
    func fingerprints() throws {
        let folder = try TemporaryDirectory()
        let bundle = try makeTestBundle(["fp.contoso.net"], key: .rsa3072)
        try SecureFile.write(bundle.cerBytes, to: folder.file("c.cer"))
        try SecureFile.write(Array(bundle.pem().utf8), to: folder.file("c.pem"))
        #expect(try sha1Fingerprint(ofPEMOrDER: "c.cer", der: true, in: folder) == bundle.thumbprint.description)
        #expect(try sha1Fingerprint(ofPEMOrDER: "c.pem", der: false, in: folder) == bundle.thumbprint.description)
    }

    /// The ways `openssl pkcs12 -export` is commonly run.
    static let exportModes: [(String, [String])] = [
        ("OpenSSL 3 default", []),
        ("-legacy (RC2-40 and 3DES, SHA-1 MAC)", ["-legacy"]),
        ("3DES bags with a SHA-1 MAC", ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"]),
    ]

    @Test("PFX files made by openssl read with the right thumbprint and key", arguments: exportModes)
    func readsOpenSSLFiles(mode: String, flags: [String]) throws {
        let folder = try TemporaryDirectory()
        let made = try openssl(
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=openssl.contoso.net", "-days", "30"],
            in: folder)
        try #require(made.status == 0, "\(made.standardError)")
        let exported = try openssl(
            ["pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-out", "o.pfx", "-passout", "env:PFX_PASSWORD"] + flags, password: "pa ss", in: folder)
        try #require(exported.status == 0, "\(mode): \(exported.standardError)")
        let file = try CertificateFile.read(path: folder.file("o.pfx")) { "pa ss" }
        #expect(file.bundle.thumbprint.description == (try sha1Fingerprint(ofPEMOrDER: "c.pem", der: false, in: folder)))
        let key = try #require(file.bundle.privateKey)
        #expect(key.matches(file.bundle.certificate))
        // The same key as openssl wrote: compare the PKCS#8 forms.
        let pkcs8 = try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der"], in: folder)
        try #require(pkcs8.status == 0)
        let expectedKey = try CertificatePrivateKey(pkcs8: [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("k.der")))))
        #expect(expectedKey.pkcs8 == key.pkcs8)
        #expect(throws: CertificateError.inFile(folder.file("o.pfx"), .incorrectPassword)) {
            try CertificateFile.read(path: folder.file("o.pfx")) { "wrong" }
        }
    }

    @Test("an openssl PFX with a CA chain, an ECDSA key and no password")
    func chainWithoutPassword() throws {
        let folder = try TemporaryDirectory()
        for arguments in [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Test CA",
                "-days", "30",
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj",
                "/CN=leaf.contoso.net",
            ],
            ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "30"],
            ["pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-certfile", "ca.pem", "-out", "chain.pfx", "-passout", "pass:"],
        ] {
            let result = try openssl(arguments, in: folder)
            try #require(result.status == 0, "openssl \(arguments.first ?? ""): \(result.standardError)")
        }
        let file = try CertificateFile.read(path: folder.file("chain.pfx")) { nil }
        #expect(file.bundle.certificate.commonName == "leaf.contoso.net")
        #expect(file.bundle.chain.map(\.commonName) == ["Test CA"])
        #expect(file.bundle.privateKey != nil)
        #expect(file.bundle.certificate.publicKey.algorithmName == "ecdsa-p256")
    }

    @Test("an openssl PFX without a key reads, and fails the service rule that needs one")
    func pfxWithoutKey() throws {
        let folder = try TemporaryDirectory()
        let made = try openssl(
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=nokey.contoso.net", "-days", "30"], in: folder)
        try #require(made.status == 0)
        let exported = try openssl(
            ["pkcs12", "-export", "-nokeys", "-in", "c.pem", "-out", "n.pfx", "-passout", "env:PFX_PASSWORD"], password: "p", in: folder)
        try #require(exported.status == 0, "\(exported.standardError)")
        let file = try CertificateFile.read(path: folder.file("n.pfx")) { "p" }
        #expect(file.bundle.privateKey == nil)
        let rule = CertificateRequirements(purpose: .service).check(file).first { $0.rule == "private-key" }
        #expect(rule?.status == .fail)
    }
}
