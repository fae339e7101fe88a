import Certificates
import GRDB
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLiteManagementStore {
    public func addServiceCertificate(_ certificate: ServiceCertificate) throws(StorageError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO service_certificates (service_name, thumbprint, certificate, sealed_private_key, created_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (service_name, thumbprint) DO UPDATE SET
                    certificate = excluded.certificate,
                    sealed_private_key = COALESCE(excluded.sealed_private_key, sealed_private_key)
                """, arguments: [certificate.service, certificate.thumbprint.description, Data(certificate.certificate),
                                 certificate.sealedPrivateKey.map { Data($0) }, Self.timestamp(certificate.created)])
        }
    }

    public func serviceCertificates(of service: String) throws(StorageError) -> [ServiceCertificate] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM service_certificates WHERE service_name = ? ORDER BY thumbprint",
                             arguments: [service]).map(Self.serviceCertificate(from:))
        }
    }

    public func serviceCertificate(_ thumbprint: Thumbprint, of service: String) throws(StorageError) -> ServiceCertificate? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM service_certificates WHERE service_name = ? AND thumbprint = ?",
                             arguments: [service, thumbprint.description]).map(Self.serviceCertificate(from:))
        }
    }

    public func deleteServiceCertificate(_ thumbprint: Thumbprint, of service: String) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM service_certificates WHERE service_name = ? AND thumbprint = ?",
                           arguments: [service, thumbprint.description])
            return db.changesCount > 0
        }
    }

    private static func serviceCertificate(from row: Row) -> ServiceCertificate {
        let der: [UInt8] = [UInt8](row["certificate"] as Data? ?? Data())
        return ServiceCertificate(
            service: row["service_name"], thumbprint: Thumbprint(certificateDER: der), certificate: der,
            sealedPrivateKey: (row["sealed_private_key"] as Data?).map { [UInt8]($0) }, created: date(row["created_at"])
        )
    }
}
