/// Where a Windows-style certificate store lives: the current user's or the machine's.
public enum StoreLocation: String, Sendable, Codable, CaseIterable {
    case currentUser = "CurrentUser"
    case localMachine = "LocalMachine"

    /// Reads a location name, ignoring case.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = match
    }
}

/// The name of a store within a location: `My` (Personal), `Root`, `CA`, … or a custom name.
public struct StoreName: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The well-known store names, spelled as Windows spells them.
    public static let wellKnown = ["My", "Root", "CA", "TrustedPeople", "TrustedPublisher", "AuthRoot", "AddressBook", "Disallowed"]

    /// The personal store, where certificates with private keys usually go.
    public static let my = StoreName(unchecked: "My")
    /// Trusted root certification authorities.
    public static let root = StoreName(unchecked: "Root")

    /// The name as Windows spells it.
    public let rawValue: String

    /// Reads a store name: well-known names in any case (and `Personal` for `My`), or a custom name
    /// of letters, digits, `-`, `_` and `.`.
    public init(name: String) throws(CertificateError) {
        if name.lowercased() == "personal" {
            self = .my
            return
        }
        if let known = Self.wellKnown.first(where: { $0.lowercased() == name.lowercased() }) {
            self.init(unchecked: known)
            return
        }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
        guard !name.isEmpty, name.count <= 64, allowed, name != ".", name != ".." else {
            throw .invalidStoreName(name, reason: "a store name is one of \(Self.wellKnown.joined(separator: ", ")) or a custom name of letters and digits")
        }
        self.init(unchecked: name)
    }

    private init(unchecked: String) { self.rawValue = unchecked }

    public var description: String { rawValue }
}

/// A certificate store: a location and a name, such as `CurrentUser\My`.
public struct CertificateStoreName: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The default store of `thumbprint cert new` and `import`.
    public static let currentUserMy = CertificateStoreName(location: .currentUser, name: .my)

    /// The location.
    public var location: StoreLocation
    /// The store within it.
    public var name: StoreName

    /// A store from its parts.
    public init(location: StoreLocation, name: StoreName) {
        self.location = location
        self.name = name
    }

    /// Reads a store as people write it: `cert:\LocalMachine\My`, `Cert:/CurrentUser/My`, `CurrentUser/My`.
    public init(parsing text: String) throws(CertificateError) {
        var rest = Substring(text.trimmingWhitespace)
        if rest.lowercased().hasPrefix("cert:") { rest = rest.dropFirst(5) }
        let parts = rest.split(whereSeparator: { $0 == "\\" || $0 == "/" })
        guard parts.count == 2 else {
            throw .invalidStoreName(text, reason: "it needs a location and a name")
        }
        guard let location = StoreLocation(name: String(parts[0])) else {
            throw .invalidStoreName(text, reason: "the location must be CurrentUser or LocalMachine, not '\(parts[0])'")
        }
        self.init(location: location, name: try StoreName(name: String(parts[1])))
    }

    /// `CurrentUser/My`: with a slash, so that what is printed can be pasted into a shell as it is.
    public var description: String { "\(location.rawValue)/\(name.rawValue)" }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars.drop(while: { $0.properties.isWhitespace }).reversed().drop(while: { $0.properties.isWhitespace }).reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
