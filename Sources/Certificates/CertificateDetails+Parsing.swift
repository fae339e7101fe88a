import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CertificateDetails {
    /// Walks Certificate → TBSCertificate (RFC 5280 §4.1) by hand, keeping each field as it is.
    static func parse(_ der: [UInt8]) throws -> CertificateDetails {
        let root = try DER.parse(der)
        guard root.encodedBytes.count == der.count else {
            throw CertificateError.malformedCertificate(reason: "there are bytes after the certificate")
        }
        return try DER.sequence(root, identifier: .sequence) { outer in
            guard let tbsNode = outer.next(), outer.next() != nil, outer.next() != nil else {
                throw CertificateError.malformedCertificate(reason: "a certificate has three parts: TBSCertificate, signature algorithm, signature")
            }
            return try DER.sequence(tbsNode, identifier: .sequence) { nodes in
                let version =
                    try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                        try Int(derEncoded: node)
                    } ?? 0
                guard let serialNode = nodes.next(), serialNode.identifier == .integer,
                    case .primitive(let serial) = serialNode.content, !serial.isEmpty
                else { throw CertificateError.malformedCertificate(reason: "the serial number is missing") }
                let signature = try AlgorithmIdentifierOID(derEncoded: &nodes)
                let issuer = try DistinguishedName(derEncoded: nodes.next().orThrow("issuer"))
                let (notBefore, notAfter) = try DER.sequence(nodes.next().orThrow("validity"), identifier: .sequence) { validity in
                    (try parseTime(validity.next().orThrow("notBefore")), try parseTime(validity.next().orThrow("notAfter")))
                }
                let subject = try DistinguishedName(derEncoded: nodes.next().orThrow("subject"))
                let publicKey = try PublicKeyDescription(spki: nodes.next().orThrow("subjectPublicKeyInfo"))
                var extensions: [Certificate.Extension] = []
                while let node = nodes.next() {
                    guard node.identifier == ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific) else { continue }
                    guard case .constructed(let inner) = node.content, let list = inner.first(where: { _ in true }) else { continue }
                    extensions = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: list)
                }
                return CertificateDetails(
                    der: der, version: version + 1, serialNumber: Array(serial),
                    signatureAlgorithm: SignatureAlgorithmName(oid: signature.oid),
                    issuer: issuer, subject: subject, notBefore: notBefore, notAfter: notAfter,
                    publicKey: publicKey, extensions: extensions
                )
            }
        }
    }

    private init(
        der: [UInt8], version: Int, serialNumber: [UInt8], signatureAlgorithm: SignatureAlgorithmName,
        issuer: DistinguishedName, subject: DistinguishedName, notBefore: Date, notAfter: Date,
        publicKey: PublicKeyDescription, extensions: [Certificate.Extension]
    ) {
        self.der = der
        self.version = version
        self.serialNumber = serialNumber
        self.signatureAlgorithm = signatureAlgorithm
        self.issuer = issuer
        self.subject = subject
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.publicKey = publicKey
        self.extensions = extensions
    }
}

/// An AlgorithmIdentifier of which only the OID matters here.
struct AlgorithmIdentifierOID: DERParseable {
    var oid: ASN1ObjectIdentifier
    var parameters: ASN1Node?

    init(derEncoded node: ASN1Node) throws {
        (oid, parameters) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try ASN1ObjectIdentifier(derEncoded: &nodes), nodes.next())
        }
    }
}

/// Reads an X.509 Time (UTCTime or GeneralizedTime) as a `Date`.
func parseTime(_ node: ASN1Node) throws -> Date {
    let fields: (year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int)
    switch node.identifier {
    case .utcTime:
        let time = try UTCTime(derEncoded: node)
        fields = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
    case .generalizedTime:
        let time = try GeneralizedTime(derEncoded: node)
        fields = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
    default:
        throw CertificateError.malformedCertificate(reason: "a validity date is neither UTCTime nor GeneralizedTime")
    }
    return UTCCalendar.date(
        year: fields.year, month: fields.month, day: fields.day,
        hours: fields.hours, minutes: fields.minutes, seconds: fields.seconds)
}

extension Optional {
    func orThrow(_ field: String) throws -> Wrapped {
        guard let self else { throw CertificateError.malformedCertificate(reason: "the \(field) field is missing") }
        return self
    }
}
extension AlgorithmIdentifierOID: BERParseable {}
