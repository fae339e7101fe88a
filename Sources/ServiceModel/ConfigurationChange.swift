import Certificates

/// What a new service configuration changes compared with the one in use: certificate
/// thumbprints, anything else, both or nothing. Roles decide who may make which change: renewing
/// a certificate changes only thumbprints.
public struct ConfigurationChange: OptionSet, Sendable, Hashable {
    public let rawValue: Int

    /// A raw value; use the named changes.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// At least one certificate's thumbprint differs.
    public static let thumbprints = ConfigurationChange(rawValue: 1)
    /// Something other than thumbprints differs: instance counts, settings, roles, certificates named.
    public static let otherThanThumbprints = ConfigurationChange(rawValue: 2)

    /// The change from `old` to `new`; white space, attribute order and line numbers do not count.
    public init(from old: ServiceConfiguration, to new: ServiceConfiguration) {
        self = []
        if Self.thumbprints(of: old) != Self.thumbprints(of: new) { insert(.thumbprints) }
        if Self.withoutThumbprints(old) != Self.withoutThumbprints(new) { insert(.otherThanThumbprints) }
    }

    /// The change between two `.cscfg` files.
    public init(from old: [UInt8], to new: [UInt8]) throws(ServiceModelError) {
        self.init(from: try ServiceConfiguration(xml: old), to: try ServiceConfiguration(xml: new))
    }

    /// Per role and certificate name, the thumbprint (normalised when it parses).
    private static func thumbprints(of configuration: ServiceConfiguration) -> [String: String] {
        var result: [String: String] = [:]
        for role in configuration.roles {
            for certificate in role.certificates {
                result["\(role.name)/\(certificate.name)"] = certificate.thumbprint?.description ?? certificate.thumbprintText
            }
        }
        return result
    }

    /// The configuration with every thumbprint and line number blanked out.
    private static func withoutThumbprints(_ configuration: ServiceConfiguration) -> ServiceConfiguration {
        var copy = configuration
        copy.otherElements = copy.otherElements.map(withoutLines)
        copy.roles = copy.roles.map { role in
            var role = role
            role.line = 0
            role.instancesLine = 0
            role.otherElements = role.otherElements.map(withoutLines)
            role.certificates = role.certificates.map { certificate in
                var certificate = certificate
                certificate.thumbprintText = ""
                certificate.thumbprint = nil
                certificate.line = 0
                return certificate
            }
            return role
        }
        return copy
    }

    private static func withoutLines(_ element: XMLElement) -> XMLElement {
        var copy = element
        copy.line = 0
        copy.children = copy.children.map(withoutLines)
        return copy
    }
}
