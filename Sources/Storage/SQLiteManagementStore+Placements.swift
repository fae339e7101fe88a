import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Instances placed on agents: the desired state servers write and agents report against.
extension SQLiteManagementStore {
    static let placementColumns = """
        deployment_id, instance, agent, subscription, service, assignment, generation,
        reported_generation, reported_status, reported_endpoints, reported_failure, reported_at
        """

    public func placeInstance(_ placement: InstancePlacement, onLeastLoadedOf candidates: [String]) async throws(StorageError) -> InstancePlacement {
        try await write { db in
            let stored = try Row.fetchOne(
                db, sql: "SELECT \(Self.placementColumns) FROM instance_placements WHERE deployment_id = ? AND instance = ?",
                arguments: [placement.deploymentID, placement.instance]
            ).map(Self.placement)
            let counts = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT agent, COUNT(*) FROM instance_placements GROUP BY agent").map {
                    (row: Row) -> (String, Int) in (row[0], row[1])
                })
            guard let agent = InstancePlacement.choose(among: candidates, current: stored?.agent, counts: counts) else {
                throw StorageError.database("an instance was to be placed with no agent to choose from")
            }
            if let stored, stored.agent == agent, stored.assignment == placement.assignment { return stored }
            var placed = placement
            placed.agent = agent
            placed.generation = StoredValues.newGeneration()
            placed.report = stored?.report
            try db.execute(
                sql: """
                    INSERT INTO instance_placements (deployment_id, instance, agent, subscription, service, assignment, generation)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (deployment_id, instance) DO UPDATE SET
                        agent = excluded.agent, subscription = excluded.subscription, service = excluded.service,
                        assignment = excluded.assignment, generation = excluded.generation
                    """,
                arguments: [placed.deploymentID, placed.instance, placed.agent, placed.subscription, placed.service, placed.assignment, placed.generation])
            return placed
        }
    }

    public func placement(deploymentID: String, instance: String) async throws(StorageError) -> InstancePlacement? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.placementColumns) FROM instance_placements WHERE deployment_id = ? AND instance = ?",
                arguments: [deploymentID, instance]
            ).map(Self.placement)
        }
    }

    public func removePlacement(deploymentID: String, instance: String) async throws(StorageError) {
        try await write { db in
            try db.execute(sql: "DELETE FROM instance_placements WHERE deployment_id = ? AND instance = ?", arguments: [deploymentID, instance])
        }
    }

    public func placements(onAgent agent: String) async throws(StorageError) -> [InstancePlacement] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.placementColumns) FROM instance_placements WHERE agent = ? ORDER BY deployment_id, instance",
                arguments: [agent]
            ).map(Self.placement)
        }
    }

    public func recordAgentReport(agent: String, at time: Date, instances: [PlacementReport]) async throws(StorageError) {
        try await write { db in
            try db.execute(sql: "UPDATE agents SET last_seen_at = ? WHERE name = ?", arguments: [Self.timestamp(time), agent])
            for entry in instances {
                let report = entry.report
                try db.execute(
                    sql: """
                        UPDATE instance_placements SET reported_generation = ?, reported_status = ?, reported_endpoints = ?,
                            reported_failure = ?, reported_at = ?
                        WHERE deployment_id = ? AND instance = ? AND agent = ?
                        """,
                    arguments: [
                        report.generation, report.status, report.endpoints, report.failure, Self.timestamp(report.at), entry.deploymentID, entry.instance,
                        agent,
                    ])
            }
        }
    }

    static func placement(_ row: Row) -> InstancePlacement {
        var report: InstanceReport?
        if let generation: String = row[7], let status: String = row[8], let at: Double = row[11] {
            report = InstanceReport(generation: generation, status: status, endpoints: row[9] ?? "[]", failure: row[10], at: date(at))
        }
        return InstancePlacement(
            deploymentID: row[0], instance: row[1], agent: row[2], subscription: row[3], service: row[4], assignment: row[5], generation: row[6],
            report: report)
    }
}

/// Turns of changing a cloud service's deployments, shared by the servers on the database.
extension SQLiteManagementStore {
    public func takeServiceTurn(_ service: String, holder: String, until: Date, now: Date) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO service_turns (service, holder, until) VALUES (?, ?, ?)
                    ON CONFLICT (service) DO UPDATE SET holder = excluded.holder, until = excluded.until
                    WHERE service_turns.holder = excluded.holder OR service_turns.until < ?
                    """,
                arguments: [service.lowercased(), holder, Self.timestamp(until), Self.timestamp(now)])
            return try String.fetchOne(db, sql: "SELECT holder FROM service_turns WHERE service = ?", arguments: [service.lowercased()]) == holder
        }
    }

    public func giveServiceTurn(_ service: String, holder: String) async throws(StorageError) {
        try await write { db in
            try db.execute(sql: "DELETE FROM service_turns WHERE service = ? AND holder = ?", arguments: [service.lowercased(), holder])
        }
    }
}
