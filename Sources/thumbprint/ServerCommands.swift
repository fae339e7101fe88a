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
    static let names = ["server", "admin", "mgmt-cert", "subscription", "service", "deployment", "locations", "operations", "agent", "expiring"]

    /// Placeholders, so that `thumbprint --help` lists them.
    static let forwarded: [any ParsableCommand.Type] = [
        Server.self, Admin.self, ManagementCertificate.self, Subscription.self, Service.self, Deployment.self, Locations.self, Operations.self,
        Agent.self, Expiring.self,
    ]

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

    struct Locations: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "locations", abstract: "Where cloud services may be created, through the API (see thumbprint-server locations --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Operations: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "operations", abstract: "What was done on the subscription, through the API (see thumbprint-server operations --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Agent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent", abstract: "Run role instances for the servers, as a role-instance agent (see thumbprint-server agent --help).")
        func run() throws { try forwardingFailed() }
    }

    struct Expiring: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "expiring",
            abstract: "List the certificates that expire soon across your subscriptions; exit 1 if any has expired (see thumbprint-server expiring --help).")
        func run() throws { try forwardingFailed() }
    }

    /// Replaces this process with `thumbprint-server` when the first argument is one of its
    /// commands; when it is not installed beside this program, says so (before the arguments
    /// are parsed: they are the server's, which this program does not know) and exits 1.
    static func forwardIfNeeded() {
        let arguments = CommandLine.arguments
        guard arguments.count > 1, names.contains(arguments[1]), let candidate = serverCandidate() else { return }
        if access(candidate, X_OK) == 0 {
            let argv = ([candidate] + arguments.dropFirst()).map { strdup($0) } + [nil]
            execv(candidate, argv)
        }
        Terminal.error(missingServer(command: arguments[1], lookedFor: candidate))
        systemExit(ExitStatus.failed)
    }

    /// Where `thumbprint-server` must be: in the folder of this executable.
    static func serverCandidate() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash]) + "/thumbprint-server"
    }

    /// What to say when `thumbprint-server` is not beside this program.
    static func missingServer(command: String, lookedFor path: String) -> String {
        "`thumbprint \(command)` runs thumbprint-server, which is not installed beside thumbprint (looked for \(path)). "
            + "Install both with scripts/install.sh, or build it with `swift build --product thumbprint-server` and run thumbprint from the same folder."
    }

    static func forwardingFailed() throws {
        throw CommandFailure(message: missingServer(command: "server", lookedFor: serverCandidate() ?? "thumbprint-server"), status: ExitStatus.failed)
    }
}
