import ArgumentParser
import CLISupport
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint deployment upgrade|walk|rollback|reboot|reimage|remove-instances`: rolling a new
/// package out by upgrade domain, and one role instance at a time.
extension DeploymentCommand {
    struct Upgrade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade",
            abstract: "Roll a new package (and configuration) out, upgrade domain by upgrade domain.",
            discussion:
                "auto walks every domain in turn (progress per domain on standard error), simultaneous switches every instance at once, manual waits for `deployment walk`. Without --configuration the deployment keeps its own."
        )
        @OptionGroup var target: Target
        @Option(name: .customLong("package"), help: ArgumentHelp("The new package (.cspkg or .zip).", valueName: "P")) var package: String
        @Option(name: .customLong("configuration"), help: ArgumentHelp("A new service configuration.", valueName: "C.cscfg")) var configurationFile: String?
        @Option(name: .customLong("mode"), help: "auto, manual or simultaneous.") var mode = "auto"
        @Option(name: .customLong("label"), help: "A label (default: the package's file name).") var label: String?
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the deployment.") var json = false

        func run() async throws {
            guard let mode = ["auto": "Auto", "manual": "Manual", "simultaneous": "Simultaneous"][mode.lowercased()] else {
                throw ValidationError("--mode is auto, manual or simultaneous, not \(self.mode)")
            }
            let path = try target.path
            let packageURL = try DeploymentCommand.packageURL(package)
            let given = try configurationFile.map(DeploymentCommand.readConfiguration)
            let label = Data((self.label ?? URL(fileURLWithPath: package).lastPathComponent).utf8).base64EncodedString()
            let entry = try await connection.withConnection { api in
                var configuration = given
                if configuration == nil { configuration = try api.xml(try await api.send(.GET, path)).child("Configuration")?.text }
                let body = AzureXML.document("UpgradeDeployment") { xml in
                    xml.element("Mode", mode)
                    xml.element("PackageUrl", packageURL)
                    xml.element("Configuration", configuration ?? "")
                    xml.element("Label", label)
                    xml.element("Force", "false")
                }
                let answer = try await api.send(.POST, path + "/?comp=upgrade", body: body)
                _ = try await api.requireSuccess(of: answer, doing: "Upgrading (\(mode))") {
                    guard let status = try? api.xml(try await api.send(.GET, path)).child("UpgradeStatus") else { return nil }
                    return "upgrade domain \(status.child("CurrentUpgradeDomain")?.text ?? "?"): \(status.child("CurrentUpgradeDomainState")?.text ?? "")"
                }
                return Entry(try api.xml(try await api.send(.GET, path)))
            }
            if json { return try printJSON(entry) }
            if mode == "Manual" {
                Terminal.writeToStandardError("Nothing moved yet: walk the upgrade domains from 0 with `thumbprint deployment walk --domain N`.\n")
            }
            entry.printTable()
        }
    }

    struct Walk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "walk", abstract: "Move the next upgrade domain of a manual upgrade.")
        @OptionGroup var target: Target
        @Option(name: .customLong("domain"), help: "The upgrade domain, from 0, in order.") var domain: Int
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            let body = AzureXML.document("WalkUpgradeDomain") { $0.element("UpgradeDomain", String(domain)) }
            try await DeploymentCommand.runOperation(
                target: target, connection: connection, json: json, suffix: "/?comp=walkupgradedomain", body: body,
                doing: "Upgrading domain \(domain)", done: "Upgrade domain \(domain) runs the new package.")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback", abstract: "Return a manual upgrade's moved domains to the package and configuration before it.")
        @OptionGroup var target: Target
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            let body = AzureXML.document("RollbackUpdateOrUpgrade") { xml in
                xml.element("Mode", "Auto")
                xml.element("Force", "false")
            }
            try await DeploymentCommand.runOperation(
                target: target, connection: connection, json: json, suffix: "/?comp=rollback", body: body,
                doing: "Rolling the upgrade back", done: "Every instance runs the package and configuration from before the upgrade.")
        }
    }

    struct Reboot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reboot", abstract: "Stop a role instance and start it again (out of the load balancer meanwhile).")
        @OptionGroup var target: Target
        @Argument(help: "The role instance, e.g. WebRole_IN_0.") var instance: String
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            try await DeploymentCommand.runOperation(
                target: target, connection: connection, json: json, suffix: "/roleinstances/\(try DeploymentCommand.checkedInstance(instance))?comp=reboot",
                body: nil, doing: "Rebooting \(instance)", done: "\(instance) is running again.")
        }
    }

    struct Reimage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reimage", abstract: "Stop a role instance, empty its certificate stores and start it again with the declared certificates.")
        @OptionGroup var target: Target
        @Argument(help: "The role instance, e.g. WebRole_IN_0.") var instance: String
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            try await DeploymentCommand.runOperation(
                target: target, connection: connection, json: json, suffix: "/roleinstances/\(try DeploymentCommand.checkedInstance(instance))?comp=reimage",
                body: nil, doing: "Reimaging \(instance)", done: "\(instance) is running again with fresh stores.")
        }
    }

    struct RemoveInstances: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-instances", abstract: "Delete role instances for good; their roles' instance counts drop by as many.")
        @OptionGroup var target: Target
        @Argument(help: "The role instances, e.g. WebRole_IN_2.") var instances: [String]
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("json"), help: "Print one JSON document: the operation's result.") var json = false

        func run() async throws {
            guard !instances.isEmpty else { throw ValidationError("name at least one role instance") }
            let names = try instances.map(DeploymentCommand.checkedInstance)
            let body = AzureXML.document("RoleInstances") { xml in for name in names { xml.element("Name", name) } }
            try await DeploymentCommand.runOperation(
                target: target, connection: connection, json: json, suffix: "/roleinstances/?comp=delete", body: body,
                doing: "Deleting \(names.joined(separator: ", "))", done: "Deleted \(names.joined(separator: ", ")).")
        }
    }

    /// A role instance name: letters, digits, underscores and hyphens.
    static func checkedInstance(_ name: String) throws -> String {
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw ValidationError("\(name) is not a role instance name (such as WebRole_IN_0)")
        }
        return name
    }

    /// Sends one POST that starts an operation, waits for it, and says how it ended.
    static func runOperation(
        target: Target, connection: ConnectionOptions, json: Bool, suffix: String, body: String?, doing: String, done: String
    ) async throws {
        let path = try target.path
        let result = try await connection.withConnection { api in
            try await api.requireSuccess(of: try await api.send(.POST, path + suffix, body: body ?? ""), doing: doing)
        }
        if json { return try printJSON(result) }
        print(done)
    }
}
