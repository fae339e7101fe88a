/// What the safe XML reader checks in a document's bytes before any parser sees them, in one
/// linear pass: the encoding (UTF-8, UTF-16 or UTF-32, with or without a byte-order mark, and
/// ISO-8859-1 when declared), no DTD however it is encoded, and bounds on attributes per element,
/// attribute and text length and the number of elements. Parsers can be slow on such input
/// (libxml2 checks attributes for duplicates pairwise), so the bounds are enforced first.
public struct XMLPreflight: Sendable, Equatable {
    /// At most this many attributes on one element (namespace declarations included).
    public var maximumAttributes = 256
    /// At most this many bytes in one attribute value.
    public var maximumAttributeLength = 64 << 10
    /// At most this many bytes of text (or CDATA) in one run between tags.
    public var maximumTextLength = 1 << 20
    /// At most this many elements in the document.
    public var maximumElements = 20_000

    /// The standard bounds.
    public init() {}

    /// The document as UTF-8 with a plain `<?xml version="1.0"?>` declaration in place of the
    /// one it had (so that the parser never switches encoding), or the reason it is refused.
    public func check(_ bytes: [UInt8]) throws(XMLReadError) -> [UInt8] {
        let utf8 = try Self.utf8(bytes)
        try Self.refuseProcessingInstructions(utf8)
        try scan(utf8)
        return utf8
    }

    // MARK: Encoding

    private enum Encoding {
        case utf8, utf16BigEndian, utf16LittleEndian, utf32BigEndian, utf32LittleEndian
    }

    /// Detects the encoding (XML 1.0, appendix F), decodes it strictly and re-encodes as UTF-8.
    static func utf8(_ bytes: [UInt8]) throws(XMLReadError) -> [UInt8] {
        let (encoding, skip) = detect(bytes)
        var text: String
        switch encoding {
        case .utf8:
            let body = Array(bytes[skip...])
            // ASCII-compatible: the declaration, if any, says whether it is really UTF-8.
            switch declaredEncoding(body) {
            case nil, "utf-8", "utf8", "us-ascii", "ascii":
                // libxml2 hands invalid UTF-8 in names and comments to FoundationXML, which traps
                // on it (found by fuzzing): refuse it here, naming where.
                try requireUTF8(body)
                return replacingDeclaration(body)
            case "iso-8859-1", "latin1", "latin-1":
                text = String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
            case let other?:
                throw .unsupportedEncoding(other)
            }
        case .utf16BigEndian, .utf16LittleEndian:
            let body = bytes[skip...]
            guard body.count % 2 == 0 else { throw .unsupportedEncoding("UTF-16 with an odd number of bytes") }
            let big = encoding == .utf16BigEndian
            let units = stride(from: body.startIndex, to: body.endIndex, by: 2).map { index -> UInt16 in
                let (high, low) = big ? (body[index], body[index + 1]) : (body[index + 1], body[index])
                return UInt16(high) << 8 | UInt16(low)
            }
            text = try decode(units, as: UTF16.self, name: "UTF-16")
        case .utf32BigEndian, .utf32LittleEndian:
            let body = bytes[skip...]
            guard body.count % 4 == 0 else { throw .unsupportedEncoding("UTF-32 with a number of bytes not divisible by 4") }
            let big = encoding == .utf32BigEndian
            let units = stride(from: body.startIndex, to: body.endIndex, by: 4).map { index -> UInt32 in
                let four = big ? body[index..<index + 4].map(UInt32.init) : body[index..<index + 4].reversed().map(UInt32.init)
                return four.reduce(0) { $0 << 8 | $1 }
            }
            text = try decode(units, as: UTF32.self, name: "UTF-32")
        }
        return replacingDeclaration(Array(text.utf8))
    }

    private static func detect(_ bytes: [UInt8]) -> (Encoding, skip: Int) {
        let head = Array(bytes.prefix(4)) + [UInt8](repeating: 0xAA, count: max(0, 4 - bytes.count))
        switch (head[0], head[1], head[2], head[3]) {
        case (0x00, 0x00, 0xFE, 0xFF): return (.utf32BigEndian, 4)
        case (0xFF, 0xFE, 0x00, 0x00): return (.utf32LittleEndian, 4)
        case (0xEF, 0xBB, 0xBF, _): return (.utf8, 3)
        case (0xFE, 0xFF, _, _): return (.utf16BigEndian, 2)
        case (0xFF, 0xFE, _, _): return (.utf16LittleEndian, 2)
        case (0x00, 0x00, 0x00, _): return (.utf32BigEndian, 0)
        case (_, 0x00, 0x00, 0x00): return (.utf32LittleEndian, 0)
        case (0x00, _, _, _): return (.utf16BigEndian, 0)
        case (_, 0x00, _, _): return (.utf16LittleEndian, 0)
        default: return (.utf8, 0)
        }
    }

    /// Refuses `<?` anywhere but the declaration at the very start, by bytes, whatever the tags
    /// around it: `<` may not stand in an attribute value or unescaped in text, so any other
    /// `<?` is a processing instruction or a mistake. An empty one made FoundationXML read a null
    /// pointer (found by fuzzing), and none of our formats uses one.
    static func refuseProcessingInstructions(_ bytes: [UInt8]) throws(XMLReadError) {
        var line = 1
        for index in bytes.indices.dropLast() {
            if bytes[index] == 0x0A { line += 1 }
            guard bytes[index] == 0x3C, bytes[index + 1] == 0x3F, index > 0 || !bytes.starts(with: Array("<?xml ".utf8)) else { continue }
            throw .malformed(reason: "processing instructions (<?…?>) other than the XML declaration are not accepted", line: line)
        }
    }

    /// Throws `malformed`, with the line, at the first byte sequence that is not UTF-8.
    static func requireUTF8(_ bytes: [UInt8]) throws(XMLReadError) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput: return
            case .error: throw .malformed(reason: "a byte sequence is not UTF-8; save the file as UTF-8", line: line)
            }
        }
    }

    private static func decode<Codec: UnicodeCodec>(_ units: [Codec.CodeUnit], as codec: Codec.Type, name: String) throws(XMLReadError) -> String {
        var scalars = String.UnicodeScalarView()
        var iterator = units.makeIterator()
        var decoder = Codec()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: return String(scalars)
            case .error: throw .unsupportedEncoding("\(name) that does not decode")
            }
        }
    }

    /// The `encoding` named in a leading `<?xml …?>`, lower-cased; nil when there is none.
    private static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        guard let end = declarationEnd(bytes) else { return nil }
        let declaration = String(decoding: bytes[..<end], as: UTF8.self)
        guard let range = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote }).lowercased()
    }

    /// The index just past `?>` of a leading XML declaration.
    private static func declarationEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.starts(with: Array("<?xml".utf8)), bytes.count > 5, [0x20, 0x09, 0x0A, 0x0D, 0x3F].contains(bytes[5]) else { return nil }
        var index = 5
        while index + 1 < bytes.count {
            if bytes[index] == 0x3F, bytes[index + 1] == 0x3E { return index + 2 }
            index += 1
        }
        return nil
    }

    private static func replacingDeclaration(_ bytes: [UInt8]) -> [UInt8] {
        guard let end = declarationEnd(bytes) else { return bytes }
        return Array("<?xml version=\"1.0\"?>".utf8) + bytes[end...]
    }

    // MARK: Structure

    /// One pass over the UTF-8 bytes: refuses any `<!` other than a comment or CDATA section
    /// (that is, any DTD), and enforces the bounds, naming the line.
    private func scan(_ bytes: [UInt8]) throws(XMLReadError) {
        var index = 0
        var line = 1
        var elements = 0
        var textRun = 0
        let count = bytes.count

        func starts(_ pattern: StaticString, at position: Int) -> Bool {
            let length = pattern.utf8CodeUnitCount
            guard position + length <= count else { return false }
            return pattern.withUTF8Buffer { pattern in
                (0..<length).allSatisfy { bytes[position + $0] | 0x20 == pattern[$0] | 0x20 }
            }
        }
        /// Moves past `terminator`, counting lines and the bytes skipped.
        func skip(to terminator: StaticString) -> Int? {
            let start = index
            while index < count {
                if starts(terminator, at: index) {
                    index += terminator.utf8CodeUnitCount
                    return index - start
                }
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
            return nil
        }

        while index < count {
            let byte = bytes[index]
            if byte != 0x3C {  // text
                if byte == 0x0A { line += 1 }
                textRun += 1
                if textRun > maximumTextLength { throw .textTooLong(limit: maximumTextLength, line: line) }
                index += 1
                continue
            }
            if starts("<!--", at: index) {
                index += 4
                guard skip(to: "-->") != nil else { return }
            } else if starts("<![CDATA[", at: index) {
                index += 9
                guard let length = skip(to: "]]>") else { return }
                textRun += length
                if textRun > maximumTextLength { throw .textTooLong(limit: maximumTextLength, line: line) }
            } else if starts("<!", at: index) {
                throw .documentTypeDeclaration
            } else if starts("<?", at: index) {
                // Only the declaration gets here (refuseProcessingInstructions).
                index += 2
                guard skip(to: "?>") != nil else { return }
            } else {
                textRun = 0
                let isEndTag = starts("</", at: index)
                if !isEndTag {
                    elements += 1
                    if elements > maximumElements { throw .tooManyElements(limit: maximumElements) }
                }
                index += 1
                var attributes = 0
                tag: while index < count {
                    switch bytes[index] {
                    case 0x3E:  // >
                        index += 1
                        break tag
                    case 0x3D:  // =
                        attributes += 1
                        if attributes > maximumAttributes { throw .tooManyAttributes(limit: maximumAttributes, line: line) }
                        index += 1
                    case 0x22, 0x27:  // a quoted value
                        let quote = bytes[index]
                        index += 1
                        let start = index
                        while index < count, bytes[index] != quote {
                            if bytes[index] == 0x0A { line += 1 }
                            index += 1
                        }
                        if index - start > maximumAttributeLength { throw .attributeTooLong(limit: maximumAttributeLength, line: line) }
                        index += 1
                    case 0x0A:
                        line += 1
                        index += 1
                    default:
                        index += 1
                    }
                }
            }
        }
    }
}
