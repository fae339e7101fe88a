import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A random secret handed to a person once (an invitation link, a session cookie, a CSRF token):
/// 256 random bits as URL-safe base64. The server keeps only its SHA-256, so a copy of the
/// database lets nobody use it.
public struct SecretToken: Sendable, Equatable, CustomStringConvertible {
    /// The token as the person gets it.
    public let text: String

    /// A new random token.
    public static func random() -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SecretToken(
            text: Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: ""))
    }

    /// A token as presented; nil when it is not the shape this server hands out (43 URL-safe base64 characters).
    public init?(presented text: String) {
        guard text.utf8.count == 43, text.utf8.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        self.text = text
    }

    private init(text: String) { self.text = text }

    private static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// What the server stores: the SHA-256 of the token, in hex.
    public var hashed: String { SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }

    /// Whether `other` is the same token, compared in constant time.
    public func matches(_ other: String) -> Bool {
        let a = Array(text.utf8)
        let b = Array(other.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Never the token itself: it must not reach a log by accident.
    public var description: String { "SecretToken(…)" }
}
