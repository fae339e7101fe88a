import ArgumentParser
import CLISupport
import Certificates
import ServiceModel

/// `thumbprint service validate`: checks a definition and configuration against each other offline.
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Work with cloud-service definitions and configurations.",
        subcommands: [Validate.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check that a .csdef and a .cscfg agree, before anything is deployed.",
            discussion: "Exit status: 0 when they agree, 1 when there are issues (each with file, role, certificate and line), 2 when a file cannot be read."
        )

        @Option(name: .customLong("definition"), help: ArgumentHelp("The service definition.", valueName: "F.csdef"))
        var definition: String

        @Option(name: .customLong("configuration"), help: ArgumentHelp("The service configuration.", valueName: "F.cscfg"))
        var configurationFile: String

        @Flag(name: .customLong("json"), help: "Print one JSON document (a list of issues).")
        var json = false

        func run() throws {
            let definitionBytes = try CertificateFile.readLimited(path: definition, limit: 4 << 20)
            let configurationBytes = try CertificateFile.readLimited(path: configurationFile, limit: 4 << 20)
            let issues: [ValidationIssue]
            do {
                issues = ServiceModelValidator().validate(
                    try ServiceDefinition(xml: definitionBytes), try ServiceConfiguration(xml: configurationBytes)
                )
            } catch {
                throw CommandFailure(message: error.description, status: ExitStatus.badInput)
            }
            if json {
                try printJSON(issues)
            } else if issues.isEmpty {
                Terminal.say("\(definition) and \(configurationFile) agree.")
            } else {
                for issue in issues {
                    let path = issue.file == .definition ? definition : configurationFile
                    var place = "\(path):\(issue.line):"
                    if let role = issue.role { place += " role \(role)" + (issue.certificate == nil ? ":" : ",") }
                    if let certificate = issue.certificate { place += " certificate \(certificate):" }
                    Terminal.say("\(place) \(issue.message)")
                }
                Terminal.say("\(issues.count) issue\(issues.count == 1 ? "" : "s") found.")
            }
            if !issues.isEmpty { throw ExitCode(ExitStatus.failed) }
        }
    }
}
