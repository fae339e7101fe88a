#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…]`.
///
/// A password may come in the URL only from the environment (`THUMBPRINT_DATABASE`), never from
/// a command line, where every user of the machine could read it; `PGPASSWORD` works as well.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS.
    public enum TLSMode: String, Sendable {
        /// Plain TCP (loopback, or a network the operator trusts).
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection (the server's certificate is checked against the system's roots).
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// Its port (5432 unless the URL says otherwise).
    public var port: Int
    /// The user to connect as.
    public var user: String
    /// The password, from the environment only; never printed.
    public var password: String?
    /// The database's name.
    public var database: String
    /// Whether the connection uses TLS (`sslmode`).
    public var tls: TLSMode

    /// Reads a URL; `allowPassword` is false for values from a command line.
    public init(url text: String, allowPassword: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
        guard let components = URLComponents(string: text), components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw .database("\(Self.redacted(text)) is not a PostgreSQL URL: write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else { throw .database("the database URL names no host: write postgres://USER@HOST:PORT/DATABASE") }
        guard let user = components.user, !user.isEmpty else { throw .database("the database URL names no user: write postgres://USER@HOST:PORT/DATABASE") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw .database("the database URL names no database: write postgres://USER@HOST:PORT/DATABASE") }
        if components.password != nil, !allowPassword {
            throw .database(
                "a password in --database would be visible to every user of this machine: give the URL in THUMBPRINT_DATABASE, or the password in PGPASSWORD")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw .database("the database URL has an unknown option \(item.name); only sslmode is read") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw .database("sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.password = components.password ?? environment["PGPASSWORD"]
        self.database = database
        self.tls = tls
    }

    /// The URL without its password, for logs and messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `text` with any password replaced, for an error message about it.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "the database URL"
    }
}
