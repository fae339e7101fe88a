import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Invitations and portal sessions. Only hashes of their secrets are stored: a copy of the
/// database lets nobody sign in or redeem an invitation.
extension SQLiteManagementStore {
    public func createInvitation(tokenHash: String, for user: EmailAddress, expiresAt: Date) async throws(StorageError) {
        try await write { db in
            try Self.requireUser(user, db)
            try db.execute(
                sql: "INSERT INTO invitations (token_hash, email, expires_at) VALUES (?, ?, ?)",
                arguments: [tokenHash, user.rawValue, Self.timestamp(expiresAt)])
        }
    }

    public func invitation(tokenHash: String, at time: Date) async throws(StorageError) -> EmailAddress? {
        try await read { db in
            try String.fetchOne(
                db, sql: "SELECT email FROM invitations WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                arguments: [tokenHash, Self.timestamp(time)]
            ).map(EmailAddress.init(uncheckedRawValue:))
        }
    }

    public func redeemInvitation(tokenHash: String, passwordHash: String, at time: Date) async throws(StorageError) -> EmailAddress? {
        try await write { db in
            let instant = Self.timestamp(time)
            guard
                let email = try String.fetchOne(
                    db, sql: "SELECT email FROM invitations WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                    arguments: [tokenHash, instant])
            else { return nil }
            try db.execute(sql: "UPDATE invitations SET used_at = ? WHERE token_hash = ?", arguments: [instant, tokenHash])
            try db.execute(
                sql: "INSERT OR REPLACE INTO user_passwords (email, hash, changed_at) VALUES (?, ?, ?)",
                arguments: [email, passwordHash, instant])
            return EmailAddress(uncheckedRawValue: email)
        }
    }

    public func saveSession(idHash: String, user: EmailAddress?, value: [UInt8], expiresAt: Date?) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO portal_sessions (id_hash, email, value, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [idHash, user?.rawValue, Data(value), expiresAt.map(Self.timestamp)])
            // Expired sessions go as new ones come, so the table never grows without bound.
            try db.execute(sql: "DELETE FROM portal_sessions WHERE expires_at < ?", arguments: [Self.timestamp(Date())])
        }
    }

    public func session(idHash: String, at time: Date) async throws(StorageError) -> (value: [UInt8], expiresAt: Date?)? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT value, expires_at FROM portal_sessions WHERE id_hash = ? AND (expires_at IS NULL OR expires_at > ?)",
                    arguments: [idHash, Self.timestamp(time)])
            else { return nil }
            let value: Data = row[0]
            return ([UInt8](value), (row[1] as Double?).map(Self.date))
        }
    }

    public func deleteSession(idHash: String) async throws(StorageError) {
        try await write { db in try db.execute(sql: "DELETE FROM portal_sessions WHERE id_hash = ?", arguments: [idHash]) }
    }

    public func sessionCount(of user: EmailAddress, at time: Date) async throws(StorageError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM portal_sessions WHERE email = ? AND (expires_at IS NULL OR expires_at > ?)",
                arguments: [user.rawValue, Self.timestamp(time)]) ?? 0
        }
    }

    public func deleteSessions(of user: EmailAddress) async throws(StorageError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM portal_sessions WHERE email = ?", arguments: [user.rawValue])
            return db.changesCount
        }
    }
}
