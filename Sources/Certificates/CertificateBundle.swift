/// A certificate together with what travels with it in a .pfx: its private key, when there is
/// one, and the certificates of its issuers.
public struct CertificateBundle: Sendable {
    /// The certificate itself (the leaf).
    public let certificate: CertificateDetails
    /// The private key of the certificate, if the source held it.
    public let privateKey: CertificatePrivateKey?
    /// The issuers' certificates, nearest first; empty for a self-signed certificate.
    public let chain: [CertificateDetails]

    /// Puts a certificate and its key together, refusing a key that belongs to another certificate.
    public init(certificate: CertificateDetails, privateKey: CertificatePrivateKey?, chain: [CertificateDetails] = []) throws(CertificateError) {
        if let privateKey, !privateKey.matches(certificate) {
            throw .keyDoesNotMatchCertificate
        }
        self.certificate = certificate
        self.privateKey = privateKey
        self.chain = chain
    }

    /// The certificate's SHA-1 thumbprint.
    public var thumbprint: Thumbprint { certificate.thumbprint }

    /// The same certificate without its private key.
    public var publicOnly: CertificateBundle {
        // A bundle without a key needs no key check, so this cannot fail.
        (try? CertificateBundle(certificate: certificate, privateKey: nil, chain: chain)) ?? self
    }

    /// Splits a set of certificates from one file into the leaf and its chain.
    ///
    /// The leaf is the certificate whose public key matches `privateKey`; without a key it is the
    /// one that issued no other certificate in the set. The chain follows issuer links from it.
    public static func assemble(certificates: [CertificateDetails], privateKey: CertificatePrivateKey?) throws(CertificateError) -> CertificateBundle {
        guard !certificates.isEmpty else { throw .malformedPFX(reason: "it holds no certificate") }
        let leaf: CertificateDetails
        if let privateKey {
            guard let match = certificates.first(where: { privateKey.matches($0) }) else {
                throw .keyDoesNotMatchCertificate
            }
            leaf = match
        } else {
            leaf =
                certificates.first { candidate in
                    !certificates.contains { other in other != candidate && other.issuer == candidate.subject && !other.isSelfSigned }
                } ?? certificates[0]
        }
        var chain: [CertificateDetails] = []
        var current = leaf
        var remaining = certificates.filter { $0 != leaf }
        while !current.isSelfSigned, let index = remaining.firstIndex(where: { $0.subject == current.issuer }) {
            current = remaining.remove(at: index)
            chain.append(current)
        }
        chain.append(contentsOf: remaining)
        return try CertificateBundle(certificate: leaf, privateKey: privateKey, chain: chain)
    }
}
