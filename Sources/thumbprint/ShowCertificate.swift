import ArgumentParser
import CLISupport
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint cert show`: what a certificate file, or a stored certificate, says.
struct ShowCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a certificate from a file (.pfx, .cer, .pem) or from the local store by thumbprint."
    )

    @Argument(help: ArgumentHelp("A certificate file, or the thumbprint of a stored certificate.", valueName: "FILE|THUMBPRINT"))
    var source: String

    @OptionGroup var password: PasswordOptions
    @OptionGroup var store: StoreOption

    @Flag(name: .customLong("json"), help: "Print one JSON document instead of text.")
    var json = false

    func run() throws {
        let bundle = try loadCertificate(source, password: password, store: store)
        let summary = CertificateSummary(bundle)
        if json {
            try printJSON(summary)
            return
        }
        let rows: [(String, String)] =
            [
                ("Subject", summary.subject),
                ("DNS names", summary.dnsNames.isEmpty ? "(none)" : summary.dnsNames.joined(separator: ", ")),
                ("Issuer", summary.issuer + (summary.selfSigned ? " (self-signed)" : "")),
                ("Serial number", summary.serialNumber),
                ("Valid from", UTCCalendar.iso8601(summary.notBefore)),
                ("Valid until", UTCCalendar.iso8601(summary.notAfter)),
                ("Key", "\(summary.keyAlgorithm)\(summary.keySize.map { " \($0) bits" } ?? "")"),
                ("Signature", summary.signatureAlgorithm),
                ("Private key", summary.hasPrivateKey ? "present" : "not present"),
                ("SHA-256", summary.sha256),
                ("Thumbprint", summary.thumbprint),
            ] + (summary.chain.isEmpty ? [] : [("Chain", summary.chain.joined(separator: ", "))])
        printTable(rows)
    }
}

/// Loads a certificate named on the command line: a file if one exists at that path,
/// otherwise a thumbprint looked up in the local store.
func loadCertificate(_ source: String, password: PasswordOptions, store: StoreOption) throws -> CertificateBundle {
    if FileManager.default.fileExists(atPath: source) {
        return try password.readFile(source).bundle
    }
    guard let thumbprint = try? parseThumbprint(source) else {
        throw CommandFailure(message: "\(source): no such file, and not a thumbprint either. Give a .pfx/.cer/.pem path or a 40-digit thumbprint.")
    }
    let localStore = LocalCertificateStore.fromEnvironment()
    let preferred = try store.namedStore()
    guard let location = localStore.locate(thumbprint, preferring: preferred) else {
        throw CertificateError.notInStore(thumbprint, store: (preferred ?? .currentUserMy).description)
    }
    if let preferred, preferred != location {
        throw CertificateError.notInStore(thumbprint, store: preferred.description)
    }
    return try localStore.certificate(thumbprint, in: location)
}
