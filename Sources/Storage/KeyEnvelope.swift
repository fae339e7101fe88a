import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Envelope encryption of private keys at rest: each key is sealed with AES-256-GCM under a
/// fresh data key, and the data key is wrapped (AES key wrap, RFC 3394) by the master key. The
/// database holds only the sealed form.
///
/// Layout: version byte 1 | wrapped data key (40 bytes) | AES-GCM nonce, ciphertext and tag.
/// `context` (for example the service and thumbprint) is authenticated, so a sealed key moved
/// to another row does not open.
public enum KeyEnvelope {
    static let version: UInt8 = 1

    /// Seals `plaintext` (a PKCS#8 private key) for storage.
    public static func seal(_ plaintext: [UInt8], context: String, with master: MasterKey) throws(StorageError) -> [UInt8] {
        do {
            let dataKey = SymmetricKey(size: .bits256)
            let wrapped = try AES.KeyWrap.wrap(dataKey, using: master.key)
            let sealed = try AES.GCM.seal(plaintext, using: dataKey, authenticating: Array(context.utf8))
            guard let combined = sealed.combined else { throw StorageError.masterKey("AES-GCM gave no combined form") }
            return [version] + Array(wrapped) + Array(combined)
        } catch let error as StorageError {
            throw error
        } catch {
            throw .masterKey("a private key could not be sealed: \(error)")
        }
    }

    /// Opens a sealed key; fails when the master key or the context is not the one it was sealed with.
    public static func open(_ sealed: [UInt8], context: String, with master: MasterKey) throws(StorageError) -> [UInt8] {
        guard sealed.count > 41, sealed[0] == version else { throw .masterKey("a stored private key is not in a form this version reads") }
        do {
            let dataKey = try AES.KeyWrap.unwrap(sealed[1..<41], using: master.key)
            let box = try AES.GCM.SealedBox(combined: sealed[41...])
            return Array(try AES.GCM.open(box, using: dataKey, authenticating: Array(context.utf8)))
        } catch {
            throw .masterKey("a stored private key does not open with this master key (or was moved or altered)")
        }
    }
}
