import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An element of an XML document read from outside: its local name, namespace, attributes,
/// text and children, with the line it started on (for messages a person can act on).
public struct XMLElement: Sendable, Equatable {
    /// The local name, without prefix.
    public var name: String
    /// The namespace URI, or "" when none.
    public var namespace: String
    /// Attributes by local name.
    public var attributes: [String: String]
    /// The text directly inside the element, trimmed of surrounding white space.
    public var text: String
    /// Child elements in document order.
    public var children: [XMLElement]
    /// The line the element's start tag is on, counting from 1.
    public var line: Int

    /// The first child with this local name.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child with this local name.
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
}

/// Why an XML document was refused.
public enum XMLReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The document is larger than allowed.
    case tooLarge(size: Int, limit: Int)
    /// The document declares a DTD: refused, so that no entity is ever expanded (billion laughs, XXE).
    case documentTypeDeclaration
    /// Elements nest deeper than allowed.
    case tooDeep(limit: Int)
    /// The XML is malformed; carries the parser's message and line.
    case malformed(reason: String, line: Int)
    /// There is no root element.
    case empty
    /// The document is in an encoding the reader does not accept (it reads UTF-8, UTF-16, UTF-32 and ISO-8859-1).
    case unsupportedEncoding(String)
    /// An element has more attributes than allowed.
    case tooManyAttributes(limit: Int, line: Int)
    /// An attribute value is longer than allowed.
    case attributeTooLong(limit: Int, line: Int)
    /// A run of text is longer than allowed.
    case textTooLong(limit: Int, line: Int)
    /// The document has more elements than allowed.
    case tooManyElements(limit: Int)

    public var description: String {
        switch self {
        case .tooLarge(let size, let limit): return "the XML document is \(size) bytes; at most \(limit) are accepted"
        case .documentTypeDeclaration: return "the XML document declares a DTD (<!DOCTYPE …>); DTDs and entities are not accepted"
        case .tooDeep(let limit): return "the XML elements nest more than \(limit) deep"
        case .malformed(let reason, let line): return "the XML is malformed at line \(line): \(reason)"
        case .empty: return "the XML document has no root element"
        case .unsupportedEncoding(let encoding): return "the XML document's encoding (\(encoding)) is not accepted; save it as UTF-8"
        case .tooManyAttributes(let limit, let line): return "an element at line \(line) has more than \(limit) attributes"
        case .attributeTooLong(let limit, let line): return "an attribute value at line \(line) is longer than \(limit) bytes"
        case .textTooLong(let limit, let line): return "the text at line \(line) is longer than \(limit) bytes"
        case .tooManyElements(let limit): return "the XML document has more than \(limit) elements"
        }
    }
}

/// Reads XML from outside: checks encoding, DTDs (and so every entity expansion) and bounds
/// before parsing (`XMLPreflight`), limits size and depth, and insists on exactly one complete
/// root element.
public enum XMLDocumentReader {
    /// Parses `bytes` into its root element.
    public static func parse(
        _ bytes: [UInt8], limit: Int = 4 << 20, maximumDepth: Int = 64,
        preflight: XMLPreflight = XMLPreflight()
    ) throws(XMLReadError) -> XMLElement {
        guard bytes.count <= limit else { throw .tooLarge(size: bytes.count, limit: limit) }
        let utf8 = try preflight.check(bytes)
        // Belt and braces: the preflight refuses every `<!` but comments and CDATA already.
        if containsDocumentType(utf8) { throw .documentTypeDeclaration }
        let parser = XMLParser(data: Data(utf8))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder(maximumDepth: maximumDepth)
        parser.delegate = builder
        let succeeded = parser.parse()
        if let failure = builder.failure { throw failure }
        guard succeeded, parser.parserError == nil else {
            throw .malformed(reason: parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error", line: parser.lineNumber)
        }
        // XMLParser accepts unterminated input and a second root; the builder checks both.
        guard builder.openElements.isEmpty else { throw .malformed(reason: "the document ends inside an element", line: parser.lineNumber) }
        guard let root = builder.root else { throw .empty }
        guard builder.rootCount == 1 else { throw .malformed(reason: "there is more than one root element", line: parser.lineNumber) }
        return root
    }

    /// Whether `<!DOCTYPE` appears anywhere, in any letter case.
    private static func containsDocumentType(_ bytes: [UInt8]) -> Bool {
        let pattern = Array("<!DOCTYPE".utf8)
        guard bytes.count >= pattern.count else { return false }
        return (0...(bytes.count - pattern.count)).contains { start in
            pattern.indices.allSatisfy { offset in bytes[start + offset] & 0xDF == pattern[offset] & 0xDF }
        }
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    let maximumDepth: Int
    var openElements: [XMLElement] = []
    var root: XMLElement?
    var rootCount = 0
    var failure: XMLReadError?

    init(maximumDepth: Int) {
        self.maximumDepth = maximumDepth
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        guard openElements.count < maximumDepth else {
            failure = .tooDeep(limit: maximumDepth)
            parser.abortParsing()
            return
        }
        var localAttributes: [String: String] = [:]
        for (key, value) in attributes {
            localAttributes[String(key.split(separator: ":").last ?? Substring(key))] = value
        }
        openElements.append(
            XMLElement(name: elementName, namespace: namespaceURI ?? "", attributes: localAttributes, text: "", children: [], line: parser.lineNumber))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !openElements.isEmpty else { return }
        openElements[openElements.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        guard !openElements.isEmpty else { return }
        openElements[openElements.count - 1].text += String(decoding: block, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard var element = openElements.popLast() else { return }
        element.text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if openElements.isEmpty {
            rootCount += 1
            if root == nil { root = element }
        } else {
            openElements[openElements.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        failure = .documentTypeDeclaration
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        failure = .documentTypeDeclaration
        parser.abortParsing()
    }
}
