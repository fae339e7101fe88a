import Foundation
import ServiceModel
import Testing

/// The safe XML reader against what an attacker would send: DTDs in other encodings, and
/// documents whose shape makes parsers slow.
@Suite("Safe XML reader: encodings and bounds")
struct XMLReaderHardeningTests {
    /// No entity at all (which the parser's entity callbacks would see): a default attribute
    /// the DTD injects, and an external subset.
    static let doctypes = [
        """
        <?xml version="1.0" encoding="ENCODING"?>
        <!DOCTYPE CertificateFile [<!ATTLIST CertificateFile injected CDATA "by the DTD">]>
        <CertificateFile><Data>AA==</Data></CertificateFile>
        """,
        """
        <?xml version="1.0" encoding="ENCODING"?>
        <!DOCTYPE CertificateFile SYSTEM "http://127.0.0.1:9/external.dtd">
        <CertificateFile><Data>AA==</Data></CertificateFile>
        """,
    ]

    enum Form: String, CaseIterable, CustomTestStringConvertible {
        case utf16BE, utf16LE, utf16BEWithBOM, utf16LEWithBOM, utf32BE, utf32LE, utf32BEWithBOM, utf32LEWithBOM, utf8WithBOM

        var testDescription: String { rawValue }

        func encode(_ text: String) -> [UInt8] {
            let scalars = text.unicodeScalars.map(\.value)
            switch self {
            case .utf8WithBOM:
                return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
            case .utf16BE, .utf16BEWithBOM, .utf16LE, .utf16LEWithBOM:
                let big = self == .utf16BE || self == .utf16BEWithBOM
                let units = (self == .utf16BEWithBOM || self == .utf16LEWithBOM ? [0xFEFF] : []) + Array(text.utf16)
                return units.flatMap { big ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            case .utf32BE, .utf32BEWithBOM, .utf32LE, .utf32LEWithBOM:
                let big = self == .utf32BE || self == .utf32BEWithBOM
                let units = (self == .utf32BEWithBOM || self == .utf32LEWithBOM ? [0xFEFF] : []) + scalars
                return units.flatMap { unit -> [UInt8] in
                    let bytes = [UInt8(unit >> 24), UInt8(unit >> 16 & 0xFF), UInt8(unit >> 8 & 0xFF), UInt8(unit & 0xFF)]
                    return big ? bytes : bytes.reversed()
                }
            }
        }

        var declared: String { rawValue.hasPrefix("utf16") ? "UTF-16" : rawValue.hasPrefix("utf32") ? "UTF-32" : "UTF-8" }
    }

    @Test("a DTD is refused in every encoding, with or without a byte-order mark", arguments: Form.allCases)
    func doctypeInEveryEncoding(form: Form) throws {
        for document in Self.doctypes {
            let bytes = form.encode(document.replacingOccurrences(of: "ENCODING", with: form.declared))
            #expect(throws: XMLReadError.documentTypeDeclaration) { try XMLDocumentReader.parse(bytes) }
        }
    }

    @Test("a document in each encoding, without a DTD, reads the same as in UTF-8", arguments: Form.allCases)
    func otherEncodingsRead(form: Form) throws {
        let text = """
            <?xml version="1.0" encoding="\(form.declared)"?>
            <ServiceConfiguration serviceName="Grüße" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
              <Role name="Web"><Instances count="2" /></Role>
            </ServiceConfiguration>
            """
        let root = try XMLDocumentReader.parse(form.encode(text))
        #expect(root.attributes["serviceName"] == "Grüße")
        #expect(root.child("Role")?.child("Instances")?.attributes["count"] == "2")
        #expect(root.child("Role")?.line == 3)
    }

    @Test("an encoding the reader does not read is refused by name; ISO-8859-1 is read")
    func declaredEncodings() throws {
        let utf7 = Array(#"<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-<a/>"#.utf8)
        #expect(throws: XMLReadError.unsupportedEncoding("utf-7")) { try XMLDocumentReader.parse(utf7) }
        let latin1: [UInt8] = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><a b=""#.utf8) + [0xE9] + Array(#""/>"#.utf8)
        #expect(try XMLDocumentReader.parse(latin1).attributes["b"] == "é")
    }

    @Test("470,886 attributes on one element (a 4 MB body) are refused before parsing, in well under a second")
    func manyAttributes() throws {
        var body = Array("<CertificateFile ".utf8)
        body.reserveCapacity(4 << 20)
        var index = 0
        while body.count < (4 << 20) - 64 {
            body += Array("a\(index)=\"\" ".utf8)
            index += 1
        }
        body += Array("/>".utf8)
        let started = ContinuousClock.now
        #expect(throws: XMLReadError.tooManyAttributes(limit: 256, line: 1)) { try XMLDocumentReader.parse(body) }
        #expect(ContinuousClock.now - started < .seconds(1), "refusal took \(ContinuousClock.now - started)")
    }

    @Test("elements, attribute values and text runs beyond their bounds are refused, naming the line")
    func otherBounds() throws {
        let elements = Array(("<a>" + String(repeating: "<b/>", count: 20_001) + "</a>").utf8)
        #expect(throws: XMLReadError.tooManyElements(limit: 20_000)) { try XMLDocumentReader.parse(elements) }
        let attribute = Array(("<a>\n<b c=\"" + String(repeating: "x", count: 70_000) + "\"/></a>").utf8)
        #expect(throws: XMLReadError.attributeTooLong(limit: 65_536, line: 2)) { try XMLDocumentReader.parse(attribute) }
        let text = Array(("<a>" + String(repeating: "x", count: (1 << 20) + 1) + "</a>").utf8)
        #expect(throws: XMLReadError.textTooLong(limit: 1 << 20, line: 1)) { try XMLDocumentReader.parse(text) }
        // Within the bounds, the same shapes read.
        let fine = Array(("<a x=\"1\" y='>'>" + String(repeating: "<b/>", count: 100) + "<![CDATA[<!DOCTYPE not a dtd>]]><!-- <!DOCTYPE --></a>").utf8)
        #expect(throws: XMLReadError.documentTypeDeclaration) { try XMLDocumentReader.parse(fine) }
        let plain = Array(("<a x=\"1\" y='>'>" + String(repeating: "<b/>", count: 100) + "<![CDATA[text]]><!-- note --></a>").utf8)
        #expect(try XMLDocumentReader.parse(plain).children.count == 100)
    }
}
