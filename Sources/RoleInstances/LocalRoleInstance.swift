import Certificates
import ConnectionLimits
import NIOCore
import NIOPosix
import NIOSSL

/// A role instance that runs inside the server process: a simulated VM whose certificate
/// stores are a folder (`<folder>/stores/<Location>/<Store>/<THUMBPRINT>.cer`, keys 0600) and
/// whose endpoints are servers on loopback.
public actor LocalRoleInstance: RoleInstanceAgent {
    /// Why an assignment cannot be served.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// An https endpoint names a certificate the assignment does not install with a key. The
        /// rule is `ServiceModelValidator`'s and plans keep it; an agent only refuses an
        /// assignment it cannot serve rather than serve plain HTTP in its place.
        case noCertificateForEndpoint(endpoint: String, certificate: String?)

        public var description: String {
            switch self {
            case .noCertificateForEndpoint(let endpoint, let certificate):
                return "the https endpoint \(endpoint) needs certificate \(certificate ?? "(none named)") with its private key"
            }
        }
    }

    /// The instance's folder: its stores live under it.
    public let folder: String
    /// The address its endpoints listen on.
    public let host: String
    private let group: any EventLoopGroup
    private let limits: ConnectionLimits
    private let sealing: (any PrivateKeySealing)?
    private var endpoints: [String: InstanceEndpoint] = [:]
    private var current: InstanceStatus = .creatingVM

    /// Store writes block: the agent runs on the control plane's thread, not on an event loop.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { ControlPlaneThread.executor }

    /// An instance keeping its stores in `folder` (keys sealed with `sealing`: in memory only in
    /// plaintext; without it, written 0600), serving on `host` (loopback by default) on `group`'s
    /// event loops within `limits`.
    public init(
        folder: String, sealing: (any PrivateKeySealing)?, host: String = "127.0.0.1", limits: ConnectionLimits = .defaults,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.folder = folder
        self.host = host
        self.sealing = sealing
        self.limits = limits
        self.group = group
    }

    /// How a deployment runtime makes local agents: one per instance folder, keys sealed with
    /// `sealing`, endpoints on `group` within `limits`.
    public static func maker(
        sealing: (any PrivateKeySealing)?, limits: ConnectionLimits = .defaults,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) -> @Sendable (InstanceSite) -> any RoleInstanceAgent {
        { site in LocalRoleInstance(folder: site.folder, sealing: sealing, limits: limits, group: group) }
    }

    /// The instance's certificate stores.
    public nonisolated var store: LocalCertificateStore { LocalCertificateStore(root: folder, sealing: sealing) }

    public func apply(_ assignment: RoleAssignment) async throws -> [ServedEndpoint] {
        if endpoints.isEmpty { current = .startingRole }
        do {
            for certificate in assignment.certificates {
                try store.add(certificate.bundle, to: certificate.store)
            }
            var served: [ServedEndpoint] = []
            for endpoint in assignment.endpoints {
                var thumbprint: String?
                var tls: NIOSSLContext?
                if endpoint.protocolName == "https" {
                    guard let installed = assignment.certificates.first(where: { $0.name == endpoint.certificate }),
                        installed.bundle.privateKey != nil
                    else {
                        throw Failure.noCertificateForEndpoint(endpoint: endpoint.name, certificate: endpoint.certificate)
                    }
                    tls = try InstanceEndpoint.tlsContext(for: installed.bundle)
                    thumbprint = installed.bundle.thumbprint.description
                }
                let serving = InstanceEndpoint.Serving(
                    tls: tls,
                    page: InstancePage(
                        deployment: assignment.deploymentID, role: assignment.role, instance: assignment.instance, endpoint: endpoint.name,
                        thumbprint: thumbprint, staticFiles: assignment.staticFiles
                    ))
                let server: InstanceEndpoint
                if let running = endpoints[endpoint.name] {
                    running.update(serving)
                    server = running
                } else {
                    server = try await InstanceEndpoint.start(serving, host: host, limits: limits, group: group)
                    endpoints[endpoint.name] = server
                }
                served.append(ServedEndpoint(name: endpoint.name, host: host, localPort: server.port, thumbprint: thumbprint))
            }
            let kept = Set(assignment.endpoints.map(\.name))
            for (name, server) in endpoints where !kept.contains(name) {
                endpoints[name] = nil
                await server.stop()
            }
            current = .readyRole
            return served
        } catch {
            if current != .readyRole { current = .failedStartingRole }
            throw error
        }
    }

    public func stop() async {
        let running = Array(endpoints.values)
        endpoints = [:]
        current = .stoppedVM
        await withTaskGroup(of: Void.self) { group in
            for server in running { group.addTask { await server.stop() } }
        }
    }

    public func detach() async { await stop() }

    public func uninstall(thumbprint: String) async {
        guard let parsed = try? Thumbprint.parse(thumbprint).thumbprint else { return }
        // A certificate may sit in several stores of the instance; remove it from each.
        for _ in 0..<64 {
            guard let location = store.locate(parsed, preferring: nil) else { return }
            try? store.remove(parsed, from: location)
        }
    }

    public func status() async -> InstanceStatus { current }
}
