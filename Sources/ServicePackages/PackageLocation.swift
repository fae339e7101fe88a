import Foundation

/// Where a deployment's `PackageUrl` points, once it is known to be allowed: a file inside the
/// server's packages folder, or an http(s) URL on loopback. Nothing is ever fetched from another host.
public enum PackageLocation: Sendable, Equatable {
    /// A package file inside the packages folder (symbolic links resolved).
    case file(path: String)
    /// A package served on this machine's loopback interface.
    case loopback(url: String)

    /// Checks a `PackageUrl` against the rules, or says why it is refused.
    public static func resolve(_ packageURL: String, packagesDirectory: String) throws -> PackageLocation {
        guard let url = URL(string: packageURL), let scheme = url.scheme?.lowercased() else {
            throw ServicePackageError.refusedLocation(
                url: packageURL, reason: "it is not a URL; give file:///… inside the packages folder or http(s)://127.0.0.1/…")
        }
        switch scheme {
        case "file":
            return try resolveFile(url, original: packageURL, packagesDirectory: packagesDirectory)
        case "http", "https":
            guard let host = url.host, isLoopback(host) else {
                throw ServicePackageError.refusedLocation(
                    url: packageURL,
                    reason: "only http(s) URLs on loopback (127.0.0.1, ::1, localhost) are fetched; put the package in the packages folder instead")
            }
            guard url.user == nil, url.password == nil else {
                throw ServicePackageError.refusedLocation(url: packageURL, reason: "credentials in the URL are not accepted")
            }
            return .loopback(url: packageURL)
        default:
            throw ServicePackageError.refusedLocation(
                url: packageURL, reason: "the scheme \(scheme) is not supported; use file:// inside the packages folder or http(s) on loopback")
        }
    }

    private static func resolveFile(_ url: URL, original: String, packagesDirectory: String) throws -> PackageLocation {
        if let host = url.host, !host.isEmpty, host.lowercased() != "localhost" {
            throw ServicePackageError.refusedLocation(url: original, reason: "file URLs on another host (\(host)) are not read")
        }
        guard let folder = realPath(packagesDirectory) else {
            throw ServicePackageError.refusedLocation(url: original, reason: "the packages folder \(packagesDirectory) does not exist")
        }
        guard let file = realPath(url.path) else {
            throw ServicePackageError.refusedLocation(url: original, reason: "there is no such file; copy the package into \(folder)")
        }
        guard file.hasPrefix(folder + "/") else {
            throw ServicePackageError.refusedLocation(url: original, reason: "it is outside the packages folder \(folder); copy the package there")
        }
        return .file(path: file)
    }

    /// 127.0.0.0/8, ::1 and localhost.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The path with every symbolic link and `..` resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
