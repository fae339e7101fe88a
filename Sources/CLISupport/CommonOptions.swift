import ArgumentParser
import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--store`: a certificate store, written as on Windows.
public struct StoreOption: ParsableArguments {
    public init() {}

    @Option(name: .customLong("store"), help: ArgumentHelp("The certificate store, e.g. CurrentUser/My or cert:\\LocalMachine\\Root.", valueName: "STORE"))
    public var text: String?

    /// The store named, or `CurrentUser\My`.
    public func store() throws(CertificateError) -> CertificateStoreName {
        guard let text else { return .currentUserMy }
        return try CertificateStoreName(parsing: text)
    }

    /// The store named, or nil when the user named none.
    public func namedStore() throws(CertificateError) -> CertificateStoreName? {
        guard text != nil else { return nil }
        return try store()
    }
}

/// Parses a thumbprint typed by a person, warning when invisible characters were dropped.
public func parseThumbprint(_ text: String) throws(CertificateError) -> Thumbprint {
    let parsed = try Thumbprint.parse(text)
    if parsed.removedInvisibleCharacters {
        Terminal.warning("removed invisible characters (such as U+200E) copied along with the thumbprint; using \(parsed.thumbprint)")
    }
    return parsed.thumbprint
}

/// Encodes a value as the one JSON document a `--json` command prints.
public func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(UTCCalendar.iso8601(date))
    }
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

/// Writes the files `new` and `export` are asked for, and says where they went.
public struct ExportTargets: ParsableArguments {
    public init() {}

    @Option(name: .customLong("pfx"), help: ArgumentHelp("Write a PKCS#12 file with the private key.", valueName: "OUT.pfx"))
    public var pfx: String?

    @Option(
        name: .customLong("pfx-profile"),
        help: "modern (AES-256, SHA-256 MAC) or legacy (3DES, SHA-1 MAC, for the classic platform and Windows Server 2016 and older).")
    public var pfxProfile: PFXProfile = .modern

    @Option(name: .customLong("cer"), help: ArgumentHelp("Write the certificate as DER.", valueName: "OUT.cer"))
    public var cer: String?

    @Option(name: .customLong("pem"), help: ArgumentHelp("Write the certificate (and chain) as PEM.", valueName: "OUT.pem"))
    public var pem: String?

    @Flag(name: .customLong("include-key"), help: "With --pem, also write the private key (PKCS#8, unencrypted) into the PEM file.")
    public var includeKey = false

    public var isEmpty: Bool { pfx == nil && cer == nil && pem == nil }

    /// The .pfx password, asked for before any slow work so that a missing one fails early.
    public func pfxPassword(_ password: PasswordOptions) throws(CertificateError) -> String? {
        guard let pfx else { return nil }
        return try password.forWriting(pfx)
    }

    /// Writes each requested file; returns a line per file for the user.
    public func write(_ bundle: CertificateBundle, pfxPassword: String?) throws(CertificateError) -> [String] {
        var written: [String] = []
        if let pfx {
            guard bundle.privateKey != nil else { throw .missingPrivateKey }
            guard let secret = pfxPassword else { throw .invalidOption("--pfx", reason: "a password is needed") }
            try SecureFile.write(bundle.pfx(password: secret, profile: pfxProfile), to: pfx, mode: 0o600)
            written.append("Wrote \(pfx) (PKCS#12, \(pfxProfile.rawValue) profile, with the private key)")
        }
        if let cer {
            try SecureFile.write(bundle.cerBytes, to: cer, mode: 0o644)
            written.append("Wrote \(cer) (DER certificate)")
        }
        if let pem {
            let text = try bundle.pem(includingPrivateKey: includeKey)
            try SecureFile.write(Array(text.utf8), to: pem, mode: includeKey ? 0o600 : 0o644)
            written.append("Wrote \(pem) (PEM certificate\(bundle.chain.isEmpty ? "" : " and chain")\(includeKey ? " and private key" : ""))")
        }
        return written
    }

    public func validate() throws {
        if includeKey && pem == nil { throw ValidationError("--include-key goes with --pem") }
    }
}

extension PFXProfile: ExpressibleByArgument {}
extension KeyAlgorithm: ExpressibleByArgument {}
extension CertificatePurpose: ExpressibleByArgument {}
