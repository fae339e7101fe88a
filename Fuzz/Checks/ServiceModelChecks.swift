import Certificates
import Foundation
import ServiceModel
import ServicePackages
import WireFormat

/// The XML, service-model, publish-settings and package readers' promises.
enum ServiceModelChecks {
    static func xml(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let root = try? XMLDocumentReader.parse(bytes) else { return }
        var pending = [(root, 1)]
        while let (element, depth) = pending.popLast() {
            guard depth <= 64 else { throw FuzzViolation("the reader keeps to its depth bound", "depth \(depth)") }
            _ = (element.name, element.text, element.attributes.count)
            pending += element.children.map { ($0, depth + 1) }
        }
    }

    /// The `.csdef` before the first NUL byte, the `.cscfg` after it.
    static func serviceModel(_ bytes: [UInt8]) throws(FuzzViolation) {
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let definitionBytes = Array(bytes[..<split])
        let configurationBytes = split < bytes.endIndex ? Array(bytes[(split + 1)...]) : []
        let definition = try? ServiceDefinition(xml: definitionBytes)
        guard let configuration = try? ServiceConfiguration(xml: configurationBytes) else { return }
        if let definition {
            for issue in ServiceModelValidator().validate(definition, configuration) { _ = issue.description }
        }
        // Replacing a thumbprint changes that thumbprint and nothing else, and reads back.
        let replacement = Thumbprint(certificateDER: configurationBytes)
        for reference in configuration.roles.flatMap(\.certificates).prefix(4) where !reference.thumbprintText.isEmpty {
            guard let replaced = try? ThumbprintReplacement(replacing: reference.thumbprintText, with: replacement, in: configurationBytes) else {
                continue
            }
            guard let again = try? ServiceConfiguration(xml: replaced.configuration) else {
                throw FuzzViolation("a configuration with a thumbprint replaced reads", reference.thumbprintText)
            }
            let named = again.roles.flatMap(\.certificates).filter { $0.name == reference.name }
            guard named.contains(where: { $0.thumbprint == replacement }) else {
                throw FuzzViolation("the replaced thumbprint reads as the replacement", reference.thumbprintText)
            }
        }
    }

    static func publishSettings(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let settings = try? PublishSettings(xml: bytes) else { return }
        guard let again = try? PublishSettings(xml: Array(settings.xml.utf8)) else {
            throw FuzzViolation("publish settings written back read")
        }
        guard again == settings else { throw FuzzViolation("publish settings written back read the same") }
    }

    static func servicePackage(_ bytes: [UInt8]) throws(FuzzViolation) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("thumbprint-fuzz-\(ProcessInfo.processInfo.processIdentifier).cspkg").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let package = try? ServicePackage(path: path) else { return }
        for file in package.files {
            let parts = file.path.description.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.path.description.hasPrefix("/"), !parts.contains(".."), !parts.contains("") else {
                throw FuzzViolation("every file of an opened package stays inside it", "\(file.path)")
            }
        }
    }
}
