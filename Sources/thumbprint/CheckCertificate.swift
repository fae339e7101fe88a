import ArgumentParser
import CLISupport
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint cert check`: the rules a cloud-service certificate must meet, each explained.
struct CheckCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a certificate file against the rules of cloud services.",
        discussion: "Exit status: 0 when every rule passes (warnings allowed), 1 when any fails, 2 for unreadable input or bad usage."
    )

    @Argument(help: ArgumentHelp("The certificate file: .pfx for a service certificate, .cer for a management certificate.", valueName: "FILE"))
    var file: String

    @OptionGroup var password: PasswordOptions

    @Option(name: .customLong("for"), help: "service (uploaded with its key to a cloud service) or management (registered on a subscription).")
    var purpose: CertificatePurpose

    @Option(name: .customLong("domain"), help: "The custom domain the certificate must cover.")
    var domain: String?

    @Flag(name: .customLong("json"), help: "Print one JSON document instead of text.")
    var json = false

    /// The JSON form of a check.
    struct Report: Encodable {
        var file: String
        var thumbprint: String
        var purpose: CertificatePurpose
        var domain: String?
        var passed: Bool
        var results: [RequirementResult]
    }

    func run() throws {
        let certificateFile = try password.readFile(file)
        let results = CertificateRequirements(purpose: purpose, domain: domain).check(certificateFile)
        let passed = !results.contains { $0.status == .fail }
        if json {
            try printJSON(
                Report(
                    file: file, thumbprint: certificateFile.bundle.thumbprint.description, purpose: purpose,
                    domain: domain, passed: passed, results: results))
        } else {
            let width = results.map(\.rule.count).max() ?? 0
            for result in results {
                Terminal.say("\(result.status.rawValue.uppercased().padded(to: 4))  \(result.rule.padded(to: width))  \(result.message)")
                if let fix = result.fix, result.status == .fail || result.status == .warn {
                    Terminal.say(String(repeating: " ", count: width + 8) + "→ " + fix)
                }
            }
            let failures = results.filter { $0.status == .fail }.count
            Terminal.say(
                passed
                    ? "\(file) meets every rule for a \(purpose.rawValue) certificate."
                    : "\(file) fails \(failures) rule\(failures == 1 ? "" : "s") for a \(purpose.rawValue) certificate.")
        }
        if !passed { throw ExitCode(ExitStatus.failed) }
    }
}
