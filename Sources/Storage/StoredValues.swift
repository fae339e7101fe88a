import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How both backends write the values that have no column type of their own, so that a
/// database copied from one to the other reads back the same.
enum StoredValues {
    /// Dates are seconds since 1970 with microseconds: exact, sortable, no time zone.
    static func timestamp(_ date: Date) -> Double { (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000 }
    /// A stored time as a date.
    static func date(_ value: Double) -> Date { Date(timeIntervalSince1970: value) }

    /// A new placement generation: random, so that a placement removed and made again never
    /// repeats one an agent already applied.
    static func newGeneration() -> String { UUID().uuidString.lowercased() }

    /// Extended properties as JSON text.
    static func encode(_ properties: [ExtendedProperty]) throws -> String {
        String(decoding: try JSONEncoder().encode(properties), as: UTF8.self)
    }

    /// Extended properties from JSON text; none when it cannot be read.
    static func properties(_ text: String?) -> [ExtendedProperty] {
        text.flatMap { try? JSONDecoder().decode([ExtendedProperty].self, from: Data($0.utf8)) } ?? []
    }

    /// A set of names as a sorted JSON array.
    static func encode(_ names: Set<String>) throws -> String {
        String(decoding: try JSONEncoder().encode(names.sorted()), as: UTF8.self)
    }

    /// A set of names from a JSON array; none when it cannot be read.
    static func names(_ text: String?) -> Set<String> {
        Set(text.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
    }

    /// A stored thumbprint: written by `Thumbprint.description`, so it always parses.
    static func thumbprint(_ text: String) -> Thumbprint {
        (try? Thumbprint.parse(text).thumbprint) ?? Thumbprint(certificateDER: [])
    }
}
