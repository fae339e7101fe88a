import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Instances placed on agents: the desired state servers write and agents report against.
extension PostgresManagementStore {
    static let placementColumns = """
        deployment_id, instance, agent, subscription, service, assignment, generation,
        reported_generation, reported_status, reported_endpoints, reported_failure, reported_at
        """

    public func placeInstance(_ placement: InstancePlacement, onLeastLoadedOf candidates: [String]) async throws(StorageError) -> InstancePlacement {
        try await write { [self] db in
            let stored = try await db.rows(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.placementColumns) FROM instance_placements WHERE deployment_id = $1 AND instance = $2",
                    binds: Self.binds(placement.deploymentID, placement.instance)), logger: logger
            ).first.map(Self.placement)
            var counts: [String: Int] = [:]
            for row in try await db.rows("SELECT agent, COUNT(*) FROM instance_placements GROUP BY agent", logger: logger) {
                let (agent, count) = try row.decode((String, Int).self)
                counts[agent] = count
            }
            guard let agent = InstancePlacement.choose(among: candidates, current: stored?.agent, counts: counts) else {
                throw StorageError.database("an instance was to be placed with no agent to choose from")
            }
            if let stored, stored.agent == agent, stored.assignment == placement.assignment { return stored }
            var placed = placement
            placed.agent = agent
            placed.generation = StoredValues.newGeneration()
            placed.report = stored?.report
            _ = try await db.query(
                """
                INSERT INTO instance_placements (deployment_id, instance, agent, subscription, service, assignment, generation)
                VALUES (\(placed.deploymentID), \(placed.instance), \(placed.agent), \(placed.subscription), \(placed.service),
                        \(placed.assignment), \(placed.generation))
                ON CONFLICT (deployment_id, instance) DO UPDATE SET
                    agent = excluded.agent, subscription = excluded.subscription, service = excluded.service,
                    assignment = excluded.assignment, generation = excluded.generation
                """, logger: logger)
            return placed
        }
    }

    public func placement(deploymentID: String, instance: String) async throws(StorageError) -> InstancePlacement? {
        try await database.read(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.placementColumns) FROM instance_placements WHERE deployment_id = $1 AND instance = $2",
                binds: Self.binds(deploymentID, instance)), Self.placement
        ).first
    }

    public func removePlacement(deploymentID: String, instance: String) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query("DELETE FROM instance_placements WHERE deployment_id = \(deploymentID) AND instance = \(instance)", logger: logger)
        }
    }

    public func placements(onAgent agent: String) async throws(StorageError) -> [InstancePlacement] {
        try await database.read(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.placementColumns) FROM instance_placements WHERE agent = $1 ORDER BY deployment_id, instance",
                binds: Self.binds(agent)), Self.placement)
    }

    public func recordAgentReport(agent: String, at time: Date, instances: [PlacementReport]) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query("UPDATE agents SET last_seen_at = \(StoredValues.timestamp(time)) WHERE name = \(agent)", logger: logger)
            for entry in instances {
                let report = entry.report
                _ = try await db.query(
                    """
                    UPDATE instance_placements SET reported_generation = \(report.generation), reported_status = \(report.status),
                        reported_endpoints = \(report.endpoints), reported_failure = \(report.failure),
                        reported_at = \(StoredValues.timestamp(report.at))
                    WHERE deployment_id = \(entry.deploymentID) AND instance = \(entry.instance) AND agent = \(agent)
                    """, logger: logger)
            }
        }
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    static func placement(_ row: PostgresRow) throws -> InstancePlacement {
        let (deploymentID, instance, agent, subscription, service, assignment, generation, reportedGeneration, status, endpoints, failure, at) =
            try row.decode((String, String, String, String, String, String, String, String?, String?, String?, String?, Double?).self)
        var report: InstanceReport?
        if let reportedGeneration, let status, let at {
            report = InstanceReport(generation: reportedGeneration, status: status, endpoints: endpoints ?? "[]", failure: failure, at: StoredValues.date(at))
        }
        return InstancePlacement(
            deploymentID: deploymentID, instance: instance, agent: agent, subscription: subscription, service: service, assignment: assignment,
            generation: generation, report: report)
    }
}

/// Turns of changing a cloud service's deployments, shared by the servers on the database.
extension PostgresManagementStore {
    public func takeServiceTurn(_ service: String, holder: String, until: Date, now: Date) async throws(StorageError) -> Bool {
        let key = service.lowercased()
        return try await write { [self] db in
            _ = try await db.query(
                """
                INSERT INTO service_turns (service, holder, until) VALUES (\(key), \(holder), \(StoredValues.timestamp(until)))
                ON CONFLICT (service) DO UPDATE SET holder = excluded.holder, until = excluded.until
                WHERE service_turns.holder = excluded.holder OR service_turns.until < \(StoredValues.timestamp(now))
                """, logger: logger)
            return try await db.first(String.self, "SELECT holder FROM service_turns WHERE service = \(key)", logger: logger) == holder
        }
    }

    public func giveServiceTurn(_ service: String, holder: String) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query("DELETE FROM service_turns WHERE service = \(service.lowercased()) AND holder = \(holder)", logger: logger)
        }
    }
}
