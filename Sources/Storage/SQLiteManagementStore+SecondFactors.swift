import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Second factors: a sealed TOTP secret, the last time step used (so that a code works once)
/// and the hashes of unused recovery codes.
extension SQLiteManagementStore {
    public func setPendingSecondFactor(_ sealedSecret: [UInt8], for user: EmailAddress) async throws(StorageError) {
        try await write { db in
            try Self.requireUser(user, db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO second_factors (email, sealed_secret, enabled_at, last_step, recovery_hashes) VALUES (?, ?, NULL, 0, '')",
                arguments: [user.rawValue, Data(sealedSecret)])
        }
    }

    public func secondFactor(of user: EmailAddress) async throws(StorageError) -> SecondFactorRecord? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT sealed_secret, enabled_at, recovery_hashes FROM second_factors WHERE email = ?", arguments: [user.rawValue])
            else { return nil }
            let sealed: Data = row[0]
            let hashes: String = row[2]
            return SecondFactorRecord(
                sealedSecret: [UInt8](sealed), enabledAt: (row[1] as Double?).map(Self.date),
                recoveryCodesLeft: hashes.split(separator: ",").count)
        }
    }

    public func enableSecondFactor(of user: EmailAddress, recoveryHashes: [String], at time: Date) async throws(StorageError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE second_factors SET enabled_at = ?, recovery_hashes = ? WHERE email = ?",
                arguments: [Self.timestamp(time), recoveryHashes.joined(separator: ","), user.rawValue])
        }
    }

    public func useSecondFactorStep(_ step: Int, of user: EmailAddress) async throws(StorageError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE second_factors SET last_step = ? WHERE email = ? AND last_step < ?", arguments: [step, user.rawValue, step])
            return db.changesCount > 0
        }
    }

    public func useRecoveryCode(hash: String, of user: EmailAddress) async throws(StorageError) -> Bool {
        try await write { db in
            guard let stored = try String.fetchOne(db, sql: "SELECT recovery_hashes FROM second_factors WHERE email = ?", arguments: [user.rawValue])
            else { return false }
            var hashes = stored.split(separator: ",").map(String.init)
            guard let index = hashes.firstIndex(of: hash) else { return false }
            hashes.remove(at: index)
            try db.execute(
                sql: "UPDATE second_factors SET recovery_hashes = ? WHERE email = ?", arguments: [hashes.joined(separator: ","), user.rawValue])
            return true
        }
    }

    public func removeSecondFactor(of user: EmailAddress) async throws(StorageError) {
        try await write { db in try db.execute(sql: "DELETE FROM second_factors WHERE email = ?", arguments: [user.rawValue]) }
    }
}
