import GRDB

/// Roles: the service administrator is the subscription's own column; everyone else with a role
/// is a row of `subscription_members`.
extension SQLiteManagementStore {
    public func setRole(_ role: SubscriptionRole, for user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError) {
        try await write { db in
            try Self.requireUser(user, db)
            try Self.requireSubscription(subscription, db)
            let administrator = try String.fetchOne(db, sql: "SELECT service_admin FROM subscriptions WHERE id = ?", arguments: [subscription.rawValue])
            if role == .serviceAdministrator {
                guard administrator != user.rawValue else { return }
                try db.execute(
                    sql: "DELETE FROM subscription_members WHERE subscription_id = ? AND email = ?", arguments: [subscription.rawValue, user.rawValue])
                try db.execute(sql: "UPDATE subscriptions SET service_admin = ? WHERE id = ?", arguments: [user.rawValue, subscription.rawValue])
                if let administrator {
                    try db.execute(
                        sql: "INSERT INTO subscription_members (subscription_id, email, role) VALUES (?, ?, 'CoAdministrator')",
                        arguments: [subscription.rawValue, administrator])
                }
                return
            }
            if administrator == user.rawValue { throw StorageError.serviceAdministratorStays(user.rawValue) }
            try db.execute(
                sql: "INSERT OR REPLACE INTO subscription_members (subscription_id, email, role) VALUES (?, ?, ?)",
                arguments: [subscription.rawValue, user.rawValue, role.rawValue])
        }
    }

    public func removeMember(_ user: EmailAddress, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { db in
            try Self.requireSubscription(subscription, db)
            if try String.fetchOne(db, sql: "SELECT service_admin FROM subscriptions WHERE id = ?", arguments: [subscription.rawValue]) == user.rawValue {
                throw StorageError.serviceAdministratorStays(user.rawValue)
            }
            try db.execute(
                sql: "DELETE FROM subscription_members WHERE subscription_id = ? AND email = ?",
                arguments: [subscription.rawValue, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func role(of user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError) -> SubscriptionRole? {
        try await read { db in
            let stored = try String.fetchOne(
                db,
                sql: """
                    SELECT 'ServiceAdministrator' FROM subscriptions WHERE id = ?1 AND service_admin = ?2
                    UNION ALL SELECT role FROM subscription_members WHERE subscription_id = ?1 AND email = ?2
                    """, arguments: [subscription.rawValue, user.rawValue])
            return stored.flatMap(SubscriptionRole.init(rawValue:))
        }
    }

    public func members(of subscription: SubscriptionID) async throws(StorageError) -> [SubscriptionMember] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT service_admin, 'ServiceAdministrator' FROM subscriptions WHERE id = ?1
                    UNION ALL SELECT email, role FROM subscription_members WHERE subscription_id = ?1
                    """, arguments: [subscription.rawValue])
            return rows.compactMap { row -> SubscriptionMember? in
                guard let role = SubscriptionRole(rawValue: row[1]) else { return nil }
                return SubscriptionMember(user: EmailAddress(uncheckedRawValue: row[0]), role: role)
            }.sorted { ($0.role, $0.user.rawValue) < ($1.role, $1.user.rawValue) }
        }
    }

    public func memberships(of user: EmailAddress) async throws(StorageError) -> [Membership] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.*, 'ServiceAdministrator' AS member_role FROM subscriptions s WHERE s.service_admin = ?1
                    UNION ALL
                    SELECT s.*, m.role AS member_role FROM subscriptions s JOIN subscription_members m ON m.subscription_id = s.id WHERE m.email = ?1
                    ORDER BY name, id
                    """, arguments: [user.rawValue])
            return rows.compactMap { row -> Membership? in
                guard let role = SubscriptionRole(rawValue: row["member_role"]) else { return nil }
                return Membership(subscription: Self.subscription(from: row), role: role)
            }
        }
    }
}
