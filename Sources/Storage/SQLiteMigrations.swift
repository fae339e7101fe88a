import GRDB

/// The schema, one migration per version. Never edit a migration that has shipped: add the next.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: users, subscriptions, management certificates, audit, operations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        email TEXT PRIMARY KEY NOT NULL,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE subscriptions (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        service_admin TEXT NOT NULL REFERENCES users(email),
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX subscriptions_by_admin ON subscriptions(service_admin);
                    CREATE TABLE co_administrators (
                        subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
                        email TEXT NOT NULL REFERENCES users(email),
                        PRIMARY KEY (subscription_id, email)
                    );
                    CREATE INDEX co_administrators_by_email ON co_administrators(email);
                    CREATE TABLE management_certificates (
                        subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
                        thumbprint TEXT NOT NULL,
                        thumbprint_as_uploaded TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        data TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        not_after REAL NOT NULL,
                        added_by TEXT NOT NULL REFERENCES users(email),
                        PRIMARY KEY (subscription_id, thumbprint)
                    );
                    CREATE INDEX management_certificates_by_thumbprint ON management_certificates(thumbprint, subscription_id);
                    CREATE INDEX management_certificates_by_user ON management_certificates(added_by);
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time REAL NOT NULL,
                        subscription_id TEXT,
                        caller_thumbprint TEXT,
                        user TEXT,
                        operation TEXT NOT NULL,
                        target TEXT NOT NULL,
                        outcome TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_by_subscription ON audit_log(subscription_id, id);
                    CREATE TABLE settings (
                        name TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE operations (
                        id TEXT PRIMARY KEY NOT NULL,
                        subscription_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        http_status INTEGER,
                        error_code TEXT,
                        error_message TEXT
                    );
                    """)
        }
        migrator.registerMigration("v2: cloud services") { db in
            try db.execute(
                sql: """
                    CREATE TABLE cloud_services (
                        name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                        subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
                        label TEXT NOT NULL,
                        description TEXT,
                        location TEXT,
                        affinity_group TEXT,
                        extended_properties TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        modified_at REAL NOT NULL
                    );
                    CREATE INDEX cloud_services_by_subscription ON cloud_services(subscription_id, name);
                    """)
        }
        migrator.registerMigration("v3: service certificates") { db in
            try db.execute(
                sql: """
                    CREATE TABLE service_certificates (
                        service_name TEXT NOT NULL COLLATE NOCASE REFERENCES cloud_services(name) ON DELETE CASCADE,
                        thumbprint TEXT NOT NULL,
                        certificate BLOB NOT NULL,
                        sealed_private_key BLOB,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (service_name, thumbprint)
                    );
                    """)
        }
        migrator.registerMigration("v4: deployments") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deployments (
                        service_name TEXT NOT NULL COLLATE NOCASE REFERENCES cloud_services(name) ON DELETE CASCADE,
                        name TEXT NOT NULL COLLATE NOCASE,
                        slot TEXT NOT NULL,
                        private_id TEXT NOT NULL UNIQUE,
                        label TEXT NOT NULL,
                        status TEXT NOT NULL,
                        configuration BLOB NOT NULL,
                        definition BLOB NOT NULL,
                        package_folder TEXT,
                        extended_properties TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        modified_at REAL NOT NULL,
                        PRIMARY KEY (service_name, name),
                        UNIQUE (service_name, slot)
                    );
                    """)
        }
        migrator.registerMigration("v5: user passwords and failed sign-ins") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user_passwords (
                        email TEXT PRIMARY KEY NOT NULL REFERENCES users(email) ON DELETE CASCADE,
                        hash TEXT NOT NULL,
                        changed_at REAL NOT NULL
                    );
                    CREATE TABLE failed_sign_ins (
                        email TEXT NOT NULL,
                        time REAL NOT NULL
                    );
                    CREATE INDEX failed_sign_ins_by_email ON failed_sign_ins(email, time);
                    """)
        }
        migrator.registerMigration("v6: roles, invitations and portal sessions") { db in
            // Co-administrators become members with a role; a management certificate records the
            // role it acts with (NULL for those added before roles: they act as co-administrator).
            try db.execute(
                sql: """
                    CREATE TABLE subscription_members (
                        subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
                        email TEXT NOT NULL REFERENCES users(email),
                        role TEXT NOT NULL,
                        PRIMARY KEY (subscription_id, email)
                    );
                    CREATE INDEX subscription_members_by_email ON subscription_members(email);
                    INSERT INTO subscription_members (subscription_id, email, role)
                        SELECT subscription_id, email, 'CoAdministrator' FROM co_administrators;
                    DROP TABLE co_administrators;
                    ALTER TABLE management_certificates ADD COLUMN role TEXT;
                    CREATE TABLE invitations (
                        token_hash TEXT PRIMARY KEY NOT NULL,
                        email TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE,
                        expires_at REAL NOT NULL,
                        used_at REAL
                    );
                    CREATE TABLE portal_sessions (
                        id_hash TEXT PRIMARY KEY NOT NULL,
                        email TEXT,
                        value BLOB NOT NULL,
                        expires_at REAL
                    );
                    CREATE INDEX portal_sessions_by_email ON portal_sessions(email);
                    """)
        }
        migrator.registerMigration("v7: second factors") { db in
            // The TOTP secret is sealed by the master key (it must be read back to check a code);
            // recovery codes are kept as SHA-256 hashes, each removed when used.
            try db.execute(
                sql: """
                    CREATE TABLE second_factors (
                        email TEXT PRIMARY KEY NOT NULL REFERENCES users(email) ON DELETE CASCADE,
                        sealed_secret BLOB NOT NULL,
                        enabled_at REAL,
                        last_step INTEGER NOT NULL DEFAULT 0,
                        recovery_hashes TEXT NOT NULL DEFAULT ''
                    );
                    """)
        }
        migrator.registerMigration("v8: audit entries with their request id and HTTP status") { db in
            // List Subscription Operations pairs an asynchronous operation's Accepted entry with
            // its final one by the request id, and reports the status code.
            try db.execute(
                sql: """
                    ALTER TABLE audit_log ADD COLUMN request_id TEXT;
                    ALTER TABLE audit_log ADD COLUMN http_status INTEGER;
                    CREATE INDEX audit_log_by_time ON audit_log(subscription_id, time);
                    """)
        }
        migrator.registerMigration("v9: role instances deleted from deployments") { db in
            // Delete Role Instances removes named instances for good: the others keep their names.
            try db.execute(sql: "ALTER TABLE deployments ADD COLUMN removed_instances TEXT NOT NULL DEFAULT '[]'")
        }
        migrator.registerMigration("v10: operation leases") { db in
            // Servers sharing a database fail each other's operations only once their lease ended.
            try db.execute(
                sql: """
                    ALTER TABLE operations ADD COLUMN runner TEXT;
                    ALTER TABLE operations ADD COLUMN lease_until REAL;
                    """)
        }
        migrator.registerMigration("v11: role-instance agents") { db in
            try db.execute(
                sql: """
                    CREATE TABLE agents (
                        name TEXT PRIMARY KEY NOT NULL,
                        thumbprint TEXT NOT NULL UNIQUE,
                        created_at REAL NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v12: instances placed on agents") { db in
            try db.execute(sql: SQLiteMigrations.placements)
        }
        migrator.registerMigration("v13: service turns across servers") { db in
            try db.execute(sql: "CREATE TABLE service_turns (service TEXT PRIMARY KEY NOT NULL, holder TEXT NOT NULL, until REAL NOT NULL)")
        }
        migrator.registerMigration("v14: webhooks, notices and renewal") { db in
            try db.execute(sql: SQLiteMigrations.lifecycle)
        }
        return migrator
    }

    /// Where instances run when they run on agents (the same columns in PostgreSQL's v4).
    static let placements = """
        ALTER TABLE agents ADD COLUMN last_seen_at REAL;
        CREATE TABLE instance_placements (
            deployment_id TEXT NOT NULL,
            instance TEXT NOT NULL,
            agent TEXT NOT NULL,
            subscription TEXT NOT NULL,
            service TEXT NOT NULL,
            assignment TEXT NOT NULL,
            generation TEXT NOT NULL,
            reported_generation TEXT,
            reported_status TEXT,
            reported_endpoints TEXT,
            reported_failure TEXT,
            reported_at REAL,
            PRIMARY KEY (deployment_id, instance)
        );
        CREATE INDEX instance_placements_agent ON instance_placements (agent);
        """

    /// Webhooks, their deliveries, notices given and automatic renewal (PostgreSQL's v6 has the same columns).
    static let lifecycle = """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY NOT NULL, subscription TEXT NOT NULL, url TEXT NOT NULL, sealed_secret BLOB NOT NULL, created_at REAL NOT NULL);
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY NOT NULL, webhook TEXT NOT NULL, subscription TEXT NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL,
            created_at REAL NOT NULL, attempts INTEGER NOT NULL, next_attempt_at REAL, state TEXT NOT NULL, last_error TEXT);
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
        CREATE TABLE notices (
            subscription TEXT NOT NULL, subject TEXT NOT NULL, kind TEXT NOT NULL, given_at REAL NOT NULL, PRIMARY KEY (subscription, subject, kind));
        CREATE TABLE renewal_policies (
            subscription TEXT NOT NULL, service TEXT NOT NULL, days_before INTEGER NOT NULL, valid_days INTEGER NOT NULL,
            PRIMARY KEY (subscription, service));
        CREATE TABLE certificate_renewals (
            subscription TEXT NOT NULL, service TEXT NOT NULL, old_thumbprint TEXT NOT NULL, new_thumbprint TEXT NOT NULL,
            renewed_at REAL NOT NULL, retired INTEGER NOT NULL, PRIMARY KEY (subscription, service, old_thumbprint));
        """
}
