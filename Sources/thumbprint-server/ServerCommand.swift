import ArgumentParser
import CLISupport
import Certificates
import ConnectionLimits
import Deployments
import Logging
import ManagementAPI
import NIOCore
import RoleInstances
import ServiceLifecycle
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `thumbprint server`: the Service Management API over HTTPS, with first-run setup.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the management API server (HTTPS, client certificates), setting it up on first run."
    )

    @OptionGroup var dataDirectory: DataDirectoryOption

    @Option(name: .customLong("listen"), help: ArgumentHelp("Address and port to listen on.", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8443"

    @Option(
        name: .customLong("hostname"),
        help: ArgumentHelp("Another name clients use for this server (repeatable); it goes into the server certificate.", valueName: "NAME"))
    var hostnames: [String] = []

    @Option(
        name: .customLong("public-url"),
        help: ArgumentHelp(
            "The address clients use when it is not --listen's, such as a balancer in front of several servers; publish settings and invitation links name it, and its host goes into the server certificate.",
            valueName: "https://HOST[:PORT]"))
    var publicURL: String?

    @Option(
        name: .customLong("tls-pfx"), help: ArgumentHelp("Serve this certificate (.pfx, with its key) instead of one from the local CA.", valueName: "FILE"))
    var tlsPFX: String?

    @Option(
        name: .customLong("packages-dir"),
        help: ArgumentHelp("The folder deployments may read file:// package URLs from (default: DIR/packages).", valueName: "PATH"))
    var packagesDirectory: String?

    @Option(name: .customLong("handshake-timeout"), help: ArgumentHelp("Seconds a new connection has to finish its TLS handshake.", valueName: "SECONDS"))
    var handshakeTimeout = 10.0

    @Option(
        name: .customLong("header-timeout"),
        help: ArgumentHelp("Seconds a request has to arrive whole once it has started (or after the handshake).", valueName: "SECONDS"))
    var headerTimeout = 30.0

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds a kept-alive connection may wait between requests.", valueName: "SECONDS"))
    var idleTimeout = 60.0

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp(
            "Open connections on the API listener (default: a quarter of the open-file limit); each load balancer and instance endpoint takes half as many. When full, the connection waiting longest without a request in progress is closed.",
            valueName: "N"))
    var maximumConnections: Int?

    @Option(
        name: .customLong("shutdown-grace"),
        help: ArgumentHelp(
            "Seconds a stopping server (SIGTERM, SIGINT) waits for running operations before it stops; new ones are refused meanwhile.", valueName: "SECONDS"))
    var shutdownGrace = 30.0

    @Option(
        name: .customLong("max-cloud-services"),
        help: ArgumentHelp("Cloud services each subscription may have (MaxHostedServices).", valueName: "N"))
    var maximumCloudServices = SubscriptionQuota.standard.maximumCloudServices

    @Option(
        name: .customLong("max-cores"),
        help: ArgumentHelp("Cores each subscription's deployments may use, from their instance sizes (MaxCoreCount).", valueName: "N"))
    var maximumCores = SubscriptionQuota.standard.maximumCores

    @Option(
        name: .customLong("location"),
        help: ArgumentHelp(
            "A location cloud services may be created in (repeatable; replaces the default list of the classic regions).", valueName: "NAME"))
    var locations: [String] = []

    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp("Serve Prometheus metrics at http://HOST:PORT/metrics (plain HTTP; off by default).", valueName: "HOST:PORT"))
    var metricsListen: String?

    @Option(
        name: .customLong("instances"),
        help: ArgumentHelp(
            "Where role instances run: local (in this process) or agents (on connected role-instance agents, least loaded first; see thumbprint agent).",
            valueName: "local|agents"))
    var instances: InstancePlacement = .local

    @OptionGroup var password: PasswordOptions

    /// Where cloud services may be created: the `--location` names, or the default list.
    func serviceLocations() throws -> ServiceLocations {
        for name in locations where name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 100 {
            throw ValidationError("--location takes a name of 1 to 100 characters, not '\(name)'")
        }
        return locations.isEmpty ? .standard : ServiceLocations(names: locations)
    }

    /// What each subscription may use, from the options.
    func quota() throws -> SubscriptionQuota {
        guard (1...100_000).contains(maximumCloudServices), (1...1_000_000).contains(maximumCores) else {
            throw ValidationError("--max-cloud-services and --max-cores take a number of 1 or more")
        }
        return SubscriptionQuota(maximumCloudServices: maximumCloudServices, maximumCores: maximumCores)
    }

    /// The limits every listener keeps to, from the options and the open-file limit (raised to its hard limit first).
    func connectionLimits() throws -> ConnectionLimits {
        for (name, value) in [("--handshake-timeout", handshakeTimeout), ("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)] {
            guard value > 0, value <= 3600 else { throw ValidationError("\(name) takes seconds between 0 and 3600, not \(value)") }
        }
        guard shutdownGrace >= 0, shutdownGrace <= 3600 else {
            throw ValidationError("--shutdown-grace takes seconds between 0 and 3600, not \(shutdownGrace)")
        }
        if let maximumConnections, maximumConnections < 1 { throw ValidationError("--max-connections takes a number of connections of 1 or more") }
        let standard = ConnectionLimits.standard(fileDescriptors: FileDescriptorLimit.raiseSoftLimit())
        func amount(_ seconds: Double) -> TimeAmount { .milliseconds(Int64(seconds * 1000)) }
        return ConnectionLimits(
            handshakeTimeout: amount(handshakeTimeout), headerTimeout: amount(headerTimeout),
            idleTimeout: amount(idleTimeout), maximumConnections: maximumConnections ?? standard.maximumConnections)
    }

    /// `--public-url` checked and written as `https://HOST[:PORT]`, with its host; nil without it.
    func advertisedAddress() throws -> (url: String, host: String)? {
        guard let publicURL else { return nil }
        guard let components = URLComponents(string: publicURL), components.scheme == "https", let host = components.host, !host.isEmpty,
            components.path.isEmpty || components.path == "/", components.query == nil, components.user == nil
        else { throw ValidationError("--public-url takes https://HOST[:PORT] with nothing after, not \(publicURL)") }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return ("https://\(host)\(components.port.map { ":\($0)" } ?? "")", bare)
    }

    func run() async throws {
        let limits = try connectionLimits()
        let advertised = try advertisedAddress()
        let quota = try quota()
        let (host, port) = try Self.parseListen(listen)
        let metricsAddress = try metricsListen.map { try Self.parseListen($0, option: "--metrics-listen") }
        let folder = try dataDirectory.prepare()
        // One server per data folder: a second would run every deployment twice over the same files.
        let lock = try DataDirectoryLock(folder: folder)
        let packages = packagesDirectory ?? folder + "/packages"
        try SecureFile.makeDirectory(packages)
        let store = try await dataDirectory.openStore()
        // Private keys at rest are sealed under the master key: refuse a wrong one before serving.
        let masterKey = try MasterKey.load(dataDirectory: folder)
        try await store.verifyMasterKey(masterKey)
        // Operations run inside the process that accepted them: what this folder's last run left in
        // progress will never finish; nor will those of other servers on the database whose lease ended.
        let runner = try Self.runnerID(folder: folder)
        let interrupted = try await store.failInterruptedOperations(
            runner: runner, leaseEndedBefore: Date(), message: "The operation was interrupted by a server restart; send the request again.")
        let logger = Logger(label: "thumbprint") { label in BufferedLogHandler(label: label) }

        let identity: CertificateBundle
        var caPath: String?
        let certificateNames = hostnames + (host == "0.0.0.0" || host == "::" ? [] : [host]) + (advertised.map { [$0.host] } ?? [])
        if let tlsPFX {
            let file = try password.readFile(tlsPFX)
            guard file.bundle.privateKey != nil else { throw CertificateError.inFile(tlsPFX, .missingPrivateKey) }
            identity = file.bundle
        } else {
            // Every server on the database serves a certificate from the same CA.
            let authorities = try await SharedCertificateAuthority.authorities(store: store, dataDirectory: folder, sealing: masterKey)
            let made = try ServerIdentity.loadOrCreate(
                dataDirectory: folder, hostnames: certificateNames, sealing: masterKey, authority: authorities.issuer,
                alsoTrusted: authorities.alsoTrusted)
            identity = made.server
            caPath = made.caPath
        }
        let trustedCA = caPath
        try SecureFile.makeDirectory(folder + "/deployments")
        let deployments = DeploymentRuntime(
            store: store, masterKey: masterKey, folder: folder + "/deployments",
            packagesDirectory: packages, limits: limits, quota: quota, logger: logger,
            makeAgent: instances == .agents ? RemoteRoleInstance.maker(store: store) : LocalRoleInstance.maker(sealing: masterKey, limits: limits))
        // Deployments that were running when the server stopped run again.
        await deployments.restore()
        let operations = RunningOperations(grace: .milliseconds(Int64(shutdownGrace * 1000)), runner: runner)
        var server = ManagementServer(
            host: host, port: port, store: store, identity: identity, masterKey: masterKey,
            deployments: deployments, connectionLimits: limits, quota: quota, operations: operations,
            locations: try serviceLocations(), logger: logger)
        let serving = try ServingIdentity(identity)
        server.serving = serving
        // A server on the local CA follows renewals and CA rotations; one on --tls-pfx serves that file.
        let refresh: [any Service] =
            tlsPFX == nil
            ? [ServerIdentityRefresh(serving: serving, store: store, folder: folder, hostnames: certificateNames, masterKey: masterKey, logger: logger)] : []
        var metrics: [any Service] = []
        if let metricsAddress {
            server.countsRequests = true
            metrics.append(Self.metricsEndpoint(metricsAddress, store: store, runtime: deployments, logger: logger).application())
        }
        let urlHost = host == "0.0.0.0" || host == "::" ? (hostnames.first ?? "localhost") : (host.contains(":") ? "[\(host)]" : host)
        let application = try server.application { boundPort in
            let url = "https://\(urlHost):\(boundPort)"
            lock.record("PID \(getpid()), listening on \(url)")
            if interrupted > 0 {
                BufferedLogOutput.standardOutput.append(
                    "\(interrupted) operation(s) left in progress by the last run were marked Failed (interrupted by a server restart)", urgent: false)
            }
            do {
                try await Self.announce(url: url, publicURL: advertised?.url, folder: folder, packages: packages, caPath: trustedCA, store: store)
            } catch {
                Terminal.error("first-run setup failed: \(error)")
            }
        }
        // Stopped in reverse order: running operations first (the API still answers while they
        // finish, refusing new ones), then the API, and last the leases those operations kept.
        let services = ServiceGroup(
            configuration: .init(
                services: [OperationLeases(store: store, operations: operations, logger: logger), application, operations]
                    + (instances == .agents ? [UnresponsiveInstances(runtime: deployments)] : []) + metrics + refresh
                    + [
                        OwnCertificateExpiry(identity: { serving.bundle }, logger: logger),
                        CertificateLifecycle(
                            store: store, runtime: deployments, masterKey: masterKey, notifications: server.notifications, logger: logger),
                        WebhookDeliveries(store: store, masterKey: masterKey, logger: logger),
                    ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            ))
        defer { BufferedLogOutput.standardOutput.flush() }
        do {
            try await services.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            await deployments.shutdown()
            throw CommandFailure(
                message:
                    "cannot listen on \(listen): the address is in use; another Thumbprint server (or another program) may be running there. Stop it, or choose another address with --listen HOST:PORT.",
                status: ExitStatus.failed)
        }
        await deployments.shutdown()
    }

    /// Records the URL, runs the first-run setup on an empty data folder, and tells the user
    /// where everything is. Publish settings and links name `publicURL` when there is one.
    static func announce(url listening: String, publicURL: String?, folder: String, packages: String, caPath: String?, store: any ManagementStore)
        async throws
    {
        let url = publicURL ?? listening
        try await store.setSetting(Administration.serviceManagementURLSetting, to: url)
        let administration = Administration(store: store)
        var lines = ["Thumbprint management API listening on \(listening)", "Service packages (file:// PackageUrl) are read from \(packages)"]
        if let publicURL { lines.append("Clients reach it as \(publicURL): publish settings and links name that address") }
        if let caPath { lines.append("Clients trust the server through its CA: \(caPath)") }
        if let (subscription, settings) = try await administration.bootstrapIfEmpty(serviceManagementURL: url) {
            let path = folder + "/admin.publishsettings"
            try SecureFile.write(Array(settings.xml.utf8), to: path, mode: 0o600)
            lines += [
                "First run: created user admin@localhost and subscription \"Default\"",
                "Subscription id: \(subscription.id)",
                "Publish settings (management certificate for admin@localhost): \(path)",
                "Use it with the CLI:    thumbprint subscription show --publish-settings \(path)\(caPath.map { " --ca \($0)" } ?? "")",
                "or the Python client:   get_certificate_from_publish_settings(\"\(path)\", \"admin.pem\"), then",
                "                        ServiceManagementService(\"\(subscription.id)\", \"admin.pem\", host=\"\(url.dropFirst("https://".count))\")",
                "Portal: \(url)/ — choose a password for admin@localhost (link valid 24 hours, usable once):",
                "                        \(try await administration.invite(subscription.serviceAdministrator, portalURL: url))",
            ]
        }
        // Through the log's buffer, so that these lines and the request log never interleave.
        for line in lines { BufferedLogOutput.standardOutput.append(line, urgent: false) }
        BufferedLogOutput.standardOutput.flush()
    }

    /// The data folder's runner id (`DIR/runner-id`, made on first start): the operations a
    /// server on this folder runs carry it, so that the next start on the folder knows them.
    static func runnerID(folder: String) throws -> String {
        let path = folder + "/runner-id"
        if let text = try? String(contentsOfFile: path, encoding: .utf8), let id = UUID(uuidString: text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return id.uuidString.lowercased()
        }
        let id = UUID().uuidString.lowercased()
        try SecureFile.write(Array((id + "\n").utf8), to: path, mode: 0o600)
        return id
    }

    static func parseListen(_ text: String, option: String = "--listen") throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw ValidationError("\(option) takes HOST:PORT, such as 127.0.0.1:8443")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("\(option) takes HOST:PORT, such as 127.0.0.1:8443") }
        return (host, port)
    }
}

/// `--data-dir`: where the server keeps its database, TLS identity and files; `--database`: a
/// PostgreSQL database to keep the data in instead of the folder's SQLite file.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The server's data folder.", valueName: "DIR"))
    var path = "./.thumbprint"

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "A PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (also THUMBPRINT_DATABASE, which may carry a password; here use PGPASSWORD). Default: SQLite in the data folder.",
            valueName: "URL"))
    var database: String?

    /// Creates the folder (0700) if needed; returns its path.
    func prepare() throws -> String {
        try SecureFile.makeDirectory(path)
        return path
    }

    /// Where the data lives: `--database`, else `THUMBPRINT_DATABASE`, else the folder's SQLite file.
    func location(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresLocation? {
        if let database { return try PostgresLocation(url: database, allowPassword: false, environment: environment) }
        if let fromEnvironment = environment["THUMBPRINT_DATABASE"], !fromEnvironment.isEmpty {
            return try PostgresLocation(url: fromEnvironment, allowPassword: true, environment: environment)
        }
        return nil
    }

    /// Opens (creating or migrating when needed) the database.
    func openStore() async throws -> any ManagementStore {
        _ = try prepare()
        if let location = try location() { return try await PostgresManagementStore(location) }
        return try SQLiteManagementStore(path: path + "/thumbprint.sqlite")
    }
}

/// Where a server runs role instances (`--instances`).
enum InstancePlacement: String, ExpressibleByArgument, CaseIterable {
    /// In the server process.
    case local
    /// On role-instance agent processes (`thumbprint agent`).
    case agents
}
