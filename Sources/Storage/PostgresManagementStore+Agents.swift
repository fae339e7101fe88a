import Certificates
import PostgresNIO

/// Role-instance agents: a name and the thumbprint of the certificate the CA issued it.
extension PostgresManagementStore {
    public func addAgent(_ agent: AgentRecord) async throws(StorageError) {
        try await write { [self] db in
            if try await db.exists("SELECT 1 FROM agents WHERE name = \(agent.name)", logger: logger) {
                throw StorageError.agentExists(agent.name)
            }
            _ = try await db.query(
                """
                INSERT INTO agents (name, thumbprint, created_at)
                VALUES (\(agent.name), \(agent.thumbprint.description), \(StoredValues.timestamp(agent.created)))
                """, logger: logger)
        }
    }

    public func agents() async throws(StorageError) -> [AgentRecord] {
        try await database.read("SELECT name, thumbprint, created_at, last_seen_at FROM agents ORDER BY name") { row in
            let (name, thumbprint, created, seen) = try row.decode((String, String, Double, Double?).self)
            return AgentRecord(
                name: name, thumbprint: StoredValues.thumbprint(thumbprint), created: StoredValues.date(created), lastSeen: seen.map(StoredValues.date))
        }
    }
}
