import Certificates
import Crypto
import RoleInstances
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What one agent should run, read from the database: its placements with their certificates
/// (keys unsealed with the master key, for the agent's mutual-TLS connection only), and what it
/// reports back, written there. Any server answers any agent.
public struct AgentDesiredState: Sendable {
    let store: any ManagementStore
    let masterKey: MasterKey

    /// Desired state kept in `store`, keys unsealed with `masterKey`.
    public init(store: any ManagementStore, masterKey: MasterKey) {
        self.store = store
        self.masterKey = masterKey
    }

    /// The digest of what `agent` should run now: changes whenever a placement on it does.
    public func digest(of agent: String) async throws -> String {
        Self.digest(try await store.placements(onAgent: agent))
    }

    /// Every instance `agent` should run, with certificates and keys. An instance whose
    /// certificates cannot be read is left out (the agent stops it), and the reason logged by the caller.
    public func assignments(of agent: String) async throws -> (assignments: AgentAssignments, problems: [String]) {
        let placements = try await store.placements(onAgent: agent)
        var uploads: [String: [ServiceCertificate]] = [:]
        var instances: [AssignedInstance] = []
        var problems: [String] = []
        for placement in placements {
            do {
                let key = placement.subscription + "/" + placement.service
                if uploads[key] == nil, let subscription = SubscriptionID(placement.subscription) {
                    uploads[key] = try await store.serviceCertificates(of: placement.service, in: subscription)
                }
                let assignment = try PlacedAssignment.assignment(of: placement, uploaded: uploads[key] ?? [], masterKey: masterKey)
                instances.append(AssignedInstance(generation: placement.generation, assignment: assignment))
            } catch {
                problems.append("\(placement.instance) of \(placement.service): \(error)")
            }
        }
        return (AgentAssignments(digest: Self.digest(placements), instances: instances), problems)
    }

    /// Records what `agent` reported, and that it was heard from now.
    public func record(_ report: AgentReport, from agent: String, at time: Date) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let entries = try report.instances.map { instance in
            PlacementReport(
                deploymentID: instance.deploymentID, instance: instance.instance,
                report: InstanceReport(
                    generation: instance.generation, status: instance.status.rawValue,
                    endpoints: String(decoding: try encoder.encode(instance.endpoints), as: UTF8.self), failure: instance.failure, at: time))
        }
        try await store.recordAgentReport(agent: agent, at: time, instances: entries)
    }

    static func digest(_ placements: [InstancePlacement]) -> String {
        let text = placements.map { "\($0.deploymentID)/\($0.instance)/\($0.generation)" }.sorted().joined(separator: "\n")
        return hexString(SHA256.hash(data: Array(text.utf8)), uppercase: false)
    }
}
