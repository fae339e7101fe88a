import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Cloud services; names compare without regard to case, across all subscriptions.
extension PostgresManagementStore {
    public func createCloudService(_ service: CloudService, limit: Int) async throws(StorageError) {
        let properties = try Self.encoded(service.extendedProperties)
        try await write { [self] db in
            if try await db.exists("SELECT 1 FROM cloud_services WHERE name = \(service.name)", logger: logger) {
                throw StorageError.cloudServiceExists(service.name)
            }
            let count =
                try await db.first(
                    Int.self, "SELECT COUNT(*) FROM cloud_services WHERE subscription_id = \(service.subscription.rawValue)", logger: logger) ?? 0
            guard count < limit else {
                throw StorageError.cloudServiceLimitReached(subscription: service.subscription.rawValue, limit: limit)
            }
            _ = try await db.query(
                """
                INSERT INTO cloud_services (name, subscription_id, label, description, location, affinity_group, extended_properties, created_at, modified_at)
                VALUES (\(service.name), \(service.subscription.rawValue), \(service.label), \(service.description), \(service.location),
                        \(service.affinityGroup), \(properties), \(StoredValues.timestamp(service.created)), \(StoredValues.timestamp(service.modified)))
                """, logger: logger)
        }
    }

    public func cloudService(_ name: String, in subscription: SubscriptionID) async throws(StorageError) -> CloudService? {
        try await database.read(
            "SELECT * FROM cloud_services WHERE name = \(name) AND subscription_id = \(subscription.rawValue)", Self.cloudService
        ).first
    }

    public func cloudServices(in subscription: SubscriptionID) async throws(StorageError) -> [CloudService] {
        try await database.read("SELECT * FROM cloud_services WHERE subscription_id = \(subscription.rawValue) ORDER BY name", Self.cloudService)
    }

    public func isCloudServiceNameAvailable(_ name: String) async throws(StorageError) -> Bool {
        try await database.rows("SELECT 1 FROM cloud_services WHERE name = \(name)").isEmpty
    }

    public func updateCloudService(_ service: CloudService) async throws(StorageError) {
        let properties = try Self.encoded(service.extendedProperties)
        try await write { [self] db in
            _ = try await db.query(
                """
                UPDATE cloud_services SET label = \(service.label), description = \(service.description), extended_properties = \(properties),
                    modified_at = \(StoredValues.timestamp(service.modified))
                WHERE name = \(service.name) AND subscription_id = \(service.subscription.rawValue)
                """, logger: logger)
        }
    }

    public func deleteCloudService(_ name: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { [self] db in
            try await db.count(
                "DELETE FROM cloud_services WHERE name = \(name) AND subscription_id = \(subscription.rawValue) RETURNING 1", logger: logger) > 0
        }
    }

    /// Extended properties as stored, or the reason they cannot be.
    static func encoded(_ properties: [ExtendedProperty]) throws(StorageError) -> String {
        do {
            return try StoredValues.encode(properties)
        } catch {
            throw .database("extended properties could not be written: \(error)")
        }
    }

    private static func cloudService(from row: PostgresRow) throws -> CloudService {
        let columns = row.makeRandomAccess()
        return CloudService(
            subscription: SubscriptionID(uncheckedRawValue: try columns.value("subscription_id")), name: try columns.value("name"),
            label: try columns.value("label"), description: try columns.value("description"), location: try columns.value("location"),
            affinityGroup: try columns.value("affinity_group"), extendedProperties: StoredValues.properties(try columns.value("extended_properties")),
            created: StoredValues.date(try columns.value("created_at")), modified: StoredValues.date(try columns.value("modified_at")))
    }
}
