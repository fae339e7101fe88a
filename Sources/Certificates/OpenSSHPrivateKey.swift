import Crypto
import _CryptoExtras

/// Reads the private key of an OpenSSH key file (`-----BEGIN OPENSSH PRIVATE KEY-----`, the
/// `openssh-key-v1` format `ssh-keygen` writes): RSA and ECDSA on P-256 or P-384, without a
/// passphrase. Ed25519 keys and passphrase-protected files are refused, saying what to do.
enum OpenSSHPrivateKey {
    /// The key in the base64-decoded body of the block.
    static func read(_ body: [UInt8]) throws(CertificateError) -> CertificatePrivateKey {
        var reader = Reader(bytes: body)
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard body.starts(with: magic) else { throw malformed("it does not start with openssh-key-v1") }
        reader.position = magic.count
        let cipher = String(decoding: try reader.string(), as: UTF8.self)
        _ = try reader.string()  // KDF name
        _ = try reader.string()  // KDF options
        guard cipher == "none" else {
            throw .lockedKey(
                reason:
                    "the OpenSSH key is protected by a passphrase (\(cipher)); write an unprotected PKCS#8 copy with `cp KEY copy && ssh-keygen -p -m PKCS8 -N '' -f copy` and use that"
            )
        }
        guard try reader.uint32() == 1 else { throw malformed("it holds more than one key") }
        _ = try reader.string()  // the public key
        var secret = Reader(bytes: try reader.string())
        guard try secret.uint32() == (try secret.uint32()) else { throw malformed("its check numbers differ") }
        let type = String(decoding: try secret.string(), as: UTF8.self)
        do {
            switch type {
            case "ssh-rsa":
                let n = try secret.mpint()
                let e = try secret.mpint()
                let d = try secret.mpint()
                _ = try secret.mpint()  // iqmp
                let p = try secret.mpint()
                let q = try secret.mpint()
                return .rsa(try _RSA.Signing.PrivateKey(n: n, e: e, d: d, p: p, q: q))
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384":
                _ = try secret.string()  // curve name
                _ = try secret.string()  // public point
                let scalar = try secret.mpint()
                if type.hasSuffix("256") { return .p256(try P256.Signing.PrivateKey(rawRepresentation: padded(scalar, to: 32))) }
                return .p384(try P384.Signing.PrivateKey(rawRepresentation: padded(scalar, to: 48)))
            default:
                throw CertificateError.unsupportedKey(
                    reason: "the OpenSSH key is \(type); X.509 certificates here take RSA (2048 bits or more) or ECDSA P-256/P-384 keys")
            }
        } catch let error as CertificateError {
            throw error
        } catch {
            throw malformed("its \(type) key does not load: \(error)")
        }
    }

    private static func malformed(_ reason: String) -> CertificateError {
        .unsupportedKey(reason: "the OpenSSH private key cannot be read: \(reason)")
    }

    private static func padded(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.count >= length ? Array(bytes.suffix(length)) : [UInt8](repeating: 0, count: length - bytes.count) + bytes
    }

    /// SSH wire format: big-endian uint32 lengths before strings and mpints.
    private struct Reader {
        var bytes: [UInt8]
        var position = 0

        mutating func uint32() throws(CertificateError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw malformed("it ends early") }
            defer { position += 4 }
            return bytes[position..<position + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func string() throws(CertificateError) -> [UInt8] {
            let length = Int(try uint32())
            guard length <= bytes.count - position else { throw malformed("a field is longer than the file") }
            defer { position += length }
            return Array(bytes[position..<position + length])
        }

        /// An unsigned big integer, without the sign byte.
        mutating func mpint() throws(CertificateError) -> [UInt8] {
            let value = try string()
            return Array(value.drop { $0 == 0 })
        }
    }
}
