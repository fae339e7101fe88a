#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A subscription's id: a GUID, written lowercase as the Service Management API does.
public struct SubscriptionID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The lowercase 8-4-4-4-12 form.
    public let rawValue: String

    /// Reads a GUID (8-4-4-4-12 hex digits) in any case; nil when `text` is not one. Checked on
    /// bytes: every request's path starts with one.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for index in bytes.indices {
            let byte = bytes[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): break
            case UInt8(ascii: "A")...UInt8(ascii: "F"): bytes[index] = byte + 32
            default: return nil
            }
        }
        rawValue = String(decoding: bytes, as: UTF8.self)
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

/// The id of an asynchronous operation: 32 lowercase hex digits, the `x-ms-request-id` of the
/// request that started it.
public struct OperationID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 32 hex digits.
    public let rawValue: String

    /// Reads the 32-hex form, or the dashed GUID form Get Operation Status reports.
    public init?(_ text: String) {
        let hex = text.lowercased().filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        rawValue = hex
    }

    /// A new random id, for an operation no API request started (the portal's renewals).
    public static func random() -> OperationID {
        var generator = SystemRandomNumberGenerator()
        return OperationID(hex: (0..<32).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined())
    }

    private init(hex: String) { rawValue = hex }

    /// The 8-4-4-4-12 form used in the `ID` element of an operation.
    public var dashed: String {
        let c = Array(rawValue)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }

    public var description: String { rawValue }
}

/// An identifier with a text form: written to JSON (`--json` output) as that plain text, and read
/// back checked.
public protocol TextIdentifier: Codable {
    /// The text form.
    var rawValue: String { get }
    /// The identifier `text` names; nil when it names none.
    init?(_ text: String)
}

extension TextIdentifier {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let identifier = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(text) is not a \(Self.self)"))
        }
        self = identifier
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension SubscriptionID: TextIdentifier {}
extension EmailAddress: TextIdentifier {}
extension OperationID: TextIdentifier {}
