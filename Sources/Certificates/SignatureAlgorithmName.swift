import SwiftASN1

/// The algorithm a certificate is signed with, named for people.
public struct SignatureAlgorithmName: Sendable, Hashable, CustomStringConvertible {
    /// The OID from the certificate.
    public let oid: ASN1ObjectIdentifier

    /// Names the signature algorithm `oid`.
    public init(oid: ASN1ObjectIdentifier) { self.oid = oid }

    private static let names: [ASN1ObjectIdentifier: (name: String, weak: Bool)] = [
        [1, 2, 840, 113_549, 1, 1, 2]: ("md2WithRSAEncryption", true),
        [1, 2, 840, 113_549, 1, 1, 4]: ("md5WithRSAEncryption", true),
        [1, 2, 840, 113_549, 1, 1, 5]: ("sha1WithRSAEncryption", true),
        [1, 3, 14, 3, 2, 29]: ("sha1WithRSA (OIW)", true),
        [1, 2, 840, 113_549, 1, 1, 10]: ("rsassaPss", false),
        [1, 2, 840, 113_549, 1, 1, 11]: ("sha256WithRSAEncryption", false),
        [1, 2, 840, 113_549, 1, 1, 12]: ("sha384WithRSAEncryption", false),
        [1, 2, 840, 113_549, 1, 1, 13]: ("sha512WithRSAEncryption", false),
        [1, 2, 840, 10045, 4, 1]: ("ecdsa-with-SHA1", true),
        [1, 2, 840, 10045, 4, 3, 2]: ("ecdsa-with-SHA256", false),
        [1, 2, 840, 10045, 4, 3, 3]: ("ecdsa-with-SHA384", false),
        [1, 2, 840, 10045, 4, 3, 4]: ("ecdsa-with-SHA512", false),
        [1, 3, 101, 112]: ("ed25519", false),
    ]

    /// The algorithm's usual name, or its dotted OID when it has none here.
    public var description: String { Self.names[oid]?.name ?? oid.description }

    /// Whether the digest is SHA-1 or MD5 (or older): such signatures are no longer trusted.
    public var usesWeakDigest: Bool { Self.names[oid]?.weak ?? false }
}
