import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a new certificate should say: its names, key and lifetime.
public struct CertificateRequest: Sendable {
    /// DNS names; the first becomes the subject's common name, all go into the SAN.
    public var dnsNames: [String]
    /// IP addresses for the SAN (4 or 16 bytes each), for servers reached by address.
    public var ipAddresses: [[UInt8]]
    /// The kind of key to make.
    public var keyAlgorithm: KeyAlgorithm
    /// How many days from now the certificate stays valid.
    public var validDays: Int
    /// Whether the certificate may issue other certificates (a CA).
    public var isCertificateAuthority: Bool
    /// The subject's common name when it is not the first DNS name (a CA has no DNS names).
    public var commonName: String?
    /// The whole subject, when it is more than a common name (a renewal keeps the old one).
    public var subject: DistinguishedName?

    /// A server-and-client certificate request with the defaults of `thumbprint cert new`.
    public init(
        dnsNames: [String], ipAddresses: [[UInt8]] = [], keyAlgorithm: KeyAlgorithm = .rsa2048,
        validDays: Int = 365, isCertificateAuthority: Bool = false, commonName: String? = nil
    ) {
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.keyAlgorithm = keyAlgorithm
        self.validDays = validDays
        self.isCertificateAuthority = isCertificateAuthority
        self.commonName = commonName
    }
}

/// Makes X.509 v3 certificates, self-signed or signed by a CA the caller holds.
public struct CertificateFactory: Sendable {
    /// The clock: tests pass a fixed one.
    public var now: @Sendable () -> Date

    /// A factory using the system clock unless told otherwise.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Makes a key and a certificate for it; self-signed unless `issuer` (with its key) is given.
    public func makeCertificate(_ request: CertificateRequest, issuer: CertificateBundle? = nil) throws(CertificateError) -> CertificateBundle {
        let key = try CertificatePrivateKey(generating: request.keyAlgorithm)
        return try makeCertificate(request, key: key, issuer: issuer)
    }

    /// Makes a certificate for an existing key.
    public func makeCertificate(_ request: CertificateRequest, key: CertificatePrivateKey, issuer: CertificateBundle? = nil) throws(CertificateError)
        -> CertificateBundle
    {
        guard let commonName = request.commonName ?? request.dnsNames.first ?? request.subject?.commonName, !commonName.isEmpty else {
            throw .invalidOption("--dns-name", reason: "at least one DNS name is needed")
        }
        guard (1...36_500).contains(request.validDays) else {
            throw .invalidOption("--valid-days", reason: "must be between 1 and 36500, not \(request.validDays)")
        }
        for name in request.dnsNames where !Self.isPlausibleDNSName(name) {
            throw .invalidOption("--dns-name", reason: "'\(name)' is not a DNS name (letters, digits, '-', '.', and '*.' at the start)")
        }
        if let issuer, issuer.privateKey == nil { throw .missingPrivateKey }

        let start = now()
        do {
            let subject = try request.subject ?? DistinguishedName { CommonName(commonName) }
            let publicKey = key.certificatePublicKey
            let signer = issuer?.privateKey ?? key
            let extensions = try makeExtensions(request, publicKey: publicKey, key: key, issuer: issuer)
            var serial = [UInt8](repeating: 0, count: 16)
            var generator = SystemRandomNumberGenerator()
            for index in serial.indices { serial[index] = generator.next() }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(bytes: serial),
                publicKey: publicKey,
                notValidBefore: start.addingTimeInterval(-300),
                notValidAfter: start.addingTimeInterval(TimeInterval(request.validDays) * 86_400),
                issuer: issuer?.certificate.subject ?? subject,
                subject: subject,
                signatureAlgorithm: signer.signatureAlgorithm,
                extensions: extensions,
                issuerPrivateKey: signer.signingKey
            )
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            let details = try CertificateDetails(der: serializer.serializedBytes)
            let chain = issuer.map { [$0.certificate] + $0.chain } ?? []
            return try CertificateBundle(certificate: details, privateKey: key, chain: chain)
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .invalidOption("certificate", reason: "could not be built: \(error)")
        }
    }

    private func makeExtensions(_ request: CertificateRequest, publicKey: Certificate.PublicKey, key: CertificatePrivateKey, issuer: CertificateBundle?) throws
        -> Certificate.Extensions
    {
        var names: [GeneralName] = request.dnsNames.map { .dnsName($0) }
        names += request.ipAddresses.map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) }
        let authorityKeyID = issuer.flatMap { bundle in
            bundle.certificate.extensions.first { $0.oid == .X509ExtensionID.subjectKeyIdentifier }
                .flatMap { try? SubjectKeyIdentifier($0).keyIdentifier }
        }
        let keyUsage: KeyUsage
        if request.isCertificateAuthority {
            keyUsage = KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true)
        } else if case .rsa = key {
            keyUsage = KeyUsage(digitalSignature: true, keyEncipherment: true)
        } else {
            keyUsage = KeyUsage(digitalSignature: true, keyAgreement: true)
        }
        return try Certificate.Extensions {
            if request.isCertificateAuthority {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            }
            Critical(keyUsage)
            if !request.isCertificateAuthority {
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
            }
            if !names.isEmpty {
                SubjectAlternativeNames(names)
            }
            SubjectKeyIdentifier(hash: publicKey)
            if let authorityKeyID {
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
            }
        }
    }

    /// Whether `name` looks like a DNS name: letters, digits, `-` and `.`, with `*.` allowed at the start.
    public static func isPlausibleDNSName(_ name: String) -> Bool {
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" { labels.removeFirst() }
        guard !labels.isEmpty, name.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy {
                    $0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "-" || ("0"..."9").contains($0)
                }
        }
    }
}
