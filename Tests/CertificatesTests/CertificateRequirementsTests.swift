import Certificates
import Crypto
import Foundation
import SwiftASN1
import TestSupport
import Testing
import X509
import _CryptoExtras

@Suite("The rules of cloud-service certificates")
struct CertificateRequirementsTests {
    private func status(_ rule: String, in results: [RequirementResult]) -> RequirementResult.Status? {
        results.first { $0.rule == rule }?.status
    }

    private func pfxFile(_ bundle: CertificateBundle, profile: PFXProfile = .legacy) throws -> CertificateFile {
        try CertificateFile.read(bundle.pfx(password: "p", profile: profile)) { "p" }
    }

    @Test("a fresh legacy .pfx from cert new passes every service rule for its own domain")
    func goodServiceCertificate() throws {
        let results = CertificateRequirements(purpose: .service, domain: "www.contoso.net")
            .check(try pfxFile(makeTestBundle(["www.contoso.net"])))
        #expect(results.allSatisfy { $0.status == .pass }, "\(results)")
    }

    @Test("domain: exact and wildcard names match one label, nothing else")
    func domainMatching() {
        #expect(CertificateRequirements.name("www.contoso.net", matches: "WWW.contoso.net."))
        #expect(CertificateRequirements.name("*.contoso.net", matches: "api.contoso.net"))
        #expect(!CertificateRequirements.name("*.contoso.net", matches: "contoso.net"))
        #expect(!CertificateRequirements.name("*.contoso.net", matches: "a.b.contoso.net"))
        #expect(!CertificateRequirements.name("contoso.net", matches: "evilcontoso.net"))
    }

    @Test("a name the certificate does not cover fails with the command that fixes it")
    func domainMismatch() throws {
        let results = CertificateRequirements(purpose: .service, domain: "shop.fabrikam.com").check(try pfxFile(makeTestBundle(["*.contoso.net"])))
        let rule = try #require(results.first { $0.rule == "domain" })
        #expect(rule.status == .fail)
        #expect(rule.fix?.contains("--dns-name shop.fabrikam.com") == true)
    }

    @Test("a cloudapp.net name fails, with or without --domain", arguments: [nil, "myservice.cloudapp.net"])
    func platformNames(domain: String?) throws {
        let file = try pfxFile(makeTestBundle(["myservice.cloudapp.net"]))
        let results = CertificateRequirements(purpose: .service, domain: domain).check(file)
        #expect(status("platform-name", in: results) == .fail)
    }

    @Test("--domain under cloudapp.net fails even when the certificate is for another name")
    func platformDomainGiven() throws {
        let results = CertificateRequirements(purpose: .service, domain: "svc.cloudapp.net").check(try pfxFile(makeTestBundle(["www.contoso.net"])))
        #expect(status("platform-name", in: results) == .fail)
    }

    @Test("an AES-encrypted .pfx is a warning that names the legacy profile")
    func aesWarning() throws {
        let results = CertificateRequirements(purpose: .service).check(try pfxFile(makeTestBundle(), profile: .modern))
        let rule = try #require(results.first { $0.rule == "pfx-encryption" })
        #expect(rule.status == .warn)
        #expect(rule.fix?.contains("--pfx-profile legacy") == true)
    }

    @Test("ECDSA is reported as not accepted, and cannot do key exchange")
    func ecdsa() throws {
        let results = CertificateRequirements(purpose: .service).check(try pfxFile(makeTestBundle(key: .ecdsaP256)))
        #expect(status("rsa-key", in: results) == .fail)
        #expect(status("key-exchange", in: results) == .fail)
    }

    @Test("an RSA key under 2048 bits fails")
    func smallKey() throws {
        let key = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let bundle = try CertificateFactory().makeCertificate(CertificateRequest(dnsNames: ["old.contoso.net"]), key: .rsa(key))
        let results = CertificateRequirements(purpose: .service).check(try pfxFile(bundle))
        let rule = try #require(results.first { $0.rule == "rsa-key" })
        #expect(rule.status == .fail)
        #expect(rule.message.contains("1024"))
    }

    @Test("a service certificate without its private key fails; a management one passes without it")
    func privateKey() throws {
        let bundle = try makeTestBundle()
        let cer = try CertificateFile.read(bundle.cerBytes) { nil }
        #expect(status("private-key", in: CertificateRequirements(purpose: .service).check(cer)) == .fail)
        #expect(status("public-certificate", in: CertificateRequirements(purpose: .management).check(cer)) == .pass)
        #expect(status("public-certificate", in: CertificateRequirements(purpose: .management).check(try pfxFile(bundle))) == .warn)
    }

    @Test("expired and not-yet-valid certificates fail")
    func validity() throws {
        let bundle = try makeTestBundle()
        let file = try pfxFile(bundle)
        let later = CertificateRequirements(purpose: .management, now: bundle.certificate.notAfter.addingTimeInterval(1))
        #expect(status("validity", in: later.check(file)) == .fail)
        let earlier = CertificateRequirements(purpose: .management, now: bundle.certificate.notBefore.addingTimeInterval(-1))
        #expect(status("validity", in: earlier.check(file)) == .fail)
    }

    @Test("the makecert-era management certificate: SHA-1 is a warning, not a failure")
    func oldManagementCertificate() throws {
        let file = try CertificateFile.read(Fixtures.managementCertificate()) { nil }
        let results = CertificateRequirements(purpose: .management).check(file)
        #expect(status("signature", in: results) == .warn)
        #expect(!results.contains { $0.status == .fail })
    }

    @Test("a key usage without key encipherment fails key exchange")
    func keyUsageWithoutKeyExchange() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("sign-only.contoso.net") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions { KeyUsage(digitalSignature: true) },
            issuerPrivateKey: .init(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let details = try CertificateDetails(der: serializer.serializedBytes)
        let bundle = try CertificateBundle(certificate: details, privateKey: .rsa(key))
        let results = CertificateRequirements(purpose: .service).check(try pfxFile(bundle))
        #expect(status("key-exchange", in: results) == .fail)
    }

    @Test("an X.509 v1 certificate fails the version rule")
    func versionOne() throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("v1.contoso.net") }
        let certificate = try Certificate(
            version: .v1, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions(), issuerPrivateKey: .init(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let file = try CertificateFile.read(serializer.serializedBytes) { nil }
        #expect(file.bundle.certificate.version == 1)
        #expect(status("x509-version", in: CertificateRequirements(purpose: .management).check(file)) == .fail)
    }
}
