import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Password hashes and failed sign-ins. Only hashes are stored; a failure is recorded by the
/// address typed, whether or not such a user exists, so that refusals look alike.
extension SQLiteManagementStore {
    public func setPasswordHash(_ hash: String, for user: EmailAddress, at time: Date) async throws(StorageError) {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email = ?", arguments: [user.rawValue]) == true else {
                throw StorageError.unknownUser(user.rawValue)
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO user_passwords (email, hash, changed_at) VALUES (?, ?, ?)",
                arguments: [user.rawValue, hash, Self.timestamp(time)])
        }
    }

    public func passwordHash(of user: EmailAddress) async throws(StorageError) -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT hash FROM user_passwords WHERE email = ?", arguments: [user.rawValue]) }
    }

    public func recordFailedSignIn(of user: EmailAddress, at time: Date) async throws(StorageError) {
        try await write { db in
            try db.execute(sql: "INSERT INTO failed_sign_ins (email, time) VALUES (?, ?)", arguments: [user.rawValue, Self.timestamp(time)])
        }
    }

    public func failedSignIns(of user: EmailAddress, since time: Date) async throws(StorageError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM failed_sign_ins WHERE email = ? AND time >= ?", arguments: [user.rawValue, Self.timestamp(time)]) ?? 0
        }
    }

    public func clearFailedSignIns(of user: EmailAddress) async throws(StorageError) {
        try await write { db in try db.execute(sql: "DELETE FROM failed_sign_ins WHERE email = ?", arguments: [user.rawValue]) }
    }
}
