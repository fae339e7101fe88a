import Certificates
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The server's TLS identity, kept in `DIR/tls`: a local CA (`ca.pem`, key `ca.key` 0600) and a
/// server certificate it signs for localhost, 127.0.0.1 and ::1 (as IP SANs, which clients check)
/// and every `--hostname`. Made on first start; the server certificate is made again when the
/// names change or it nears its end.
public struct ServerIdentity: Sendable {
    /// The certificate the server presents, with its key and the CA as chain.
    public var server: CertificateBundle
    /// The path of the CA certificate clients should trust.
    public var caPath: String

    /// Loads or creates the identity in `dataDirectory/tls`.
    public static func loadOrCreate(dataDirectory: String, hostnames: [String], now: Date = Date()) throws(CertificateError) -> ServerIdentity {
        let folder = dataDirectory + "/tls"
        try SecureFile.makeDirectory(folder)
        let factory = CertificateFactory(now: { now })
        let authority: CertificateBundle
        if let existing = try load(certificate: folder + "/ca.pem", key: folder + "/ca.key") {
            authority = existing
        } else {
            authority = try factory.makeCertificate(CertificateRequest(
                dnsNames: [], keyAlgorithm: .rsa2048, validDays: 3650, isCertificateAuthority: true,
                commonName: "Thumbprint local CA"
            ))
            try SecureFile.write(authority.privateKey?.pkcs8 ?? [], to: folder + "/ca.key", mode: 0o600)
            try SecureFile.write(Array(authority.publicOnly.pem().utf8), to: folder + "/ca.pem", mode: 0o644)
        }
        let names = ["localhost"] + hostnames.filter { !$0.isEmpty && $0 != "localhost" && !isIPAddress($0) }
        let addresses: [[UInt8]] = [[127, 0, 0, 1], [UInt8](repeating: 0, count: 15) + [1]] + hostnames.compactMap(ipv4Bytes)
        if let existing = try load(certificate: folder + "/server.pem", key: folder + "/server.key"),
           Set(existing.certificate.dnsNames) == Set(names),
           existing.certificate.notAfter > now.addingTimeInterval(30 * 86_400),
           existing.certificate.issuer == authority.certificate.subject {
            return ServerIdentity(server: try CertificateBundle(certificate: existing.certificate, privateKey: existing.privateKey, chain: [authority.certificate]),
                                  caPath: folder + "/ca.pem")
        }
        let server = try factory.makeCertificate(CertificateRequest(dnsNames: names, ipAddresses: addresses, keyAlgorithm: .rsa2048, validDays: 397),
                                                 issuer: authority)
        try SecureFile.write(server.privateKey?.pkcs8 ?? [], to: folder + "/server.key", mode: 0o600)
        try SecureFile.write(Array(server.publicOnly.pem().utf8), to: folder + "/server.pem", mode: 0o644)
        return ServerIdentity(server: server, caPath: folder + "/ca.pem")
    }

    private static func load(certificate: String, key: String) throws(CertificateError) -> CertificateBundle? {
        guard LocalFile.kind(of: certificate) == .file, LocalFile.kind(of: key) == .file else { return nil }
        let bundle = try PEMReader.read(CertificateFile.readLimited(path: certificate))
        let privateKey = try CertificatePrivateKey(pkcs8: CertificateFile.readLimited(path: key))
        return try CertificateBundle(certificate: bundle.certificate, privateKey: privateKey)
    }

    static func isIPAddress(_ text: String) -> Bool { ipv4Bytes(text) != nil || text.contains(":") }

    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
