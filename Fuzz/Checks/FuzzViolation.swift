/// An input that broke what a parser promises: never a trap, and where a writer exists, what it
/// reads it writes back so that it reads the same again.
public struct FuzzViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The promise broken, in a few words.
    public var invariant: String
    /// What was seen.
    public var detail: String

    /// A violation of `invariant`.
    public init(_ invariant: String, _ detail: String = "") {
        self.invariant = invariant
        self.detail = detail
    }

    /// The invariant and the detail.
    public var description: String { detail.isEmpty ? invariant : "\(invariant): \(detail)" }
}
