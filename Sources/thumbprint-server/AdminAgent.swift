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

/// `thumbprint admin agent …`: the identities of role-instance agents, issued by the CA the servers share.
struct AdminAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Issue and list the certificates role-instance agents authenticate with.", subcommands: [Issue.self, List.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue an agent a client certificate from the servers' CA and record it; writes a .pfx (certificate, key, CA).",
            discussion: "The key goes only into the .pfx (password-protected, 0600); the database keeps the certificate's thumbprint.")
        @ParentCommand var parent: AdminCommand
        @Argument(help: "The agent's name: 1 to 63 letters, digits and hyphens.") var name: String
        @Option(name: .customLong("out"), help: ArgumentHelp("Where to write the agent's .pfx.", valueName: "FILE")) var out: String
        @Option(name: .customLong("valid-days"), help: "How long the certificate is valid.") var validDays = 397
        @OptionGroup var password: PasswordOptions

        func validate() throws {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
            guard (1...63).contains(name.count), name.allSatisfy(allowed.contains) else {
                throw ValidationError("'\(name)' is not an agent name: use 1 to 63 letters, digits and hyphens")
            }
            guard (1...3650).contains(validDays) else { throw ValidationError("--valid-days takes 1 to 3650") }
        }

        func run() async throws {
            let folder = try parent.dataDirectory.prepare()
            let store = try await parent.dataDirectory.openStore()
            let masterKey = try MasterKey.load(dataDirectory: folder)
            try await store.verifyMasterKey(masterKey)
            let authority = try await SharedCertificateAuthority.resolve(store: store, dataDirectory: folder, sealing: masterKey)
            let issued = try CertificateFactory().makeCertificate(
                CertificateRequest(dnsNames: [name], keyAlgorithm: .ecdsaP256, validDays: validDays, commonName: name), issuer: authority)
            let bundle = try CertificateBundle(certificate: issued.certificate, privateKey: issued.privateKey, chain: [authority.certificate])
            let pfx = try bundle.pfx(password: try password.forWriting(out))
            // Recorded first: a name already taken writes no file.
            try await store.addAgent(AgentRecord(name: name, thumbprint: bundle.thumbprint, created: Date()))
            try SecureFile.write(pfx, to: out, mode: 0o600)
            print("Issued agent \(name) a certificate from \(authority.certificate.subject) (valid \(validDays) days); wrote \(out)")
            print(bundle.thumbprint)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the agents issued a certificate.")
        @ParentCommand var parent: AdminCommand
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let agents = try await parent.dataDirectory.openStore().agents()
            if json {
                return try printJSON(
                    agents.map {
                        [
                            "name": $0.name, "thumbprint": $0.thumbprint.description, "created": UTCCalendar.iso8601($0.created),
                            "lastSeen": $0.lastSeen.map(UTCCalendar.iso8601) ?? "",
                        ]
                    })
            }
            for agent in agents {
                print(
                    "\(agent.name)  \(agent.thumbprint)  \(UTCCalendar.iso8601(agent.created))  last seen \(agent.lastSeen.map(UTCCalendar.iso8601) ?? "never")"
                )
            }
        }
    }
}
