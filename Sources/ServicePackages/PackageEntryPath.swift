import Foundation

/// The path of one entry in a package, checked so that it can never point outside the folder
/// it is extracted into.
public struct PackageEntryPath: Sendable, Hashable, CustomStringConvertible {
    /// The path's parts, without empty or `.` parts; never `..`.
    public let components: [String]

    /// Checks a path as written in the archive; `\` counts as a separator, as Windows tools write it.
    /// Nil for an absolute path, a drive letter, a NUL byte, any `..` part, or a path with no part
    /// left (such as `.` or `./`, which would name the extraction folder itself; found by fuzzing).
    public init?(_ text: String) {
        let normalized = text.replacingOccurrences(of: "\\", with: "/")
        if normalized.hasPrefix("/") || normalized.contains("\0") { return nil }
        let parts = normalized.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if let first = parts.first, first.count == 2, first.hasSuffix(":") { return nil }
        if parts.contains("..") { return nil }
        components = parts.filter { $0 != "." }
        if components.isEmpty { return nil }
    }

    /// The parts joined with `/`.
    public var description: String { components.joined(separator: "/") }

    /// The last part, such as `ServiceDefinition.csdef`.
    public var name: String { components.last ?? "" }

    /// True when this path lies inside `folder` (a folder's parts).
    public func isInside(_ folder: [String]) -> Bool {
        components.count > folder.count && Array(components.prefix(folder.count)) == folder
    }
}
