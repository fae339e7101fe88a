import Crypto
import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Certificate requests for a CA: a PKCS#10 request (CSR) for a key that waits in the store
/// (`<store root>/pending/<key id>.key`, PKCS#8, 0600: the user's own files) until the CA's
/// certificate comes back and is paired with it.
public enum PendingRequests {
    /// A PEM `CERTIFICATE REQUEST` for `key`: subject CN = the first name, every name in a
    /// subjectAltName extension request, signed with the key.
    public static func request(dnsNames: [String], key: CertificatePrivateKey) throws(CertificateError) -> String {
        guard let first = dnsNames.first else { throw .invalidOption("--dns-name", reason: "at least one DNS name is needed") }
        for name in dnsNames where !CertificateFactory.isPlausibleDNSName(name) {
            throw .invalidOption("--dns-name", reason: "'\(name)' is not a DNS name (letters, digits, '-', '.', and '*.' at the start)")
        }
        do {
            let extensions = try Certificate.Extensions { SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) }) }
            let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
            let request = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName(first) }, privateKey: key.signingKey, attributes: attributes,
                signatureAlgorithm: key.signatureAlgorithm)
            return try request.serializeAsPEM().pemString
        } catch {
            throw .invalidOption("request", reason: "could not be built: \(error)")
        }
    }

    /// The key's id: SHA-256 of its public key, hex (what `complete` looks for).
    public static func keyID(_ key: CertificatePrivateKey) -> String {
        hexString(SHA256.hash(data: key.publicKeyBytes), uppercase: false)
    }

    /// Keeps `key` pending in `store`; returns its id.
    @discardableResult
    public static func keep(_ key: CertificatePrivateKey, in store: LocalCertificateStore) throws(CertificateError) -> String {
        let id = keyID(key)
        for folder in [store.root, store.root + "/pending"] { try SecureFile.makeDirectory(folder) }
        try SecureFile.write(key.pkcs8, to: store.root + "/pending/\(id).key", mode: 0o600)
        return id
    }

    /// Pairs the issued certificates (any order; a chain may come with them) with a pending key:
    /// the certificate whose public key is a pending key's is the leaf, the rest its chain. The
    /// pending key is then forgotten. Refused, naming what it looked for, when none matches.
    public static func complete(_ certificates: [CertificateDetails], in store: LocalCertificateStore) throws(CertificateError) -> CertificateBundle {
        let folder = store.root + "/pending"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
        var pending: [(id: String, key: CertificatePrivateKey)] = []
        for name in names {
            guard let bytes = try? LocalFile.read(path: folder + "/" + name, limit: 1 << 16), let key = try? CertificatePrivateKey(pkcs8: bytes) else {
                continue
            }
            pending.append((String(name.dropLast(4)), key))
        }
        for certificate in certificates {
            guard let match = pending.first(where: { $0.key.matches(certificate) }) else { continue }
            let chain = certificates.filter { $0.der != certificate.der }
            let bundle = try CertificateBundle(certificate: certificate, privateKey: match.key, chain: chain)
            try? FileManager.default.removeItem(atPath: folder + "/\(match.id).key")
            return bundle
        }
        let offered = certificates.map { certificate in
            "\(certificate.subject) (key id \(hexString(SHA256.hash(data: certificate.publicKey.keyBytes), uppercase: false).prefix(16))…)"
        }
        throw .noPendingKey(certificates: offered, pending: pending.map { String($0.id.prefix(16)) + "…" }, folder: folder)
    }

    /// The certificates of an issued file: PEM (one or more CERTIFICATE blocks, or a PKCS7 block),
    /// DER, or PKCS#7 (`.p7b`, DER or PEM).
    public static func issuedCertificates(_ bytes: [UInt8]) throws(CertificateError) -> [CertificateDetails] {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN") {
            guard let documents = try? PEMDocument.parseMultiple(pemString: text) else { throw .malformedPEM(reason: "a block is not valid PEM") }
            var found: [CertificateDetails] = []
            for document in documents {
                switch document.discriminator {
                case "CERTIFICATE": found.append(try CertificateDetails(der: document.derBytes))
                case "PKCS7": found += try pkcs7Certificates(document.derBytes)
                default: continue
                }
            }
            guard !found.isEmpty else { throw .malformedPEM(reason: "it holds no CERTIFICATE or PKCS7 block") }
            return found
        }
        if let single = try? CertificateDetails(der: bytes) { return [single] }
        return try pkcs7Certificates(bytes)
    }

    /// The certificates of a PKCS#7 SignedData (RFC 2315: `ContentInfo { signedData, [0] { version,
    /// digestAlgorithms, contentInfo, [0] IMPLICIT certificates, … } }`), as CAs send chains.
    static func pkcs7Certificates(_ der: [UInt8]) throws(CertificateError) -> [CertificateDetails] {
        let certificates: [[UInt8]]
        do {
            certificates = try BER.sequence(try BER.parse(der), identifier: .sequence) { nodes in
                let type = try ASN1ObjectIdentifier(berEncoded: &nodes)
                guard type == [1, 2, 840, 113_549, 1, 7, 2], let wrapped = nodes.next(), case .constructed(let inner) = wrapped.content,
                    let signedData = inner.first(where: { _ in true })
                else { throw CertificateError.malformedCertificate(reason: "it is not a PKCS#7 SignedData") }
                while nodes.next() != nil {}
                return try BER.sequence(signedData, identifier: .sequence) { fields in
                    var found: [[UInt8]] = []
                    while let field = fields.next() {
                        guard field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), case .constructed(let list) = field.content
                        else { continue }
                        for certificate in list { found.append(Array(certificate.encodedBytes)) }
                    }
                    return found
                }
            }
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .malformedCertificate(reason: "it is neither a certificate (DER or PEM) nor a PKCS#7 chain (.p7b)")
        }
        guard !certificates.isEmpty else { throw .malformedCertificate(reason: "the PKCS#7 file holds no certificate") }
        var details: [CertificateDetails] = []
        for der in certificates { details.append(try CertificateDetails(der: der)) }
        return details
    }
}
