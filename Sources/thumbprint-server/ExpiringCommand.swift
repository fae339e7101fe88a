import ArgumentParser
import CLISupport
import Certificates
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint expiring`: every certificate the caller can see that expires within a window,
/// soonest first, across the subscriptions of its publish settings; exit 1 when one has expired.
struct ExpiringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expiring",
        abstract: "List the service and management certificates that expire soon, across your subscriptions; exit 1 if any has expired.",
        discussion: """
            Reads every subscription in the publish-settings file (or the one --subscription names) through the API: its \
            management certificates and the certificates of each of its cloud services. Expired ones are always listed. For cron \
            and CI: the exit status is 1 when any certificate has expired, 0 otherwise.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .customLong("within"), help: ArgumentHelp("The window, in days: 30 or 30d.", valueName: "DAYS")) var within = "30d"
    @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

    /// One certificate in the list.
    struct Found: Encodable {
        var kind: String
        var subscription: String
        var service: String?
        var thumbprint: String
        var subject: String?
        var notAfter: String
        var expiry: CertificateExpiry
    }

    /// `--within` in days.
    func windowDays() throws -> Int {
        let digits = within.hasSuffix("d") ? String(within.dropLast()) : within
        guard let days = Int(digits), (0...3650).contains(days) else { throw ValidationError("--within takes days, such as 30 or 30d, not \(within)") }
        return days
    }

    func run() async throws {
        let days = try windowDays()
        var found: [Found] = []
        for subscription in try subscriptions() {
            var options = connection
            options.subscription = subscription
            found += try await options.withConnection { api in try await Self.certificates(through: api) }
        }
        let listed = found.filter { $0.expiry.daysLeft < days || $0.expiry.state == "expired" }.sorted {
            ($0.expiry.daysLeft, $0.thumbprint) < ($1.expiry.daysLeft, $1.thumbprint)
        }
        if json {
            try printJSON(listed)
        } else if listed.isEmpty {
            print("No certificate expires within \(days) days (\(found.count) checked).")
        } else {
            print("DAYS LEFT   KIND        SUBSCRIPTION                          SERVICE               THUMBPRINT                                SUBJECT")
            for entry in listed {
                print(
                    "\(entry.expiry.column.padded(to: 10))  \(entry.kind.padded(to: 10))  \(entry.subscription.padded(to: 36))  \((entry.service ?? "-").padded(to: 20))  \(entry.thumbprint.padded(to: 40))  \(entry.subject ?? "?")"
                )
            }
        }
        if listed.contains(where: { $0.expiry.state == "expired" }) { throw ExitCode(ExitStatus.failed) }
    }

    /// The subscriptions to look at: the one named, else every one in the publish settings.
    private func subscriptions() throws -> [String?] {
        if let named = connection.subscription { return [named] }
        if connection.endpoint != nil { return [nil] }
        let path = connection.publishSettings ?? ProcessInfo.processInfo.environment["THUMBPRINT_PUBLISH_SETTINGS"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path else { return [nil] }
        let ids = try PublishSettings(xml: CertificateFile.readLimited(path: path)).entries.map(\.id)
        return ids.isEmpty ? [nil] : ids
    }

    /// The subscription's management certificates and its cloud services' certificates.
    static func certificates(through api: ManagementConnection) async throws -> [Found] {
        var found: [Found] = []
        for entry in try api.xml(try await api.send(.GET, "/certificates")).children("SubscriptionCertificate").map(ManagementCertificateCommand.Entry.init) {
            guard let expiry = entry.expiry, let notAfter = entry.notAfter else { continue }
            found.append(
                Found(
                    kind: "management", subscription: api.subscription, thumbprint: entry.thumbprint, subject: entry.subject, notAfter: notAfter,
                    expiry: expiry))
        }
        let services = try api.xml(try await api.send(.GET, "/services/hostedservices")).children("HostedService").map(ServiceCommand.Entry.init)
        for service in services {
            let list = try api.xml(try await api.send(.GET, "/services/hostedservices/\(service.name)/certificates"))
            for entry in try ServiceCertificateCommand.entries(list) {
                guard let expiry = entry.expiry, let notAfter = entry.notAfter else { continue }
                found.append(
                    Found(
                        kind: "service", subscription: api.subscription, service: service.name, thumbprint: entry.thumbprint, subject: entry.subject,
                        notAfter: notAfter, expiry: expiry))
            }
        }
        return found
    }
}
