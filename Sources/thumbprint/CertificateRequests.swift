import ArgumentParser
import CLISupport
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint cert request`: a PKCS#10 request for a CA, its key kept pending in the store.
struct RequestCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Write a certificate signing request (PKCS#10) for a CA; the key waits in the store for the certificate.",
        discussion: "Give the CA the .csr; when it sends the certificate back, pair them with thumbprint cert complete. The last line is the key's id.")

    @Option(name: .customLong("dns-name"), help: ArgumentHelp("A DNS name; the first is the subject. Repeat for more.", valueName: "NAME"))
    var dnsNames: [String] = []
    @Option(name: .customLong("key"), help: "rsa-2048, rsa-3072, rsa-4096, ecdsa-p256 or ecdsa-p384.") var key: KeyAlgorithm = .rsa2048
    @Option(name: .customLong("csr"), help: ArgumentHelp("Where to write the request (PEM).", valueName: "FILE.csr")) var csr: String

    func validate() throws {
        guard !dnsNames.isEmpty else { throw ValidationError("give at least one --dns-name") }
    }

    func run() throws {
        let store = LocalCertificateStore.fromEnvironment()
        let privateKey = try CertificatePrivateKey(generating: key)
        let request = try PendingRequests.request(dnsNames: dnsNames, key: privateKey)
        let id = try PendingRequests.keep(privateKey, in: store)
        try SecureFile.write(Array(request.utf8), to: csr, mode: 0o644)
        Terminal.say("Wrote the request for \(dnsNames[0]) (\(key.rawValue)) to \(csr); its key waits in \(store.root)/pending")
        Terminal.say(id)
    }
}

/// `thumbprint cert complete`: pairs a CA's certificate with the pending key of its request.
struct CompleteCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete",
        abstract: "Pair the certificate a CA issued (.cer, .pem with its chain, or .p7b) with its pending key, and store it.",
        discussion: "The last line is the thumbprint; export it as .pfx with thumbprint cert export.")

    @Argument(help: ArgumentHelp("The issued certificate: DER, PEM (chain allowed) or PKCS#7.", valueName: "FILE")) var file: String
    @OptionGroup var store: StoreOption
    @Flag(name: .customLong("json"), help: "Print one JSON document describing the certificate instead of text.") var json = false

    func run() throws {
        let local = LocalCertificateStore.fromEnvironment()
        let certificates: [CertificateDetails]
        let bundle: CertificateBundle
        do {
            certificates = try PendingRequests.issuedCertificates(try CertificateFile.readLimited(path: file))
            bundle = try PendingRequests.complete(certificates, in: local)
        } catch {
            throw CertificateError.inFile(file, error)
        }
        let storeName = try store.store()
        try local.add(bundle, to: storeName)
        if json { return try printJSON(CertificateSummary(bundle)) }
        Terminal.say(
            "Completed \(bundle.certificate.subject) with its key\(bundle.chain.isEmpty ? "" : " and a chain of \(bundle.chain.count)"); stored in \(storeName)"
        )
        Terminal.say(bundle.thumbprint.description)
    }
}
