import Certificates
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every statement here names the subscription as well as the service: a certificate of another
/// subscription's service is never found, changed or deleted. Private keys arrive sealed.
extension PostgresManagementStore {
    public func addServiceCertificate(_ certificate: ServiceCertificate) async throws(StorageError) {
        try await write { [self] db in
            try await requireCloudService(certificate.service, in: certificate.subscription, db)
            _ = try await db.query(
                """
                INSERT INTO service_certificates (service_name, thumbprint, certificate, sealed_private_key, created_at)
                VALUES (\(certificate.service), \(certificate.thumbprint.description), \(Data(certificate.certificate)),
                        \(certificate.sealedPrivateKey.map { Data($0) }), \(StoredValues.timestamp(certificate.created)))
                ON CONFLICT (service_name, thumbprint) DO UPDATE SET
                    certificate = excluded.certificate,
                    sealed_private_key = COALESCE(excluded.sealed_private_key, service_certificates.sealed_private_key)
                """, logger: logger)
        }
    }

    public func serviceCertificates(of service: String, in subscription: SubscriptionID) async throws(StorageError) -> [ServiceCertificate] {
        try await database.read(
            """
            SELECT c.service_name, c.certificate, c.sealed_private_key, c.created_at, s.subscription_id
            FROM service_certificates c JOIN cloud_services s ON s.name = c.service_name
            WHERE c.service_name = \(service) AND s.subscription_id = \(subscription.rawValue) ORDER BY c.thumbprint
            """, Self.serviceCertificate)
    }

    public func serviceCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ServiceCertificate] {
        try await database.read(
            """
            SELECT c.service_name, c.certificate, c.sealed_private_key, c.created_at, s.subscription_id
            FROM service_certificates c JOIN cloud_services s ON s.name = c.service_name
            WHERE s.subscription_id = \(subscription.rawValue) ORDER BY c.service_name, c.thumbprint
            """, Self.serviceCertificate)
    }

    public func serviceCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws(StorageError)
        -> ServiceCertificate?
    {
        try await database.read(
            """
            SELECT c.service_name, c.certificate, c.sealed_private_key, c.created_at, s.subscription_id
            FROM service_certificates c JOIN cloud_services s ON s.name = c.service_name
            WHERE c.service_name = \(service) AND s.subscription_id = \(subscription.rawValue) AND c.thumbprint = \(thumbprint.description)
            """, Self.serviceCertificate
        ).first
    }

    public func deleteServiceCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { [self] db in
            try await db.count(
                """
                DELETE FROM service_certificates WHERE service_name = \(service) AND thumbprint = \(thumbprint.description)
                  AND service_name IN (SELECT name FROM cloud_services WHERE subscription_id = \(subscription.rawValue))
                RETURNING 1
                """, logger: logger) > 0
        }
    }

    private static func serviceCertificate(from row: PostgresRow) throws -> ServiceCertificate {
        let (service, certificate, sealed, created, subscription) = try row.decode((String, Data, Data?, Double, String).self)
        let der = [UInt8](certificate)
        return ServiceCertificate(
            subscription: SubscriptionID(uncheckedRawValue: subscription), service: service, thumbprint: Thumbprint(certificateDER: der),
            certificate: der, sealedPrivateKey: sealed.map { [UInt8]($0) }, created: StoredValues.date(created))
    }
}
