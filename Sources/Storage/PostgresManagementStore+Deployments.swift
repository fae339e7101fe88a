import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every statement here names the subscription as well as the service: a deployment of another
/// subscription's service is never found, changed or deleted.
extension PostgresManagementStore {
    public func createDeployment(_ deployment: Deployment) async throws(StorageError) {
        let properties = try Self.encoded(deployment.extendedProperties)
        let removed = try Self.encoded(deployment.removedInstances)
        try await write { [self] db in
            try await requireCloudService(deployment.service, in: deployment.subscription, db)
            if let existing = try await db.first(
                String.self, "SELECT name FROM deployments WHERE service_name = \(deployment.service) AND slot = \(deployment.slot.rawValue)",
                logger: logger)
            {
                throw StorageError.deploymentExists(
                    service: deployment.service, detail: "already has deployment \(existing) in the \(deployment.slot.rawValue) slot; delete it first")
            }
            if try await db.exists("SELECT 1 FROM deployments WHERE service_name = \(deployment.service) AND name = \(deployment.name)", logger: logger) {
                throw StorageError.deploymentExists(service: deployment.service, detail: "already has a deployment named \(deployment.name)")
            }
            _ = try await db.query(
                """
                INSERT INTO deployments (service_name, name, slot, private_id, label, status, configuration, definition, package_folder,
                                         extended_properties, created_at, modified_at, removed_instances)
                VALUES (\(deployment.service), \(deployment.name), \(deployment.slot.rawValue), \(deployment.privateID), \(deployment.label),
                        \(deployment.status.rawValue), \(Data(deployment.configuration)), \(Data(deployment.definition)), \(deployment.packageFolder),
                        \(properties), \(StoredValues.timestamp(deployment.created)), \(StoredValues.timestamp(deployment.modified)), \(removed))
                """, logger: logger)
        }
    }

    public func deployments(of service: String, in subscription: SubscriptionID) async throws(StorageError) -> [Deployment] {
        try await database.read(
            """
            SELECT d.*, s.subscription_id FROM deployments d JOIN cloud_services s ON s.name = d.service_name
            WHERE d.service_name = \(service) AND s.subscription_id = \(subscription.rawValue) ORDER BY d.slot = 'Staging', d.name
            """, Self.deployment)
    }

    public func allDeployments() async throws(StorageError) -> [Deployment] {
        try await database.read(
            """
            SELECT d.*, s.subscription_id FROM deployments d JOIN cloud_services s ON s.name = d.service_name
            ORDER BY d.service_name, d.slot
            """, Self.deployment)
    }

    public func updateDeployment(_ deployment: Deployment) async throws(StorageError) {
        let properties = try Self.encoded(deployment.extendedProperties)
        let removed = try Self.encoded(deployment.removedInstances)
        try await write { [self] db in
            _ = try await db.query(
                """
                UPDATE deployments SET label = \(deployment.label), status = \(deployment.status.rawValue),
                    configuration = \(Data(deployment.configuration)), extended_properties = \(properties),
                    modified_at = \(StoredValues.timestamp(deployment.modified)), removed_instances = \(removed),
                    definition = \(Data(deployment.definition)), package_folder = \(deployment.packageFolder)
                WHERE service_name = \(deployment.service) AND name = \(deployment.name)
                  AND service_name IN (SELECT name FROM cloud_services WHERE subscription_id = \(deployment.subscription.rawValue))
                """, logger: logger)
        }
    }

    public func swapDeploymentSlots(of service: String, in subscription: SubscriptionID) async throws(StorageError) {
        try await write { [self] db in
            try await requireCloudService(service, in: subscription, db)
            // Through a marked value first: the slot is unique per service at every row update.
            _ = try await db.query("UPDATE deployments SET slot = slot || '~' WHERE service_name = \(service)", logger: logger)
            _ = try await db.query(
                "UPDATE deployments SET slot = CASE slot WHEN 'Production~' THEN 'Staging' ELSE 'Production' END WHERE service_name = \(service)",
                logger: logger)
        }
    }

    public func deleteDeployment(_ name: String, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { [self] db in
            try await db.count(
                """
                DELETE FROM deployments WHERE service_name = \(service) AND name = \(name)
                  AND service_name IN (SELECT name FROM cloud_services WHERE subscription_id = \(subscription.rawValue))
                RETURNING 1
                """, logger: logger) > 0
        }
    }

    /// Names of removed instances as stored, or the reason they cannot be.
    static func encoded(_ names: Set<String>) throws(StorageError) -> String {
        do {
            return try StoredValues.encode(names)
        } catch {
            throw .database("instance names could not be written: \(error)")
        }
    }

    private static func deployment(from row: PostgresRow) throws -> Deployment {
        let columns = row.makeRandomAccess()
        return Deployment(
            subscription: SubscriptionID(uncheckedRawValue: try columns.value("subscription_id")), service: try columns.value("service_name"),
            name: try columns.value("name"), slot: DeploymentSlot(rawValue: try columns.value("slot")) ?? .production,
            privateID: try columns.value("private_id"), label: try columns.value("label"),
            status: DeploymentStatus(rawValue: try columns.value("status")) ?? .suspended,
            configuration: [UInt8](try columns.value("configuration", as: Data.self)), definition: [UInt8](try columns.value("definition", as: Data.self)),
            packageFolder: try columns.value("package_folder"), extendedProperties: StoredValues.properties(try columns.value("extended_properties")),
            created: StoredValues.date(try columns.value("created_at")), modified: StoredValues.date(try columns.value("modified_at")),
            removedInstances: StoredValues.names(try columns.value("removed_instances")))
    }
}
