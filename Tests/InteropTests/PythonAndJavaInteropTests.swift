import Certificates
import Foundation
import TestSupport
import Testing

/// Our .pfx files read by Python's `cryptography` and by Java's `keytool`.
@Suite("Interop with Python cryptography and keytool")
struct PythonAndJavaInteropTests {
    static let pythonReader = """
        import hashlib, json, os, sys
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
        data = open(sys.argv[1], "rb").read()
        key, cert, extra = pkcs12.load_key_and_certificates(data, os.environb[b"PFX_PASSWORD"])
        der = cert.public_bytes(serialization.Encoding.DER)
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        print(json.dumps({
            "thumbprint": hashlib.sha1(der).hexdigest().upper(),
            "keyMatches": key.public_key().public_bytes(serialization.Encoding.DER, spki) == cert.public_key().public_bytes(serialization.Encoding.DER, spki),
            "extra": len(extra),
        }))
        """

    struct PythonView: Decodable {
        var thumbprint: String
        var keyMatches: Bool
        var extra: Int
    }

    @Test("pkcs12.load_key_and_certificates reads both profiles; the key matches the certificate", arguments: PFXProfile.allCases)
    func pythonReads(profile: PFXProfile) throws {
        let folder = try TemporaryDirectory()
        let bundle = try makeTestBundle(["py.contoso.net"])
        try SecureFile.write(bundle.pfx(password: "pässwörd", profile: profile), to: folder.file("p.pfx"))
        try #require(FileManager.default.isExecutableFile(atPath: testPython), "no Python venv at \(testPython): run scripts/test.sh, which makes it")
        let result = try runProcess(testPython, ["-c", Self.pythonReader, folder.file("p.pfx")], environment: ["PFX_PASSWORD": "pässwörd"])
        try #require(result.status == 0, "\(result.standardError)")
        let view = try JSONDecoder().decode(PythonView.self, from: Data(result.standardOutput.utf8))
        #expect(view.thumbprint == bundle.thumbprint.description)
        #expect(view.keyMatches)
        #expect(view.extra == 0)
    }

    @Test("keytool lists exactly one key entry in each profile", arguments: PFXProfile.allCases)
    func keytoolReads(profile: PFXProfile) throws {
        let folder = try TemporaryDirectory()
        let bundle = try makeTestBundle(["java.contoso.net"])
        try SecureFile.write(bundle.pfx(password: "changeit", profile: profile), to: folder.file("j.pfx"))
        let result = try runProcess(
            "keytool", ["-list", "-storetype", "PKCS12", "-keystore", folder.file("j.pfx"), "-storepass:env", "PFX_PASSWORD"],
            environment: ["PFX_PASSWORD": "changeit"])
        try #require(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("Your keystore contains 1 entry"))
        #expect(result.standardOutput.components(separatedBy: "PrivateKeyEntry").count == 2)
        #expect(result.standardOutput.lowercased().contains("java.contoso.net"), "the friendly name is the alias")
    }
}
