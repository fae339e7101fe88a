import Crypto

/// The SHA-1 hash of a certificate's DER encoding: the name by which classic cloud services,
/// Windows certificate stores and the `.cscfg` refer to a certificate.
public struct Thumbprint: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 20 bytes of the SHA-1 digest.
    public let bytes: [UInt8]

    /// The thumbprint of the certificate whose DER encoding is `certificateDER`.
    public init(certificateDER: some Sequence<UInt8>) {
        self.bytes = Array(Insecure.SHA1.hash(data: Array(certificateDER)))
    }

    /// A thumbprint from exactly 20 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses a thumbprint typed or pasted by a person.
    ///
    /// Lowercase hex, spaces and colons are accepted; invisible characters that certificate
    /// dialogs copy along (such as U+200E LEFT-TO-RIGHT MARK) are removed, and the result says so.
    public static func parse(_ text: String) throws(CertificateError) -> ParsedThumbprint {
        var hex: [UInt8] = []
        var removedInvisible = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", ":", "\t", "-":
                continue
            case _ where Self.isInvisible(scalar):
                removedInvisible = true
            case "0"..."9", "a"..."f", "A"..."F":
                hex.append(UInt8(ascii: scalar))
            default:
                throw .invalidThumbprint(text, reason: "it contains \"\(Character(scalar))\", which is not a hex digit")
            }
        }
        guard hex.count == 40 else {
            throw .invalidThumbprint(text, reason: "it has \(hex.count) hex digits; a SHA-1 thumbprint has 40")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        var index = 0
        while index < 40 {
            bytes.append(hexValue(hex[index]) << 4 | hexValue(hex[index + 1]))
            index += 2
        }
        return ParsedThumbprint(thumbprint: Thumbprint(uncheckedBytes: bytes), removedInvisibleCharacters: removedInvisible)
    }

    /// 40 uppercase hex digits, as Windows and the Service Management API show them.
    public var description: String { hexString(bytes, uppercase: true) }

    public static func < (lhs: Thumbprint, rhs: Thumbprint) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Thumbprint.parse(text).thumbprint
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0xFEFF, 0x00AD, 0x00A0: return true
        default: return false
        }
    }

    private static func hexValue(_ ascii: UInt8) -> UInt8 {
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ascii - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ascii - UInt8(ascii: "a") + 10
        default: return ascii - UInt8(ascii: "A") + 10
        }
    }
}

/// A thumbprint parsed from text, with a note of whether invisible characters were dropped.
public struct ParsedThumbprint: Sendable, Equatable {
    /// The thumbprint.
    public var thumbprint: Thumbprint
    /// True when the text held invisible characters (copied from a certificate dialog) that were removed.
    public var removedInvisibleCharacters: Bool
}

/// Hex digits of `bytes`, two per byte.
public func hexString(_ bytes: some Sequence<UInt8>, uppercase: Bool) -> String {
    let digits: [UInt8] = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
