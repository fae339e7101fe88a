import Certificates

/// One thing wrong with a definition and configuration pair, located so a person can fix it.
public struct ValidationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The file to change.
    public var file: ServiceModelFile
    /// The role it concerns, if any.
    public var role: String?
    /// The logical certificate name it concerns, if any.
    public var certificate: String?
    /// The line in `file`.
    public var line: Int
    /// What is wrong and what to do.
    public var message: String

    /// `ServiceConfiguration.cscfg:12: role WebRole1, certificate SSL: …`
    public var description: String {
        var place = "\(file.rawValue):\(line):"
        if let role { place += " role \(role)" + (certificate == nil ? ":" : ",") }
        if let certificate { place += " certificate \(certificate):" }
        return "\(place) \(message)"
    }
}

/// What the validator knows of a certificate uploaded to the cloud service.
public struct UploadedCertificate: Sendable, Equatable {
    /// Whether it was uploaded with its private key (a .pfx); nil when not known (the API's
    /// List Service Certificates does not say).
    public var hasPrivateKey: Bool?

    /// What is known of one upload.
    public init(hasPrivateKey: Bool?) {
        self.hasPrivateKey = hasPrivateKey
    }
}

/// Checks that a definition and a configuration agree with each other and, when given, with the
/// certificates uploaded to the cloud service — before anything is deployed. The one home of
/// each rule: the server's deployment plan and the CLI's `service validate` both ask it.
public struct ServiceModelValidator: Sendable {
    /// Instance counts a role may have.
    public static let instanceCounts = 1...100

    /// The certificates uploaded to the cloud service, by thumbprint; nil checks the files alone (offline).
    public var uploaded: [Thumbprint: UploadedCertificate]?

    /// A validator, offline unless the uploaded certificates are given.
    public init(uploaded: [Thumbprint: UploadedCertificate]? = nil) {
        self.uploaded = uploaded
    }

    /// Every issue found, in file order: definition first, then configuration.
    public func validate(_ definition: ServiceDefinition, _ configuration: ServiceConfiguration) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let configured = Dictionary(configuration.roles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let defined = Set(definition.roles.map(\.name))

        if configuration.serviceName != definition.name {
            issues.append(
                ValidationIssue(
                    file: .configuration, role: nil, certificate: nil, line: 1,
                    message: "serviceName is \"\(configuration.serviceName)\" but the definition's name is \"\(definition.name)\"; they must be the same"))
        }
        for role in definition.roles {
            guard let roleConfiguration = configured[role.name] else {
                issues.append(
                    ValidationIssue(
                        file: .definition, role: role.name, certificate: nil, line: role.line,
                        message: "the role is not in the configuration; add a <Role name=\"\(role.name)\"> to the .cscfg"))
                continue
            }
            issues += validateEndpoints(of: role, against: roleConfiguration)
            issues += validateCertificates(of: role, against: roleConfiguration)
        }
        for role in configuration.roles {
            if !defined.contains(role.name) {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: nil, line: role.line,
                        message: "the role is not in the definition; remove it or add it to the .csdef"))
                continue
            }
            if let count = role.instanceCount {
                if !Self.instanceCounts.contains(count) {
                    issues.append(
                        ValidationIssue(
                            file: .configuration, role: role.name, certificate: nil, line: role.instancesLine,
                            message: "the instance count is \(count); it must be between 1 and 100"))
                }
            } else {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: nil, line: role.instancesLine,
                        message: role.instanceCountText.map { "the instance count \"\($0)\" is not a whole number" }
                            ?? "there is no <Instances count=\"…\"/>; give the number of instances (1 to 100)"))
            }
        }
        return issues
    }

    /// An https endpoint needs a certificate the role declares, whose thumbprint was uploaded
    /// with its private key (when the uploads are known).
    private func validateEndpoints(of role: RoleDefinition, against configuration: RoleConfiguration) -> [ValidationIssue] {
        let declared = Set(role.certificates.map(\.name))
        return role.inputEndpoints.filter { $0.protocolName == "https" }.compactMap { endpoint in
            guard let name = endpoint.certificate, !name.isEmpty else {
                return ValidationIssue(
                    file: .definition, role: role.name, certificate: nil, line: endpoint.line,
                    message:
                        "the https endpoint \(endpoint.name) names no certificate; add certificate=\"NAME\" naming one of the role's <Certificate> elements")
            }
            guard declared.contains(name) else {
                return ValidationIssue(
                    file: .definition, role: role.name, certificate: name, line: endpoint.line,
                    message:
                        "the https endpoint \(endpoint.name) names a certificate the role does not declare\(declared.isEmpty ? "" : " (it declares \(declared.sorted().joined(separator: ", ")))"); add it under <Certificates>"
                )
            }
            guard let reference = configuration.certificates.first(where: { $0.name == name }), let thumbprint = reference.thumbprint,
                uploaded?[thumbprint]?.hasPrivateKey == false
            else { return nil }
            return ValidationIssue(
                file: .configuration, role: role.name, certificate: name, line: reference.line,
                message:
                    "Certificate with thumbprint \(thumbprint) associated with HTTPS input endpoint \(endpoint.name) does not contain private key; upload it as a .pfx"
            )
        }
    }

    private func validateCertificates(of role: RoleDefinition, against configuration: RoleConfiguration) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        // Imported plugins declare their own certificates, named after the module.
        let pluginPrefixes = role.imports.map { "Microsoft.WindowsAzure.Plugins.\($0)." }
        let pluginCertificates = configuration.certificates
            .filter { reference in pluginPrefixes.contains { reference.name.hasPrefix($0) } }
            .map { CertificateDeclaration(pluginCertificate: $0.name, line: role.line) }
        let declarations = role.certificates + pluginCertificates.filter { plugin in !role.certificates.contains { $0.name == plugin.name } }
        for declaration in role.certificates where declaration.store == nil {
            issues.append(
                ValidationIssue(
                    file: .definition, role: role.name, certificate: declaration.name, line: declaration.line,
                    message:
                        "storeLocation \"\(declaration.storeLocationText)\" / storeName \"\(declaration.storeNameText)\" is not a store; use LocalMachine or CurrentUser and a store name such as My"
                ))
        }
        let references = Dictionary(configuration.certificates.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for declaration in declarations {
            guard let reference = references[declaration.name] else {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: declaration.name, line: configuration.line,
                        message:
                            "the definition names this certificate but the configuration gives no thumbprint for it; add <Certificate name=\"\(declaration.name)\" thumbprint=\"…\" thumbprintAlgorithm=\"sha1\"/>"
                    ))
                continue
            }
            guard reference.algorithm.lowercased() == "sha1" else {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: declaration.name, line: reference.line,
                        message: "thumbprintAlgorithm \"\(reference.algorithm)\" is not supported; use sha1"))
                continue
            }
            guard !reference.thumbprintText.isEmpty else {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: declaration.name, line: reference.line,
                        message: "the thumbprint is empty; give the 40-digit SHA-1 thumbprint of the uploaded certificate"))
                continue
            }
            guard let thumbprint = reference.thumbprint else {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: declaration.name, line: reference.line,
                        message: "\"\(reference.thumbprintText)\" is not a SHA-1 thumbprint (40 hex digits); a placeholder left in place?"))
                continue
            }
            if let uploaded, uploaded[thumbprint] == nil {
                issues.append(
                    ValidationIssue(
                        file: .configuration, role: role.name, certificate: declaration.name, line: reference.line,
                        message:
                            "the certificate with thumbprint \(thumbprint) was not found on the cloud service; upload it first (thumbprint service cert add)"))
            }
        }
        let declared = Set(declarations.map(\.name))
        for reference in configuration.certificates where !declared.contains(reference.name) {
            issues.append(
                ValidationIssue(
                    file: .configuration, role: role.name, certificate: reference.name, line: reference.line,
                    message: "the configuration gives a thumbprint for a certificate the definition does not declare; declare it in the .csdef or remove it"))
        }
        return issues
    }
}
