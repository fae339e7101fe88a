import ArgumentParser
import CLISupport
import Certificates
import Foundation

#if canImport(FoundationEssentials)
    import FoundationEssentials
#endif

/// `thumbprint admin trust-ca`: makes this machine and its browsers trust the server's local CA,
/// like `mkcert -install`: the system store (Debian's `update-ca-certificates`) and the NSS
/// database that Chromium and Firefox read on Linux. Where it cannot, it prints exactly how.
struct AdminTrustCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust-ca",
        abstract: "Trust the server's local CA in the system store and the browsers' NSS database (or print how).",
        discussion: """
            The CA is DIR/tls/ca.pem, made on the server's first run. Only its certificate is copied, never a key. \
            The system store needs root; the NSS database needs certutil (Debian: apt-get install libnss3-tools).
            """
    )

    static let defaultSystemStore = "/usr/local/share/ca-certificates"
    static let nickname = "Thumbprint local CA"

    @ParentCommand var parent: AdminCommand
    @Option(help: ArgumentHelp("Where the system's extra CA certificates go (Debian's folder by default).", valueName: "DIR"))
    var systemStore = defaultSystemStore
    @Option(help: ArgumentHelp("The browsers' NSS database (default ~/.pki/nssdb, made if missing).", valueName: "DIR"))
    var nssDB: String?
    @Flag(help: "Only print what would be done.") var dryRun = false

    func run() async throws {
        let caPath = parent.dataDirectory.path + "/tls/ca.pem"
        let pem: [UInt8]
        let details: CertificateDetails
        do {
            pem = try CertificateFile.readLimited(path: caPath)
            details = try CertificateDetails(der: try CertificateFile.read(pem) { nil }.bundle.cerBytes)
        } catch {
            throw CommandFailure(
                message: "cannot read the server's CA: \(error) Start the server once on this data folder with `thumbprint server`.",
                status: ExitStatus.failed)
        }
        print("CA: \(details.subject) (thumbprint \(details.thumbprint)), from \(caPath)")
        var instructions: [String] = []
        instructions += try installInSystemStore(pem, thumbprint: details.thumbprint.description)
        instructions += try installInNSS(caPath)
        if !instructions.isEmpty {
            print("Do this by hand to finish:")
            for line in instructions { print("  " + line) }
        }
    }

    /// Copies the certificate into the system store and updates it; what is left to do by hand.
    private func installInSystemStore(_ pem: [UInt8], thumbprint: String) throws -> [String] {
        let target = systemStore + "/thumbprint-\(thumbprint.prefix(16).lowercased()).crt"
        let update = "update-ca-certificates"
        if dryRun {
            print("Would copy the CA to \(target)" + (systemStore == Self.defaultSystemStore ? " and run \(update)" : ""))
            return []
        }
        do {
            try FileManager.default.createDirectory(atPath: systemStore, withIntermediateDirectories: true)
            try Data(pem).write(to: URL(fileURLWithPath: target))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target)
        } catch {
            return ["sudo install -m 0644 \(parent.dataDirectory.path)/tls/ca.pem \(target) && sudo \(update)"]
        }
        print("Copied the CA to \(target)")
        guard systemStore == Self.defaultSystemStore else { return [] }
        guard let status = try? Self.run(update, []), status == 0 else { return ["sudo \(update)"] }
        print("Ran \(update): programs that use the system store (curl, Python's ssl with the system bundle) trust the server")
        return []
    }

    /// Adds the certificate to the NSS database as a trusted CA; what is left to do by hand.
    private func installInNSS(_ caPath: String) throws -> [String] {
        let database = nssDB ?? (ProcessInfo.processInfo.environment["HOME"] ?? "~") + "/.pki/nssdb"
        let add = ["-A", "-d", "sql:\(database)", "-t", "C,,", "-n", Self.nickname, "-i", caPath]
        guard Self.find("certutil") != nil else {
            return [
                "apt-get install libnss3-tools   (for certutil)",
                "mkdir -p \(database) && certutil -N -d sql:\(database) --empty-password   (if the database does not exist)",
                "certutil " + add.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "),
            ]
        }
        if dryRun {
            print("Would add the CA to the NSS database \(database) as \"\(Self.nickname)\"")
            return []
        }
        if !FileManager.default.fileExists(atPath: database + "/cert9.db") {
            try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard try Self.run("certutil", ["-N", "-d", "sql:\(database)", "--empty-password"]) == 0 else {
                throw CommandFailure(message: "certutil could not create the NSS database in \(database).", status: ExitStatus.failed)
            }
        }
        if try Self.run("certutil", ["-L", "-d", "sql:\(database)", "-n", Self.nickname], quiet: true) == 0 {
            _ = try Self.run("certutil", ["-D", "-d", "sql:\(database)", "-n", Self.nickname])  // an older CA under the same name
        }
        guard try Self.run("certutil", add) == 0 else {
            throw CommandFailure(message: "certutil could not add the CA to \(database).", status: ExitStatus.failed)
        }
        print("Added the CA to the NSS database \(database) as \"\(Self.nickname)\": Chromium and Firefox trust the server after a restart")
        return []
    }

    /// The full path of a program on PATH (or in /usr/sbin, /usr/bin).
    static func find(_ program: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program with its output passed through (or discarded when `quiet`); its exit status.
    static func run(_ program: String, _ arguments: [String], quiet: Bool = false) throws -> Int32 {
        guard let executable = find(program) else { return 127 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if quiet {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
