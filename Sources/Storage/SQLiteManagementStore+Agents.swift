import Certificates
import GRDB

/// Role-instance agents: a name and the thumbprint of the certificate the CA issued it.
extension SQLiteManagementStore {
    public func addAgent(_ agent: AgentRecord) async throws(StorageError) {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM agents WHERE name = ?", arguments: [agent.name]) == true {
                throw StorageError.agentExists(agent.name)
            }
            try db.execute(
                sql: "INSERT INTO agents (name, thumbprint, created_at) VALUES (?, ?, ?)",
                arguments: [agent.name, agent.thumbprint.description, Self.timestamp(agent.created)])
        }
    }

    public func agents() async throws(StorageError) -> [AgentRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, thumbprint, created_at, last_seen_at FROM agents ORDER BY name").map { row in
                AgentRecord(
                    name: row[0], thumbprint: StoredValues.thumbprint(row[1]), created: Self.date(row[2]), lastSeen: (row[3] as Double?).map(Self.date))
            }
        }
    }
}
