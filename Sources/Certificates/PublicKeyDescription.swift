import SwiftASN1

/// A subject public key as the requirement rules see it: its algorithm and size.
public struct PublicKeyDescription: Sendable, Hashable {
    /// The kinds of key a certificate can carry.
    public enum Algorithm: Sendable, Hashable {
        /// RSA with a modulus of `bits` bits.
        case rsa(bits: Int)
        /// ECDSA on a named curve.
        case ecdsa(NamedCurve)
        /// Anything else, by its OID.
        case other(oid: String)
    }

    /// The elliptic curves certificates use.
    public enum NamedCurve: String, Sendable, Hashable {
        case p256 = "ecdsa-p256"
        case p384 = "ecdsa-p384"
        case p521 = "ecdsa-p521"
        case other = "ecdsa"
    }

    /// The key's algorithm and size.
    public let algorithm: Algorithm
    /// The subjectPublicKey bits: PKCS#1 RSAPublicKey for RSA, the X9.63 point for ECDSA.
    public let keyBytes: [UInt8]

    /// The short name used in `show --json`: `rsa`, `ecdsa-p256`, `ecdsa-p384`.
    public var algorithmName: String {
        switch algorithm {
        case .rsa: return "rsa"
        case .ecdsa(let curve): return curve.rawValue
        case .other(let oid): return oid
        }
    }

    /// The key size in bits: the modulus for RSA, the field size for ECDSA.
    public var sizeInBits: Int? {
        switch algorithm {
        case .rsa(let bits): return bits
        case .ecdsa(.p256): return 256
        case .ecdsa(.p384): return 384
        case .ecdsa(.p521): return 521
        case .ecdsa(.other), .other: return nil
        }
    }

    init(algorithm: Algorithm, keyBytes: [UInt8]) {
        self.algorithm = algorithm
        self.keyBytes = keyBytes
    }

    /// Reads a SubjectPublicKeyInfo.
    init(spki node: ASN1Node) throws {
        let (identifier, bits) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try AlgorithmIdentifierOID(derEncoded: &nodes), try ASN1BitString(derEncoded: &nodes))
        }
        let keyBytes = Array(bits.bytes)
        switch identifier.oid {
        case .AlgorithmIdentifier.rsaEncryption:
            let modulus = try DER.sequence(DER.parse(keyBytes), identifier: .sequence) { nodes -> ArraySlice<UInt8> in
                guard let node = nodes.next(), case .primitive(let modulus) = node.content else {
                    throw CertificateError.malformedCertificate(reason: "the RSA public key has no modulus")
                }
                _ = nodes.next()
                return modulus
            }
            let significant = modulus.drop { $0 == 0 }
            let bitCount = significant.first.map { (significant.count - 1) * 8 + (8 - $0.leadingZeroBitCount) } ?? 0
            self.init(algorithm: .rsa(bits: bitCount), keyBytes: keyBytes)
        case .AlgorithmIdentifier.idEcPublicKey:
            var curve = NamedCurve.other
            if let parameters = identifier.parameters, let oid = try? ASN1ObjectIdentifier(derEncoded: parameters) {
                switch oid {
                case .NamedCurves.secp256r1: curve = .p256
                case .NamedCurves.secp384r1: curve = .p384
                case .NamedCurves.secp521r1: curve = .p521
                default: curve = .other
                }
            }
            self.init(algorithm: .ecdsa(curve), keyBytes: keyBytes)
        default:
            self.init(algorithm: .other(oid: identifier.oid.description), keyBytes: keyBytes)
        }
    }
}

extension ASN1ObjectIdentifier.AlgorithmIdentifier {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
}
