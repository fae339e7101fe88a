#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a certificate is going to be used for on a cloud service.
public enum CertificatePurpose: String, Sendable, Codable, CaseIterable {
    /// A service certificate: uploaded with its private key, served by role instances.
    case service
    /// A management certificate: a public certificate registered on a subscription.
    case management
}

/// The outcome of one rule.
public struct RequirementResult: Sendable, Codable, Equatable {
    /// Whether the rule held.
    public enum Status: String, Sendable, Codable {
        case pass, fail, warn, skip
    }

    /// A stable name for the rule, for scripts: `x509-version`, `rsa-key`, `private-key`, …
    public var rule: String
    /// Whether it held.
    public var status: Status
    /// One line saying what was found.
    public var message: String
    /// What to do about a failure or warning.
    public var fix: String?
}

/// The rules a certificate must meet before a classic cloud service will take it.
public struct CertificateRequirements: Sendable {
    /// Domains the platform owns: no certificate authority issues certificates for them to customers.
    public static let platformDomains = [
        "cloudapp.net", "cloudapp.azure.com", "azurewebsites.net", "trafficmanager.net", "windows.net", "azureedge.net",
    ]

    /// What the certificate is for.
    public var purpose: CertificatePurpose
    /// The custom domain the service answers on, if the user gave one.
    public var domain: String?
    /// The time validity is judged at.
    public var now: Date

    /// Rules for `purpose`, judged at `now`.
    public init(purpose: CertificatePurpose, domain: String? = nil, now: Date = Date()) {
        self.purpose = purpose
        self.domain = domain
        self.now = now
    }

    /// Judges a certificate file against every rule for the purpose, in a fixed order.
    public func check(_ file: CertificateFile) -> [RequirementResult] {
        let certificate = file.bundle.certificate
        var results = [versionRule(certificate), keyRule(certificate)]
        switch purpose {
        case .service:
            results += [
                privateKeyRule(file), keyExchangeRule(certificate), domainRule(certificate),
                platformNameRule(certificate), pfxEncryptionRule(file),
            ]
        case .management:
            results.append(publicOnlyRule(file))
        }
        results += [validityRule(certificate), digestRule(certificate)]
        return results
    }

    func versionRule(_ certificate: CertificateDetails) -> RequirementResult {
        certificate.version == 3
            ? .init(rule: "x509-version", status: .pass, message: "X.509 version 3")
            : .init(
                rule: "x509-version", status: .fail, message: "X.509 version \(certificate.version); cloud services need version 3",
                fix: "make a new certificate with `thumbprint cert new`")
    }

    func keyRule(_ certificate: CertificateDetails) -> RequirementResult {
        switch certificate.publicKey.algorithm {
        case .rsa(let bits) where bits >= 2048:
            return .init(rule: "rsa-key", status: .pass, message: "RSA key of \(bits) bits")
        case .rsa(let bits):
            return .init(
                rule: "rsa-key", status: .fail, message: "RSA key of \(bits) bits; at least 2048 are required",
                fix: "make a new certificate with --key rsa-2048 (or larger)")
        case .ecdsa:
            return .init(
                rule: "rsa-key", status: .fail, message: "\(certificate.publicKey.algorithmName) key; classic cloud services accept only RSA",
                fix: "make a new certificate with --key rsa-2048")
        case .other(let oid):
            return .init(
                rule: "rsa-key", status: .fail, message: "key algorithm \(oid); classic cloud services accept only RSA",
                fix: "make a new certificate with --key rsa-2048")
        }
    }

    func privateKeyRule(_ file: CertificateFile) -> RequirementResult {
        switch (file.bundle.privateKey != nil, file.format) {
        case (true, .pfx):
            return .init(rule: "private-key", status: .pass, message: "the .pfx carries the private key")
        case (true, _):
            return .init(
                rule: "private-key", status: .fail, message: "the key is in a \(file.format.rawValue) file; service certificates are uploaded as .pfx",
                fix: "convert it: `thumbprint cert import FILE` then `thumbprint cert export THUMBPRINT --pfx OUT.pfx`")
        case (false, _):
            return .init(
                rule: "private-key", status: .fail, message: "the file has no private key; a service certificate must carry one",
                fix: "export the certificate with its private key as .pfx (`thumbprint cert export THUMBPRINT --pfx OUT.pfx`)")
        }
    }

    func keyExchangeRule(_ certificate: CertificateDetails) -> RequirementResult {
        guard case .rsa = certificate.publicKey.algorithm else {
            return .init(
                rule: "key-exchange", status: .fail, message: "only an RSA key can be used for key exchange here",
                fix: "make a new certificate with --key rsa-2048")
        }
        if let usage = certificate.keyUsage, !usage.keyEncipherment {
            return .init(
                rule: "key-exchange", status: .fail, message: "the key usage does not allow key encipherment (key exchange)",
                fix: "make a new certificate whose key usage includes keyEncipherment (`thumbprint cert new` does)")
        }
        if let extended = certificate.extendedKeyUsage, !extended.contains(.serverAuth), !extended.contains(.any) {
            return .init(
                rule: "key-exchange", status: .fail, message: "the extended key usage does not allow server authentication",
                fix: "make a new certificate with serverAuth in its extended key usage (`thumbprint cert new` does)")
        }
        return .init(rule: "key-exchange", status: .pass, message: "the key can be used for key exchange")
    }

    func domainRule(_ certificate: CertificateDetails) -> RequirementResult {
        let names = certificate.hostNames
        guard let domain else {
            return .init(rule: "domain", status: .skip, message: "no --domain given; the certificate names \(names.joined(separator: ", "))")
        }
        if names.contains(where: { Self.name($0, matches: domain) }) {
            return .init(rule: "domain", status: .pass, message: "\(domain) matches the certificate's names (\(names.joined(separator: ", ")))")
        }
        return .init(
            rule: "domain", status: .fail,
            message: "\(domain) matches none of the certificate's names (\(names.isEmpty ? "none" : names.joined(separator: ", ")))",
            fix: "make a certificate for it: `thumbprint cert new --dns-name \(domain)`")
    }

    func platformNameRule(_ certificate: CertificateDetails) -> RequirementResult {
        let candidates = certificate.hostNames + (domain.map { [$0] } ?? [])
        if let owned = candidates.first(where: { Self.platformDomain(of: $0) != nil }), let parent = Self.platformDomain(of: owned) {
            return .init(
                rule: "platform-name", status: .fail, message: "\(owned) is under \(parent), which the platform owns; no certificate can be had for it",
                fix: "use your custom domain (a CNAME to the \(parent) name) and a certificate for that domain")
        }
        return .init(rule: "platform-name", status: .pass, message: "no name is under a domain the platform owns")
    }

    func pfxEncryptionRule(_ file: CertificateFile) -> RequirementResult {
        guard let protection = file.protection else {
            return .init(rule: "pfx-encryption", status: .skip, message: "not a .pfx file")
        }
        if protection.usesAES {
            return .init(
                rule: "pfx-encryption", status: .warn, message: "the .pfx is encrypted with AES; the classic platform accepts only 3DES",
                fix: "re-export it: `thumbprint cert import FILE` then `thumbprint cert export THUMBPRINT --pfx OUT.pfx --pfx-profile legacy`")
        }
        let cipher = protection.keyCipher?.rawValue ?? protection.certificateCipher?.rawValue ?? "unknown"
        return .init(rule: "pfx-encryption", status: .pass, message: "the .pfx is encrypted with \(cipher)")
    }

    func publicOnlyRule(_ file: CertificateFile) -> RequirementResult {
        if file.bundle.privateKey != nil {
            return .init(
                rule: "public-certificate", status: .warn, message: "the file carries the private key; it should stay with the client",
                fix: "upload only the public certificate: `thumbprint cert export THUMBPRINT --cer OUT.cer`")
        }
        return .init(rule: "public-certificate", status: .pass, message: "a public certificate; the private key stays with the client")
    }

    func validityRule(_ certificate: CertificateDetails) -> RequirementResult {
        if now < certificate.notBefore {
            return .init(
                rule: "validity", status: .fail, message: "not valid until \(UTCCalendar.iso8601(certificate.notBefore))",
                fix: "wait until then, or check the clock of the machine that made it")
        }
        if now > certificate.notAfter {
            return .init(
                rule: "validity", status: .fail, message: "expired on \(UTCCalendar.iso8601(certificate.notAfter))",
                fix: "renew it: make a new certificate and upload that")
        }
        return .init(rule: "validity", status: .pass, message: "valid until \(UTCCalendar.iso8601(certificate.notAfter))")
    }

    func digestRule(_ certificate: CertificateDetails) -> RequirementResult {
        if certificate.signatureAlgorithm.usesWeakDigest {
            return .init(
                rule: "signature", status: .warn, message: "signed with \(certificate.signatureAlgorithm), a digest no longer trusted",
                fix: "re-issue the certificate with SHA-256 (`thumbprint cert new` does)")
        }
        return .init(rule: "signature", status: .pass, message: "signed with \(certificate.signatureAlgorithm)")
    }

    /// Whether a certificate name (possibly `*.example.com`) covers a host name, as TLS clients match.
    public static func name(_ certificateName: String, matches host: String) -> Bool {
        let pattern = certificateName.lowercased().trimmingTrailingDot
        let target = host.lowercased().trimmingTrailingDot
        if pattern == target { return true }
        guard pattern.hasPrefix("*.") else { return false }
        let suffix = pattern.dropFirst(1)  // ".example.com"
        guard target.hasSuffix(suffix) else { return false }
        let label = target.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".")
    }

    /// The platform-owned domain `name` falls under, if any.
    static func platformDomain(of name: String) -> String? {
        let lowered = name.lowercased().trimmingTrailingDot
        return platformDomains.first { lowered == $0 || lowered.hasSuffix("." + $0) }
    }
}

extension RequirementResult {
    init(rule: String, status: Status, message: String) {
        self.init(rule: rule, status: status, message: message, fix: nil)
    }
}

extension String {
    fileprivate var trimmingTrailingDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
