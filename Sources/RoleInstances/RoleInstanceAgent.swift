/// The states an instance reports, with the names the API uses.
public enum InstanceStatus: String, Sendable, Codable {
    case creatingVM = "CreatingVM"
    case startingRole = "StartingRole"
    case readyRole = "ReadyRole"
    case stoppedVM = "StoppedVM"
    case failedStartingRole = "FailedStartingRole"

    /// The `PowerState` that goes with the status.
    public var powerState: String {
        switch self {
        case .creatingVM, .startingRole: return "Starting"
        case .readyRole: return "Started"
        case .stoppedVM, .failedStartingRole: return "Stopped"
        }
    }
}

/// Where one endpoint of an instance listens.
public struct ServedEndpoint: Sendable, Equatable {
    /// The endpoint's name.
    public var name: String
    /// The port the instance listens on (loopback).
    public var localPort: Int
    /// The thumbprint it serves for new connections (https only).
    public var thumbprint: String?
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
    /// Removes a certificate from the instance's stores (when it is deleted from the service).
    func uninstall(thumbprint: String) async
    /// The instance's status.
    func status() async -> InstanceStatus
}
