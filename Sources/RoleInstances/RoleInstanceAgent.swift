/// The states an instance reports, with the names the API uses.
public enum InstanceStatus: String, Sendable, Codable {
    case creatingVM = "CreatingVM"
    case startingRole = "StartingRole"
    case readyRole = "ReadyRole"
    case stoppedVM = "StoppedVM"
    case failedStartingRole = "FailedStartingRole"
    /// Its agent has not been heard from for a while: it may still serve, nobody can tell.
    case unresponsiveRole = "UnresponsiveRole"

    /// The `PowerState` that goes with the status.
    public var powerState: String {
        switch self {
        case .creatingVM, .startingRole: return "Starting"
        case .readyRole: return "Started"
        case .stoppedVM, .failedStartingRole: return "Stopped"
        case .unresponsiveRole: return "Unknown"
        }
    }
}

/// Where one endpoint of an instance listens.
public struct ServedEndpoint: Sendable, Equatable, Codable {
    /// The endpoint's name.
    public var name: String
    /// The address the instance listens on: loopback in the server, the agent's host on an agent.
    public var host: String
    /// The port the instance listens on.
    public var localPort: Int
    /// The thumbprint it serves for new connections (https only).
    public var thumbprint: String?

    /// An endpoint from its parts.
    public init(name: String, host: String = "127.0.0.1", localPort: Int, thumbprint: String?) {
        self.name = name
        self.host = host
        self.localPort = localPort
        self.thumbprint = thumbprint
    }

    /// Where a load balancer passes connections for it.
    public var address: InstanceAddress { InstanceAddress(host: host, port: localPort) }
}

/// Where a load balancer reaches one instance endpoint.
public struct InstanceAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// An endpoint in this process, on loopback.
    public static func loopback(_ port: Int) -> InstanceAddress { InstanceAddress(host: "127.0.0.1", port: port) }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Which instance an agent is made for: its folder, and the deployment and service it belongs to.
public struct InstanceSite: Sendable, Equatable {
    /// The instance's folder in the server's data folder (its stores, when it runs in the server).
    public var folder: String
    /// The deployment's private id.
    public var deploymentID: String
    /// `<Role>_IN_<n>`.
    public var instance: String
    /// The subscription id.
    public var subscription: String
    /// The cloud service's name.
    public var service: String

    /// A site from its parts.
    public init(folder: String, deploymentID: String, instance: String, subscription: String, service: String) {
        self.folder = folder
        self.deploymentID = deploymentID
        self.instance = instance
        self.subscription = subscription
        self.service = service
    }
}

/// What the server asks of a role instance. The in-process `LocalRoleInstance` implements it;
/// an agent on another host would implement the same calls over the network.
public protocol RoleInstanceAgent: Sendable {
    /// Installs the assignment's certificates in the instance's stores and serves its endpoints;
    /// on an instance already running, switches what it serves for new connections while the
    /// open ones finish. Returns where each endpoint listens.
    func apply(_ assignment: RoleAssignment) async throws -> [ServedEndpoint]
    /// Stops serving: open connections are closed once they finish their request.
    func stop() async
    /// The server is stopping: an instance in the server stops with it; one on an agent keeps
    /// serving what it has (static stability) until a server tells it otherwise.
    func detach() async
    /// Removes a certificate from the instance's stores (when it is deleted from the service).
    func uninstall(thumbprint: String) async
    /// The instance's status.
    func status() async -> InstanceStatus
    /// Runs the instance somewhere that answers, when where it runs stopped answering (an agent
    /// that is gone). By default (an instance in the server has nowhere else to go) `apply`.
    func replace(_ assignment: RoleAssignment) async throws -> [ServedEndpoint]
}

extension RoleInstanceAgent {
    public func replace(_ assignment: RoleAssignment) async throws -> [ServedEndpoint] {
        try await apply(assignment)
    }
}
