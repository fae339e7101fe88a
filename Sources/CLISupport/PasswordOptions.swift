import ArgumentParser
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a .pfx password comes from. A password is never accepted as a plain argument,
/// where it would show in `ps` and shell history.
public struct PasswordOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("password-env"), help: ArgumentHelp("Read the password from this environment variable.", valueName: "VAR"))
    public var environmentVariable: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Read the password from the first line of this file.", valueName: "FILE"))
    public var file: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (to its end, less one trailing newline).")
    public var standardInput = false

    public func validate() throws {
        let sources = [environmentVariable != nil, file != nil, standardInput].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("give at most one of --password-env, --password-file and --password-stdin")
        }
    }

    /// Whether `name` is a shell variable name: letters, digits and underscores, not starting with a digit.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Whether the user named a source.
    public var isGiven: Bool { environmentVariable != nil || file != nil || standardInput }

    /// The password from the named source, or nil when none was named.
    public func given() throws(CertificateError) -> String? {
        if let environmentVariable {
            // What was given may be the password itself (`--password-env "$PW"`): never echo it
            // unless it is a plain variable name.
            guard Self.isVariableName(environmentVariable) else {
                throw .invalidOption(
                    "--password-env",
                    reason:
                        "it takes the NAME of an environment variable holding the password (such as PFX_PASSWORD, without a $), and what was given is not a variable name (it is not shown, in case it is the password)"
                )
            }
            guard let value = ProcessInfo.processInfo.environment[environmentVariable] else {
                throw .invalidOption("--password-env", reason: "the environment variable \(environmentVariable) is not set")
            }
            return value
        }
        if let file {
            let bytes = try CertificateFile.readLimited(path: file, limit: 64 * 1024)
            let text = String(decoding: bytes, as: UTF8.self)
            let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return firstLine.hasSuffix("\r") ? String(firstLine.dropLast()) : firstLine
        }
        if standardInput {
            var text = String(decoding: try Terminal.readStandardInput(limit: 64 * 1024), as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        return nil
    }

    /// A password for writing a new .pfx: the named source, else asked twice on the terminal.
    public func forWriting(_ path: String) throws(CertificateError) -> String {
        if let password = try given() { return password }
        guard let first = Terminal.readSecret(prompt: "Password for \(path): "),
            let second = Terminal.readSecret(prompt: "Same password again: ")
        else {
            throw .invalidOption(
                "--pfx", reason: "a password is needed and there is no terminal to ask on; use --password-env VAR, --password-file FILE or --password-stdin")
        }
        guard first == second else { throw .invalidOption("--pfx", reason: "the two passwords differ; nothing was written") }
        return first
    }

    /// Reads a certificate file, taking a password from its source only for a .pfx, and asking
    /// on the terminal only when the file needs one and no source was named.
    public func readFile(_ path: String) throws(CertificateError) -> CertificateFile {
        try openFile(path).file
    }

    /// Like `readFile`, and also gives the password that opened it (nil when none was needed),
    /// for sending a .pfx on to the server as it is.
    public func openFile(_ path: String) throws(CertificateError) -> (file: CertificateFile, password: String?) {
        var used: String?
        do {
            let file = try CertificateFile.read(path: path) { () throws(CertificateError) in
                used = try given()
                return used
            }
            return (file, used)
        } catch {
            guard case .inFile(_, .passwordRequired) = error, !isGiven,
                let typed = Terminal.readSecret(prompt: "Password for \(path): ")
            else { throw error }
            return (try CertificateFile.read(path: path) { typed }, typed)
        }
    }
}
