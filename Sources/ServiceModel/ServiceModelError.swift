/// Which of the two files a message is about.
public enum ServiceModelFile: String, Sendable, Equatable, Codable {
    case definition = "ServiceDefinition.csdef"
    case configuration = "ServiceConfiguration.cscfg"
}

/// A `.csdef` or `.cscfg` that cannot be read at all.
public enum ServiceModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not XML, not the right root, or refused by the XML reader.
    case unreadable(file: ServiceModelFile, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file.rawValue) cannot be read: \(reason)"
        }
    }
}

extension ServiceModelFile {
    /// The file's root element, read safely; refused when the XML is bad or the root is not `name`.
    func root(of bytes: [UInt8], named name: String) throws(ServiceModelError) -> XMLElement {
        let root: XMLElement
        do {
            root = try XMLDocumentReader.parse(bytes)
        } catch {
            throw .unreadable(file: self, reason: error.description)
        }
        guard root.name == name else {
            throw .unreadable(file: self, reason: "the root element is \(root.name), not \(name)")
        }
        return root
    }
}
