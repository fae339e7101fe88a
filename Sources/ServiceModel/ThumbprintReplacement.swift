import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A service configuration with one certificate's thumbprint replaced by another's wherever a
/// role names it, and nothing else changed: how a certificate is renewed without a new package.
public struct ThumbprintReplacement: Sendable, Equatable {
    /// One replaced thumbprint: which role and certificate, and what it said before.
    public struct Change: Sendable, Equatable {
        /// The role.
        public var role: String
        /// The certificate's logical name in the role.
        public var certificate: String
        /// The thumbprint as it was written.
        public var old: String
    }

    /// Why a replacement cannot be made.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The configuration does not read as a service configuration.
        case unreadableConfiguration
        /// No role names the thumbprint to replace.
        case notInUse(String)
        /// The result would change nothing, or more than thumbprints.
        case notOnlyThumbprints

        /// What went wrong, in a sentence.
        public var description: String {
            switch self {
            case .unreadableConfiguration: "the deployment's configuration cannot be read, so its thumbprints cannot be replaced"
            case .notInUse(let old): "no role of the deployment uses the certificate \(old)"
            case .notOnlyThumbprints: "the replacement would change nothing, or more than thumbprints"
            }
        }
    }

    /// The configuration after the replacement.
    public var configuration: [UInt8]
    /// Where a thumbprint was replaced.
    public var changes: [Change]

    /// Replaces every `thumbprint` attribute equal to `current` (as written, any case) with
    /// `replacement` in `configuration`.
    public init(replacing current: String, with replacement: Thumbprint, in configuration: [UInt8]) throws(Refusal) {
        guard let parsed = try? ServiceConfiguration(xml: configuration) else { throw .unreadableConfiguration }
        let changes = parsed.roles.flatMap { role in
            role.certificates.filter { $0.thumbprintText.caseInsensitiveCompare(current) == .orderedSame }.map {
                Change(role: role.name, certificate: $0.name, old: $0.thumbprintText)
            }
        }
        guard !current.isEmpty, !changes.isEmpty else { throw .notInUse(current) }
        var text = String(decoding: configuration, as: UTF8.self)
        for quote in ["\"", "'"] {
            for old in Set(changes.map(\.old)) {
                text = text.replacingOccurrences(of: "thumbprint=\(quote)\(old)\(quote)", with: "thumbprint=\(quote)\(replacement)\(quote)")
            }
        }
        let result = Array(text.utf8)
        guard (try? ConfigurationChange(from: configuration, to: result)) == .thumbprints else { throw .notOnlyThumbprints }
        self.configuration = result
        self.changes = changes
    }
}
