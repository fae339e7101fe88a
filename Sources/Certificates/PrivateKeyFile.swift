import BoringSSLShims
import Crypto
import SwiftASN1
import _CryptoExtras

/// Reads a private key file to sign a certificate for: PEM PKCS#8 (`PRIVATE KEY`), encrypted
/// PKCS#8 (`ENCRYPTED PRIVATE KEY`, with a password), PKCS#1 (`RSA PRIVATE KEY`), SEC1
/// (`EC PRIVATE KEY`) and OpenSSH (`OPENSSH PRIVATE KEY`, as `ssh-keygen` writes `~/.ssh/id_rsa`).
public enum PrivateKeyFile {
    /// Key files larger than this are refused.
    public static let sizeLimit = 64 << 10

    /// The key in `bytes`; `password` is asked only for an encrypted PKCS#8 key.
    public static func read(_ bytes: [UInt8], password: () throws(CertificateError) -> String?) throws(CertificateError) -> CertificatePrivateKey {
        guard bytes.count <= sizeLimit else { throw .inputTooLarge(size: bytes.count, limit: sizeLimit) }
        let text = String(decoding: bytes, as: UTF8.self)
        // ssh-keygen writes 70-column base64, which PEM readers that want 64 columns refuse.
        if let body = openSSHBody(text) { return try OpenSSHPrivateKey.read(body) }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw .malformedPEM(reason: "the key file is not PEM (a BEGIN … PRIVATE KEY block)")
        }
        guard let document = documents.first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") }) else {
            throw .malformedPEM(reason: "the key file has no PRIVATE KEY block")
        }
        switch document.discriminator {
        case "PRIVATE KEY":
            return try CertificatePrivateKey(pkcs8: document.derBytes)
        case "ENCRYPTED PRIVATE KEY":
            return try CertificatePrivateKey(pkcs8: try decrypt(document.derBytes, password: password))
        case "RSA PRIVATE KEY":
            do {
                return .rsa(try _RSA.Signing.PrivateKey(derRepresentation: document.derBytes))
            } catch {
                throw .unsupportedKey(reason: "the RSA PRIVATE KEY block does not load: \(error)")
            }
        case "EC PRIVATE KEY":
            if let key = try? P256.Signing.PrivateKey(derRepresentation: document.derBytes) { return .p256(key) }
            if let key = try? P384.Signing.PrivateKey(derRepresentation: document.derBytes) { return .p384(key) }
            throw .unsupportedKey(reason: "the EC PRIVATE KEY is not on P-256 or P-384")
        default:
            throw .malformedPEM(reason: "a \"\(document.discriminator)\" block is not a key form Thumbprint reads")
        }
    }

    /// The decoded body of an `OPENSSH PRIVATE KEY` block, if the text holds one (empty when its
    /// base64 is damaged, which the OpenSSH reader then refuses).
    static func openSSHBody(_ text: String) -> [UInt8]? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: \.isWhitespace) }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----") }),
            let stop = lines[start...].firstIndex(where: { $0.hasPrefix("-----END OPENSSH PRIVATE KEY-----") })
        else { return nil }
        return base64Decoded(lines[(start + 1)..<stop].joined()) ?? []
    }

    /// Plain base64 (RFC 4648, padding optional); nil on any other character.
    static func base64Decoded(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 where character != UInt8(ascii: "=") && character != UInt8(ascii: " ") {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return bytes
    }

    /// Decrypts an EncryptedPrivateKeyInfo once its iteration count is within bounds.
    private static func decrypt(_ der: [UInt8], password: () throws(CertificateError) -> String?) throws(CertificateError) -> [UInt8] {
        let iterations = (try? DER.parse(der)).flatMap { node -> Int? in
            guard case .constructed(let children) = node.content, let algorithm = children.first(where: { _ in true }) else { return nil }
            return PFXProtection.iterations(algorithm)
        }
        if let iterations, iterations > PKCS12Reader.maximumIterations {
            throw .lockedKey(
                reason:
                    "the encrypted key asks for \(iterations) key-derivation iterations; at most \(PKCS12Reader.maximumIterations) are accepted (encrypt it again with the usual settings: openssl pkcs8 -topk8 -v2 aes-256-cbc)"
            )
        }
        guard let secret = try password() else { throw .passwordRequired }
        do {
            return try decryptPKCS8(der, password: secret)
        } catch .incorrectPassword {
            throw .lockedKey(reason: "the password given does not open the encrypted key")
        } catch {
            throw .unsupportedKey(reason: "the encrypted private key cannot be opened: \(error)")
        }
    }
}
