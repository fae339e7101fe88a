import Certificates
import PropertyBased
import TestSupport
import Testing

/// The round trips we own, over generated inputs: what we write, we read back the same.
@Suite("Round trips over generated inputs")
struct RoundTripPropertyTests {
    /// Keys are slow to make, so a few bundles are made once: RSA and P-256 leaves, one with its CA.
    static let bundles: [CertificateBundle] = {
        do {
            let authority = try CertificateFactory().makeCertificate(
                CertificateRequest(dnsNames: ["property-ca"], keyAlgorithm: .ecdsaP256, isCertificateAuthority: true))
            return [
                try makeTestBundle(["rsa.property.example"], key: .rsa2048),
                try makeTestBundle(["p256.property.example"], key: .ecdsaP256),
                try CertificateFactory().makeCertificate(
                    CertificateRequest(dnsNames: ["signed.property.example"], keyAlgorithm: .ecdsaP256), issuer: authority),
            ]
        } catch {
            fatalError("test certificates could not be made: \(error)")
        }
    }()

    /// Passwords as people type them: empty, ASCII, accented and non-Latin letters, symbols.
    static let passwords = Gen.character(in: " "..."\u{2FFF}").string(of: 0...24)

    @Test("PKCS#12: any password, either profile, any of the bundles: written, it reads back the same certificate, key and chain")
    func pkcs12() async {
        await propertyCheck(
            count: 40, input: Self.passwords, Gen<PFXProfile>.case, Gen.int(in: 0...(Self.bundles.count - 1))
        ) { password, profile, index in
            let bundle = Self.bundles[index]
            let pfx = try PKCS12Writer.encode(bundle, password: password, profile: profile, friendlyName: password.isEmpty ? nil : password)
            let read = try PKCS12Reader.read(pfx, password: password)
            #expect(read.certificate.der == bundle.certificate.der)
            #expect(read.privateKey?.pkcs8 == bundle.privateKey?.pkcs8)
            #expect(read.chain.map(\.der) == bundle.chain.map(\.der))
            #expect(throws: CertificateError.self, "another password does not open it") {
                _ = try PKCS12Reader.read(pfx, password: password + "x")
            }
        }
    }

    /// How a thumbprint is shown: in either case, its bytes separated by nothing, spaces or
    /// colons, perhaps with the invisible mark certificate dialogs copy along.
    static let layouts = zip(Gen.bool, Gen<String?>.element(of: ["", " ", ":", "-"]), Gen.bool)

    @Test("thumbprints: any 20 bytes, written in any layout people paste, parse back to the same bytes")
    func thumbprint() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 20), Self.layouts) { bytes, layout in
            let thumbprint = try #require(Thumbprint(bytes: bytes))
            let (lowercase, separator, marked) = layout
            let pairs = stride(from: 0, to: 40, by: 2).map { offset in
                let digits = thumbprint.description.dropFirst(offset).prefix(2)
                return lowercase ? digits.lowercased() : String(digits)
            }
            let text = (marked ? "\u{200E}" : "") + pairs.joined(separator: separator ?? "")
            let parsed = try Thumbprint.parse(text)
            #expect(parsed.thumbprint == thumbprint)
            #expect(parsed.removedInvisibleCharacters == marked)
            #expect(try Thumbprint.parse(thumbprint.description).thumbprint == thumbprint, "its own form parses too")
        }
    }
}
