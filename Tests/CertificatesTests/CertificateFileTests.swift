import Certificates
import Foundation
import TestSupport
import Testing

@Suite("Reading certificate files")
struct CertificateFileTests {
    @Test("formats are told apart by their bytes")
    func detection() throws {
        let bundle = try makeTestBundle()
        #expect(try CertificateFile.detectFormat(bundle.pfx(password: "p")) == .pfx)
        #expect(try CertificateFile.detectFormat(bundle.cerBytes) == .der)
        #expect(try CertificateFile.detectFormat(Array(bundle.pem().utf8)) == .pem)
    }

    @Test("PEM with chain and key reads back; the key only when asked")
    func pem() throws {
        let factory = CertificateFactory()
        let authority = try factory.makeCertificate(CertificateRequest(dnsNames: [], isCertificateAuthority: true, commonName: "CA"))
        let leaf = try factory.makeCertificate(CertificateRequest(dnsNames: ["a.contoso.net"]), issuer: authority)
        let publicText = try leaf.pem()
        #expect(!publicText.contains("PRIVATE KEY"))
        let withKey = try leaf.pem(includingPrivateKey: true)
        #expect(withKey.contains("-----BEGIN PRIVATE KEY-----"))
        let read = try PEMReader.read(Array(withKey.utf8))
        #expect(read.thumbprint == leaf.thumbprint)
        #expect(read.chain.map(\.thumbprint) == [authority.thumbprint])
        #expect(read.privateKey != nil)
    }

    /// Bad inputs by name; the names keep the test log short (one is over 1 MiB).
    static let badInputs: [String: [UInt8]] = [
        "empty": [],
        "random": [0x17, 0x99, 0x42, 0x00, 0x13],
        "truncated DER": [0x30, 0x82, 0x05, 0x00, 0x02, 0x01],
        "wrong PEM label": Array("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8),
        "garbage in PEM": Array("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".utf8),
        "PEM without a certificate": Array("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n".utf8),
        "too large": [UInt8](repeating: 0x30, count: CertificateFile.sizeLimit + 1),
    ]

    @Test("bad input fails with a clear error, never a crash", arguments: badInputs.keys.sorted())
    func badInput(name: String) {
        let bytes = Self.badInputs[name] ?? []
        #expect(throws: CertificateError.self, "\(name)") { try CertificateFile.read(bytes) { nil } }
    }

    @Test("a truncated .pfx is reported as damaged, and a truncated certificate too")
    func truncated() throws {
        let bundle = try makeTestBundle()
        let pfx = try bundle.pfx(password: "p")
        #expect(throws: CertificateError.damagedDER) { try CertificateFile.read(Array(pfx.prefix(pfx.count / 2))) { "p" } }
        #expect(throws: CertificateError.damagedDER) { try CertificateFile.read(Array(bundle.cerBytes.dropLast(10))) { nil } }
    }

    @Test("a key in the file that belongs to another certificate is refused")
    func mismatchedKey() throws {
        let first = try makeTestBundle(["one.net"], key: .ecdsaP256)
        let second = try makeTestBundle(["two.net"], key: .ecdsaP256)
        let text = try first.pem() + (second.privateKey?.pkcs8PEM ?? "")
        #expect(throws: CertificateError.keyDoesNotMatchCertificate) { try PEMReader.read(Array(text.utf8)) }
    }

    @Test("files over 1 MiB are refused before they are read whole")
    func sizeLimitOnDisk() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("big.pfx")
        _ = FileManager.default.createFile(atPath: path, contents: Data(count: 2 << 20))
        #expect(throws: CertificateError.inFile(path, .inputTooLarge(size: 2 << 20, limit: CertificateFile.sizeLimit))) {
            try CertificateFile.read(path: path) { nil }
        }
    }
}
