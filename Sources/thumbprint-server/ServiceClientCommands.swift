import ArgumentParser
import CLISupport
import Certificates
import ServiceModel
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint service …`: cloud services and their certificates through the API, and
/// `validate` of a .csdef and .cscfg, offline or against a service's uploaded certificates.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Cloud services, their certificates, and checking a .csdef and .cscfg before deploying.",
        subcommands: [Create.self, List.self, Show.self, Delete.self, ServiceCertificateCommand.self, RenewalCommand.self, Validate.self]
    )

    /// One cloud service as the API describes it.
    struct Entry: Encodable {
        var name: String
        var url: String
        var label: String
        var description: String
        var location: String?
        var affinityGroup: String?
        var status: String
        var created: String
        var modified: String
        var extendedProperties: [String: String]

        init(_ element: XMLElement) {
            let properties = element.child("HostedServiceProperties")
            name = element.child("ServiceName")?.text ?? ""
            url = element.child("Url")?.text ?? ""
            let encodedLabel = properties?.child("Label")?.text ?? ""
            label = Data(base64Encoded: encodedLabel).flatMap { String(data: $0, encoding: .utf8) } ?? encodedLabel
            description = properties?.child("Description")?.text ?? ""
            location = properties?.child("Location")?.text
            affinityGroup = properties?.child("AffinityGroup")?.text
            status = properties?.child("Status")?.text ?? ""
            created = properties?.child("DateCreated")?.text ?? ""
            modified = properties?.child("DateLastModified")?.text ?? ""
            let pairs =
                properties?.child("ExtendedProperties")?.children("ExtendedProperty").map {
                    ($0.child("Name")?.text ?? "", $0.child("Value")?.text ?? "")
                } ?? []
            extendedProperties = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        }
    }

    /// Checks a service name before it goes into a URL path, with the rule the server applies.
    static func checkedName(_ name: String) throws -> String {
        guard CloudService.isValidName(name) else {
            throw ValidationError("\(name) is not a cloud service name: use 1 to 63 letters, digits and hyphens, starting with a letter")
        }
        return name
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a cloud service.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The service name (letters, digits and hyphens).") var name: String
        @Option(name: .customLong("label"), help: "A label (default: the name).") var label: String?
        @Option(name: .customLong("description"), help: "A description.") var description: String?
        @Option(name: .customLong("location"), help: "The location (one the server lists; see its --location).") var location = "West US"
        @Flag(name: .customLong("json"), help: "Print one JSON document: the new service.") var json = false

        func run() async throws {
            let service = try ServiceCommand.checkedName(name)
            let body = AzureXML.document("CreateHostedService") { xml in
                xml.element("ServiceName", service)
                xml.element("Label", Data((label ?? service).utf8).base64EncodedString())
                if let description { xml.element("Description", description) }
                xml.element("Location", location)
            }
            let entry = try await connection.withConnection { api in
                let answer = try await api.send(.POST, "/services/hostedservices", body: body)
                _ = try await api.requireSuccess(of: answer, doing: "Creating \(service)")
                return Entry(try api.xml(try await api.send(.GET, "/services/hostedservices/\(service)")))
            }
            if json { return try printJSON(entry) }
            print("Created cloud service \(entry.name) in \(entry.location ?? entry.affinityGroup ?? "?")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the subscription's cloud services.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let entries = try await connection.withConnection { api in
                try api.xml(try await api.send(.GET, "/services/hostedservices")).children("HostedService").map(Entry.init)
            }
            if json { return try printJSON(entries) }
            print("NAME                  LOCATION        CREATED               LABEL")
            for entry in entries {
                print(
                    "\(entry.name.padded(to: 20))  \((entry.location ?? entry.affinityGroup ?? "").padded(to: 14))  \(entry.created.padded(to: 20))  \(entry.label)"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a cloud service and its certificates.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The service name.") var name: String
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        struct Details: Encodable {
            var service: Entry
            var certificates: [ServiceCertificateCommand.Entry]
        }

        func run() async throws {
            let service = try ServiceCommand.checkedName(name)
            let details = try await connection.withConnection { api in
                let entry = Entry(try api.xml(try await api.send(.GET, "/services/hostedservices/\(service)")))
                let certificates = try ServiceCertificateCommand.entries(
                    try api.xml(try await api.send(.GET, "/services/hostedservices/\(service)/certificates")))
                return Details(service: entry, certificates: certificates)
            }
            if json { return try printJSON(details) }
            let entry = details.service
            printTable(
                [
                    ("Name", entry.name), ("Label", entry.label), ("Description", entry.description),
                    ("Location", entry.location ?? entry.affinityGroup ?? "?"), ("Status", entry.status),
                    ("Created", entry.created), ("Modified", entry.modified), ("URL", entry.url),
                ]
                    + entry.extendedProperties.sorted { $0.key < $1.key }.map { ("Property \($0.key)", $0.value) }
                    + [("Certificates", details.certificates.isEmpty ? "none" : details.certificates.map(\.thumbprint).joined(separator: ", "))])
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a cloud service and its certificates.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The service name.") var name: String
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            let service = try ServiceCommand.checkedName(name)
            let result = try await connection.withConnection { api in
                let answer = try await api.send(.DELETE, "/services/hostedservices/\(service)")
                return try await api.requireSuccess(of: answer, doing: "Deleting \(service)")
            }
            if json { return try printJSON(result) }
            print("Deleted cloud service \(service)")
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check that a .csdef and a .cscfg agree, before anything is deployed.",
            discussion:
                "With --service, also check that every thumbprint is uploaded to that cloud service. Exit status: 0 when they agree, 1 when there are issues (each with file, role, certificate and line), 2 when a file cannot be read."
        )
        @Option(name: .customLong("definition"), help: ArgumentHelp("The service definition.", valueName: "F.csdef")) var definition: String
        @Option(name: .customLong("configuration"), help: ArgumentHelp("The service configuration.", valueName: "F.cscfg")) var configurationFile: String
        @Option(name: .customLong("service"), help: ArgumentHelp("Also check against this cloud service's uploaded certificates.", valueName: "NAME"))
        var service: String?
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document (a list of issues).") var json = false

        func run() async throws {
            var uploaded: [Thumbprint: UploadedCertificate]?
            if let service {
                let name = try ServiceCommand.checkedName(service)
                // Whether each came with its key, so that the https rule is checked as the server
                // will check it when it deploys (the list does not say; each certificate's answer does).
                uploaded = try await connection.withConnection { api in
                    let path = "/services/hostedservices/\(name)/certificates"
                    var found: [Thumbprint: UploadedCertificate] = [:]
                    for entry in try ServiceCertificateCommand.entries(try api.xml(try await api.send(.GET, path))) {
                        guard let thumbprint = try? Thumbprint.parse(entry.thumbprint).thumbprint else { continue }
                        let answer = try await api.send(.GET, "\(path)/sha1-\(thumbprint)")
                        found[thumbprint] = UploadedCertificate(hasPrivateKey: answer.privateKeyUploaded)
                    }
                    return found
                }
            }
            try ValidationReport.run(definition: definition, configuration: configurationFile, uploaded: uploaded, service: service, json: json)
        }
    }
}

/// `thumbprint service cert …`: a cloud service's certificates through the API.
struct ServiceCertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Upload, list, show and remove a cloud service's certificates.",
        subcommands: [Add.self, List.self, Show.self, Remove.self]
    )

    /// One service certificate as the API lists it.
    struct Entry: Encodable {
        var thumbprint: String
        var thumbprintAlgorithm: String
        var url: String?
        var subject: String?
        var notAfter: String?
        var expiry: CertificateExpiry?
        var data: String

        init(_ element: XMLElement, thumbprint known: String? = nil) {
            data = element.child("Data")?.text ?? ""
            let details = Data(base64Encoded: data).flatMap { try? CertificateDetails(der: [UInt8]($0)) }
            thumbprint = element.child("Thumbprint")?.text ?? known ?? ""
            thumbprintAlgorithm = element.child("ThumbprintAlgorithm")?.text ?? "sha1"
            url = element.child("CertificateUrl")?.text
            subject = details?.subject.text
            notAfter = details.map { UTCCalendar.iso8601($0.notAfter) }
            expiry = details.map { CertificateExpiry(notAfter: $0.notAfter) }
        }
    }

    static func entries(_ list: XMLElement) throws -> [Entry] {
        list.children("Certificate").map { Entry($0) }
    }

    /// `--service NAME`, shared by the subcommands.
    struct ServiceOption: ParsableArguments {
        @Option(name: .customLong("service"), help: ArgumentHelp("The cloud service.", valueName: "NAME")) var name: String
        var path: String { get throws { "/services/hostedservices/\(try ServiceCommand.checkedName(name))/certificates" } }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Upload a certificate with its private key (.pfx) or a public one (.cer, .pem) to a cloud service.",
            discussion:
                "The .pfx is opened here first, so a wrong password is caught before anything is sent; its password goes to the server inside the TLS connection, never on the command line."
        )
        @OptionGroup var service: ServiceOption
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: ArgumentHelp("The certificate file.", valueName: "FILE.pfx")) var file: String
        @Flag(name: .customLong("json"), help: "Print one JSON document: the certificate and the operation's result.") var json = false

        struct Report: Encodable {
            var service: String
            var thumbprint: String
            var subject: String
            var operation: ManagementConnection.OperationResult
        }

        func run() async throws {
            let path = try service.path
            let (opened, password) = try connection.password.openFile(file)
            let bytes: [UInt8]
            let format: String
            if opened.format == .pfx {
                guard opened.bundle.privateKey != nil else { throw CertificateError.inFile(file, .missingPrivateKey) }
                bytes = try CertificateFile.readLimited(path: file)
                format = "pfx"
            } else {
                bytes = opened.bundle.cerBytes
                format = "cer"
            }
            let body = AzureXML.document("CertificateFile") { xml in
                xml.element("Data", Data(bytes).base64EncodedString())
                xml.element("CertificateFormat", format)
                if format == "pfx" { xml.element("Password", password ?? "") }
            }
            let thumbprint = opened.bundle.thumbprint.description
            let result = try await connection.withConnection { api in
                let answer = try await api.send(.POST, path, body: body)
                return try await api.requireSuccess(of: answer, doing: "Uploading \(thumbprint) to \(service.name)")
            }
            let subject = opened.bundle.certificate.subject.text
            if json { return try printJSON(Report(service: service.name, thumbprint: thumbprint, subject: subject, operation: result)) }
            print("Uploaded \(subject) to cloud service \(service.name)\(format == "pfx" ? " with its private key" : "")")
            print(thumbprint)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a cloud service's certificates.")
        @OptionGroup var service: ServiceOption
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let path = try service.path
            let entries = try await connection.withConnection { api in try ServiceCertificateCommand.entries(try api.xml(try await api.send(.GET, path))) }
            if json { return try printJSON(entries) }
            print("THUMBPRINT                                VALID UNTIL           DAYS LEFT   SUBJECT")
            for entry in entries {
                print(
                    "\(entry.thumbprint.padded(to: 40))  \((entry.notAfter ?? "?").padded(to: 20))  \((entry.expiry?.column ?? "?").padded(to: 10))  \(entry.subject ?? "?")"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one of a cloud service's certificates.")
        @OptionGroup var service: ServiceOption
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The thumbprint.") var thumbprint: String
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let path = try service.path
            let parsed = try parseThumbprint(thumbprint)
            let entry = try await connection.withConnection { api in
                Entry(try api.xml(try await api.send(.GET, "\(path)/sha1-\(parsed)")), thumbprint: parsed.description)
            }
            if json { return try printJSON(entry) }
            printTable([
                ("Thumbprint", entry.thumbprint), ("Algorithm", entry.thumbprintAlgorithm), ("Subject", entry.subject ?? "?"),
                ("Valid until", entry.notAfter ?? "?"), ("Cloud service", service.name),
            ])
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a certificate from a cloud service.")
        @OptionGroup var service: ServiceOption
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The thumbprint.") var thumbprint: String
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            let path = try service.path
            let parsed = try parseThumbprint(thumbprint)
            let result = try await connection.withConnection { api in
                let answer = try await api.send(.DELETE, "\(path)/sha1-\(parsed)")
                return try await api.requireSuccess(of: answer, doing: "Removing \(parsed) from \(service.name)")
            }
            if json { return try printJSON(result) }
            print("Removed \(parsed) from cloud service \(service.name)")
        }
    }
}
