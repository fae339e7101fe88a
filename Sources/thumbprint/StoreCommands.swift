import ArgumentParser
import CLISupport
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint store list`: the certificates in a local store.
struct ListStore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the certificates in a local store.")

    @OptionGroup var store: StoreOption

    @Flag(name: .customLong("json"), help: "Print one JSON document (a list) instead of a table.")
    var json = false

    func run() throws {
        let storeName = try store.store()
        let bundles = try LocalCertificateStore.fromEnvironment().list(storeName)
        let summaries = bundles.map(CertificateSummary.init)
        if json {
            try printJSON(summaries)
            return
        }
        guard !summaries.isEmpty else {
            Terminal.say("\(storeName) is empty. Make a certificate with `thumbprint cert new --dns-name NAME`.")
            return
        }
        Terminal.say("THUMBPRINT                                KEY  EXPIRES     SUBJECT")
        for summary in summaries {
            Terminal.say("\(summary.thumbprint)  \(summary.hasPrivateKey ? "yes" : "no ")  \(UTCCalendar.isoDay(summary.notAfter))  \(summary.subject)")
        }
    }
}

/// `thumbprint store remove`: deletes a certificate and its key from a local store.
struct RemoveFromStore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a certificate (and its private key) from a local store.")

    @Argument(help: "The thumbprint of the certificate.")
    var thumbprint: String

    @OptionGroup var store: StoreOption

    /// Without `--store`, looks in every store, as `cert show` does, and refuses to choose
    /// between several.
    func run() throws {
        let parsed = try parseThumbprint(thumbprint)
        let stores = LocalCertificateStore.fromEnvironment()
        let storeName: CertificateStoreName
        if let named = try store.namedStore() {
            storeName = named
        } else {
            let holding = stores.stores(holding: parsed)
            guard let only = holding.first else {
                throw CommandFailure(
                    message: "no local store holds \(parsed); `thumbprint store list --store STORE` shows what a store holds", status: ExitStatus.failed)
            }
            guard holding.count == 1 else {
                throw CommandFailure(
                    message:
                        "\(parsed) is in several stores (\(holding.map(\.description).joined(separator: ", "))); name one with --store, such as --store \(only)",
                    status: ExitStatus.failed)
            }
            storeName = only
        }
        try stores.remove(parsed, from: storeName)
        Terminal.say("Removed \(parsed) from \(storeName)")
    }
}
