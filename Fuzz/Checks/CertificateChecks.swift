import Certificates

/// The certificate parsers' promises.
enum CertificateChecks {
    /// The fuzz bound on key-derivation iterations: a second at most per input, even under ASan.
    static let fuzzIterations = 20_000

    static func pkcs12(_ bytes: [UInt8]) throws(FuzzViolation) {
        // Empty, and the password of the Windows PFX in the seeds (the Python client suite's).
        for password in ["", "Python"] {
            guard let bundle = try? PKCS12Reader.read(bytes, password: password, maximumIterations: fuzzIterations) else { continue }
            guard bundle.privateKey != nil else { continue }
            let written: [UInt8]
            do {
                written = try PKCS12Writer.encode(bundle, password: password, profile: .modern)
            } catch {
                throw FuzzViolation("a PFX that opens is written back", "\(error)")
            }
            let again: CertificateBundle
            do {
                again = try PKCS12Reader.read(written, password: password)
            } catch {
                throw FuzzViolation("a PFX written back opens", "\(error)")
            }
            try same(bundle, again, "PFX")
        }
    }

    static func der(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let details = try? CertificateDetails(der: bytes) else { return }
        // Everything `show` and `check` print must be computable for any certificate that reads.
        _ = (
            details.subject.description, details.issuer.description, details.dnsNames, details.ipAddresses, details.isSelfSigned, details.serialNumberHex,
            details.keyUsage
        )
        guard let again = try? CertificateDetails(der: details.der), again == details else {
            throw FuzzViolation("a certificate's DER reads back as the same certificate")
        }
        guard details.thumbprint == Thumbprint(certificateDER: bytes.prefix(details.der.count)) else {
            throw FuzzViolation("the thumbprint is the SHA-1 of the certificate's bytes")
        }
    }

    static func pem(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let bundle = try? PEMReader.read(bytes) else { return }
        let text: String
        do {
            text = try bundle.pem(includingPrivateKey: bundle.privateKey != nil)
        } catch {
            throw FuzzViolation("a PEM bundle that reads is written back", "\(error)")
        }
        let again: CertificateBundle
        do {
            again = try PEMReader.read(Array(text.utf8))
        } catch {
            throw FuzzViolation("a PEM bundle written back reads", "\(error)")
        }
        try same(bundle, again, "PEM")
    }

    static func privateKey(_ bytes: [UInt8]) throws(FuzzViolation) {
        // No password: an encrypted key is refused before any key derivation.
        guard let key = try? PrivateKeyFile.read(bytes, password: { nil }) else { return }
        let again: CertificatePrivateKey
        do {
            again = try CertificatePrivateKey(pkcs8: key.pkcs8)
        } catch {
            throw FuzzViolation("a key that reads is written as PKCS#8 that reads", "\(error)")
        }
        guard again.pkcs8 == key.pkcs8 else { throw FuzzViolation("a key's PKCS#8 reads back as the same key") }
    }

    static func thumbprint(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let parsed = try? Thumbprint.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        for text in [parsed.thumbprint.description, parsed.thumbprint.description.lowercased()] {
            guard let again = try? Thumbprint.parse(text), again.thumbprint == parsed.thumbprint, !again.removedInvisibleCharacters else {
                throw FuzzViolation("a thumbprint formatted parses back the same", text)
            }
        }
    }

    private static func same(_ first: CertificateBundle, _ second: CertificateBundle, _ format: String) throws(FuzzViolation) {
        guard first.certificate.der == second.certificate.der else { throw FuzzViolation("\(format) written back holds the same certificate") }
        guard first.privateKey?.pkcs8 == second.privateKey?.pkcs8 else { throw FuzzViolation("\(format) written back holds the same key") }
        guard Set(first.chain.map(\.der)) == Set(second.chain.map(\.der)) else { throw FuzzViolation("\(format) written back holds the same chain") }
    }
}
