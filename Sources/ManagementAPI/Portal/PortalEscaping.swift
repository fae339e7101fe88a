import Mustache

/// HTML escaping for the portal's templates: the characters Mustache's own HTML type escapes
/// (`< > & " '`) and the backtick, over UTF-8 bytes rather than Characters, since pages
/// such as the expiry list escape thousands of values. Every template starts with the pragma
/// that selects it, so `{{value}}` is escaped by this and nothing else.
struct PortalEscaping: MustacheContentType {
    static let name = "PORTAL_HTML"
    /// The pragma that starts every template.
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"

    func escapeText(_ text: String) -> String {
        guard text.utf8.contains(where: { Self.replacement(for: $0) != nil }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if let replacement = Self.replacement(for: byte) { bytes += replacement.utf8 } else { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func replacement(for byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&#39;"
        case UInt8(ascii: "`"): "&#96;"
        default: nil
        }
    }
}
