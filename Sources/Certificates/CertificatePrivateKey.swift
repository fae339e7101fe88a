import Crypto
import SwiftASN1
import X509
import _CryptoExtras

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The private key that belongs to a certificate: RSA or ECDSA on P-256 or P-384.
public enum CertificatePrivateKey: Sendable {
    /// An RSA key (1024 bits or more, so that old keys can still be read and judged).
    case rsa(_RSA.Signing.PrivateKey)
    /// An ECDSA key on NIST P-256.
    case p256(P256.Signing.PrivateKey)
    /// An ECDSA key on NIST P-384.
    case p384(P384.Signing.PrivateKey)

    /// Makes a new key of the given kind.
    public init(generating algorithm: KeyAlgorithm) throws(CertificateError) {
        do {
            switch algorithm {
            case .rsa2048: self = .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            case .rsa3072: self = .rsa(try _RSA.Signing.PrivateKey(keySize: .bits3072))
            case .rsa4096: self = .rsa(try _RSA.Signing.PrivateKey(keySize: .bits4096))
            case .ecdsaP256: self = .p256(P256.Signing.PrivateKey())
            case .ecdsaP384: self = .p384(P384.Signing.PrivateKey())
            }
        } catch {
            throw .unsupportedKey(reason: "key generation failed: \(error)")
        }
    }

    /// The RSA modulus size in bits; nil for an ECDSA key.
    public var rsaKeySize: Int? {
        if case .rsa(let key) = self { return key.keySizeInBits }
        return nil
    }

    /// The kind of key this is, for making another like it: RSA sizes round up to the next
    /// size the toolkit makes (2048, 3072 or 4096 bits).
    public var keyAlgorithm: KeyAlgorithm {
        switch self {
        case .rsa(let key): key.keySizeInBits <= 2048 ? .rsa2048 : key.keySizeInBits <= 3072 ? .rsa3072 : .rsa4096
        case .p256: .ecdsaP256
        case .p384: .ecdsaP384
        }
    }

    /// Reads a DER PKCS#8 PrivateKeyInfo (RFC 5208).
    public init(pkcs8 der: [UInt8]) throws(CertificateError) {
        let algorithm: AlgorithmIdentifierOID
        do {
            algorithm = try DER.sequence(DER.parse(der), identifier: .sequence) { nodes in
                _ = try Int(derEncoded: &nodes)
                let identifier = try AlgorithmIdentifierOID(derEncoded: &nodes)
                while nodes.next() != nil {}
                return identifier
            }
        } catch {
            throw .unsupportedKey(reason: "the private key is not a PKCS#8 PrivateKeyInfo")
        }
        do {
            switch algorithm.oid {
            case .AlgorithmIdentifier.rsaEncryption:
                self = .rsa(try _RSA.Signing.PrivateKey(unsafeDERRepresentation: der))
            case .AlgorithmIdentifier.idEcPublicKey:
                let curve = try algorithm.parameters.map { try ASN1ObjectIdentifier(derEncoded: $0) }
                switch curve {
                case .NamedCurves.secp256r1?: self = .p256(try P256.Signing.PrivateKey(derRepresentation: der))
                case .NamedCurves.secp384r1?: self = .p384(try P384.Signing.PrivateKey(derRepresentation: der))
                default: throw CertificateError.unsupportedKey(reason: "the elliptic curve \(curve?.description ?? "(none)") is not P-256 or P-384")
                }
            default:
                throw CertificateError.unsupportedKey(reason: "the key algorithm \(algorithm.oid) is neither RSA nor ECDSA")
            }
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .unsupportedKey(reason: "the key cannot be decoded (\(error))")
        }
    }

    /// The key as a DER PKCS#8 PrivateKeyInfo, unencrypted.
    public var pkcs8: [UInt8] {
        switch self {
        case .rsa(let key): return Array(key.pkcs8DERRepresentation)
        case .p256(let key): return Array(key.derRepresentation)
        case .p384(let key): return Array(key.derRepresentation)
        }
    }

    /// The key as PEM ("PRIVATE KEY", PKCS#8, unencrypted).
    public var pkcs8PEM: String {
        PEMDocument(type: "PRIVATE KEY", derBytes: pkcs8).pemString
    }

    /// The public half, in the form X.509 certificates carry.
    public var certificatePublicKey: Certificate.PublicKey {
        switch self {
        case .rsa(let key): return Certificate.PublicKey(key.publicKey)
        case .p256(let key): return Certificate.PublicKey(key.publicKey)
        case .p384(let key): return Certificate.PublicKey(key.publicKey)
        }
    }

    /// The key in the form swift-certificates signs with.
    public var signingKey: Certificate.PrivateKey {
        switch self {
        case .rsa(let key): return Certificate.PrivateKey(key)
        case .p256(let key): return Certificate.PrivateKey(key)
        case .p384(let key): return Certificate.PrivateKey(key)
        }
    }

    /// The signature algorithm a certificate signed by this key uses.
    public var signatureAlgorithm: Certificate.SignatureAlgorithm {
        switch self {
        case .rsa: return .sha256WithRSAEncryption
        case .p256: return .ecdsaWithSHA256
        case .p384: return .ecdsaWithSHA384
        }
    }

    /// The subjectPublicKey bits a certificate for this key carries, for matching key to certificate.
    var publicKeyBytes: [UInt8] {
        switch self {
        case .rsa(let key): return Array(key.publicKey.pkcs1DERRepresentation)
        case .p256(let key): return Array(key.publicKey.x963Representation)
        case .p384(let key): return Array(key.publicKey.x963Representation)
        }
    }

    /// Whether this key is the private half of the certificate's public key.
    public func matches(_ certificate: CertificateDetails) -> Bool {
        publicKeyBytes == certificate.publicKey.keyBytes
    }
}

/// The kinds of key `thumbprint cert new` makes.
public enum KeyAlgorithm: String, Sendable, CaseIterable, Codable {
    case rsa2048 = "rsa-2048"
    case rsa3072 = "rsa-3072"
    case rsa4096 = "rsa-4096"
    case ecdsaP256 = "ecdsa-p256"
    case ecdsaP384 = "ecdsa-p384"
}
