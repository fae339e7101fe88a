import Foundation
import FuzzChecks
import ServiceModel
import ServicePackages
import TestSupport
import Testing
import WireFormat

/// What fuzzing found, each input kept in the corpus and named here with what must happen now.
@Suite("Inputs fuzzing found")
struct RegressionTests {
    static func input(_ target: FuzzTarget, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("Fuzz/Corpus/\(target.rawValue)/\(name)")))
    }

    @Test("invalid UTF-8 in a comment, an element name or the root is refused with its line, not handed to FoundationXML (which trapped)")
    func invalidUTF8() throws {
        for (target, name) in [
            (FuzzTarget.xml, "regression-invalid-utf8-in-comment"), (.serviceModel, "regression-invalid-utf8-in-name"),
            (.publishSettings, "regression-invalid-utf8-in-root"),
        ] {
            let bytes = try Self.input(target, name)
            let document = Array(bytes.prefix { $0 != 0 })
            #expect(throws: XMLReadError.self, "\(name)") { _ = try XMLDocumentReader.parse(document) }
            do {
                _ = try XMLDocumentReader.parse(document)
            } catch {
                #expect(error.description.contains("is not UTF-8"), "\(error)")
            }
        }
    }

    @Test("a package whose deflate stream never ends is refused as damaged at once (ZIPFoundation's extract spun forever on it)")
    func endlessDeflate() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("endless.cspkg")
        try Data(try Self.input(.servicePackage, "regression-endless-deflate")).write(to: URL(fileURLWithPath: path))
        let started = Date()
        #expect(throws: ServicePackageError.self) { _ = try ServicePackage(path: path) }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a processing instruction other than the declaration is refused (an empty one made FoundationXML read a null pointer)")
    func processingInstruction() throws {
        for name in ["regression-empty-processing-instruction", "regression-instruction-after-quote"] {
            let bytes = try Self.input(.publishSettings, name)
            #expect(throws: XMLReadError.self, "\(name)") { _ = try XMLDocumentReader.parse(bytes) }
        }
        #expect(throws: XMLReadError.self) { _ = try XMLDocumentReader.parse(Array("<a><?php echo 1; ?></a>".utf8)) }
        #expect(try XMLDocumentReader.parse(Array("<?xml version=\"1.0\"?><a/>".utf8)).name == "a", "the declaration still reads")
    }

    @Test("a package whose deflate data ends early is refused as damaged (inflate read past a short chunk)")
    func shortDeflateChunk() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("short.cspkg")
        try Data(try Self.input(.servicePackage, "regression-short-deflate-chunk")).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { _ = try ServicePackage(path: path) }
    }

    @Test("an entry whose path has no part left (\".\", \"./\") is refused: it would name the extraction folder itself")
    func emptyEntryPath() throws {
        for text in [".", "./", "", "/", "a/../"] { #expect(PackageEntryPath(text) == nil, "\(text)") }
        #expect(PackageEntryPath("./a/b")?.description == "a/b")
        let folder = try TemporaryDirectory()
        let path = folder.file("empty-path.cspkg")
        try Data(try Self.input(.servicePackage, "regression-empty-entry-path")).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { _ = try ServicePackage(path: path) }
    }

    @Test("a ManagementCertificate attribute holding \"&\" (written &amp;) is escaped when written back, so the file reads the same (it was written raw)")
    func unescapedManagementCertificate() throws {
        let bytes = try Self.input(.publishSettings, "regression-unescaped-management-certificate")
        let settings = try PublishSettings(xml: bytes)
        #expect(settings.entries.first?.managementCertificate.contains("&") == true)
        #expect(try PublishSettings(xml: Array(settings.xml.utf8)) == settings)
    }
}
