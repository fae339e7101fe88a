import RoleInstances
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A role instance that runs on an agent process (`thumbprint agent`), with `--instances agents`.
///
/// The desired state lives in the database: applying an assignment places the instance on an
/// agent (the one it is on while that agent answers, else the least loaded one that does) and
/// waits for the agent's report that it serves that generation. Any server can answer the
/// agent, and when every server is gone the agent keeps serving what it has.
public actor RemoteRoleInstance: RoleInstanceAgent {
    /// Why an instance cannot be placed or did not start.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// No agent has reported recently.
        case noAgent
        /// The agent did not report the instance running in time.
        case noAnswer(agent: String, seconds: Int)
        /// The agent could not run the instance.
        case refused(agent: String, reason: String)
        /// The placement was removed meanwhile (a stop, or another server's change).
        case removed

        public var description: String {
            switch self {
            case .noAgent: return "no role-instance agent is connected (start one with thumbprint agent, or run the server without --instances agents)"
            case .noAnswer(let agent, let seconds): return "agent \(agent) did not report the instance running within \(seconds) s"
            case .refused(let agent, let reason): return "agent \(agent) could not run the instance: \(reason)"
            case .removed: return "the instance was removed from its agent meanwhile"
            }
        }
    }

    /// An agent not heard from for this long is unresponsive: its instances say so, and new
    /// instances go elsewhere. Agents report at least every 3 s.
    public static let unresponsiveAfter: TimeInterval = 6

    private let site: InstanceSite
    private let store: any ManagementStore
    private let patience: Duration

    /// An instance for `site`, placed through `store`; `apply` waits up to `patience` for the agent.
    public init(site: InstanceSite, store: any ManagementStore, patience: Duration = .seconds(30)) {
        self.site = site
        self.store = store
        self.patience = patience
    }

    /// How the deployment runtime makes instances on agents.
    public static func maker(store: any ManagementStore) -> @Sendable (InstanceSite) -> any RoleInstanceAgent {
        { site in RemoteRoleInstance(site: site, store: store) }
    }

    public func apply(_ assignment: RoleAssignment) async throws -> [ServedEndpoint] {
        let wanted = try PlacedAssignment(assignment).json()
        let current = try await store.placement(deploymentID: site.deploymentID, instance: site.instance)
        // An instance its agent already runs, unchanged, stays there even while the agent is not
        // heard from (after every server was down, agents need a moment to report again).
        if let current, current.assignment == wanted, current.isApplied, let report = current.report, report.failure == nil {
            return try Self.endpoints(report)
        }
        return try await place(wanted, onLeastLoadedOf: try await responsiveAgents())
    }

    /// Moves the instance to another agent that answers, the least loaded; refused (`noAgent`)
    /// when there is none, and then the instance stays where it is.
    public func replace(_ assignment: RoleAssignment) async throws -> [ServedEndpoint] {
        let current = try await store.placement(deploymentID: site.deploymentID, instance: site.instance)
        return try await place(try PlacedAssignment(assignment).json(), onLeastLoadedOf: try await responsiveAgents(avoiding: current?.agent))
    }

    /// Places the instance with `wanted` on one of `agents` (the one it is on, else the least
    /// loaded: the store chooses, so that instances placed at once spread) and waits for the
    /// agent's report.
    private func place(_ wanted: String, onLeastLoadedOf agents: [String]) async throws -> [ServedEndpoint] {
        var placement = try await store.placeInstance(
            InstancePlacement(
                deploymentID: site.deploymentID, instance: site.instance, agent: "", subscription: site.subscription, service: site.service,
                assignment: wanted, generation: ""), onLeastLoadedOf: agents)
        let deadline = ContinuousClock.now + patience
        while true {
            if placement.isApplied, let report = placement.report {
                if let failure = report.failure { throw Failure.refused(agent: placement.agent, reason: failure) }
                return try Self.endpoints(report)
            }
            guard ContinuousClock.now < deadline else { throw Failure.noAnswer(agent: placement.agent, seconds: Int(patience.components.seconds)) }
            try await Task.sleep(for: .milliseconds(50))
            guard let next = try await store.placement(deploymentID: site.deploymentID, instance: site.instance) else { throw Failure.removed }
            placement = next
        }
    }

    /// The agents heard from recently, other than `avoiding`; `noAgent` when there is none.
    private func responsiveAgents(avoiding: String? = nil) async throws -> [String] {
        let now = Date()
        let responsive = try await store.agents().filter { agent in
            agent.name != avoiding && agent.lastSeen.map { now.timeIntervalSince($0) < Self.unresponsiveAfter } ?? false
        }.map(\.name)
        guard !responsive.isEmpty else { throw Failure.noAgent }
        return responsive
    }

    public func stop() async {
        try? await store.removePlacement(deploymentID: site.deploymentID, instance: site.instance)
    }

    /// The server stops; the agent keeps serving.
    public func detach() async {}

    /// Nothing to do here: an agent removes the certificates its assignment no longer names.
    public func uninstall(thumbprint: String) async {}

    public func status() async -> InstanceStatus {
        guard let placement = try? await store.placement(deploymentID: site.deploymentID, instance: site.instance) else { return .stoppedVM }
        let seen = (try? await store.agents())?.first { $0.name == placement.agent }?.lastSeen
        guard let seen, Date().timeIntervalSince(seen) < Self.unresponsiveAfter else { return .unresponsiveRole }
        guard placement.isApplied, let report = placement.report else { return .startingRole }
        return InstanceStatus(rawValue: report.status) ?? .startingRole
    }

    static func endpoints(_ report: InstanceReport) throws -> [ServedEndpoint] {
        try JSONDecoder().decode([ServedEndpoint].self, from: Data(report.endpoints.utf8))
    }
}
