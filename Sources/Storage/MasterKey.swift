import Certificates
import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The key that wraps every data key of private keys stored at rest: 256 bits, from
/// `THUMBPRINT_MASTER_KEY` (base64) or the file `DIR/master.key` (0600, made on first use).
public struct MasterKey: Sendable {
    /// The environment variable that overrides the file.
    public static let environmentVariable = "THUMBPRINT_MASTER_KEY"

    let key: SymmetricKey

    /// A master key from its 32 bytes.
    public init(bytes: [UInt8]) throws(StorageError) {
        guard bytes.count == 32 else { throw .masterKey("a master key is 32 bytes, not \(bytes.count)") }
        key = SymmetricKey(data: bytes)
    }

    /// A new random master key.
    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) { self.key = key }

    /// The key from the environment if set, else from `dataDirectory/master.key`, made there if absent.
    public static func load(dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) -> MasterKey {
        if let text = environment[environmentVariable], !text.isEmpty {
            guard let bytes = Data(base64Encoded: text.trimmingWhitespaceAndNewlines) else {
                throw .masterKey("\(environmentVariable) is not base64 (it holds 32 bytes: make one with `openssl rand -base64 32`)")
            }
            return try MasterKey(bytes: [UInt8](bytes))
        }
        let path = dataDirectory + "/master.key"
        if LocalFile.kind(of: path) == .file {
            let bytes: [UInt8]
            do {
                bytes = try LocalFile.read(path: path, limit: 1024)
            } catch {
                throw .masterKey("\(path) cannot be read: \(error)")
            }
            return try MasterKey(bytes: bytes)
        }
        let made = generate()
        do {
            try SecureFile.write(made.key.withUnsafeBytes { Array($0) }, to: path, mode: 0o600)
        } catch {
            throw .masterKey("\(path) cannot be written: \(error)")
        }
        return made
    }

    /// A value that identifies this key without revealing it, kept in the database so that a
    /// server started with another master key is refused before it touches anything.
    public var checkValue: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("thumbprint master key check".utf8), using: key)
        return Data(mac).base64EncodedString()
    }
}

extension String {
    var trimmingWhitespaceAndNewlines: String {
        let scalars = unicodeScalars.drop(while: { $0.properties.isWhitespace }).reversed().drop(while: { $0.properties.isWhitespace }).reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}

extension ManagementStore {
    /// Binds the data folder to `master` on first use, and refuses any other master key later:
    /// a server started with the wrong key stops before it reads or writes a sealed key.
    public func verifyMasterKey(_ master: MasterKey) async throws(StorageError) {
        let name = "master_key_check"
        guard let recorded = try await setting(name) else {
            try await setSetting(name, to: master.checkValue)
            return
        }
        guard recorded == master.checkValue else {
            throw .masterKey(
                "this data folder's private keys were sealed with another master key. Start with the master key it was made with (\(MasterKey.environmentVariable) or master.key in the data folder); nothing was changed"
            )
        }
    }
}

extension MasterKey: PrivateKeySealing {
    /// Seals a key for a file with the same envelope as the database's keys.
    public func seal(_ pkcs8: [UInt8], context: String) throws -> [UInt8] {
        try KeyEnvelope.seal(pkcs8, context: context, with: self)
    }

    /// Opens a key `seal` made.
    public func open(_ sealed: [UInt8], context: String) throws -> [UInt8] {
        try KeyEnvelope.open(sealed, context: context, with: self)
    }
}
