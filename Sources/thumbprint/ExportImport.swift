import ArgumentParser
import CLISupport
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint cert export`: writes a stored certificate to .pfx, .cer or .pem files.
struct ExportCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a stored certificate as .pfx (with its key), .cer or .pem."
    )

    @Argument(help: "The thumbprint of the stored certificate.")
    var thumbprint: String

    @OptionGroup var store: StoreOption
    @OptionGroup var targets: ExportTargets
    @OptionGroup var password: PasswordOptions

    func validate() throws {
        if targets.isEmpty { throw ValidationError("name at least one of --pfx, --cer and --pem") }
    }

    func run() throws {
        let localStore = LocalCertificateStore.fromEnvironment()
        let storeName = try store.store()
        let bundle = try localStore.certificate(parseThumbprint(thumbprint), in: storeName)
        if targets.pfx != nil, bundle.privateKey == nil {
            throw CommandFailure(
                message: "\(bundle.thumbprint) in \(storeName) has no private key, so it cannot be exported as .pfx. Export it with --cer or --pem instead.")
        }
        let written = try targets.write(bundle, pfxPassword: targets.pfxPassword(password))
        written.forEach(Terminal.say)
    }
}

/// `thumbprint cert import`: puts a certificate file (with its key, if it has one) in a local store.
struct ImportCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a .pfx, .cer or .pem file into a local store.",
        discussion: "The last line printed is the SHA-1 thumbprint."
    )

    @Argument(help: ArgumentHelp("The certificate file.", valueName: "FILE"))
    var file: String

    @OptionGroup var password: PasswordOptions
    @OptionGroup var store: StoreOption

    func run() throws {
        let certificateFile = try password.readFile(file)
        let storeName = try store.store()
        let localStore = LocalCertificateStore.fromEnvironment()
        try localStore.add(certificateFile.bundle, to: storeName)
        let key = certificateFile.bundle.privateKey == nil ? "without a private key" : "with its private key"
        Terminal.say("Imported \(certificateFile.bundle.certificate.subject.text) \(key) into \(storeName)")
        Terminal.say(certificateFile.bundle.thumbprint.description)
    }
}
