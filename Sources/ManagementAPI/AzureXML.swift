/// Writes XML in the Service Management API's form: the Azure namespace on the root, no XML
/// declaration, every value escaped.
public struct AzureXML: Sendable {
    /// The default namespace of every body.
    public static let namespace = "http://schemas.microsoft.com/windowsazure"

    private var text = ""

    /// A document whose root is `root`, with the children `body` writes.
    public static func document(_ root: String, _ body: (inout AzureXML) -> Void) -> String {
        var writer = AzureXML()
        writer.text = "<\(root) xmlns=\"\(namespace)\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
        body(&writer)
        writer.text += "</\(root)>"
        return writer.text
    }

    /// A simple element with text; an empty value is written as an empty element.
    public mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    /// An element holding other elements.
    public mutating func element(_ name: String, _ body: (inout AzureXML) -> Void) {
        text += "<\(name)>"
        body(&self)
        text += "</\(name)>"
    }

    /// Escapes text for element content and attribute values.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
