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
