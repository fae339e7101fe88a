#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where one role instance runs when instances run on agents: the agent, what the instance is
/// to run (the deployment runtime's JSON, without keys) and what the agent last said of it.
/// Servers write the desired state here; agents read theirs through any server.
public struct InstancePlacement: Sendable, Equatable {
    /// The deployment's private id.
    public var deploymentID: String
    /// `<Role>_IN_<n>`.
    public var instance: String
    /// The agent's name.
    public var agent: String
    /// The subscription and cloud service, to find the service's certificates.
    public var subscription: String
    /// The cloud service's name.
    public var service: String
    /// What the instance is to run, as JSON written by the deployment runtime (no private keys).
    public var assignment: String
    /// Changes whenever the agent or the assignment changes; agents report the one they applied.
    public var generation: String
    /// What the agent last reported of the instance.
    public var report: InstanceReport?

    /// A placement from its parts.
    public init(
        deploymentID: String, instance: String, agent: String, subscription: String, service: String, assignment: String, generation: String,
        report: InstanceReport? = nil
    ) {
        self.deploymentID = deploymentID
        self.instance = instance
        self.agent = agent
        self.subscription = subscription
        self.service = service
        self.assignment = assignment
        self.generation = generation
        self.report = report
    }

    /// Whether the agent has applied this placement's generation.
    public var isApplied: Bool { report?.generation == generation }

    /// The agent an instance goes to: `current` when it is a candidate, else the candidate with
    /// the fewest instances by `counts` (ties by name); nil without candidates.
    static func choose(among candidates: [String], current: String?, counts: [String: Int]) -> String? {
        if let current, candidates.contains(current) { return current }
        return candidates.min { (counts[$0] ?? 0, $0) < (counts[$1] ?? 0, $1) }
    }
}

/// What an agent said of one instance it runs.
public struct InstanceReport: Sendable, Equatable, Codable {
    /// The placement generation it applied.
    public var generation: String
    /// The instance status, as the API names it (`ReadyRole`, `FailedStartingRole`, …).
    public var status: String
    /// Where its endpoints listen, as JSON written by the agent's server-side peer.
    public var endpoints: String
    /// Why applying failed, if it did.
    public var failure: String?
    /// When the agent reported it.
    public var at: Date

    /// A report from its parts.
    public init(generation: String, status: String, endpoints: String, failure: String?, at: Date) {
        self.generation = generation
        self.status = status
        self.endpoints = endpoints
        self.failure = failure
        self.at = at
    }
}

/// One instance's report, with the placement it is about.
public struct PlacementReport: Sendable, Equatable {
    /// The deployment's private id.
    public var deploymentID: String
    /// The instance's name.
    public var instance: String
    /// What the agent said.
    public var report: InstanceReport

    /// A report from its parts.
    public init(deploymentID: String, instance: String, report: InstanceReport) {
        self.deploymentID = deploymentID
        self.instance = instance
        self.report = report
    }
}
