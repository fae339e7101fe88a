import Foundation
import ServicePackages

/// A deployment's folder, `DIR/deployments/<private id>`: the package when it was downloaded,
/// the roles' static files unpacked from it, each instance's certificate stores, and the public
/// ports its endpoints had (so that a restart brings them back on the same addresses).
struct DeploymentFolder: Sendable {
    /// The folder itself.
    let path: String

    init(root: String, privateID: String) {
        path = root + "/" + privateID
    }

    /// A new private id: 32 lowercase hex digits, random, as the real service's deployment ids.
    static func newPrivateID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined()
    }

    /// Creates the folder, 0700: instance stores below it hold private keys.
    func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Removes the folder and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Where the roles' static files are unpacked, one folder per role.
    var roles: String { path + "/roles" }

    /// A new folder for an upgrade's static files: the old ones serve until every domain moved.
    func newRolesFolder() -> String { path + "/roles-" + Self.newPrivateID().prefix(12) }

    /// Removes every static-files folder but `kept`: the previous package's files stay until
    /// the next upgrade, for connections opened before the last one switched.
    func removeRolesFolders(except kept: String?) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name == "roles" || name.hasPrefix("roles-") {
            let folder = path + "/" + name
            if folder != kept { try? FileManager.default.removeItem(atPath: folder) }
        }
    }

    /// The folder of one instance (its stores are below it).
    func instance(_ name: String) -> String { path + "/instances/" + name }

    /// Fetches (loopback) or finds (packages folder) the package and opens it.
    func openPackage(_ url: String, packagesDirectory: String) async throws -> ServicePackage {
        do {
            switch try PackageLocation.resolve(url, packagesDirectory: packagesDirectory) {
            case .file(let file):
                return try ServicePackage(path: file)
            case .loopback(let address):
                let file = path + "/package.cspkg"
                try await PackageDownload.fetch(address, to: file)
                return try ServicePackage(path: file)
            }
        } catch let error as ServicePackageError {
            throw DeploymentError.package(error.description)
        }
    }

    /// The public port of each endpoint (`role/endpoint`) when the deployment last ran.
    func savedAddresses() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: path + "/addresses.json"),
            let ports = try? JSONDecoder().decode([String: Int].self, from: data)
        else { return [:] }
        return ports
    }

    /// Keeps the public ports for the next start.
    func saveAddresses(_ ports: [String: Int]) {
        guard let data = try? JSONEncoder().encode(ports) else { return }
        _ = FileManager.default.createFile(atPath: path + "/addresses.json", contents: data)
    }
}
