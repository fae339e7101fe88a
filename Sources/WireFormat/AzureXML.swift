/// Writes XML in the Service Management API's form: the Azure namespace on the root, no XML
/// declaration, every value escaped.
public struct AzureXML: Sendable {
    /// The default namespace of every body.
    public static let namespace = "http://schemas.microsoft.com/windowsazure"

    /// The document so far, as UTF-8: bodies are built byte by byte, not by String concatenation.
    private var bytes: [UInt8] = []

    /// A document whose root is `root`, with the children `body` writes.
    public static func document(_ root: String, _ body: (inout AzureXML) -> Void) -> String {
        var writer = AzureXML()
        writer.bytes.reserveCapacity(4096)
        writer.append("<\(root) xmlns=\"\(namespace)\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">")
        body(&writer)
        writer.append("</\(root)>")
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A simple element with text; an empty value is written as an empty element.
    public mutating func element(_ name: String, _ value: String) {
        append("<")
        append(name)
        append(">")
        Self.appendEscaped(value, to: &bytes)
        append("</")
        append(name)
        append(">")
    }

    /// An element holding other elements.
    public mutating func element(_ name: String, _ body: (inout AzureXML) -> Void) {
        append("<")
        append(name)
        append(">")
        body(&self)
        append("</")
        append(name)
        append(">")
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Escapes text for element content and attribute values.
    public static func escape(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` escaped; most values (base64, thumbprints, names) need no escaping and
    /// are copied as they are.
    private static func appendEscaped(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() {
                let replacement: StaticString
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&apos;"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }
}
