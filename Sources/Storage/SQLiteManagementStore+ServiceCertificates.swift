import Certificates
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every statement here names the subscription as well as the service: a certificate of another
/// subscription's service is never found, changed or deleted, whatever the caller checked.
extension SQLiteManagementStore {
    public func addServiceCertificate(_ certificate: ServiceCertificate) async throws(StorageError) {
        try await write { db in
            try Self.requireCloudService(certificate.service, in: certificate.subscription, db)
            try db.execute(
                sql: """
                    INSERT INTO service_certificates (service_name, thumbprint, certificate, sealed_private_key, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (service_name, thumbprint) DO UPDATE SET
                        certificate = excluded.certificate,
                        sealed_private_key = COALESCE(excluded.sealed_private_key, sealed_private_key)
                    """,
                arguments: [
                    certificate.service, certificate.thumbprint.description, Data(certificate.certificate),
                    certificate.sealedPrivateKey.map { Data($0) }, Self.timestamp(certificate.created),
                ])
        }
    }

    public func serviceCertificates(of service: String, in subscription: SubscriptionID) async throws(StorageError) -> [ServiceCertificate] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, s.subscription_id FROM service_certificates c JOIN cloud_services s ON s.name = c.service_name
                    WHERE c.service_name = ? AND s.subscription_id = ? ORDER BY c.thumbprint
                    """, arguments: [service, subscription.rawValue]
            ).map(Self.serviceCertificate(from:))
        }
    }

    public func serviceCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ServiceCertificate] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, s.subscription_id FROM service_certificates c JOIN cloud_services s ON s.name = c.service_name
                    WHERE s.subscription_id = ? ORDER BY c.service_name, c.thumbprint
                    """, arguments: [subscription.rawValue]
            ).map(Self.serviceCertificate(from:))
        }
    }

    public func serviceCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws(StorageError)
        -> ServiceCertificate?
    {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT c.*, s.subscription_id FROM service_certificates c JOIN cloud_services s ON s.name = c.service_name
                    WHERE c.service_name = ? AND s.subscription_id = ? AND c.thumbprint = ?
                    """, arguments: [service, subscription.rawValue, thumbprint.description]
            ).map(Self.serviceCertificate(from:))
        }
    }

    public func deleteServiceCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM service_certificates WHERE service_name = ? AND thumbprint = ?
                      AND service_name IN (SELECT name FROM cloud_services WHERE subscription_id = ?)
                    """, arguments: [service, thumbprint.description, subscription.rawValue])
            return db.changesCount > 0
        }
    }

    /// Refuses with `unknownCloudService` unless `service` belongs to `subscription`.
    static func requireCloudService(_ service: String, in subscription: SubscriptionID, _ db: Database) throws {
        guard
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM cloud_services WHERE name = ? AND subscription_id = ?",
                arguments: [service, subscription.rawValue]) == true
        else {
            throw StorageError.unknownCloudService(service)
        }
    }

    private static func serviceCertificate(from row: Row) -> ServiceCertificate {
        let der: [UInt8] = [UInt8](row["certificate"] as Data? ?? Data())
        return ServiceCertificate(
            subscription: SubscriptionID(uncheckedRawValue: row["subscription_id"]),
            service: row["service_name"], thumbprint: Thumbprint(certificateDER: der), certificate: der,
            sealedPrivateKey: (row["sealed_private_key"] as Data?).map { [UInt8]($0) }, created: date(row["created_at"])
        )
    }
}
