import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Invitations and portal sessions, by the hashes of their secrets only.
extension PostgresManagementStore {
    public func createInvitation(tokenHash: String, for user: EmailAddress, expiresAt: Date) async throws(StorageError) {
        try await write { [self] db in
            try await requireUser(user, db)
            _ = try await db.query(
                "INSERT INTO invitations (token_hash, email, expires_at) VALUES (\(tokenHash), \(user.rawValue), \(StoredValues.timestamp(expiresAt)))",
                logger: logger)
        }
    }

    public func invitation(tokenHash: String, at time: Date) async throws(StorageError) -> EmailAddress? {
        try await database.read(
            "SELECT email FROM invitations WHERE token_hash = \(tokenHash) AND used_at IS NULL AND expires_at > \(StoredValues.timestamp(time))"
        ) { EmailAddress(uncheckedRawValue: try $0.decode(String.self)) }.first
    }

    public func redeemInvitation(tokenHash: String, passwordHash: String, at time: Date) async throws(StorageError) -> EmailAddress? {
        try await write { [self] db in
            let instant = StoredValues.timestamp(time)
            guard
                let email = try await db.first(
                    String.self,
                    "SELECT email FROM invitations WHERE token_hash = \(tokenHash) AND used_at IS NULL AND expires_at > \(instant) FOR UPDATE",
                    logger: logger)
            else { return nil }
            _ = try await db.query("UPDATE invitations SET used_at = \(instant) WHERE token_hash = \(tokenHash)", logger: logger)
            try await setPasswordHash(passwordHash, for: email, at: time, db)
            return EmailAddress(uncheckedRawValue: email)
        }
    }

    public func saveSession(idHash: String, user: EmailAddress?, value: [UInt8], expiresAt: Date?) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                """
                INSERT INTO portal_sessions (id_hash, email, value, expires_at)
                VALUES (\(idHash), \(user?.rawValue), \(Data(value)), \(expiresAt.map(StoredValues.timestamp)))
                ON CONFLICT (id_hash) DO UPDATE SET email = excluded.email, value = excluded.value, expires_at = excluded.expires_at
                """, logger: logger)
            // Expired sessions go as new ones come, so the table never grows without bound.
            _ = try await db.query("DELETE FROM portal_sessions WHERE expires_at < \(StoredValues.timestamp(Date()))", logger: logger)
        }
    }

    public func session(idHash: String, at time: Date) async throws(StorageError) -> (value: [UInt8], expiresAt: Date?)? {
        try await database.read(
            """
            SELECT value, expires_at FROM portal_sessions
            WHERE id_hash = \(idHash) AND (expires_at IS NULL OR expires_at > \(StoredValues.timestamp(time)))
            """
        ) { row -> (value: [UInt8], expiresAt: Date?) in
            let (value, expires) = try row.decode((Data, Double?).self)
            return ([UInt8](value), expires.map(StoredValues.date))
        }.first
    }

    public func deleteSession(idHash: String) async throws(StorageError) {
        try await write { [self] db in _ = try await db.query("DELETE FROM portal_sessions WHERE id_hash = \(idHash)", logger: logger) }
    }

    public func sessionCount(of user: EmailAddress, at time: Date) async throws(StorageError) -> Int {
        try await database.read(
            """
            SELECT COUNT(*) FROM portal_sessions
            WHERE email = \(user.rawValue) AND (expires_at IS NULL OR expires_at > \(StoredValues.timestamp(time)))
            """
        ) { try $0.decode(Int.self) }.first ?? 0
    }

    public func deleteSessions(of user: EmailAddress) async throws(StorageError) -> Int {
        try await write { [self] db in
            try await db.count("DELETE FROM portal_sessions WHERE email = \(user.rawValue) RETURNING 1", logger: logger)
        }
    }
}
