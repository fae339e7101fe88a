import ArgumentParser
import CLISupport
import Certificates
import ServiceModel
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `thumbprint deployment …`: a cloud service's deployments through the API.
struct DeploymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "Deploy a package with its configuration, show it, change its configuration or status, upgrade it, manage its instances, delete it.",
        subcommands: [
            Create.self, Show.self, SetConfiguration.self, SetStatus.self, Upgrade.self, Walk.self, Rollback.self, Reboot.self, Reimage.self,
            RemoveInstances.self, Delete.self,
        ]
    )

    /// `--service`, and the deployment by `--slot` (default production) or `--name`.
    struct Target: ParsableArguments {
        @Option(name: .customLong("service"), help: ArgumentHelp("The cloud service.", valueName: "NAME")) var service: String
        @Option(name: .customLong("slot"), help: "production or staging.") var slot = "production"
        @Option(name: .customLong("name"), help: "The deployment's name (instead of --slot).") var name: String?

        /// The API path of the deployment.
        var path: String {
            get throws { try Self.path(service: service, slot: slot, name: name) }
        }

        static func path(service: String, slot: String, name: String?) throws -> String {
            let service = try ServiceCommand.checkedName(service)
            if let name {
                guard Deployment.isValidName(name) else {
                    throw ValidationError("\(name) is not a deployment name: use 1 to 100 letters, digits, hyphens and underscores")
                }
                return "/services/hostedservices/\(service)/deployments/\(name)"
            }
            return "/services/hostedservices/\(service)/deploymentslots/\(try Self.checkedSlot(slot))"
        }

        static func checkedSlot(_ slot: String) throws -> String {
            guard ["production", "staging"].contains(slot.lowercased()) else { throw ValidationError("--slot is production or staging, not \(slot)") }
            return slot.lowercased()
        }
    }

    /// A deployment as Get Deployment describes it.
    struct Entry: Encodable {
        struct Instance: Encodable {
            var role: String
            var name: String
            var status: String
            var powerState: String
            var endpoints: [Endpoint]
        }

        struct Endpoint: Encodable {
            var name: String
            var protocolName: String
            var address: String
            var localPort: Int
        }

        var name: String
        var slot: String
        var status: String
        var label: String
        var url: String
        var created: String
        var certificates: [String: String]
        var instanceCounts: [String: Int]
        var instances: [Instance]

        init(_ element: XMLElement) {
            name = element.child("Name")?.text ?? ""
            slot = element.child("DeploymentSlot")?.text ?? ""
            status = element.child("Status")?.text ?? ""
            let encodedLabel = element.child("Label")?.text ?? ""
            label = Data(base64Encoded: encodedLabel).flatMap { String(data: $0, encoding: .utf8) } ?? encodedLabel
            url = element.child("Url")?.text ?? ""
            created = element.child("CreatedTime")?.text ?? ""
            let configuration = Data(base64Encoded: element.child("Configuration")?.text ?? "").flatMap { try? ServiceConfiguration(xml: [UInt8]($0)) }
            var certificates: [String: String] = [:]
            var counts: [String: Int] = [:]
            for role in configuration?.roles ?? [] {
                counts[role.name] = role.instanceCount
                for certificate in role.certificates { certificates["\(role.name)/\(certificate.name)"] = certificate.thumbprintText.uppercased() }
            }
            self.certificates = certificates
            instanceCounts = counts
            instances =
                element.child("RoleInstanceList")?.children("RoleInstance").map { instance in
                    Instance(
                        role: instance.child("RoleName")?.text ?? "",
                        name: instance.child("InstanceName")?.text ?? "",
                        status: instance.child("InstanceStatus")?.text ?? "",
                        powerState: instance.child("PowerState")?.text ?? "",
                        endpoints: instance.child("InstanceEndpoints")?.children("InstanceEndpoint").map { endpoint in
                            let scheme = endpoint.child("Protocol")?.text ?? "tcp"
                            return Endpoint(
                                name: endpoint.child("Name")?.text ?? "", protocolName: scheme,
                                address:
                                    "\(scheme == "https" ? "https" : scheme == "http" ? "http" : "tcp")://\(endpoint.child("Vip")?.text ?? "127.0.0.1"):\(endpoint.child("PublicPort")?.text ?? "?")",
                                localPort: Int(endpoint.child("LocalPort")?.text ?? "") ?? 0)
                        } ?? []
                    )
                } ?? []
        }

        func printTable() {
            CLISupport.printTable(
                [("Name", name), ("Slot", slot), ("Status", status), ("Label", label), ("URL", url), ("Created", created)]
                    + certificates.sorted { $0.key < $1.key }.map { ("Certificate \($0.key)", $0.value) })
            var addresses: [String] = []
            for instance in instances {
                for endpoint in instance.endpoints where !addresses.contains("\(endpoint.name) \(endpoint.address)") {
                    addresses.append("\(endpoint.name) \(endpoint.address)")
                }
            }
            for address in addresses { print("Endpoint      \(address)") }
            print("")
            print("INSTANCE                  STATUS          POWER     LOCAL PORTS")
            for instance in instances {
                print(
                    "\(instance.name.padded(to: 24))  \(instance.status.padded(to: 14))  \(instance.powerState.padded(to: 8))  \(instance.endpoints.map { "\($0.name):\($0.localPort)" }.joined(separator: " "))"
                )
            }
        }
    }

    static func readConfiguration(_ path: String) throws -> String {
        let bytes = try CertificateFile.readLimited(path: path, limit: ValidationReport.fileLimit)
        do {
            _ = try ServiceConfiguration(xml: bytes)
        } catch {
            throw CommandFailure(message: "\(path): \(error.description)", status: ExitStatus.badInput)
        }
        return Data(bytes).base64EncodedString()
    }

    /// A URL as given, or a local path as a `file://` URL (which the server reads only inside its packages folder).
    static func packageURL(_ text: String) throws -> String {
        if text.contains("://") { return text }
        guard let resolved = realpath(text, nil) else {
            throw CommandFailure(
                message: "\(text): no such package file. Copy it into the server's packages folder, or give an http(s) URL on loopback.",
                status: ExitStatus.badInput)
        }
        defer { free(resolved) }
        return "file://" + String(cString: resolved)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Deploy a package with a configuration to a slot, and start it.",
            discussion:
                "--package is a file inside the server's packages folder (same machine) or a file:// or loopback http(s) URL. The configuration's thumbprints must be uploaded to the service first (thumbprint service cert add)."
        )
        @Option(name: .customLong("service"), help: ArgumentHelp("The cloud service.", valueName: "NAME")) var service: String
        @Option(name: .customLong("slot"), help: "production or staging.") var slot = "production"
        @Option(name: .customLong("name"), help: "The deployment's name (default: the slot).") var name: String?
        @Option(name: .customLong("package"), help: ArgumentHelp("The package (.cspkg or .zip).", valueName: "P")) var package: String
        @Option(name: .customLong("configuration"), help: ArgumentHelp("The service configuration.", valueName: "C.cscfg")) var configurationFile: String
        @Option(name: .customLong("label"), help: "A label (default: the name).") var label: String?
        @Flag(name: .customLong("suspended"), help: "Create it suspended instead of starting it.") var suspended = false
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the deployment.") var json = false

        func run() async throws {
            let slot = try Target.checkedSlot(self.slot)
            let name = self.name ?? slot
            let path = try Target.path(service: service, slot: slot, name: name)
            let serviceName = try ServiceCommand.checkedName(service)
            let configuration = try DeploymentCommand.readConfiguration(configurationFile)
            let packageURL = try DeploymentCommand.packageURL(package)
            let body = AzureXML.document("CreateDeployment") { xml in
                xml.element("Name", name)
                xml.element("PackageUrl", packageURL)
                xml.element("Label", Data((label ?? name).utf8).base64EncodedString())
                xml.element("Configuration", configuration)
                xml.element("StartDeployment", suspended ? "false" : "true")
                xml.element("TreatWarningsAsError", "false")
            }
            let entry = try await connection.withConnection { api in
                let answer = try await api.send(.POST, "/services/hostedservices/\(serviceName)/deploymentslots/\(slot)", body: body)
                _ = try await api.requireSuccess(of: answer, doing: "Deploying \(name) to \(serviceName) (\(slot))")
                return Entry(try api.xml(try await api.send(.GET, path)))
            }
            if json { return try printJSON(entry) }
            entry.printTable()
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a deployment: status, certificates, endpoint addresses, instances.")
        @OptionGroup var target: Target
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

        func run() async throws {
            let path = try target.path
            let entry = try await connection.withConnection { api in Entry(try api.xml(try await api.send(.GET, path))) }
            if json { return try printJSON(entry) }
            entry.printTable()
        }
    }

    struct SetConfiguration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-config",
            abstract: "Replace the configuration: a new thumbprint (already uploaded) or instance count, with no new package.",
            discussion:
                "New connections get a new certificate as soon as the operation succeeds; open connections finish. A configuration that does not validate changes nothing."
        )
        @OptionGroup var target: Target
        @Option(name: .customLong("configuration"), help: ArgumentHelp("The new service configuration.", valueName: "C.cscfg")) var configurationFile: String
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the deployment.") var json = false

        func run() async throws {
            let path = try target.path
            let configuration = try DeploymentCommand.readConfiguration(configurationFile)
            let body = AzureXML.document("ChangeConfiguration") { xml in
                xml.element("Configuration", configuration)
                xml.element("TreatWarningsAsError", "false")
                xml.element("Mode", "Auto")
            }
            let file = configurationFile
            let entry = try await connection.withConnection { api in
                let current = try await api.send(.GET, path)
                if current.status == 200, let running = try api.xml(current).child("Configuration")?.text,
                    Data(base64Encoded: running) == Data(base64Encoded: configuration)
                {
                    // Nothing would change: say so rather than run an operation that does nothing.
                    Terminal.warning(
                        "\(file) is the configuration the deployment already runs; nothing was changed (edit the thumbprint or instance count first)")
                    return Entry(try api.xml(current))
                }
                let answer = try await api.send(.POST, path + "/?comp=config", body: body)
                _ = try await api.requireSuccess(of: answer, doing: "Changing the configuration")
                return Entry(try api.xml(try await api.send(.GET, path)))
            }
            if json { return try printJSON(entry) }
            entry.printTable()
        }
    }

    struct SetStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-status", abstract: "Start (running) or stop (suspended) a deployment's instances.")
        @OptionGroup var target: Target
        @Argument(help: "running or suspended.") var status: String
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            let path = try target.path
            guard let value = ["running": "Running", "suspended": "Suspended"][status.lowercased()] else {
                throw ValidationError("the status is running or suspended, not \(status)")
            }
            let body = AzureXML.document("UpdateDeploymentStatus") { $0.element("Status", value) }
            let result = try await connection.withConnection { api in
                try await api.requireSuccess(of: try await api.send(.POST, path + "/?comp=status", body: body), doing: "Setting the status to \(value)")
            }
            if json { return try printJSON(result) }
            print("The deployment is \(value.lowercased()).")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Stop and delete a deployment.")
        @OptionGroup var target: Target
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            let path = try target.path
            let result = try await connection.withConnection { api in
                try await api.requireSuccess(of: try await api.send(.DELETE, path), doing: "Deleting the deployment")
            }
            if json { return try printJSON(result) }
            print("Deleted the deployment.")
        }
    }
}
