import ArgumentParser
import CLISupport
import ManagementAPI
import NIOCore
import NIOPosix
import Storage

/// `thumbprint-server`: the management API server, its administration and the API client
/// commands. `thumbprint server|admin|mgmt-cert|subscription` runs this program; on its own,
/// with no subcommand, it runs the server.
@main
struct ThumbprintServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbprint",
        abstract: "The Thumbprint management API server, its administration and its client commands.",
        subcommands: [
            ServerCommand.self, AdminCommand.self, ManagementCertificateCommand.self, SubscriptionCommand.self, ServiceCommand.self, DeploymentCommand.self,
            LocationsCommand.self, OperationsCommand.self, AgentCommand.self, ExpiringCommand.self,
        ],
        defaultSubcommand: ServerCommand.self
    )

    static func main() async {
        // Tasks run on NIO's event loops rather than a second thread pool: a request no longer
        // hops between threads on its way in and out (docs/benchmarks.md).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await runAsyncCommandLine(self) { error in
            switch error {
            case let error as StorageError: return (error.description, ExitStatus.failed)
            case let error as AdministrationError: return (error.description, ExitStatus.failed)
            default: return nil
            }
        }
    }
}
