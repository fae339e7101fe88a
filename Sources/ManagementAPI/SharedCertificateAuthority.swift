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

    /// The setting that holds a rotation's new CA and when it takes over.
    static let nextSetting = "local_ca_next"

    /// The CAs at one moment: the one that issues, and every one clients should trust (it first).
    public struct Authorities: Sendable {
        /// The CA that issues server and agent certificates now.
        public var issuer: CertificateBundle
        /// The other CAs trusted now: during a rotation's overlap, the new one.
        public var alsoTrusted: [CertificateDetails]
        /// When a rotation under way makes the new CA the issuer, if one is.
        public var switchAt: Date?
    }

    private struct Next: Codable {
        var authority: String
        var switchAt: Double
    }

    /// The database's CA, putting this folder's (or a new one) there when it has none; after a
    /// rotation's overlap, the new one.
    public static func resolve(store: any ManagementStore, dataDirectory: String, sealing: any PrivateKeySealing) async throws -> CertificateBundle {
        try await authorities(store: store, dataDirectory: dataDirectory, sealing: sealing).issuer
    }

    /// The CAs now: before a rotation's switch, the current one issues and both are trusted;
    /// after it, only the new one.
    public static func authorities(
        store: any ManagementStore, dataDirectory: String, sealing: any PrivateKeySealing, now: Date = Date()
    ) async throws -> Authorities {
        let current: CertificateBundle
        if let stored = try await store.setting(setting) {
            current = try decode(stored, sealing: sealing)
        } else {
            let candidate = try ServerIdentity.folderAuthority(dataDirectory: dataDirectory, sealing: sealing) ?? ServerIdentity.makeAuthority()
            current = try decode(try await store.setSettingIfAbsent(setting, to: try encode(candidate, sealing: sealing)), sealing: sealing)
        }
        guard let text = try await store.setting(nextSetting), !text.isEmpty, let next = try? JSONDecoder().decode(Next.self, from: Data(text.utf8)) else {
            return Authorities(issuer: current, alsoTrusted: [], switchAt: nil)
        }
        let successor = try decode(next.authority, sealing: sealing)
        let switchAt = Date(timeIntervalSince1970: next.switchAt)
        if now >= switchAt { return Authorities(issuer: successor, alsoTrusted: [], switchAt: nil) }
        return Authorities(issuer: current, alsoTrusted: [successor.certificate], switchAt: switchAt)
    }

    /// Starts a rotation: a new CA, trusted beside the current one from now, issuing from
    /// `now + overlap` on (servers then serve a certificate from it). A rotation whose switch has
    /// passed is completed first; one still in its overlap is refused.
    public static func rotate(
        store: any ManagementStore, dataDirectory: String, sealing: any PrivateKeySealing, overlap: TimeInterval, now: Date = Date()
    ) async throws -> Authorities {
        let before = try await authorities(store: store, dataDirectory: dataDirectory, sealing: sealing, now: now)
        if let switchAt = before.switchAt {
            throw CertificateError.storeFailure(
                reason: "a CA rotation is under way: the new CA issues from \(UTCCalendar.iso8601(switchAt)); rotate again after that")
        }
        // The issuer now (perhaps a finished rotation's new CA) becomes the current one for good.
        try await store.setSetting(setting, to: try encode(before.issuer, sealing: sealing))
        let successor = try ServerIdentity.makeAuthority(
            now: now, commonName: "Thumbprint local CA \(UTCCalendar.iso8601(now).prefix(10)) \(UUID().uuidString.prefix(4).lowercased())")
        let next = Next(authority: try encode(successor, sealing: sealing), switchAt: (now.addingTimeInterval(overlap)).timeIntervalSince1970)
        try await store.setSetting(nextSetting, to: String(decoding: try JSONEncoder().encode(next), as: UTF8.self))
        return Authorities(issuer: before.issuer, alsoTrusted: [successor.certificate], switchAt: now.addingTimeInterval(overlap))
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
