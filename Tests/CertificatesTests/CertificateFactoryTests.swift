import Certificates
import Foundation
import TestSupport
import Testing
import X509

@Suite("Making certificates")
struct CertificateFactoryTests {
    @Test("cert new's certificate: v3, CN = first name, every name in the SAN, key exchange, server and client auth")
    func serverCertificate() throws {
        let fixedNow = Date(timeIntervalSince1970: 1_800_000_000)
        let bundle = try CertificateFactory(now: { fixedNow })
            .makeCertificate(CertificateRequest(dnsNames: ["contoso.net", "www.contoso.net"], validDays: 30))
        let certificate = bundle.certificate
        #expect(certificate.version == 3)
        #expect(certificate.commonName == "contoso.net")
        #expect(certificate.dnsNames == ["contoso.net", "www.contoso.net"])
        #expect(certificate.keyUsage?.digitalSignature == true && certificate.keyUsage?.keyEncipherment == true)
        #expect(certificate.extendedKeyUsage.map { Array($0) } == [.serverAuth, .clientAuth])
        #expect(certificate.rawExtension(.X509ExtensionID.subjectKeyIdentifier) != nil)
        #expect(certificate.signatureAlgorithm.description == "sha256WithRSAEncryption")
        #expect(certificate.publicKey.algorithm == .rsa(bits: 2048))
        #expect(certificate.notAfter == fixedNow.addingTimeInterval(30 * 86_400))
        #expect(certificate.isValid(at: fixedNow))
        #expect(certificate.isSelfSigned)
        // A 128-bit random serial, positive: at most 17 bytes with a leading zero, top bit clear.
        #expect((16...17).contains(certificate.serialNumber.count))
        #expect(certificate.serialNumber[0] & 0x80 == 0)
        #expect(bundle.privateKey?.matches(certificate) == true)
    }

    @Test("every key kind", arguments: KeyAlgorithm.allCases)
    func keyKinds(algorithm: KeyAlgorithm) throws {
        let bundle = try makeTestBundle(["k.contoso.net"], key: algorithm)
        let expected: [KeyAlgorithm: (String, Int)] = [
            .rsa2048: ("rsa", 2048), .rsa3072: ("rsa", 3072), .rsa4096: ("rsa", 4096),
            .ecdsaP256: ("ecdsa-p256", 256), .ecdsaP384: ("ecdsa-p384", 384),
        ]
        #expect(bundle.certificate.publicKey.algorithmName == expected[algorithm]?.0)
        #expect(bundle.certificate.publicKey.sizeInBits == expected[algorithm]?.1)
    }

    @Test("a CA-signed certificate names its issuer and links the key identifiers")
    func caSigned() throws {
        let factory = CertificateFactory()
        let authority = try factory.makeCertificate(CertificateRequest(dnsNames: [], isCertificateAuthority: true, commonName: "Thumbprint Test CA"))
        let leaf = try factory.makeCertificate(CertificateRequest(dnsNames: ["svc.contoso.net"], ipAddresses: [[127, 0, 0, 1]]), issuer: authority)
        #expect(leaf.certificate.issuer == authority.certificate.subject)
        #expect(!leaf.certificate.isSelfSigned)
        #expect(authority.certificate.isSelfSigned)
        #expect(leaf.certificate.rawExtension(.X509ExtensionID.authorityKeyIdentifier) != nil)
        // The signature verifies under the CA's key (checked by swift-certificates' own parser).
        let parsed = try Certificate(derEncoded: leaf.certificate.der)
        let issuer = try Certificate(derEncoded: authority.certificate.der)
        #expect(issuer.publicKey.isValidSignature(parsed.signature, for: parsed))
    }

    @Test("bad requests are refused with the option to fix")
    func badRequests() {
        let factory = CertificateFactory()
        #expect(throws: Certificates.CertificateError.self) { _ = try factory.makeCertificate(CertificateRequest(dnsNames: [])) }
        #expect(throws: Certificates.CertificateError.self) { _ = try factory.makeCertificate(CertificateRequest(dnsNames: ["bad name"])) }
        #expect(throws: Certificates.CertificateError.self) { _ = try factory.makeCertificate(CertificateRequest(dnsNames: ["a.net"], validDays: 0)) }
    }
}
