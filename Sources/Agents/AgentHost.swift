import Certificates
import ConnectionLimits
import NIOCore
import NIOPosix
import RoleInstances

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The instances one agent runs: each a `LocalRoleInstance` with its stores under
/// `DIR/instances/<deployment>/<instance>` (keys 0600), and for each endpoint of each deployment
/// a load balancer of the agent's own over its instances, so that clients can reach them without
/// any server. What it runs and where it listens is written to `DIR/status.json`.
public actor AgentHost {
    struct Running {
        var instance: LocalRoleInstance
        var assigned: AssignedInstance
        var report: ReportedInstance
    }

    /// The agent's data folder.
    public nonisolated let folder: String
    /// The address instances and balancers listen on.
    public nonisolated let host: String
    private let limits: ConnectionLimits
    private let group: any EventLoopGroup
    private var running: [String: Running] = [:]
    /// By `deployment/role/endpoint`.
    private var balancers: [String: LoadBalancer] = [:]
    private var connected = false

    /// A host keeping its files in `folder`, listening on `host`.
    public init(folder: String, host: String, limits: ConnectionLimits = .defaults, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.folder = folder
        self.host = host
        self.limits = limits
        self.group = group
    }

    /// Makes what runs match `assignments`: instances no longer assigned stop (their folders go),
    /// new or changed ones apply their assignment (in parallel), and the balancers follow.
    /// Returns the report to send.
    public func converge(_ assignments: AgentAssignments) async -> AgentReport {
        // Names become folder names: anything but letters, digits, '_' and '-' is not run.
        let usable = assignments.instances.filter { Self.isFolderName($0.deploymentID) && Self.isFolderName($0.instance) && !$0.role.contains("/") }
        let wanted = Dictionary(usable.map { (Self.key($0.deploymentID, $0.instance), $0) }, uniquingKeysWith: { first, _ in first })
        for (key, gone) in running where wanted[key] == nil {
            running[key] = nil
            await gone.instance.stop()
            try? FileManager.default.removeItem(atPath: instanceFolder(gone.assigned))
        }
        let changed = wanted.values.filter { running[Self.key($0.deploymentID, $0.instance)]?.assigned.generation != $0.generation }
        let applied = await withTaskGroup(of: Running.self) { tasks in
            for assigned in changed {
                let instance =
                    running[Self.key(assigned.deploymentID, assigned.instance)]?.instance
                    ?? LocalRoleInstance(folder: instanceFolder(assigned), sealing: nil, host: host, limits: limits, group: group)
                let previous = running[Self.key(assigned.deploymentID, assigned.instance)]?.assigned
                tasks.addTask { await Self.apply(assigned, to: instance, replacing: previous) }
            }
            var results: [Running] = []
            for await result in tasks { results.append(result) }
            return results
        }
        for result in applied { running[Self.key(result.assigned.deploymentID, result.assigned.instance)] = result }
        await pointBalancers()
        writeStatus()
        return report()
    }

    /// What the agent runs now, for the server.
    public func report() -> AgentReport {
        AgentReport(instances: running.values.map(\.report).sorted { ($0.deploymentID, $0.instance) < ($1.deploymentID, $1.instance) })
    }

    /// Records whether a server answers (for `status.json`).
    public func setConnected(_ value: Bool) {
        guard value != connected else { return }
        connected = value
        writeStatus()
    }

    /// Stops every instance and balancer (the agent is stopping).
    public func stopAll() async {
        for balancer in balancers.values { await balancer.stop() }
        balancers = [:]
        for entry in running.values { await entry.instance.stop() }
        running = [:]
        writeStatus()
    }

    private static func apply(_ assigned: AssignedInstance, to instance: LocalRoleInstance, replacing previous: AssignedInstance?) async -> Running {
        do {
            let served = try await instance.apply(try assigned.roleAssignment())
            // Certificates the new assignment no longer names leave the stores.
            let kept = Set(assigned.certificates.compactMap { $0.certificates.first }.map { Thumbprint(certificateDER: Array($0)).description })
            for certificate in previous?.certificates ?? [] {
                guard let der = certificate.certificates.first else { continue }
                let thumbprint = Thumbprint(certificateDER: Array(der)).description
                if !kept.contains(thumbprint) { await instance.uninstall(thumbprint: thumbprint) }
            }
            return Running(
                instance: instance, assigned: assigned,
                report: ReportedInstance(
                    deploymentID: assigned.deploymentID, instance: assigned.instance, generation: assigned.generation, status: .readyRole, endpoints: served,
                    failure: nil))
        } catch {
            return Running(
                instance: instance, assigned: assigned,
                report: ReportedInstance(
                    deploymentID: assigned.deploymentID, instance: assigned.instance, generation: assigned.generation,
                    status: await instance.status(), endpoints: [], failure: "\(error)"))
        }
    }

    /// One balancer per deployment endpoint the agent serves, over the agent's instances of it,
    /// on the port it had before when it can.
    private func pointBalancers() async {
        var wanted: [String: [InstanceAddress]] = [:]
        for entry in running.values.sorted(by: { $0.assigned.instance < $1.assigned.instance }) where entry.report.failure == nil {
            for endpoint in entry.report.endpoints {
                wanted[entry.assigned.deploymentID + "/" + entry.assigned.role + "/" + endpoint.name, default: []].append(endpoint.address)
            }
        }
        let saved = savedBalancerPorts()
        for (key, balancer) in balancers where wanted[key] == nil {
            balancers[key] = nil
            await balancer.stop()
        }
        for (key, addresses) in wanted {
            if let balancer = balancers[key] {
                balancer.setBackends(addresses)
            } else if let started = try? await LoadBalancer.start(
                addresses: addresses, host: host, preferredPort: saved[key], limits: limits, group: group)
            {
                balancers[key] = started
            }
        }
        if let ports = try? JSONEncoder().encode(balancers.mapValues(\.port)) {
            try? SecureFile.write(Array(ports), to: folder + "/balancers.json", mode: 0o600)
        }
    }

    private func savedBalancerPorts() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: folder + "/balancers.json") else { return [:] }
        return (try? JSONDecoder().decode([String: Int].self, from: data)) ?? [:]
    }

    /// `DIR/status.json`: whether a server answers, each instance with its endpoints, and the balancers.
    private func writeStatus() {
        struct Balancer: Encodable {
            var deploymentID: String
            var role: String
            var endpoint: String
            var host: String
            var port: Int
        }
        struct Status: Encodable {
            var connected: Bool
            var instances: [ReportedInstance]
            var balancers: [Balancer]
        }
        let listed = balancers.sorted { $0.key < $1.key }.map { key, balancer in
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            return Balancer(
                deploymentID: parts[0], role: parts.count > 1 ? parts[1] : "", endpoint: parts.count > 2 ? parts[2] : "", host: host, port: balancer.port)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let bytes = try? encoder.encode(Status(connected: connected, instances: report().instances, balancers: listed)) else { return }
        try? SecureFile.write(Array(bytes), to: folder + "/status.json", mode: 0o600)
    }

    private func instanceFolder(_ assigned: AssignedInstance) -> String {
        folder + "/instances/" + assigned.deploymentID + "/" + assigned.instance
    }

    private static func key(_ deploymentID: String, _ instance: String) -> String { deploymentID + "/" + instance }

    static func isFolderName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
            }
    }
}
