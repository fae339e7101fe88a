import Accounts
import Crypto
import Hummingbird
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where HummingbirdAuth's session middleware keeps portal sessions: the database, under the
/// SHA-256 of each key (the key holds the cookie's session id, so a copy of the database signs
/// nobody in), with the user a session belongs to, so that all of a user's sessions can end at once.
struct PortalSessionStore: PersistDriver {
    let store: any ManagementStore
    let now: @Sendable () -> Date

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await store.session(idHash: Self.hash(key), at: now()) == nil else { throw PersistError.duplicate }
        try await set(key: key, value: value, expires: expires)
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let expiresAt = expires.map { now().addingTimeInterval(TimeInterval($0.components.seconds)) }
        try await store.saveSession(
            idHash: Self.hash(key), user: (value as? PortalSession)?.user, value: Array(try JSONEncoder().encode(value)), expiresAt: expiresAt)
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let instant = now()
        guard let stored = try await store.session(idHash: Self.hash(key), at: instant) else { return nil }
        guard let object = try? JSONDecoder().decode(type, from: Data(stored.value)) else { throw PersistError.invalidConversion }
        return (object, stored.expiresAt.map { .seconds(max(0, Int64($0.timeIntervalSince(instant)))) })
    }

    func remove(key: String) async throws {
        try await store.deleteSession(idHash: Self.hash(key))
    }

    /// What is stored for a key: its SHA-256, in hex.
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
