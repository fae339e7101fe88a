import ArgumentParser
import CLISupport

/// `thumbprint service renewal …`: a cloud service's automatic renewal of its self-signed
/// certificates, through the server's renewal route.
struct RenewalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renewal",
        abstract: "Turn on, show or turn off automatic renewal of a cloud service's self-signed certificates.",
        discussion:
            "A self-signed certificate that a running deployment uses is replaced DAYS before its end by a new one with the same subject, names and key kind; every deployment naming it changes only that thumbprint, and the old one is deleted 7 days later. CA-signed certificates are not renewed, only warned about (webhooks, thumbprint expiring).",
        subcommands: [Set.self, Show.self, Off.self]
    )

    /// What a policy says, for `--json`.
    struct Entry: Encodable {
        var service: String
        var daysBefore: Int
        var validDays: Int
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Renew the service's self-signed certificates automatically.")
        @Option(name: .customLong("service"), help: ArgumentHelp("The cloud service.", valueName: "NAME")) var service: String
        @Option(name: .customLong("days-before"), help: ArgumentHelp("Renew this many days before a certificate ends (1-365).", valueName: "DAYS"))
        var daysBefore: Int
        @Option(name: .customLong("valid-days"), help: ArgumentHelp("How long each new certificate is valid (2-3650).", valueName: "DAYS"))
        var validDays = 365
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let name = try ServiceCommand.checkedName(service)
            guard (1...365).contains(daysBefore) else { throw ValidationError("--days-before takes 1 to 365 days, not \(daysBefore)") }
            guard (2...3650).contains(validDays), validDays > daysBefore else {
                throw ValidationError("--valid-days takes 2 to 3650 days, more than --days-before, not \(validDays)")
            }
            let body =
                "<RenewalPolicy xmlns=\"http://schemas.microsoft.com/windowsazure\"><DaysBefore>\(daysBefore)</DaysBefore><ValidDays>\(validDays)</ValidDays></RenewalPolicy>"
            _ = try await connection.withConnection { api in try await api.send(.PUT, "/services/hostedservices/\(name)/renewal", body: body) }
            if json { return try printJSON(Entry(service: name, daysBefore: daysBefore, validDays: validDays)) }
            print(
                "Self-signed certificates of \(name) in use by a running deployment are renewed \(daysBefore) days before they end (new ones valid \(validDays) days)"
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a service's automatic renewal.")
        @Option(name: .customLong("service"), help: ArgumentHelp("The cloud service.", valueName: "NAME")) var service: String
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let name = try ServiceCommand.checkedName(service)
            let entry = try await connection.withConnection { api in
                let policy = try api.xml(try await api.send(.GET, "/services/hostedservices/\(name)/renewal"))
                return Entry(
                    service: name, daysBefore: policy.child("DaysBefore").flatMap { Int($0.text) } ?? 0,
                    validDays: policy.child("ValidDays").flatMap { Int($0.text) } ?? 0)
            }
            if json { return try printJSON(entry) }
            printTable([("Cloud service", name), ("Renewed", "\(entry.daysBefore) days before the end"), ("New certificates valid", "\(entry.validDays) days")])
        }
    }

    struct Off: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "off", abstract: "Stop renewing a service's certificates automatically.")
        @Option(name: .customLong("service"), help: ArgumentHelp("The cloud service.", valueName: "NAME")) var service: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let name = try ServiceCommand.checkedName(service)
            _ = try await connection.withConnection { api in try await api.send(.DELETE, "/services/hostedservices/\(name)/renewal") }
            print("Certificates of \(name) are no longer renewed automatically")
        }
    }
}
