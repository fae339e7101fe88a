import ArgumentParser
import CLISupport
import Certificates
import ServiceModel

/// `service validate`: reads the two files, validates them (against the cloud
/// service's uploaded certificates when given) and prints each issue with its file, role,
/// certificate and line.
enum ValidationReport {
    /// The largest .csdef or .cscfg read.
    static let fileLimit = 4 << 20

    /// Validates and prints; exit status 1 when there are issues, 2 when a file cannot be read.
    static func run(definition: String, configuration: String, uploaded: [Thumbprint: UploadedCertificate]?, service: String?, json: Bool) throws {
        let definitionBytes = try CertificateFile.readLimited(path: definition, limit: fileLimit)
        let configurationBytes = try CertificateFile.readLimited(path: configuration, limit: fileLimit)
        let issues: [ValidationIssue]
        do {
            issues = ServiceModelValidator(uploaded: uploaded).validate(
                try ServiceDefinition(xml: definitionBytes), try ServiceConfiguration(xml: configurationBytes)
            )
        } catch {
            throw CommandFailure(message: error.description, status: ExitStatus.badInput)
        }
        if json {
            try printJSON(issues)
        } else if issues.isEmpty {
            Terminal.say("\(definition) and \(configuration) agree\(service.map { ", and every thumbprint is uploaded to \($0)" } ?? "").")
        } else {
            for issue in issues {
                let path = issue.file == .definition ? definition : configuration
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
