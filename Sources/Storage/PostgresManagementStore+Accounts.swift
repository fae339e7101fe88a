import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Password hashes, failed sign-ins and second factors, as in SQLite: only hashes and sealed
/// secrets are stored.
extension PostgresManagementStore {
    public func setPasswordHash(_ hash: String, for user: EmailAddress, at time: Date) async throws(StorageError) {
        try await write { [self] db in
            try await requireUser(user, db)
            try await setPasswordHash(hash, for: user.rawValue, at: time, db)
        }
    }

    /// Inserts or replaces a password hash inside a write.
    func setPasswordHash(_ hash: String, for user: String, at time: Date, _ db: PostgresConnection) async throws {
        _ = try await db.query(
            """
            INSERT INTO user_passwords (email, hash, changed_at) VALUES (\(user), \(hash), \(StoredValues.timestamp(time)))
            ON CONFLICT (email) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at
            """, logger: logger)
    }

    public func passwordHash(of user: EmailAddress) async throws(StorageError) -> String? {
        try await database.read("SELECT hash FROM user_passwords WHERE email = \(user.rawValue)") { try $0.decode(String.self) }.first
    }

    public func recordFailedSignIn(of user: EmailAddress, at time: Date) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query("INSERT INTO failed_sign_ins (email, time) VALUES (\(user.rawValue), \(StoredValues.timestamp(time)))", logger: logger)
        }
    }

    public func failedSignIns(of user: EmailAddress, since time: Date) async throws(StorageError) -> Int {
        try await database.read(
            "SELECT COUNT(*) FROM failed_sign_ins WHERE email = \(user.rawValue) AND time >= \(StoredValues.timestamp(time))"
        ) { try $0.decode(Int.self) }.first ?? 0
    }

    public func clearFailedSignIns(of user: EmailAddress) async throws(StorageError) {
        try await write { [self] db in _ = try await db.query("DELETE FROM failed_sign_ins WHERE email = \(user.rawValue)", logger: logger) }
    }

    public func setPendingSecondFactor(_ sealedSecret: [UInt8], for user: EmailAddress) async throws(StorageError) {
        try await write { [self] db in
            try await requireUser(user, db)
            _ = try await db.query(
                """
                INSERT INTO second_factors (email, sealed_secret, enabled_at, last_step, recovery_hashes)
                VALUES (\(user.rawValue), \(Data(sealedSecret)), NULL, 0, '')
                ON CONFLICT (email) DO UPDATE SET sealed_secret = excluded.sealed_secret, enabled_at = NULL, last_step = 0, recovery_hashes = ''
                """, logger: logger)
        }
    }

    public func secondFactor(of user: EmailAddress) async throws(StorageError) -> SecondFactorRecord? {
        try await database.read("SELECT sealed_secret, enabled_at, recovery_hashes FROM second_factors WHERE email = \(user.rawValue)") { row in
            let (sealed, enabled, hashes) = try row.decode((Data, Double?, String).self)
            return SecondFactorRecord(
                sealedSecret: [UInt8](sealed), enabledAt: enabled.map(StoredValues.date), recoveryCodesLeft: hashes.split(separator: ",").count)
        }.first
    }

    public func enableSecondFactor(of user: EmailAddress, recoveryHashes: [String], at time: Date) async throws(StorageError) {
        try await write { [self] db in
            _ = try await db.query(
                """
                UPDATE second_factors SET enabled_at = \(StoredValues.timestamp(time)), recovery_hashes = \(recoveryHashes.joined(separator: ","))
                WHERE email = \(user.rawValue)
                """, logger: logger)
        }
    }

    public func useSecondFactorStep(_ step: Int, of user: EmailAddress) async throws(StorageError) -> Bool {
        try await write { [self] db in
            try await db.count(
                "UPDATE second_factors SET last_step = \(step) WHERE email = \(user.rawValue) AND last_step < \(step) RETURNING 1", logger: logger) > 0
        }
    }

    public func useRecoveryCode(hash: String, of user: EmailAddress) async throws(StorageError) -> Bool {
        try await write { [self] db in
            guard let stored = try await db.first(String.self, "SELECT recovery_hashes FROM second_factors WHERE email = \(user.rawValue)", logger: logger)
            else { return false }
            var hashes = stored.split(separator: ",").map(String.init)
            guard let index = hashes.firstIndex(of: hash) else { return false }
            hashes.remove(at: index)
            _ = try await db.query(
                "UPDATE second_factors SET recovery_hashes = \(hashes.joined(separator: ",")) WHERE email = \(user.rawValue)", logger: logger)
            return true
        }
    }

    public func removeSecondFactor(of user: EmailAddress) async throws(StorageError) {
        try await write { [self] db in _ = try await db.query("DELETE FROM second_factors WHERE email = \(user.rawValue)", logger: logger) }
    }
}
