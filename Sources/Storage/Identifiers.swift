#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A subscription's id: a GUID, written lowercase as the Service Management API does.
public struct SubscriptionID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The lowercase 8-4-4-4-12 form.
    public let rawValue: String

    /// Reads a GUID in any case; nil when `text` is not one.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        rawValue = uuid.uuidString.lowercased()
    }

    /// A new random id.
    public static func random() -> SubscriptionID {
        // A fresh UUID always parses.
        SubscriptionID(UUID().uuidString) ?? SubscriptionID(uncheckedRawValue: UUID().uuidString.lowercased())
    }

    init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }

    public var description: String { rawValue }
}

/// A user id: the e-mail address a person signs in with, compared without regard to case.
public struct EmailAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The address, lowercased.
    public let rawValue: String

    /// Reads an address of the form `name@host`; nil for anything else.
    public init?(_ text: String) {
        let trimmed = text.lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, trimmed.count <= 254,
              !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "<" || $0 == ">" })
        else { return nil }
        rawValue = trimmed
    }

    init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }

    public var description: String { rawValue }
}

/// The id of an asynchronous operation and of a request: 32 lowercase hex digits (`x-ms-request-id`).
public struct RequestID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 32 hex digits.
    public let rawValue: String

    /// A new random id.
    public static func random() -> RequestID {
        // Two draws of 64 bits: one system call each, not one per digit.
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for _ in 0..<2 {
            var word: UInt64 = generator.next()
            for _ in 0..<16 {
                text.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        return RequestID(uncheckedRawValue: String(decoding: text, as: UTF8.self))
    }

    /// Reads the 32-hex form, or the dashed GUID form Get Operation Status reports.
    public init?(_ text: String) {
        let hex = text.lowercased().filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        rawValue = hex
    }

    init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }

    /// The 8-4-4-4-12 form used in the `ID` element of an operation.
    public var dashed: String {
        let c = Array(rawValue)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }

    public var description: String { rawValue }
}
