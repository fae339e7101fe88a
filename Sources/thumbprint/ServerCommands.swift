import ArgumentParser
import CLISupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The commands that live in `thumbprint-server`: `thumbprint server …` runs
/// `thumbprint-server server …` from the same folder, in place of this process. The `service`
/// commands go there too, `validate` included: reading XML brings FoundationXML, which would
/// keep this program from linking statically (docs/benchmarks.md).
///
/// The certificate commands stay in a small program of their own because a command run once is
/// mostly start-up, and the server brings NIO, Hummingbird, SQLite and full Foundation, which
/// would triple it (docs/benchmarks.md).
enum ServerCommands {
    /// The subcommand names `thumbprint-server` answers.
    static let names = ["server", "admin", "mgmt-cert", "subscription", "service", "deployment"]

    /// Placeholders, so that `thumbprint --help` lists them.
    static let forwarded: [any ParsableCommand.Type] = [Server.self, Admin.self, ManagementCertificate.self, Subscription.self, Service.self, Deployment.self]

    struct Server: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "server", abstract: "Run the management API server (see thumbprint-server server --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Admin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "admin", abstract: "Administer a server's data folder (see thumbprint-server admin --help).")
        func run() throws { try forwardingFailed() }
    }

    struct ManagementCertificate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mgmt-cert", abstract: "Management certificates through the API (see thumbprint-server mgmt-cert --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Subscription: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "subscription", abstract: "The subscription through the API (see thumbprint-server subscription --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Service: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "service", abstract: "Cloud services, their certificates, and checking a .csdef and .cscfg (see thumbprint-server service --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Deployment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deployment", abstract: "Deployments through the API (see thumbprint-server deployment --help).")
        func run() throws { try forwardingFailed() }
    }

    /// Replaces this process with `thumbprint-server` when the first argument is one of its commands.
    static func forwardIfNeeded() {
        let arguments = CommandLine.arguments
        guard arguments.count > 1, names.contains(arguments[1]), let server = serverExecutable() else { return }
        let argv = ([server] + arguments.dropFirst()).map { strdup($0) } + [nil]
        execv(server, argv)
        // execv returns only on failure; the placeholder command then explains.
    }

    /// `thumbprint-server` in the folder of this executable.
    static func serverExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let candidate = String(path[..<slash]) + "/thumbprint-server"
        return access(candidate, X_OK) == 0 ? candidate : nil
    }

    static func forwardingFailed() throws {
        throw CommandFailure(
            message:
                "this command runs thumbprint-server, which is not installed beside thumbprint. Build it with `swift build` (or `swift build --product thumbprint-server`) and run it from the same folder.",
            status: ExitStatus.failed
        )
    }
}
