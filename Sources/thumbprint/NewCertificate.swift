import ArgumentParser
import CLISupport
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint cert new`: a key and an X.509 v3 certificate, stored and exported in one step.
struct NewCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a certificate with a private key, store it, and export it.",
        discussion: "The last line printed is the SHA-1 thumbprint."
    )

    @Option(name: .customLong("dns-name"), help: ArgumentHelp("A DNS name; the first is the subject. Repeat for more.", valueName: "NAME"))
    var dnsNames: [String] = []

    @Option(name: .customLong("key"), help: "rsa-2048, rsa-3072, rsa-4096, ecdsa-p256 or ecdsa-p384.")
    var key: KeyAlgorithm = .rsa2048

    @Option(
        name: .customLong("key-file"),
        help: ArgumentHelp(
            "Sign a certificate for this existing key instead of making one: PEM (PKCS#8, encrypted PKCS#8, PKCS#1, EC) or OpenSSH (~/.ssh/id_rsa, id_ecdsa).",
            valueName: "KEY"))
    var keyFile: String?

    @Option(name: .customLong("key-password-env"), help: ArgumentHelp("The password of an encrypted --key-file, from this variable.", valueName: "VAR"))
    var keyPasswordVariable: String?

    @Option(name: .customLong("valid-days"), help: "Days the certificate is valid from now.")
    var validDays = 365

    @Option(
        name: .customLong("issuer"),
        help: ArgumentHelp("Sign with this certificate (thumbprint, with its key in the store) instead of self-signing.", valueName: "THUMBPRINT"))
    var issuer: String?

    @Flag(name: .customLong("ca"), help: "Make a certificate authority that can sign other certificates.")
    var certificateAuthority = false

    @OptionGroup var store: StoreOption
    @OptionGroup var targets: ExportTargets
    @OptionGroup var password: PasswordOptions

    @Flag(name: .customLong("json"), help: "Print one JSON document describing the certificate instead of text.")
    var json = false

    func validate() throws {
        guard !dnsNames.isEmpty else { throw ValidationError("give at least one --dns-name") }
    }

    func run() throws {
        let localStore = LocalCertificateStore.fromEnvironment()
        let storeName = try store.store()
        // Ask for the password before the slow key generation, and fail before anything is made.
        let secret = try targets.pfxPassword(password)
        var issuerBundle: CertificateBundle?
        if let issuer {
            let thumbprint = try parseThumbprint(issuer)
            guard let location = localStore.locate(thumbprint, preferring: try store.namedStore()) else {
                throw CertificateError.notInStore(thumbprint, store: storeName.description)
            }
            issuerBundle = try localStore.certificate(thumbprint, in: location)
        }
        let request = CertificateRequest(dnsNames: dnsNames, keyAlgorithm: key, validDays: validDays, isCertificateAuthority: certificateAuthority)
        let bundle: CertificateBundle
        if let keyFile {
            bundle = try CertificateFactory().makeCertificate(request, key: try existingKey(keyFile), issuer: issuerBundle)
        } else {
            bundle = try CertificateFactory().makeCertificate(request, issuer: issuerBundle)
        }
        try localStore.add(bundle, to: storeName)
        let written = try targets.write(bundle, pfxPassword: secret)
        if json {
            try printJSON(CertificateSummary(bundle))
            return
        }
        let summary = CertificateSummary(bundle)
        Terminal.say(
            "Created \(summary.subject) (\(keyFile.map { "the key in \($0)" } ?? key.rawValue), valid until \(UTCCalendar.iso8601(summary.notAfter)))")
        Terminal.say("Stored in \(storeName) (\(localStore.directory(of: storeName)))")
        written.forEach(Terminal.say)
        Terminal.say(bundle.thumbprint.description)
    }

    /// The key of `--key-file`, refused when it is RSA below 2048 bits (the cloud-service rule).
    func existingKey(_ path: String) throws -> CertificatePrivateKey {
        let bytes = try CertificateFile.readLimited(path: path, limit: PrivateKeyFile.sizeLimit)
        let variable = keyPasswordVariable
        let key: CertificatePrivateKey
        do {
            key = try PrivateKeyFile.read(bytes) { () throws(CertificateError) -> String? in
                guard let variable else { return nil }
                guard let value = ProcessInfo.processInfo.environment[variable] else {
                    throw .invalidOption("--key-password-env", reason: "the environment variable \(variable) is not set")
                }
                return value
            }
        } catch .passwordRequired {
            throw CertificateError.inFile(
                path, .invalidOption("--key-password-env", reason: "the key is encrypted; give its password with --key-password-env VAR"))
        } catch {
            throw CertificateError.inFile(path, error)
        }
        if let bits = key.rsaKeySize, bits < 2048 {
            throw CertificateError.inFile(
                path, .unsupportedKey(reason: "an RSA key of \(bits) bits; a cloud-service certificate needs at least 2048 (make one with --key rsa-2048)"))
        }
        return key
    }
}
