#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The server's TLS identity, kept in `DIR/tls`: a local CA (`ca.pem`, key `ca.key.sealed` 0600)
/// and a server certificate it signs for localhost, 127.0.0.1 and ::1 (as IP SANs, which clients
/// check) and every `--hostname` (`server.pem`, `server.key.sealed`). Keys are sealed with the
/// master key, so no file in the data folder holds a private key in plaintext; a plaintext
/// `ca.key` or `server.key` left by an older version is sealed and removed on start. Made on
/// first start; the server certificate is made again when the names change or it nears its end.
public struct ServerIdentity: Sendable {
    /// The certificate the server presents, with its key and the CA as chain.
    public var server: CertificateBundle
    /// The path of the CA certificate clients should trust.
    public var caPath: String

    /// Loads or creates the identity in `dataDirectory/tls`. With `authority` (the CA that
    /// servers sharing a database share), that CA replaces the folder's, and the server
    /// certificate is issued again when another CA signed it.
    public static func loadOrCreate(
        dataDirectory: String, hostnames: [String], sealing: any PrivateKeySealing,
        authority shared: CertificateBundle? = nil, alsoTrusted: [CertificateDetails] = [], now: Date = Date()
    ) throws(CertificateError) -> ServerIdentity {
        let folder = dataDirectory + "/tls"
        try SecureFile.makeDirectory(folder)
        let factory = CertificateFactory(now: { now })
        let authority: CertificateBundle
        var authorityChanged = false
        let existing = try load(folder, "ca", sealing: sealing)
        if let shared {
            authority = shared
            // ca.pem is what clients trust: the issuing CA, then any other trusted (a CA rotation's overlap).
            if existing?.certificate != shared.certificate || existing?.chain != alsoTrusted {
                try save(
                    try CertificateBundle(certificate: shared.certificate, privateKey: shared.privateKey, chain: alsoTrusted), folder, "ca", sealing: sealing)
                authorityChanged = existing?.certificate != shared.certificate
            }
        } else if let existing {
            authority = existing
        } else {
            authority = try makeAuthority(now: now)
            try save(authority, folder, "ca", sealing: sealing)
        }
        let names = ["localhost"] + hostnames.filter { !$0.isEmpty && $0 != "localhost" && !isIPAddress($0) }
        let addresses: [[UInt8]] = [[127, 0, 0, 1], [UInt8](repeating: 0, count: 15) + [1]] + hostnames.compactMap(ipv4Bytes)
        if !authorityChanged, let existing = try load(folder, "server", sealing: sealing),
            Set(existing.certificate.dnsNames) == Set(names),
            existing.certificate.notAfter > now.addingTimeInterval(30 * 86_400),
            existing.certificate.issuer == authority.certificate.subject
        {
            return ServerIdentity(
                server: try CertificateBundle(certificate: existing.certificate, privateKey: existing.privateKey, chain: [authority.certificate]),
                caPath: folder + "/ca.pem")
        }
        let server = try factory.makeCertificate(
            CertificateRequest(dnsNames: names, ipAddresses: addresses, keyAlgorithm: .rsa2048, validDays: 397),
            issuer: authority)
        try save(server, folder, "server", sealing: sealing)
        return ServerIdentity(server: server, caPath: folder + "/ca.pem")
    }

    /// A new local CA, valid ten years.
    public static func makeAuthority(now: Date = Date(), commonName: String = "Thumbprint local CA") throws(CertificateError) -> CertificateBundle {
        try CertificateFactory(now: { now }).makeCertificate(
            CertificateRequest(dnsNames: [], keyAlgorithm: .rsa2048, validDays: 3650, isCertificateAuthority: true, commonName: commonName))
    }

    /// Issues the folder's server certificate again from `authority`, for the same names and
    /// addresses (`thumbprint admin tls renew`); a running server serves it to new connections
    /// within seconds.
    public static func renewServer(
        dataDirectory: String, sealing: any PrivateKeySealing, authority: CertificateBundle, now: Date = Date()
    ) throws(CertificateError) -> CertificateBundle {
        let folder = dataDirectory + "/tls"
        guard let existing = try load(folder, "server", sealing: sealing) else {
            throw .storeFailure(reason: "\(folder) has no server certificate yet: start the server once first")
        }
        let server = try CertificateFactory(now: { now }).makeCertificate(
            CertificateRequest(
                dnsNames: existing.certificate.dnsNames, ipAddresses: existing.certificate.ipAddresses, keyAlgorithm: .rsa2048, validDays: 397),
            issuer: authority)
        try save(server, folder, "server", sealing: sealing)
        return server
    }

    /// The CA of the folder `dataDirectory/tls`, when it has one.
    public static func folderAuthority(dataDirectory: String, sealing: any PrivateKeySealing) throws(CertificateError) -> CertificateBundle? {
        try load(dataDirectory + "/tls", "ca", sealing: sealing)
    }

    /// Writes `NAME.pem` and the sealed `NAME.key.sealed`.
    private static func save(_ bundle: CertificateBundle, _ folder: String, _ name: String, sealing: any PrivateKeySealing) throws(CertificateError) {
        let sealed: [UInt8]
        do {
            sealed = try sealing.seal(bundle.privateKey?.pkcs8 ?? [], context: "tls/\(name).key")
        } catch {
            throw .storeFailure(reason: "the key of tls/\(name).pem could not be sealed: \(error)")
        }
        try SecureFile.write(sealed, to: "\(folder)/\(name).key.sealed", mode: 0o600)
        try SecureFile.write(Array(bundle.publicOnly.pem().utf8), to: "\(folder)/\(name).pem", mode: 0o644)
    }

    /// Reads `NAME.pem` with its sealed key; a plaintext `NAME.key` from an older version is
    /// sealed in its place.
    private static func load(_ folder: String, _ name: String, sealing: any PrivateKeySealing) throws(CertificateError) -> CertificateBundle? {
        let certificate = "\(folder)/\(name).pem"
        let sealedKey = "\(folder)/\(name).key.sealed"
        let plainKey = "\(folder)/\(name).key"
        guard LocalFile.kind(of: certificate) == .file else { return nil }
        let text = try CertificateFile.readLimited(path: certificate)
        let parsed = try PEMReader.read(text)
        if LocalFile.kind(of: sealedKey) == .file {
            let pkcs8: [UInt8]
            do {
                pkcs8 = try sealing.open(try CertificateFile.readLimited(path: sealedKey), context: "tls/\(name).key")
            } catch {
                throw .storeFailure(reason: "\(sealedKey) does not open with this master key: \(error)")
            }
            let key = try CertificatePrivateKey(pkcs8: pkcs8)
            // The certificate of the key, then the others the file holds (ca.pem: CAs also trusted).
            let all = try PEMReader.certificates(text)
            let own = all.first(where: key.matches) ?? parsed.certificate
            return try CertificateBundle(certificate: own, privateKey: key, chain: all.filter { $0 != own })
        }
        guard LocalFile.kind(of: plainKey) == .file else { return nil }
        let bundle = try CertificateBundle(
            certificate: parsed.certificate,
            privateKey: try CertificatePrivateKey(pkcs8: CertificateFile.readLimited(path: plainKey)))
        try save(bundle, folder, name, sealing: sealing)
        try? FileManager.default.removeItem(atPath: plainKey)
        return bundle
    }

    static func isIPAddress(_ text: String) -> Bool { ipv4Bytes(text) != nil || text.contains(":") }

    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
