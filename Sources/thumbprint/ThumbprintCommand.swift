import ArgumentParser
import CLISupport
import Certificates

/// The `thumbprint` command line: certificates and local stores here; the server, its
/// administration and the API client commands run in `thumbprint-server`, beside this program.
@main
struct ThumbprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbprint",
        abstract: "Make, check and manage certificates for cloud services.",
        discussion: "server, admin, mgmt-cert, subscription, service, deployment, locations and operations run thumbprint-server, installed beside thumbprint.",
        subcommands: [CertCommand.self, StoreCommand.self] + ServerCommands.forwarded
    )

    static func main() {
        ServerCommands.forwardIfNeeded()
        runCommandLine(self)
    }
}

/// `thumbprint cert …`
struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Make, show, check, export and import certificates.",
        subcommands: [
            NewCertificate.self, RequestCertificate.self, CompleteCertificate.self, ShowCertificate.self, CheckCertificate.self, ExportCertificate.self,
            ImportCertificate.self,
        ]
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
