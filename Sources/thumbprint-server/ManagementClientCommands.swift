import ArgumentParser
import CLISupport
import Certificates
import ServiceModel
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint mgmt-cert …`: management certificates of a subscription, through the API.
struct ManagementCertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mgmt-cert",
        abstract: "Add, list, show and remove a subscription's management certificates through the API.",
        subcommands: [Add.self, List.self, Show.self, Remove.self]
    )

    /// One certificate as the API lists it.
    struct Entry: Encodable {
        var thumbprint: String
        var created: String
        var subject: String?
        var notAfter: String?
        var expiry: CertificateExpiry?
        var publicKey: String
        var data: String

        init(_ element: XMLElement) {
            thumbprint = element.child("SubscriptionCertificateThumbprint")?.text ?? ""
            created = element.child("Created")?.text ?? ""
            publicKey = element.child("SubscriptionCertificatePublicKey")?.text ?? ""
            data = element.child("SubscriptionCertificateData")?.text ?? ""
            let details = Data(base64Encoded: data).flatMap { try? CertificateDetails(der: [UInt8]($0)) }
            subject = details?.subject.text
            notAfter = details.map { UTCCalendar.iso8601($0.notAfter) }
            expiry = details.map { CertificateExpiry(notAfter: $0.notAfter) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a public certificate (.cer, .pem or .pfx) on the subscription.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: ArgumentHelp("The certificate file.", valueName: "FILE.cer")) var file: String

        func run() async throws {
            let bundle = try PEMOrDERReader.read(file, password: connection.password)
            let body = AzureXML.document("SubscriptionCertificate") { xml in
                xml.element("SubscriptionCertificatePublicKey", Data(bundle.certificate.publicKey.keyBytes).base64EncodedString())
                xml.element("SubscriptionCertificateThumbprint", bundle.thumbprint.description)
                xml.element("SubscriptionCertificateData", Data(bundle.cerBytes).base64EncodedString())
            }
            let subscription = try await connection.withConnection { api in
                _ = try await api.send(.POST, "/certificates", body: body)
                return api.subscription
            }
            print("Registered \(bundle.certificate.subject.text) on subscription \(subscription)")
            print(bundle.thumbprint)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the subscription's management certificates.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let entries = try await connection.withConnection { api in
                try api.xml(try await api.send(.GET, "/certificates")).children("SubscriptionCertificate").map(Entry.init)
            }
            if json { return try printJSON(entries) }
            print("THUMBPRINT                                CREATED                       DAYS LEFT   SUBJECT")
            for entry in entries {
                print(
                    "\(entry.thumbprint.padded(to: 40))  \(entry.created.padded(to: 28))  \((entry.expiry?.column ?? "?").padded(to: 10))  \(entry.subject ?? "?")"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one management certificate.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The thumbprint.") var thumbprint: String
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let parsed = try parseThumbprint(thumbprint)
            let (entry, subscription) = try await connection.withConnection { api in
                (Entry(try api.xml(try await api.send(.GET, "/certificates/\(parsed)"))), api.subscription)
            }
            if json { return try printJSON(entry) }
            printTable([
                ("Thumbprint", entry.thumbprint), ("Subject", entry.subject ?? "?"), ("Valid until", entry.notAfter ?? "?"),
                ("Registered", entry.created), ("Subscription", subscription),
            ])
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a management certificate from the subscription.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The thumbprint.") var thumbprint: String

        func run() async throws {
            let parsed = try parseThumbprint(thumbprint)
            let subscription = try await connection.withConnection { api in
                _ = try await api.send(.DELETE, "/certificates/\(parsed)")
                return api.subscription
            }
            print("Removed \(parsed) from subscription \(subscription)")
        }
    }
}

/// `thumbprint subscription show`: the subscription, through the API.
struct SubscriptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription", abstract: "Show the subscription through the API.", subcommands: [Show.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the subscription.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let (fields, base) = try await connection.withConnection { api in
                (try api.xml(try await api.send(.GET, "")).children.map { ($0.name, $0.text) }, api.base)
            }
            if json { return try printJSON(Dictionary(fields, uniquingKeysWith: { first, _ in first })) }
            printTable(fields.filter { ["SubscriptionID", "SubscriptionName", "SubscriptionStatus", "ServiceAdminLiveEmailId", "CreatedTime"].contains($0.0) })
            print("API: \(base)")
        }
    }
}

/// Reads the public certificate of a .cer, .pem or .pfx file.
enum PEMOrDERReader {
    static func read(_ path: String, password: PasswordOptions) throws -> CertificateBundle {
        try password.readFile(path).bundle.publicOnly
    }
}
