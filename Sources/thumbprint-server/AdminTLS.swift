import ArgumentParser
import CLISupport
import Certificates
import ManagementAPI
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint admin tls renew`: a new server certificate from the local CA, served without a restart.
struct AdminTLS: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tls", abstract: "The server's own TLS certificate.", subcommands: [Renew.self])

    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "renew",
            abstract: "Issue the server a new certificate from its CA, for the same names; a running server serves it to new connections within seconds.",
            discussion:
                "Open connections keep the certificate they started with. A server started with --tls-pfx serves that file instead: replace it and restart.")
        @ParentCommand var parent: AdminCommand
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        struct Renewed: Encodable {
            var thumbprint: String
            var issuer: String
            var notAfter: String
            var names: [String]
        }

        func run() async throws {
            let folder = try parent.dataDirectory.prepare()
            let masterKey = try MasterKey.load(dataDirectory: folder)
            let store = try await parent.dataDirectory.openStore()
            let authority = try await SharedCertificateAuthority.resolve(store: store, dataDirectory: folder, sealing: masterKey)
            let server = try ServerIdentity.renewServer(dataDirectory: folder, sealing: masterKey, authority: authority)
            let renewed = Renewed(
                thumbprint: server.thumbprint.description, issuer: server.certificate.issuer.description,
                notAfter: UTCCalendar.iso8601(server.certificate.notAfter), names: server.certificate.dnsNames)
            if json { return try printJSON(renewed) }
            print(
                "Issued the server certificate \(renewed.thumbprint) (\(renewed.names.joined(separator: ", ")); valid until \(renewed.notAfter)) from \(renewed.issuer)"
            )
            print("A running server on \(folder) serves it to new connections within seconds; open ones keep theirs.")
        }
    }
}

/// `thumbprint admin ca rotate`: a new local CA, trusted beside the current one for an overlap.
struct AdminCA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "The local CA that signs the server's and agents' certificates.", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Introduce a new CA: DIR/tls/ca.pem holds both at once; when the overlap ends, servers serve certificates from the new one.",
            discussion:
                "During the overlap, give clients the new DIR/tls/ca.pem (both CAs); connections keep working throughout. After it, the old CA is no longer trusted or used; agents need a new identity (admin agent issue) or --ca with the new file."
        )
        @ParentCommand var parent: AdminCommand
        @Option(name: .customLong("overlap"), help: ArgumentHelp("How long both CAs are trusted: 30d, 12h, 90m or 45s.", valueName: "TIME"))
        var overlap = "30d"
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        struct Rotated: Encodable {
            var current: String
            var next: String
            var switchAt: String
            var trustFile: String
        }

        /// `--overlap` in seconds.
        func overlapSeconds() throws -> TimeInterval {
            let units: [Character: TimeInterval] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
            guard let unit = overlap.last, let factor = units[unit], let amount = Double(overlap.dropLast()), amount >= 0 else {
                throw ValidationError("--overlap takes a time such as 30d, 12h, 90m or 45s, not \(overlap)")
            }
            let seconds = amount * factor
            guard seconds <= 3_650 * 86_400 else { throw ValidationError("--overlap takes at most 3650 days") }
            return seconds
        }

        func run() async throws {
            let seconds = try overlapSeconds()
            let folder = try parent.dataDirectory.prepare()
            let masterKey = try MasterKey.load(dataDirectory: folder)
            let store = try await parent.dataDirectory.openStore()
            let rotated: SharedCertificateAuthorities
            do {
                rotated = try await SharedCertificateAuthority.rotate(store: store, dataDirectory: folder, sealing: masterKey, overlap: seconds)
            } catch let error as CertificateError {
                throw CommandFailure(message: error.description, status: ExitStatus.failed)
            }
            let next = rotated.alsoTrusted.first?.subject.description ?? "?"
            let entry = Rotated(
                current: rotated.issuer.certificate.subject.description, next: next, switchAt: rotated.switchAt.map(UTCCalendar.iso8601) ?? "",
                trustFile: folder + "/tls/ca.pem")
            if json { return try printJSON(entry) }
            print("New CA \(next), trusted beside \(entry.current) from now on")
            print("Running servers write both to \(entry.trustFile) within seconds: give clients that file before \(entry.switchAt),")
            print("when servers start serving certificates from the new CA and the old one is no longer trusted.")
        }
    }
}

typealias SharedCertificateAuthorities = SharedCertificateAuthority.Authorities
