import ArgumentParser
import CLISupport

/// `thumbprint service …`: `validate` of two files runs here, offline; everything that talks to
/// the API (and `validate --service`) runs in `thumbprint-server` (see `ServerCommands`).
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Cloud services, their certificates, and checking a .csdef and .cscfg before deploying.",
        discussion: "create, list, show, delete, cert and validate --service run thumbprint-server, installed beside thumbprint.",
        subcommands: [Validate.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check that a .csdef and a .cscfg agree, before anything is deployed.",
            discussion: "With --service, also check that every thumbprint is uploaded to that cloud service (this needs the API's connection options). Exit status: 0 when they agree, 1 when there are issues (each with file, role, certificate and line), 2 when a file cannot be read."
        )

        @Option(name: .customLong("definition"), help: ArgumentHelp("The service definition.", valueName: "F.csdef"))
        var definition: String

        @Option(name: .customLong("configuration"), help: ArgumentHelp("The service configuration.", valueName: "F.cscfg"))
        var configurationFile: String

        @Option(name: .customLong("service"), help: ArgumentHelp("Also check against this cloud service's uploaded certificates.", valueName: "NAME"))
        var service: String?

        @Flag(name: .customLong("json"), help: "Print one JSON document (a list of issues).")
        var json = false

        func run() throws {
            // With --service this command was handed to thumbprint-server; here only if that is missing.
            if service != nil { try ServerCommands.forwardingFailed() }
            try ValidationReport.run(definition: definition, configuration: configurationFile, uploadedThumbprints: nil, service: nil, json: json)
        }
    }
}
