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

/// `thumbprint admin subscription webhook …`: where a subscription's events are POSTed.
struct AdminSubscriptionWebhook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Add, list and remove a subscription's webhooks (signed JSON POSTs of its certificate events).",
        subcommands: [Add.self, List.self, Remove.self])

    /// A webhook, for `--json` (never its secret).
    struct Entry: Encodable {
        var id: String
        var subscription: String
        var url: String
        var created: String
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Send the subscription's events to URL.",
            discussion:
                "Each event is a JSON POST with headers Thumbprint-Timestamp and Thumbprint-Signature (sha256= and the hex HMAC-SHA256 of TIMESTAMP.BODY under the secret). The secret comes from --secret-env VAR (at least 16 characters), or a new one is made and printed once. Deliveries never follow redirects and are retried for 24 hours."
        )
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Argument(help: "The http:// or https:// URL.") var url: String
        @Option(name: .customLong("secret-env"), help: ArgumentHelp("The environment variable holding the signing secret.", valueName: "VAR"))
        var secretVariable: String?
        @Flag(name: .customLong("json"), help: "Print one JSON document (with the secret when one was made).") var json = false

        struct Added: Encodable {
            var webhook: Entry
            var secret: String?
        }

        func run() async throws {
            let id = try subscriptionID(subscription)
            var made: String?
            let secret: String
            if let secretVariable {
                guard let value = ProcessInfo.processInfo.environment[secretVariable], !value.isEmpty else {
                    throw ValidationError("--secret-env names \(secretVariable), which is not set")
                }
                secret = value
            } else {
                secret = WebhookRegistration.makeSecret()
                made = secret
            }
            let folder = try parent.dataDirectory.prepare()
            let webhook: Webhook
            do {
                webhook = try await WebhookRegistration.add(
                    url: url, secret: secret, to: id, store: try await parent.dataDirectory.openStore(), masterKey: try MasterKey.load(dataDirectory: folder))
            } catch let refusal as WebhookRegistration.Refusal {
                throw CommandFailure(message: refusal.description, status: ExitStatus.failed)
            }
            let entry = AdminSubscriptionWebhook.entry(webhook)
            if json { return try printJSON(Added(webhook: entry, secret: made)) }
            print("Added webhook \(webhook.id): events of \(subscription) are POSTed to \(webhook.url)")
            if let made { print("Signing secret (shown once; verify Thumbprint-Signature with it): \(made)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a subscription's webhooks.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let webhooks = try await parent.dataDirectory.openStore().webhooks(in: try subscriptionID(subscription))
            let entries = webhooks.map(AdminSubscriptionWebhook.entry)
            if json { return try printJSON(entries) }
            if entries.isEmpty { print("No webhooks on \(subscription)") }
            for entry in entries { print("\(entry.id)  \(entry.url)  added \(entry.created)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a webhook and what waits to be sent to it.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The subscription id.") var subscription: String
        @Argument(help: "The webhook id (from list).") var id: String

        func run() async throws {
            guard try await parent.dataDirectory.openStore().removeWebhook(id, from: try subscriptionID(subscription)) else {
                throw CommandFailure(message: "\(subscription) has no webhook \(id); see thumbprint admin subscription webhook list", status: ExitStatus.failed)
            }
            print("Removed webhook \(id)")
        }
    }

    static func entry(_ webhook: Webhook) -> Entry {
        Entry(id: webhook.id, subscription: webhook.subscription.rawValue, url: webhook.url, created: UTCCalendar.iso8601(webhook.created))
    }
}

/// `thumbprint admin webhook failures`: deliveries given up on after their retries.
struct AdminWebhook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "See webhook deliveries that failed for good.", subcommands: [Failures.self])

    struct Failures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "failures", abstract: "List deliveries given up on (dead letters), newest first, with the last error.")
        @ParentCommand var parent: AdminCommand
        @Option(name: .customLong("subscription"), help: ArgumentHelp("Only this subscription's.", valueName: "ID")) var subscription: String?
        @Option(name: .customLong("limit"), help: "At most this many.") var limit = 100
        @Flag(name: .customLong("json"), help: "Print one JSON document (with each body as sent).") var json = false

        struct Entry: Encodable {
            var id: String
            var webhook: String
            var subscription: String
            var event: String
            var created: String
            var attempts: Int
            var lastError: String
            var body: String
        }

        func run() async throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit takes 1 to 10000") }
            let dead = try await parent.dataDirectory.openStore().deliveries(in: .dead, subscription: try subscription.map(subscriptionID), limit: limit)
            let entries = dead.map {
                Entry(
                    id: $0.id, webhook: $0.webhook, subscription: $0.subscription.rawValue, event: $0.event, created: UTCCalendar.iso8601($0.created),
                    attempts: $0.attempts, lastError: $0.lastError ?? "", body: $0.body)
            }
            if json { return try printJSON(entries) }
            if entries.isEmpty { print("No failed webhook deliveries") }
            for entry in entries {
                print(
                    "\(entry.created)  \(entry.event)  webhook \(entry.webhook)  subscription \(entry.subscription)  \(entry.attempts) attempts: \(entry.lastError)"
                )
            }
        }
    }
}
