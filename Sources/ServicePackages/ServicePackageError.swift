/// Why a service package, or the URL naming it, was refused. Each case says what to change.
public enum ServicePackageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The package is larger than the limit.
    case tooLarge(package: String, size: Int64, limit: Int64)
    /// The file is not a ZIP archive that can be read.
    case notAZIPArchive(package: String)
    /// The file does not exist or is not a regular file.
    case unreadable(package: String, reason: String)
    /// An entry's path is absolute or climbs out with `..`.
    case unsafeEntryPath(package: String, entry: String)
    /// A symbolic link entry; packages hold files and folders only.
    case symbolicLink(package: String, entry: String)
    /// Too many entries, or more uncompressed data than the limit.
    case tooMuchContent(package: String, reason: String)
    /// No `ServiceDefinition.csdef` anywhere in the package.
    case missingDefinition(package: String)
    /// Two `ServiceDefinition.csdef` at the same, shallowest depth.
    case ambiguousDefinition(package: String, entries: [String])
    /// The definition inside the package cannot be read.
    case unreadableDefinition(package: String, entry: String, reason: String)
    /// A `PackageUrl` that is neither a file in the packages folder nor an http(s) URL on loopback.
    case refusedLocation(url: String, reason: String)
    /// Downloading a loopback package failed.
    case downloadFailed(url: String, reason: String)

    public var description: String {
        switch self {
        case .tooLarge(let package, let size, let limit):
            return "The file provided is not a valid service package: \(package) is \(size) bytes, over the limit of \(limit / (1 << 20)) MiB."
        case .notAZIPArchive(let package):
            return "The file provided is not a valid service package: \(package) is not a ZIP archive."
        case .unreadable(let package, let reason):
            return "The service package \(package) cannot be read: \(reason)."
        case .unsafeEntryPath(let package, let entry):
            return
                "The file provided is not a valid service package: \(package) has an entry \"\(entry)\" with an absolute path or `..`; package paths must stay inside the package."
        case .symbolicLink(let package, let entry):
            return "The file provided is not a valid service package: \(package) has a symbolic link \"\(entry)\"; packages may hold files and folders only."
        case .tooMuchContent(let package, let reason):
            return "The file provided is not a valid service package: \(package) \(reason)."
        case .missingDefinition(let package):
            return "The file provided is not a valid service package: \(package) has no ServiceDefinition.csdef."
        case .ambiguousDefinition(let package, let entries):
            return
                "The file provided is not a valid service package: \(package) has several ServiceDefinition.csdef at the same depth (\(entries.joined(separator: ", "))); keep one."
        case .unreadableDefinition(let package, let entry, let reason):
            return "The service definition \(entry) in \(package) cannot be read: \(reason)"
        case .refusedLocation(let url, let reason):
            return "PackageUrl \(url) is refused: \(reason)"
        case .downloadFailed(let url, let reason):
            return "The package at \(url) could not be downloaded: \(reason)"
        }
    }
}
