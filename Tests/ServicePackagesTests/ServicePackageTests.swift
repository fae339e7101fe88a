import Foundation
import ServicePackages
import TestSupport
import Testing
import ZIPFoundation

/// Builds ZIP archives entry by entry, including the malicious kinds a package must refuse.
enum PackageBuilder {
    static let definition = try! Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/realworld/tailspin/ServiceDefinition.csdef"))

    /// Writes an archive with these (path, contents) file entries; nil contents makes a symbolic link to `/etc`.
    static func make(_ path: String, _ entries: [(String, Data?)]) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, contents) in entries {
            if let contents {
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(contents.count), compressionMethod: .deflate) { position, size in
                    contents.subdata(in: Int(position)..<Int(position) + size)
                }
            } else {
                let target = Data("/etc".utf8)
                try archive.addEntry(with: name, type: .symlink, uncompressedSize: Int64(target.count)) { position, size in
                    target.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        }
    }
}

@Suite("Service packages")
struct ServicePackageTests {
    @Test("the definition is found at any depth and a role's static files unpack beside it")
    func definitionAtDepthAndRoleFiles() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("app.cspkg")
        try PackageBuilder.make(
            path,
            [
                ("release/v1/ServiceDefinition.csdef", PackageBuilder.definition),
                ("release/v1/Tailspin.Web/index.html", Data("<h1>hello</h1>".utf8)),
                ("release/v1/Tailspin.Web/css/site.css", Data("body{}".utf8)),
                ("release/v1/Other/ignored.txt", Data("x".utf8)),
                ("release/v1/Tailspin.Web/ServiceDefinition.csdef", Data("not even XML: deeper ones are role content".utf8)),
            ])
        let package = try ServicePackage(path: path)
        #expect(package.definitionPath.description == "release/v1/ServiceDefinition.csdef")
        #expect(package.definition.roles.map(\.name).contains("Tailspin.Web"))
        #expect(
            package.files(ofRole: "Tailspin.Web").map(\.path.description).sorted() == [
                "release/v1/Tailspin.Web/ServiceDefinition.csdef", "release/v1/Tailspin.Web/css/site.css", "release/v1/Tailspin.Web/index.html",
            ])

        let site = folder.file("site")
        try package.extractFiles(ofRole: "Tailspin.Web", to: site)
        #expect(try String(contentsOfFile: site + "/index.html", encoding: .utf8) == "<h1>hello</h1>")
        #expect(try String(contentsOfFile: site + "/css/site.css", encoding: .utf8) == "body{}")
        #expect(!FileManager.default.fileExists(atPath: site + "/ignored.txt"))
    }

    @Test(
        "entries that climb out or are absolute are refused, whichever separator they use",
        arguments: ["../../evil.txt", "/etc/cron.d/evil", "site/../../evil.txt", "..\\..\\evil.txt", "C:\\Windows\\evil.txt", "C:/evil.txt"])
    func pathTraversalRefused(entry: String) throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("evil.cspkg")
        try PackageBuilder.make(path, [("ServiceDefinition.csdef", PackageBuilder.definition), (entry, Data("pwned".utf8))])
        #expect(throws: ServicePackageError.unsafeEntryPath(package: "evil.cspkg", entry: entry)) { try ServicePackage(path: path) }
        #expect(!FileManager.default.fileExists(atPath: folder.file("evil.txt")))
    }

    @Test("symbolic links are refused")
    func symbolicLinkRefused() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("link.zip")
        try PackageBuilder.make(path, [("ServiceDefinition.csdef", PackageBuilder.definition), ("Tailspin.Web/etc", nil)])
        #expect(throws: ServicePackageError.symbolicLink(package: "link.zip", entry: "Tailspin.Web/etc")) { try ServicePackage(path: path) }
    }

    @Test("a package over 200 MiB is refused before it is opened")
    func oversizeRefused() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("huge.cspkg")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(ServicePackage.sizeLimit + 1)) == 0)  // sparse: costs no disk
        let error = #expect(throws: ServicePackageError.self) { try ServicePackage(path: path) }
        #expect(error == .tooLarge(package: "huge.cspkg", size: ServicePackage.sizeLimit + 1, limit: 200 << 20))
        #expect(error?.description.contains("over the limit of 200 MiB") == true)
    }

    @Test("not a ZIP, no definition, two definitions at one depth, a broken definition: each says so")
    func malformedPackages() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("notes.cspkg")
        try Data("just text".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: ServicePackageError.notAZIPArchive(package: "notes.cspkg")) { try ServicePackage(path: text) }

        let empty = folder.file("empty.zip")
        try PackageBuilder.make(empty, [("readme.txt", Data("hi".utf8))])
        #expect(throws: ServicePackageError.missingDefinition(package: "empty.zip")) { try ServicePackage(path: empty) }

        let two = folder.file("two.zip")
        try PackageBuilder.make(two, [("a/ServiceDefinition.csdef", PackageBuilder.definition), ("b/ServiceDefinition.csdef", PackageBuilder.definition)])
        #expect(throws: ServicePackageError.ambiguousDefinition(package: "two.zip", entries: ["a/ServiceDefinition.csdef", "b/ServiceDefinition.csdef"])) {
            try ServicePackage(path: two)
        }

        let broken = folder.file("broken.zip")
        try PackageBuilder.make(broken, [("ServiceDefinition.csdef", Data("<ServiceDefinition".utf8))])
        let error = #expect(throws: ServicePackageError.self) { try ServicePackage(path: broken) }
        #expect(error?.description.hasPrefix("The service definition ServiceDefinition.csdef in broken.zip cannot be read") == true)

        #expect(throws: ServicePackageError.unreadable(package: "missing.zip", reason: "no such file")) { try ServicePackage(path: folder.file("missing.zip")) }
    }

    @Test("a package that unpacks to more than it declares is cut off")
    func declaredSizeEnforcedWhileReading() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("bomb.zip")
        // 8 MiB of zeros compresses to a few KiB: over the definition limit once unpacked.
        try PackageBuilder.make(path, [("ServiceDefinition.csdef", Data(count: 8 << 20))])
        let error = #expect(throws: ServicePackageError.self) { try ServicePackage(path: path) }
        #expect(error?.description.contains("over the limit") == true, "\(String(describing: error))")
    }
}
