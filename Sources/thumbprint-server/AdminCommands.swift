import ArgumentParser
import CLISupport
import Certificates
import ManagementAPI
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint admin …`: administration on a server's data folder, while it runs or not.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer users, subscriptions and publish settings in a server's data folder or database.",
        subcommands: [
            AdminUser.self, AdminSubscription.self, AdminPublishSettings.self, AdminAudit.self, AdminTrustCA.self, AdminMigrate.self, AdminAgent.self,
            AdminWebhook.self, AdminTLS.self, AdminCA.self,
        ]
    )

    @OptionGroup var dataDirectory: DataDirectoryOption
}

/// Parses an e-mail address argument.
func emailAddress(_ text: String) throws -> EmailAddress {
    guard let email = EmailAddress(text) else { throw ValidationError("'\(text)' is not an e-mail address (name@host)") }
    return email
}

/// Parses a subscription id argument.
func subscriptionID(_ text: String) throws -> SubscriptionID {
    guard let id = SubscriptionID(text) else { throw ValidationError("'\(text)' is not a subscription id (a GUID such as 0f9a3c1e-…)") }
    return id
}

struct AdminUser: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.", subcommands: [Add.self, Invite.self, SetPassword.self, Unlock.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The user's e-mail address.") var email: String

        func run() async throws {
            let email = try emailAddress(email)
            try await Administration(store: try await parent.dataDirectory.openStore()).addUser(email)
            print("Added user \(email)")
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invite",
            abstract: "Print a one-time link (valid 24 hours) with which a user chooses a password in the portal.",
            discussion: "The link uses the address the server last announced; the server must have run once on this data folder."
        )
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The user's e-mail address.") var email: String

        func run() async throws {
            let email = try emailAddress(email)
            let store = try await parent.dataDirectory.openStore()
            guard let url = try await store.setting(Administration.serviceManagementURLSetting) else {
                throw CommandFailure(
                    message: "the server has not run on \(parent.dataDirectory.path) yet, so its address is unknown; start it once with `thumbprint server`.",
                    status: ExitStatus.failed)
            }
            print(try await Administration(store: store).invite(email, portalURL: url))
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Give a user a password (at least 12 characters; stored only as a scrypt hash).",
            discussion: "The password comes from --password-stdin, --password-env VAR or --password-file FILE, or is asked twice on the terminal."
        )
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The user's e-mail address.") var email: String
        @OptionGroup var password: PasswordOptions

        func run() async throws {
            let email = try emailAddress(email)
            let chosen = try password.forWriting(email.rawValue)
            do {
                try await Administration(store: try await parent.dataDirectory.openStore()).setPassword(chosen, for: email)
            } catch let error as AdministrationError {
                throw CommandFailure(message: error.description, status: ExitStatus.badInput)
            }
            print("Set the password of \(email)")
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unlock", abstract: "Let a user whose sign-ins were locked after repeated failures sign in again.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The user's e-mail address.") var email: String

        func run() async throws {
            let email = try emailAddress(email)
            try await Administration(store: try await parent.dataDirectory.openStore()).unlockSignIn(email)
            print("Sign-ins for \(email) are no longer locked")
        }
    }
}

struct AdminSubscription: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription", abstract: "Manage subscriptions and their co-administrators.",
        subcommands: [Create.self, List.self, AddUser.self, RemoveUser.self, Users.self, AddCoAdmin.self, RemoveCoAdmin.self, AdminSubscriptionWebhook.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a subscription; the last line printed is its id.")
        @ParentCommand var parent: AdminCommand
        @Option(name: .customLong("name"), help: "The display name.") var name: String
        @Option(name: .customLong("admin"), help: "The service administrator's e-mail address (an existing user).") var admin: String
        @Option(name: .customLong("id"), help: "The subscription id (a GUID); a new one by default.") var id: String?

        func run() async throws {
            let administration = Administration(store: try await parent.dataDirectory.openStore())
            let subscription = try await administration.createSubscription(
                name: name, administrator: try emailAddress(admin), id: try id.map(subscriptionID)
            )
            print("Created subscription \"\(subscription.name)\" administered by \(subscription.serviceAdministrator)")
            print(subscription.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List subscriptions with their administrators.")
        @ParentCommand var parent: AdminCommand
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        struct Entry: Encodable {
            var id: String
            var name: String
            var serviceAdministrator: String
            var coAdministrators: [String]
        }

        func run() async throws {
            let store = try await parent.dataDirectory.openStore()
            var entries: [Entry] = []
            for subscription in try await store.allSubscriptions() {
                entries.append(
                    Entry(
                        id: subscription.id.rawValue, name: subscription.name, serviceAdministrator: subscription.serviceAdministrator.rawValue,
                        coAdministrators: try await store.coAdministrators(of: subscription.id).map(\.rawValue)))
            }
            if json { return try printJSON(entries) }
            for entry in entries {
                let co = entry.coAdministrators.isEmpty ? "" : "  co-administrators: \(entry.coAdministrators.joined(separator: ", "))"
                print("\(entry.id)  \(entry.name)  admin: \(entry.serviceAdministrator)\(co)")
            }
        }
    }

    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user", abstract: "Give a user a role on a subscription (replacing the role they had).",
            discussion:
                "Roles: service-administrator (one per subscription; the previous one becomes co-administrator), co-administrator, certificate-manager, deployer, reader."
        )
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Argument(help: "The user's e-mail address.") var email: String
        @Option(help: "service-administrator, co-administrator, certificate-manager, deployer or reader.") var role: String

        func run() async throws {
            let email = try emailAddress(email)
            guard let role = SubscriptionRole(argument: role) else {
                throw ValidationError("'\(role)' is not a role: use one of \(SubscriptionRole.allCases.map(\.argument).joined(separator: ", "))")
            }
            try await Administration(store: try await parent.dataDirectory.openStore()).setRole(role, for: email, in: try subscriptionID(subscription))
            print("\(email) is \(role.displayName) of \(subscription)")
        }
    }

    struct RemoveUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-user", abstract: "Take a user's role on a subscription away.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Argument(help: "The user's e-mail address.") var email: String

        func run() async throws {
            let email = try emailAddress(email)
            guard try await Administration(store: try await parent.dataDirectory.openStore()).removeMember(email, from: try subscriptionID(subscription)) else {
                throw CommandFailure(message: "\(email) has no role on \(subscription).", status: ExitStatus.failed)
            }
            print("\(email) no longer has a role on \(subscription); the management certificates they added no longer authenticate there")
        }
    }

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "users", abstract: "List the users of a subscription with their roles.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let id = try subscriptionID(subscription)
            let store = try await parent.dataDirectory.openStore()
            guard try await store.subscription(id) != nil else { throw StorageError.unknownSubscription(id.rawValue) }
            let members = try await store.members(of: id)
            if json { return try printJSON(members.map { ["user": $0.user.rawValue, "role": $0.role.argument] }) }
            for member in members { print("\(member.user)  \(member.role.displayName)") }
        }
    }

    struct AddCoAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-coadmin", abstract: "Make a user a co-administrator of a subscription.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Argument(help: "The user's e-mail address.") var email: String

        func run() async throws {
            let email = try emailAddress(email)
            try await Administration(store: try await parent.dataDirectory.openStore()).addCoAdministrator(email, to: try subscriptionID(subscription))
            print("\(email) is a co-administrator of \(subscription)")
        }
    }

    struct RemoveCoAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-coadmin", abstract: "Remove a co-administrator from a subscription.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Argument(help: "The user's e-mail address.") var email: String

        func run() async throws {
            let email = try emailAddress(email)
            guard
                try await Administration(store: try await parent.dataDirectory.openStore()).removeCoAdministrator(email, from: try subscriptionID(subscription))
            else {
                throw CommandFailure(message: "\(email) is not a co-administrator of \(subscription).", status: ExitStatus.failed)
            }
            print(
                "\(email) is no longer a co-administrator of \(subscription); the management certificates they added no longer authenticate there (delete them with `thumbprint mgmt-cert remove`, or add the user again to restore them)"
            )
        }
    }
}

struct AdminPublishSettings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish-settings",
        abstract:
            "Make a new management certificate for a user, register it on every subscription the user has a role on (acting with that role), and write a .publishsettings file."
    )
    @ParentCommand var parent: AdminCommand
    @Option(name: .customLong("user"), help: "The user's e-mail address.") var user: String
    @Option(name: .customLong("out"), help: "Where to write the file (it holds a private key: created 0600).") var out: String

    func run() async throws {
        let store = try await parent.dataDirectory.openStore()
        let url = try await store.setting(Administration.serviceManagementURLSetting) ?? "https://127.0.0.1:8443"
        let (settings, thumbprint) = try await Administration(store: store).issuePublishSettings(for: try emailAddress(user), serviceManagementURL: url)
        try SecureFile.write(Array(settings.xml.utf8), to: out, mode: 0o600)
        print("Registered management certificate \(thumbprint) on \(settings.entries.count) subscription\(settings.entries.count == 1 ? "" : "s")")
        print("Wrote \(out) (API: \(url))")
    }
}

struct AdminAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit log of mutating requests.")
    @ParentCommand var parent: AdminCommand
    @Option(name: .customLong("subscription"), help: "Only this subscription.") var subscription: String?
    @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

    func run() async throws {
        let entries = try await parent.dataDirectory.openStore().auditEntries(subscription: try subscription.map(subscriptionID))
        if json { return try printJSON(entries) }
        for entry in entries {
            print(
                [
                    UTCCalendar.iso8601(entry.time), entry.subscription?.rawValue ?? "-", entry.user ?? "-", entry.callerThumbprint ?? "-",
                    entry.operation, entry.target, entry.outcome,
                ].joined(separator: "  "))
        }
    }
}
