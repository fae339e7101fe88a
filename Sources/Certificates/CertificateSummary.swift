import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The facts `thumbprint cert show` reports, in a form that encodes to stable JSON.
public struct CertificateSummary: Sendable, Codable, Equatable {
    /// SHA-1 thumbprint, 40 uppercase hex digits.
    public var thumbprint: String
    /// SHA-256 fingerprint, 64 uppercase hex digits.
    public var sha256: String
    /// Subject distinguished name, e.g. `CN=contoso.net`.
    public var subject: String
    /// DNS names from the subject alternative name extension.
    public var dnsNames: [String]
    /// Issuer distinguished name.
    public var issuer: String
    /// Serial number in hex, as the certificate holds it (two's complement).
    public var serialNumber: String
    /// Start of validity.
    public var notBefore: Date
    /// End of validity.
    public var notAfter: Date
    /// `rsa`, `ecdsa-p256` or `ecdsa-p384` (or an OID for anything else).
    public var keyAlgorithm: String
    /// Key size in bits (256 for P-256).
    public var keySize: Int?
    /// Signature algorithm name, e.g. `sha256WithRSAEncryption`.
    public var signatureAlgorithm: String
    /// X.509 version (3 for every current certificate).
    public var version: Int
    /// Whether the certificate is issued by itself.
    public var selfSigned: Bool
    /// Whether the private key came with it.
    public var hasPrivateKey: Bool
    /// Thumbprints of the issuers' certificates that came with it, nearest first.
    public var chain: [String]

    /// Summarises a certificate and what came with it.
    public init(_ bundle: CertificateBundle) {
        let certificate = bundle.certificate
        thumbprint = certificate.thumbprint.description
        sha256 = hexString(SHA256.hash(data: certificate.der), uppercase: true)
        subject = certificate.subject.text
        dnsNames = certificate.dnsNames
        issuer = certificate.issuer.text
        serialNumber = certificate.serialNumberHex
        notBefore = certificate.notBefore
        notAfter = certificate.notAfter
        keyAlgorithm = certificate.publicKey.algorithmName
        keySize = certificate.publicKey.sizeInBits
        signatureAlgorithm = certificate.signatureAlgorithm.description
        version = certificate.version
        selfSigned = certificate.isSelfSigned
        hasPrivateKey = bundle.privateKey != nil
        chain = bundle.chain.map { $0.thumbprint.description }
    }
}
