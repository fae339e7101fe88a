import Agents
import ArgumentParser
import CLISupport
import Certificates
import Logging
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `thumbprint agent`: a role-instance agent. It runs the instances servers started with
/// `--instances agents` place on it, behind load balancers of its own, and keeps serving them
/// while no server answers.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run role instances for the servers, with an agent certificate from thumbprint admin agent issue.",
        discussion: """
            The agent connects to --server with the certificate and key in --pfx, receives the instances it should run (certificates \
            and keys only over that mutual-TLS connection; keys stored 0600 in the instance stores under --data-dir), serves their \
            endpoints on --listen-host and reports their states. For each deployment endpoint it also runs a load balancer of its \
            own over its instances; DIR/status.json lists instances, endpoints and balancers. When no server answers it keeps \
            serving and tries again with backoff.
            """)

    @Option(name: .customLong("server"), help: ArgumentHelp("A server's address (or the balancer's in front of several).", valueName: "https://HOST:PORT"))
    var server: String

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The agent's data folder: instance stores, status.json.", valueName: "DIR"))
    var dataDirectory = "./.thumbprint-agent"

    @Option(name: .customLong("pfx"), help: ArgumentHelp("The agent's .pfx from thumbprint admin agent issue.", valueName: "FILE"))
    var pfx: String

    @Option(
        name: .customLong("ca"),
        help: ArgumentHelp("The servers' CA (DIR/tls/ca.pem of a server). Default: the CA certificate inside the .pfx.", valueName: "FILE"))
    var caFile: String?

    @Option(name: .customLong("listen-host"), help: ArgumentHelp("The address instance endpoints and balancers listen on.", valueName: "HOST"))
    var listenHost = "127.0.0.1"

    @OptionGroup var password: PasswordOptions

    func validate() throws {
        guard let components = URLComponents(string: server), components.scheme == "https", components.host?.isEmpty == false else {
            throw ValidationError("--server takes https://HOST:PORT, not \(server)")
        }
    }

    func run() async throws {
        let identity = try password.readFile(pfx).bundle
        guard identity.privateKey != nil else { throw CertificateError.inFile(pfx, .missingPrivateKey) }
        let authority: CertificateDetails
        if let caFile {
            let bundle = try PEMReader.read(try CertificateFile.readLimited(path: caFile))
            authority = bundle.certificate
        } else {
            guard let last = identity.chain.last else {
                throw ValidationError("\(pfx) holds no CA certificate: give the servers' CA with --ca DIR/tls/ca.pem")
            }
            authority = last
        }
        try SecureFile.makeDirectory(dataDirectory)
        let lock = try DataDirectoryLock(folder: dataDirectory)
        lock.record("agent PID \(getpid()), serving for \(server)")
        let logger = Logger(label: "thumbprint-agent") { label in BufferedLogHandler(label: label) }
        let connection = try AgentConnection(server: server, identity: identity, authority: authority)
        let host = AgentHost(folder: dataDirectory, host: listenHost)
        BufferedLogOutput.standardOutput.append(
            "Thumbprint agent \(identity.certificate.subject) for \(server); instances and balancers on \(listenHost); status in \(dataDirectory)/status.json",
            urgent: true)
        let services = ServiceGroup(
            configuration: .init(
                services: [RunningAgent(loop: AgentLoop(connection: connection, host: host, logger: logger), host: host, connection: connection)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { BufferedLogOutput.standardOutput.flush() }
        try await services.run()
    }
}

/// The agent's loop as a service: on SIGTERM or SIGINT it stops asking and stops its instances.
struct RunningAgent: Service {
    let loop: AgentLoop
    let host: AgentHost
    let connection: AgentConnection

    func run() async throws {
        await cancelWhenGracefulShutdown { await loop.run() }
        await host.stopAll()
        await connection.close()
    }
}
