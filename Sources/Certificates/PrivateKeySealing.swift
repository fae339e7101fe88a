/// Seals private keys before they are written to files the user does not own (a server's data
/// folder, a role instance's stores) and opens them again. The server's master key does it; the
/// certificate toolkit only calls it.
public protocol PrivateKeySealing: Sendable {
    /// The sealed form of a PKCS#8 key; `context` (such as the file's name) is bound to it.
    func seal(_ pkcs8: [UInt8], context: String) throws -> [UInt8]
    /// The PKCS#8 key a `seal` with the same `context` made.
    func open(_ sealed: [UInt8], context: String) throws -> [UInt8]
}
