import PostgresNIO

/// Roles, as in SQLite: the service administrator is the subscription's own column; everyone
/// else with a role is a row of `subscription_members`.
extension PostgresManagementStore {
    public func setRole(_ role: SubscriptionRole, for user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError) {
        try await write { [self] db in
            try await requireUser(user, db)
            try await requireSubscription(subscription, db)
            let id = subscription.rawValue
            let administrator = try await db.first(String.self, "SELECT service_admin FROM subscriptions WHERE id = \(id)", logger: logger)
            if role == .serviceAdministrator {
                guard administrator != user.rawValue else { return }
                _ = try await db.query("DELETE FROM subscription_members WHERE subscription_id = \(id) AND email = \(user.rawValue)", logger: logger)
                _ = try await db.query("UPDATE subscriptions SET service_admin = \(user.rawValue) WHERE id = \(id)", logger: logger)
                if let administrator {
                    _ = try await db.query(
                        "INSERT INTO subscription_members (subscription_id, email, role) VALUES (\(id), \(administrator), 'CoAdministrator')",
                        logger: logger)
                }
                return
            }
            if administrator == user.rawValue { throw StorageError.serviceAdministratorStays(user.rawValue) }
            _ = try await db.query(
                """
                INSERT INTO subscription_members (subscription_id, email, role) VALUES (\(id), \(user.rawValue), \(role.rawValue))
                ON CONFLICT (subscription_id, email) DO UPDATE SET role = excluded.role
                """, logger: logger)
        }
    }

    public func removeMember(_ user: EmailAddress, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        try await write { [self] db in
            try await requireSubscription(subscription, db)
            let id = subscription.rawValue
            if try await db.first(String.self, "SELECT service_admin FROM subscriptions WHERE id = \(id)", logger: logger) == user.rawValue {
                throw StorageError.serviceAdministratorStays(user.rawValue)
            }
            return try await db.count(
                "DELETE FROM subscription_members WHERE subscription_id = \(id) AND email = \(user.rawValue) RETURNING 1", logger: logger) > 0
        }
    }

    public func role(of user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError) -> SubscriptionRole? {
        try await database.read(
            """
            SELECT 'ServiceAdministrator' FROM subscriptions WHERE id = \(subscription.rawValue) AND service_admin = \(user.rawValue)
            UNION ALL SELECT role FROM subscription_members WHERE subscription_id = \(subscription.rawValue) AND email = \(user.rawValue)
            """
        ) { try $0.decode(String.self) }.first.flatMap(SubscriptionRole.init(rawValue:))
    }

    public func members(of subscription: SubscriptionID) async throws(StorageError) -> [SubscriptionMember] {
        try await database.read(
            """
            SELECT service_admin, 'ServiceAdministrator' FROM subscriptions WHERE id = \(subscription.rawValue)
            UNION ALL SELECT email, role FROM subscription_members WHERE subscription_id = \(subscription.rawValue)
            """
        ) { row -> SubscriptionMember? in
            let (user, role) = try row.decode((String, String).self)
            return SubscriptionRole(rawValue: role).map { SubscriptionMember(user: EmailAddress(uncheckedRawValue: user), role: $0) }
        }.compactMap { $0 }.sorted { ($0.role, $0.user.rawValue) < ($1.role, $1.user.rawValue) }
    }

    public func memberships(of user: EmailAddress) async throws(StorageError) -> [Membership] {
        try await database.read(
            """
            SELECT s.id, s.name, s.service_admin, s.created_at, 'ServiceAdministrator' AS member_role
            FROM subscriptions s WHERE s.service_admin = \(user.rawValue)
            UNION ALL
            SELECT s.id, s.name, s.service_admin, s.created_at, m.role AS member_role
            FROM subscriptions s JOIN subscription_members m ON m.subscription_id = s.id WHERE m.email = \(user.rawValue)
            ORDER BY name, id
            """
        ) { row -> Membership? in
            let (id, name, administrator, created, role) = try row.decode((String, String, String, Double, String).self)
            guard let role = SubscriptionRole(rawValue: role) else { return nil }
            let subscription = Subscription(
                id: SubscriptionID(uncheckedRawValue: id), name: name, serviceAdministrator: EmailAddress(uncheckedRawValue: administrator),
                createdAt: StoredValues.date(created))
            return Membership(subscription: subscription, role: role)
        }.compactMap { $0 }
    }
}
