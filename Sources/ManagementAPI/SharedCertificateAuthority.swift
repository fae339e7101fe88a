import Certificates
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The local CA that every server on one database shares, so that clients trust one CA file
/// whichever server they reach: kept in the database as a setting (the certificate, and its key
/// sealed by the master key, never in plaintext), put there by the first server to start, from
/// its data folder or made new. Servers that start together agree on the first one written.
public enum SharedCertificateAuthority {
    /// The setting that holds it.
    static let setting = "local_ca"
    /// Sealed with the same context as the folder's `tls/ca.key.sealed`.
    static let sealingContext = "tls/ca.key"

    private struct Stored: Codable {
        var certificate: String
        var sealedKey: String
    }

    /// The database's CA, putting this folder's (or a new one) there when it has none.
    public static func resolve(store: any ManagementStore, dataDirectory: String, sealing: any PrivateKeySealing) async throws -> CertificateBundle {
        if let stored = try await store.setting(setting) { return try decode(stored, sealing: sealing) }
        let candidate = try ServerIdentity.folderAuthority(dataDirectory: dataDirectory, sealing: sealing) ?? ServerIdentity.makeAuthority()
        let winner = try await store.setSettingIfAbsent(setting, to: try encode(candidate, sealing: sealing))
        return try decode(winner, sealing: sealing)
    }

    private static func encode(_ authority: CertificateBundle, sealing: any PrivateKeySealing) throws -> String {
        guard let key = authority.privateKey else { throw CertificateError.missingPrivateKey }
        let stored = Stored(
            certificate: try authority.publicOnly.pem(), sealedKey: Data(try sealing.seal(key.pkcs8, context: sealingContext)).base64EncodedString())
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }

    private static func decode(_ text: String, sealing: any PrivateKeySealing) throws -> CertificateBundle {
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(text.utf8)), let sealed = Data(base64Encoded: stored.sealedKey) else {
            throw CertificateError.storeFailure(reason: "the local CA kept in the database cannot be read")
        }
        let certificate = try PEMReader.read(Array(stored.certificate.utf8)).certificate
        let pkcs8: [UInt8]
        do {
            pkcs8 = try sealing.open([UInt8](sealed), context: sealingContext)
        } catch {
            throw CertificateError.storeFailure(
                reason:
                    "the local CA's key in the database does not open with this master key: give every server the same DIR/master.key or THUMBPRINT_MASTER_KEY")
        }
        return try CertificateBundle(certificate: certificate, privateKey: try CertificatePrivateKey(pkcs8: pkcs8))
    }
}
