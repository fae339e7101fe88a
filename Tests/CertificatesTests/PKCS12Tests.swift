import BoringSSLShims
import Certificates
import Foundation
import TestSupport
import Testing

@Suite("PKCS#12 read and write")
struct PKCS12Tests {
    @Test("a written .pfx reads back with the same certificate and key", arguments: PFXProfile.allCases)
    func roundTrip(profile: PFXProfile) throws {
        let bundle = try makeTestBundle()
        let pfx = try bundle.pfx(password: "pässwörd", profile: profile)
        let read = try PKCS12Reader.read(pfx, password: "pässwörd")
        #expect(read.thumbprint == bundle.thumbprint)
        #expect(read.privateKey?.pkcs8 == bundle.privateKey?.pkcs8)
        #expect(read.chain.isEmpty)
    }

    @Test("each profile uses the ciphers and MAC it promises")
    func profilesProtection() throws {
        let bundle = try makeTestBundle()
        let modern = PFXProtection(pfx: try bundle.pfx(password: "x", profile: .modern))
        #expect(modern.keyCipher == .aes && modern.certificateCipher == .aes && modern.macDigest == "SHA-256")
        let legacy = PFXProtection(pfx: try bundle.pfx(password: "x", profile: .legacy))
        #expect(legacy.keyCipher == .tripleDES && legacy.certificateCipher == .tripleDES && legacy.macDigest == "SHA-1")
        #expect(!legacy.usesAES)
    }

    @Test("an ECDSA key and a CA chain survive the round trip")
    func chainAndECDSA() throws {
        let factory = CertificateFactory()
        let authority = try factory.makeCertificate(
            CertificateRequest(dnsNames: [], keyAlgorithm: .ecdsaP384, isCertificateAuthority: true, commonName: "Test CA"))
        let leaf = try factory.makeCertificate(CertificateRequest(dnsNames: ["api.contoso.net"], keyAlgorithm: .ecdsaP256), issuer: authority)
        #expect(leaf.chain.map(\.thumbprint) == [authority.thumbprint])
        let read = try PKCS12Reader.read(try leaf.pfx(password: "p"), password: "p")
        #expect(read.thumbprint == leaf.thumbprint)
        #expect(read.chain.map(\.thumbprint) == [authority.thumbprint])
        #expect(read.certificate.publicKey.algorithmName == "ecdsa-p256")
    }

    @Test("a wrong password says the password is incorrect")
    func wrongPassword() throws {
        let pfx = try makeTestBundle().pfx(password: "right")
        #expect(throws: CertificateError.incorrectPassword) { try PKCS12Reader.read(pfx, password: "wrong") }
        #expect(throws: CertificateError.passwordRequired) { try PKCS12Reader.read(pfx, password: "") }
        #expect(CertificateError.incorrectPassword.description.contains("password is incorrect"))
    }

    @Test("a flipped byte fails the MAC before anything is trusted")
    func tamperedFile() throws {
        var pfx = try makeTestBundle().pfx(password: "p", profile: .legacy)
        pfx[pfx.count / 2] ^= 0xFF
        #expect(throws: CertificateError.self) { try PKCS12Reader.read(pfx, password: "p") }
    }

    @Test("an empty password is written and read as OpenSSL does")
    func emptyPassword() throws {
        let bundle = try makeTestBundle()
        let read = try PKCS12Reader.read(try bundle.pfx(password: ""), password: "")
        #expect(read.thumbprint == bundle.thumbprint)
    }

    @Test("the Windows-exported PFX of the Azure SDK suite reads: RC2/3DES, negative serial, OIW sha1RSA")
    func windowsPFX() throws {
        let pfx = try Fixtures.windowsServicePFX()
        let bundle = try PKCS12Reader.read(pfx, password: "Python")
        #expect(bundle.thumbprint.description == "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2")
        #expect(bundle.privateKey != nil)
        #expect(bundle.certificate.serialNumber.first.map { $0 & 0x80 != 0 } == true, "the serial number is negative")
        #expect(bundle.certificate.signatureAlgorithm.oid.description == "1.3.14.3.2.29")
        #expect(bundle.certificate.signatureAlgorithm.usesWeakDigest)
        let protection = PFXProtection(pfx: pfx)
        #expect(protection.keyCipher == .tripleDES && protection.certificateCipher == .rc2 && protection.macDigest == "SHA-1")
        #expect(throws: CertificateError.incorrectPassword) { try PKCS12Reader.read(pfx, password: "python") }
    }

    @Test("a .pfx without a private key can be read, and writing one without a key is refused")
    func noKey() throws {
        let publicOnly = try makeTestBundle().publicOnly
        #expect(throws: CertificateError.missingPrivateKey) { try publicOnly.pfx(password: "p") }
    }

    @Test("BoringSSL's own PKCS#12 code opens the legacy profile, whose 3DES key comes from our RFC 7292 derivation")
    func boringSSLReadsLegacy() throws {
        let bundle = try makeTestBundle()
        let decoded = try decodePKCS12(try bundle.pfx(password: "smeg", profile: .legacy), password: "smeg")
        #expect(decoded.certificates == [bundle.certificate.der])
        #expect(decoded.privateKeyPKCS8 != nil)
    }
}
