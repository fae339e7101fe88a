import ArgumentParser
import Certificates
import ManagementAPI
import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `thumbprint` command line: certificates and local stores.
@main
struct ThumbprintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbprint",
        abstract: "Make, check and manage certificates for cloud services.",
        subcommands: [
            CertCommand.self, StoreCommand.self, ServerCommand.self, AdminCommand.self,
            ManagementCertificateCommand.self, SubscriptionCommand.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CertificateError {
            Terminal.error(error.description)
            systemExit(ExitStatus.badInput)
        } catch let error as StorageError {
            Terminal.error(error.description)
            systemExit(ExitStatus.failed)
        } catch let error as AdministrationError {
            Terminal.error(error.description)
            systemExit(ExitStatus.failed)
        } catch let error as CommandFailure {
            Terminal.error(error.message)
            systemExit(error.status)
        } catch {
            // Usage errors exit 2, as every other bad input does; help and --version exit 0.
            if exitCode(for: error) == .validationFailure {
                Terminal.writeToStandardError(fullMessage(for: error) + "\n")
                systemExit(ExitStatus.badInput)
            }
            exit(withError: error)
        }
    }
}

/// `thumbprint cert …`
struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Make, show, check, export and import certificates.",
        subcommands: [NewCertificate.self, ShowCertificate.self, CheckCertificate.self, ExportCertificate.self, ImportCertificate.self]
    )
}

/// `thumbprint store …`
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "List and remove certificates in the local stores.",
        subcommands: [ListStore.self, RemoveFromStore.self]
    )
}

/// Exit codes shared by every command.
enum ExitStatus {
    /// Everything worked.
    static let success: Int32 = 0
    /// A check failed or an operation failed.
    static let failed: Int32 = 1
    /// Bad input or bad usage.
    static let badInput: Int32 = 2
}

/// An error the CLI reports with its own message and exit status.
struct CommandFailure: Error {
    var message: String
    var status: Int32 = ExitStatus.badInput
}

/// Ends the process with `status`.
func systemExit(_ status: Int32) -> Never {
    exit(status)
}
