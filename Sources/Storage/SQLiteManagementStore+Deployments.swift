import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every statement here names the subscription as well as the service: a deployment of another
/// subscription's service is never found, changed or deleted, whatever the caller checked.
extension SQLiteManagementStore {
    public func createDeployment(_ deployment: Deployment) async throws(StorageError) {
        try await write { db in
            try Self.requireCloudService(deployment.service, in: deployment.subscription, db)
            if let existing = try String.fetchOne(
                db, sql: "SELECT name FROM deployments WHERE service_name = ? AND slot = ?",
                arguments: [deployment.service, deployment.slot.rawValue])
            {
                throw StorageError.deploymentExists(
                    service: deployment.service, detail: "already has deployment \(existing) in the \(deployment.slot.rawValue) slot; delete it first")
            }
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM deployments WHERE service_name = ? AND name = ?",
                arguments: [deployment.service, deployment.name]) == true
            {
                throw StorageError.deploymentExists(service: deployment.service, detail: "already has a deployment named \(deployment.name)")
            }
            try db.execute(
                sql: """
                    INSERT INTO deployments (service_name, name, slot, private_id, label, status, configuration, definition, package_folder,
                                             extended_properties, created_at, modified_at, removed_instances)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    deployment.service, deployment.name, deployment.slot.rawValue, deployment.privateID, deployment.label,
                    deployment.status.rawValue, Data(deployment.configuration), Data(deployment.definition), deployment.packageFolder,
                    try StoredValues.encode(deployment.extendedProperties), Self.timestamp(deployment.created), Self.timestamp(deployment.modified),
                    try StoredValues.encode(deployment.removedInstances),
                ])
        }
    }

    public func deployments(of service: String, in subscription: SubscriptionID) async throws(StorageError) -> [Deployment] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*, s.subscription_id FROM deployments d JOIN cloud_services s ON s.name = d.service_name
                    WHERE d.service_name = ? AND s.subscription_id = ? ORDER BY d.slot = 'Staging', d.name
                    """, arguments: [service, subscription.rawValue]
            ).map(Self.deployment(from:))
        }
    }

    public func allDeployments() async throws(StorageError) -> [Deployment] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*, s.subscription_id FROM deployments d JOIN cloud_services s ON s.name = d.service_name
                    ORDER BY d.service_name, d.slot
                    """
            ).map(Self.deployment(from:))
        }
    }

    public func updateDeployment(_ deployment: Deployment) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE deployments SET label = ?, status = ?, configuration = ?, extended_properties = ?, modified_at = ?, removed_instances = ?,
                                           definition = ?, package_folder = ?
                    WHERE service_name = ? AND name = ? AND service_name IN (SELECT name FROM cloud_services WHERE subscription_id = ?)
                    """,
                arguments: [
                    deployment.label, deployment.status.rawValue, Data(deployment.configuration),
                    try StoredValues.encode(deployment.extendedProperties), Self.timestamp(deployment.modified),
                    try StoredValues.encode(deployment.removedInstances), Data(deployment.definition), deployment.packageFolder,
                    deployment.service, deployment.name, deployment.subscription.rawValue,
                ])
        }
    }

    public func swapDeploymentSlots(of service: String, in subscription: SubscriptionID) async throws(StorageError) {
        try await write { db in
            try Self.requireCloudService(service, in: subscription, db)
            // Through a marked value first: the slot is unique per service at every row update.
            try db.execute(sql: "UPDATE deployments SET slot = slot || '~' WHERE service_name = ?", arguments: [service])
            try db.execute(
                sql: """
                    UPDATE deployments SET slot = CASE slot WHEN 'Production~' THEN 'Staging' ELSE 'Production' END
                    WHERE service_name = ?
                    """, arguments: [service])
        }
    }

    public func deleteDeployment(_ name: String, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM deployments WHERE service_name = ? AND name = ?
                      AND service_name IN (SELECT name FROM cloud_services WHERE subscription_id = ?)
                    """, arguments: [service, name, subscription.rawValue])
            return db.changesCount > 0
        }
    }

    private static func deployment(from row: Row) -> Deployment {
        Deployment(
            subscription: SubscriptionID(uncheckedRawValue: row["subscription_id"]), service: row["service_name"], name: row["name"],
            slot: DeploymentSlot(rawValue: row["slot"]) ?? .production,
            privateID: row["private_id"], label: row["label"], status: DeploymentStatus(rawValue: row["status"]) ?? .suspended,
            configuration: [UInt8](row["configuration"] as Data), definition: [UInt8](row["definition"] as Data),
            packageFolder: row["package_folder"], extendedProperties: StoredValues.properties(row["extended_properties"]),
            created: date(row["created_at"]), modified: date(row["modified_at"]),
            removedInstances: StoredValues.names(row["removed_instances"])
        )
    }
}
