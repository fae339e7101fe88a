import Foundation
import ServiceModel
import ZIPFoundation

/// A service package: a ZIP archive (`.cspkg` or plain) with `ServiceDefinition.csdef` at any depth
/// and, optionally, a folder per role beside it with the static files that role serves.
///
/// Opening a package checks all of it before anything is used: its size, every entry's path
/// (no absolute paths, no `..`, no symbolic links), the number of entries and their total size,
/// and that the definition can be read.
public struct ServicePackage: Sendable {
    /// The largest package accepted: 200 MiB.
    public static let sizeLimit: Int64 = 200 << 20
    /// The most entries a package may have.
    public static let entryLimit = 65_536
    /// The most data a package may unpack to, against ZIP bombs: 1 GiB.
    public static let uncompressedLimit: UInt64 = 1 << 30
    /// The largest definition read from a package.
    public static let definitionLimit = 4 << 20

    /// One file in the package.
    public struct File: Sendable, Equatable {
        /// Its checked path inside the package.
        public var path: PackageEntryPath
        /// Its size once unpacked, as the archive declares it.
        public var size: UInt64
    }

    /// Where the package file is.
    public let location: String
    /// Where `ServiceDefinition.csdef` is inside the package.
    public let definitionPath: PackageEntryPath
    /// The service definition.
    public let definition: ServiceDefinition
    /// The definition's bytes as the package holds them.
    public let definitionXML: [UInt8]
    /// Every file (not folder) in the package.
    public let files: [File]

    /// Opens and checks the package at `path`; `sizeLimit` is for tests.
    public init(path: String, sizeLimit: Int64 = ServicePackage.sizeLimit) throws {
        let name = (path as NSString).lastPathComponent
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ServicePackageError.unreadable(package: name, reason: "no such file")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ServicePackageError.unreadable(package: name, reason: "not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= sizeLimit else { throw ServicePackageError.tooLarge(package: name, size: size, limit: sizeLimit) }

        let archive = try Self.openArchive(path, name: name)
        var files: [File] = []
        var total: UInt64 = 0
        var count = 0
        for entry in archive {
            count += 1
            guard count <= Self.entryLimit else {
                throw ServicePackageError.tooMuchContent(package: name, reason: "has more than \(Self.entryLimit) entries")
            }
            guard let entryPath = PackageEntryPath(entry.path) else {
                throw ServicePackageError.unsafeEntryPath(package: name, entry: entry.path)
            }
            switch entry.type {
            case .symlink: throw ServicePackageError.symbolicLink(package: name, entry: entry.path)
            case .directory: continue
            case .file:
                total += entry.uncompressedSize
                guard total <= Self.uncompressedLimit else {
                    throw ServicePackageError.tooMuchContent(package: name, reason: "unpacks to more than \(Self.uncompressedLimit >> 20) MiB")
                }
                files.append(File(path: entryPath, size: entry.uncompressedSize))
            }
        }

        let definitions = files.filter { $0.path.name.lowercased() == "servicedefinition.csdef" }
        guard let shallowest = definitions.map(\.path.components.count).min() else {
            throw ServicePackageError.missingDefinition(package: name)
        }
        let candidates = definitions.filter { $0.path.components.count == shallowest }
        guard candidates.count == 1, let definitionFile = candidates.first else {
            throw ServicePackageError.ambiguousDefinition(package: name, entries: candidates.map(\.path.description))
        }
        let bytes = try Self.read(definitionFile, from: archive, try Self.storedEntries(path, name: name), name: name, limit: Self.definitionLimit)
        do {
            definition = try ServiceDefinition(xml: bytes)
        } catch {
            throw ServicePackageError.unreadableDefinition(package: name, entry: definitionFile.path.description, reason: error.description)
        }
        self.definitionXML = bytes
        self.location = path
        self.definitionPath = definitionFile.path
        self.files = files
    }

    /// The folder that holds the definition; role folders sit beside it.
    public var root: [String] { Array(definitionPath.components.dropLast()) }

    /// The static files of one role: those under `<root>/<role>/`.
    public func files(ofRole role: String) -> [File] {
        files.filter { $0.path.isInside(root + [role]) }
    }

    /// Unpacks one role's files into `directory`, keeping their paths below the role folder.
    /// Every path was checked when the package was opened; the bytes written are counted again.
    public func extractFiles(ofRole role: String, to directory: String) throws {
        let name = (location as NSString).lastPathComponent
        let archive = try Self.openArchive(location, name: name)
        let stored = try Self.storedEntries(location, name: name)
        let folder = root + [role]
        for file in files(ofRole: role) {
            let relative = file.path.components.dropFirst(folder.count)
            let target = ([directory] + relative).joined(separator: "/")
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let bytes = try Self.read(file, from: archive, stored, name: name, limit: Int(clamping: file.size))
            guard FileManager.default.createFile(atPath: target, contents: Data(bytes)) else {
                throw ServicePackageError.unreadable(package: name, reason: "cannot write \(target)")
            }
        }
    }

    private static func openArchive(_ path: String, name: String) throws -> Archive {
        do {
            return try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ServicePackageError.notAZIPArchive(package: name)
        }
    }

    /// Reads one entry, refusing more bytes than `limit` whatever the archive declares.
    private static func read(_ file: File, from archive: Archive, _ stored: StoredEntries, name: String, limit: Int) throws -> [UInt8] {
        guard let entry = archive[file.path.description] ?? archive.first(where: { PackageEntryPath($0.path) == file.path }) else {
            throw ServicePackageError.unreadable(package: name, reason: "entry \(file.path) disappeared")
        }
        guard file.size <= UInt64(limit) else {
            throw ServicePackageError.tooMuchContent(package: name, reason: "has \(file.path) of \(file.size) bytes, over the limit of \(limit)")
        }
        var bytes: [UInt8] = []
        do {
            try stored.read(entry.path) { chunk in
                guard bytes.count + chunk.count <= limit else {
                    throw ServicePackageError.tooMuchContent(package: name, reason: "has \(file.path) larger than it declares")
                }
                bytes += chunk
            }
        } catch let error as ServicePackageError {
            throw error
        } catch {
            throw ServicePackageError.unreadable(package: name, reason: "entry \(file.path) is damaged (\(error))")
        }
        return bytes
    }

    /// The package's entries for unpacking (see `StoredEntry`).
    private static func storedEntries(_ path: String, name: String) throws -> StoredEntries {
        do {
            return try StoredEntries(URL(fileURLWithPath: path))
        } catch {
            throw ServicePackageError.unreadable(package: name, reason: "its central directory cannot be read (\(error))")
        }
    }
}
