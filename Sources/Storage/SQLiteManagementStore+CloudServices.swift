import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteManagementStore {
    public func createCloudService(_ service: CloudService, limit: Int) async throws(StorageError) {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM cloud_services WHERE name = ?", arguments: [service.name]) == true {
                throw StorageError.cloudServiceExists(service.name)
            }
            let count =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM cloud_services WHERE subscription_id = ?",
                    arguments: [service.subscription.rawValue]) ?? 0
            guard count < limit else {
                throw StorageError.cloudServiceLimitReached(subscription: service.subscription.rawValue, limit: limit)
            }
            try db.execute(
                sql: """
                    INSERT INTO cloud_services (name, subscription_id, label, description, location, affinity_group, extended_properties, created_at, modified_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    service.name, service.subscription.rawValue, service.label, service.description, service.location,
                    service.affinityGroup, try StoredValues.encode(service.extendedProperties),
                    Self.timestamp(service.created), Self.timestamp(service.modified),
                ])
        }
    }

    public func cloudService(_ name: String, in subscription: SubscriptionID) async throws(StorageError) -> CloudService? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM cloud_services WHERE name = ? AND subscription_id = ?",
                arguments: [name, subscription.rawValue]
            ).map(Self.cloudService(from:))
        }
    }

    public func cloudServices(in subscription: SubscriptionID) async throws(StorageError) -> [CloudService] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM cloud_services WHERE subscription_id = ? ORDER BY name",
                arguments: [subscription.rawValue]
            ).map(Self.cloudService(from:))
        }
    }

    public func isCloudServiceNameAvailable(_ name: String) async throws(StorageError) -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM cloud_services WHERE name = ?", arguments: [name]) != true }
    }

    public func updateCloudService(_ service: CloudService) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE cloud_services SET label = ?, description = ?, extended_properties = ?, modified_at = ?
                    WHERE name = ? AND subscription_id = ?
                    """,
                arguments: [
                    service.label, service.description, try StoredValues.encode(service.extendedProperties),
                    Self.timestamp(service.modified), service.name, service.subscription.rawValue,
                ])
        }
    }

    public func deleteCloudService(_ name: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM cloud_services WHERE name = ? AND subscription_id = ?", arguments: [name, subscription.rawValue])
            return db.changesCount > 0
        }
    }

    private static func cloudService(from row: Row) -> CloudService {
        CloudService(
            subscription: SubscriptionID(uncheckedRawValue: row["subscription_id"]), name: row["name"], label: row["label"],
            description: row["description"], location: row["location"], affinityGroup: row["affinity_group"],
            extendedProperties: StoredValues.properties(row["extended_properties"]), created: date(row["created_at"]), modified: date(row["modified_at"])
        )
    }
}
