import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a certificate says about itself, read leniently from its DER encoding.
///
/// swift-certificates' `Certificate` refuses RSA keys under 2048 bits, yet `check` must read
/// such certificates to say why they fail; and certificates made by old tools carry negative
/// serial numbers and the OIW `sha1RSA` signature OID. This view reads every field `show` and
/// `check` need without judging them.
public struct CertificateDetails: Sendable, Hashable {
    /// The certificate's DER encoding, byte for byte as read.
    public let der: [UInt8]
    /// The X.509 version: 1, 2 or 3.
    public let version: Int
    /// The serial number as the two's-complement bytes of the DER INTEGER (it may be negative).
    public let serialNumber: [UInt8]
    /// The algorithm the issuer signed with.
    public let signatureAlgorithm: SignatureAlgorithmName
    /// The issuer's distinguished name.
    public let issuer: DistinguishedName
    /// The subject's distinguished name.
    public let subject: DistinguishedName
    /// The first instant the certificate is valid.
    public let notBefore: Date
    /// The last instant the certificate is valid.
    public let notAfter: Date
    /// The subject's public key.
    public let publicKey: PublicKeyDescription
    /// The v3 extensions, in certificate order.
    public let extensions: [Certificate.Extension]

    /// Reads a DER certificate.
    public init(der: [UInt8]) throws(CertificateError) {
        do {
            self = try Self.parse(der)
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .malformedCertificate(reason: "\(error)")
        }
    }

    /// The SHA-1 thumbprint.
    public var thumbprint: Thumbprint { Thumbprint(certificateDER: der) }

    /// The subject's common name, if it has one.
    public var commonName: String? { subject.commonName }

    /// The DNS names in the subject alternative name extension.
    public var dnsNames: [String] {
        guard let names = rawExtension(.X509ExtensionID.subjectAlternativeName).flatMap({ try? SubjectAlternativeNames($0) }) else { return [] }
        return names.compactMap { if case .dnsName(let name) = $0 { return name } else { return nil } }
    }

    /// The IP addresses in the subject alternative name extension (4 or 16 bytes each).
    public var ipAddresses: [[UInt8]] {
        guard let names = rawExtension(.X509ExtensionID.subjectAlternativeName).flatMap({ try? SubjectAlternativeNames($0) }) else { return [] }
        return names.compactMap { if case .ipAddress(let address) = $0 { return Array(address.bytes) } else { return nil } }
    }

    /// The names a TLS client would match: the SAN DNS names, or the common name when there are none.
    public var hostNames: [String] {
        let names = dnsNames
        if !names.isEmpty { return names }
        return commonName.map { [$0] } ?? []
    }

    /// The key usage extension, if present.
    public var keyUsage: KeyUsage? { rawExtension(.X509ExtensionID.keyUsage).flatMap { try? KeyUsage($0) } }

    /// The extended key usage extension, if present.
    public var extendedKeyUsage: ExtendedKeyUsage? { rawExtension(.X509ExtensionID.extendedKeyUsage).flatMap { try? ExtendedKeyUsage($0) } }

    /// Whether the certificate is issued by itself: same issuer and subject, and, where both
    /// identifiers are present, the authority key identifier equals the subject key identifier.
    public var isSelfSigned: Bool {
        guard issuer == subject else { return false }
        if let authority = rawExtension(.X509ExtensionID.authorityKeyIdentifier).flatMap({ try? AuthorityKeyIdentifier($0) })?.keyIdentifier,
            let subjectKey = rawExtension(.X509ExtensionID.subjectKeyIdentifier).flatMap({ try? SubjectKeyIdentifier($0) })?.keyIdentifier
        {
            return authority == subjectKey
        }
        return true
    }

    /// The serial number as hex digits, as Windows and OpenSSL print it.
    public var serialNumberHex: String { hexString(serialNumber, uppercase: true) }

    /// Whether `date` lies within the validity period.
    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }
}

extension CertificateDetails {
    /// The extension with this OID, if the certificate has it.
    public func rawExtension(_ oid: ASN1ObjectIdentifier) -> Certificate.Extension? {
        extensions.first { $0.oid == oid }
    }
}

extension DistinguishedName {
    /// The value of the first common name (CN) attribute.
    var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value) ?? attribute.value.description
            }
        }
        return nil
    }

    /// `CN=contoso.net,O=Contoso`: RFC 4514 order, most specific first.
    ///
    /// The same text as `description`, built with direct calls: `String(describing:)` costs a
    /// runtime conformance search per value, which a command that runs once pays in full.
    public var text: String {
        reversed().map { rdn in rdn.map { $0.description }.joined(separator: "+") }.joined(separator: ",")
    }
}
