import BoringSSLShims
import Crypto
import SwiftASN1
import _CryptoExtras

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes PKCS#12 (.pfx) files: one private key with its certificate and chain.
///
/// The layout follows OpenSSL 3: certificates in an encryptedData content, the key in a
/// pkcs8ShroudedKeyBag inside a data content, friendlyName and localKeyId (the certificate's
/// SHA-1) on both the key and its certificate, and a MAC over the whole.
public enum PKCS12Writer {
    /// PBKDF2 and MAC iterations: OpenSSL 3's default.
    static let iterations = 2048

    /// Encodes `bundle` (which must hold a private key) as a .pfx protected by `password`.
    public static func encode(
        _ bundle: CertificateBundle, password: String, profile: PFXProfile, friendlyName: String? = nil
    ) throws(CertificateError) -> [UInt8] {
        guard let key = bundle.privateKey else { throw .missingPrivateKey }
        do {
            let localKeyID = bundle.thumbprint.bytes
            let name = friendlyName ?? bundle.certificate.commonName
            let attributes = BagAttributes(friendlyName: name, localKeyID: localKeyID)

            var certificateBags: [[UInt8]] = [try certificateBag(bundle.certificate.der, attributes: attributes)]
            for issuer in bundle.chain {
                certificateBags.append(try certificateBag(issuer.der, attributes: nil))
            }
            let certificateContents = try sequence(of: certificateBags)

            let (keyAlgorithm, encryptedKey) = try encrypt(key.pkcs8, password: password, profile: profile)
            let shroudedKey = try encode { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(ASN1Any(derEncoded: DER.parse(keyAlgorithm)))
                    try s.serialize(ASN1OctetString(contentBytes: encryptedKey[...]))
                }
            }
            let keyContents = try sequence(of: [try safeBag(PKCS12OID.shroudedKeyBag, value: shroudedKey, attributes: attributes)])

            let (certificateAlgorithm, encryptedCertificates) = try encrypt(certificateContents, password: password, profile: profile)
            let authenticatedSafe = try sequence(of: [
                try encryptedDataContentInfo(algorithm: certificateAlgorithm, encrypted: encryptedCertificates),
                try dataContentInfo(keyContents),
            ])
            let macData = try mac(over: authenticatedSafe, password: password, profile: profile)
            return try encode { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(3)
                    try s.serializeRaw(dataContentInfo(authenticatedSafe))
                    try s.serializeRaw(macData)
                }
            }
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .malformedPFX(reason: "could not be written: \(error)")
        }
    }

    // MARK: Bags

    struct BagAttributes {
        var friendlyName: String?
        var localKeyID: [UInt8]
    }

    private static func certificateBag(_ der: [UInt8], attributes: BagAttributes?) throws -> [UInt8] {
        let value = try encode { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.x509Certificate))
                try s.appendConstructedNode(identifier: .contextSpecific(0)) { s in
                    try s.serialize(ASN1OctetString(contentBytes: der[...]))
                }
            }
        }
        return try safeBag(PKCS12OID.certBag, value: value, attributes: attributes)
    }

    private static func safeBag(_ type: [UInt], value: [UInt8], attributes: BagAttributes?) throws -> [UInt8] {
        try encode { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(ASN1ObjectIdentifier(elements: type))
                try s.appendConstructedNode(identifier: .contextSpecific(0)) { s in try s.serializeRaw(value) }
                guard let attributes else { return }
                try s.appendConstructedNode(identifier: .set) { s in
                    if let name = attributes.friendlyName {
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.friendlyName))
                            s.appendConstructedNode(identifier: .set) { s in
                                s.appendPrimitiveNode(identifier: .bmpString) { bytes in
                                    bytes.append(contentsOf: PKCS12KeyDerivation.bmpPassword(name).dropLast(2))
                                }
                            }
                        }
                    }
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.localKeyID))
                        try s.appendConstructedNode(identifier: .set) { s in
                            try s.serialize(ASN1OctetString(contentBytes: attributes.localKeyID[...]))
                        }
                    }
                }
            }
        }
    }

    private static func dataContentInfo(_ content: [UInt8]) throws -> [UInt8] {
        try encode { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.data))
                try s.appendConstructedNode(identifier: .contextSpecific(0)) { s in
                    try s.serialize(ASN1OctetString(contentBytes: content[...]))
                }
            }
        }
    }

    private static func encryptedDataContentInfo(algorithm: [UInt8], encrypted: [UInt8]) throws -> [UInt8] {
        try encode { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.encryptedData))
                try s.appendConstructedNode(identifier: .contextSpecific(0)) { s in
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(0)
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.data))
                            try s.serializeRaw(algorithm)
                            s.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) {
                                $0.append(contentsOf: encrypted)
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Encryption and MAC

    /// Encrypts `plaintext` as the profile says; returns the AlgorithmIdentifier DER and the ciphertext.
    static func encrypt(_ plaintext: [UInt8], password: String, profile: PFXProfile) throws -> (algorithm: [UInt8], ciphertext: [UInt8]) {
        let salt = randomBytes(16)
        switch profile {
        case .modern:
            let iv = randomBytes(16)
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations
            )
            let ciphertext = try AES._CBC.encrypt(plaintext, using: key, iv: AES._CBC.IV(ivBytes: iv))
            let algorithm = try encode { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.pbes2))
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.pbkdf2))
                            try s.appendConstructedNode(identifier: .sequence) { s in
                                try s.serialize(ASN1OctetString(contentBytes: salt[...]))
                                try s.serialize(iterations)
                                try s.appendConstructedNode(identifier: .sequence) { s in
                                    try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.hmacWithSHA256))
                                    try s.serialize(ASN1Null())
                                }
                            }
                        }
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.aes256CBC))
                            try s.serialize(ASN1OctetString(contentBytes: iv[...]))
                        }
                    }
                }
            }
            return (algorithm, Array(ciphertext))
        case .legacy:
            let bmp = PKCS12KeyDerivation.bmpPassword(password)
            let key = PKCS12KeyDerivation.derive(Insecure.SHA1.self, purpose: .encryptionKey, password: bmp, salt: salt, iterations: iterations, count: 24)
            let iv = PKCS12KeyDerivation.derive(Insecure.SHA1.self, purpose: .initializationVector, password: bmp, salt: salt, iterations: iterations, count: 8)
            let ciphertext = try TripleDESCBC.encrypt(plaintext, key: key, iv: iv)
            let algorithm = try encode { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(ASN1ObjectIdentifier(elements: PKCS12OID.pbeSHA1TripleDES))
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(ASN1OctetString(contentBytes: salt[...]))
                        try s.serialize(iterations)
                    }
                }
            }
            return (algorithm, ciphertext)
        }
    }

    /// The MacData: HMAC-SHA256 (modern) or HMAC-SHA1 (legacy) keyed by the RFC 7292 derivation.
    static func mac(over authenticatedSafe: [UInt8], password: String, profile: PFXProfile) throws -> [UInt8] {
        let salt = randomBytes(16)
        let bmp = PKCS12KeyDerivation.bmpPassword(password)
        let digest: [UInt8]
        let digestOID: [UInt]
        switch profile {
        case .modern:
            let key = PKCS12KeyDerivation.derive(SHA256.self, purpose: .macKey, password: bmp, salt: salt, iterations: iterations, count: 32)
            digest = Array(HMAC<SHA256>.authenticationCode(for: authenticatedSafe, using: SymmetricKey(data: key)))
            digestOID = PKCS12OID.sha256
        case .legacy:
            let key = PKCS12KeyDerivation.derive(Insecure.SHA1.self, purpose: .macKey, password: bmp, salt: salt, iterations: iterations, count: 20)
            digest = Array(HMAC<Insecure.SHA1>.authenticationCode(for: authenticatedSafe, using: SymmetricKey(data: key)))
            digestOID = PKCS12OID.sha1
        }
        return try encode { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(ASN1ObjectIdentifier(elements: digestOID))
                        try s.serialize(ASN1Null())
                    }
                    try s.serialize(ASN1OctetString(contentBytes: digest[...]))
                }
                try s.serialize(ASN1OctetString(contentBytes: salt[...]))
                try s.serialize(iterations)
            }
        }
    }

    // MARK: DER helpers

    private static func encode(_ body: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try body(&serializer)
        return serializer.serializedBytes
    }

    private static func sequence(of elements: [[UInt8]]) throws -> [UInt8] {
        try encode { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                for element in elements { try s.serializeRaw(element) }
            }
        }
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }
}

extension DER.Serializer {
    /// Appends bytes that are already a complete DER element.
    mutating func serializeRaw(_ der: [UInt8]) throws {
        try serialize(ASN1Any(derEncoded: DER.parse(der)))
    }
}

extension ASN1Identifier {
    /// A constructed context-specific tag, as used for `[n] EXPLICIT`.
    static func contextSpecific(_ number: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific)
    }
}
