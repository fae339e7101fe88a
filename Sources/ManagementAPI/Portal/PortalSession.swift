import Accounts
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A signed-in person's session as the server keeps it, under the SHA-256 of its id.
struct PortalSession: Sendable, Codable, Equatable {
    /// Who signed in.
    var user: EmailAddress
    /// When they signed in: the session ends 12 hours later whatever happens.
    var signedInAt: Date
    /// The last request: the session ends after 30 minutes without one.
    var lastSeen: Date
    /// The token every state-changing form carries, bound to this session.
    var csrfToken: String
    /// The password was right but the second factor is still to come: such a session opens
    /// only the page that asks for the code.
    var secondFactorPending = false
}

/// Portal sessions: a random id in a cookie, only its hash in the database; an idle timeout and
/// an absolute one; ended on the server by sign-out, "sign out everywhere" and password change.
struct PortalSessions: Sendable {
    /// The cookie's name.
    static let cookieName = "thumbprint_session"
    /// A session ends after this long without a request.
    static let idleTimeout: TimeInterval = 30 * 60
    /// A session ends this long after sign-in.
    static let absoluteTimeout: TimeInterval = 12 * 60 * 60

    let store: any ManagementStore
    let now: @Sendable () -> Date

    /// A new session for `user`, with a new id (never one the browser brought); the cookie to set.
    func start(for user: EmailAddress, secondFactorPending: Bool = false) async throws -> (session: PortalSession, cookie: String) {
        let id = SecretToken.random()
        let instant = now()
        let session = PortalSession(
            user: user, signedInAt: instant, lastSeen: instant, csrfToken: SecretToken.random().text, secondFactorPending: secondFactorPending)
        try await save(session, idHash: id.hashed)
        return (session, Self.cookie(value: id.text))
    }

    /// The live session the request's cookie names, with the hash of its id; nil when there is
    /// none, it is unknown, or it timed out (then it is forgotten).
    func load(cookieValue: String?) async throws -> (session: PortalSession, idHash: String)? {
        guard let cookieValue, let id = SecretToken(presented: cookieValue) else { return nil }
        let idHash = id.hashed
        let instant = now()
        guard let stored = try await store.session(idHash: idHash, at: instant),
            let session = try? JSONDecoder().decode(PortalSession.self, from: Data(stored.value))
        else { return nil }
        guard instant.timeIntervalSince(session.lastSeen) < Self.idleTimeout,
            instant.timeIntervalSince(session.signedInAt) < Self.absoluteTimeout
        else {
            try await store.deleteSession(idHash: idHash)
            return nil
        }
        return (session, idHash)
    }

    /// Records activity: at most one write a minute per session.
    func touch(_ session: PortalSession, idHash: String) async throws {
        let instant = now()
        guard instant.timeIntervalSince(session.lastSeen) >= 60 else { return }
        var touched = session
        touched.lastSeen = instant
        try await save(touched, idHash: idHash)
    }

    /// Ends one session on the server.
    func end(idHash: String) async throws { try await store.deleteSession(idHash: idHash) }

    /// Ends every session of `user` on the server; how many there were.
    func endAll(of user: EmailAddress) async throws -> Int { try await store.deleteSessions(of: user) }

    private func save(_ session: PortalSession, idHash: String) async throws {
        let value = try JSONEncoder().encode(session)
        let expires = min(session.lastSeen.addingTimeInterval(Self.idleTimeout), session.signedInAt.addingTimeInterval(Self.absoluteTimeout))
        try await store.saveSession(idHash: idHash, user: session.user, value: [UInt8](value), expiresAt: expires)
    }

    /// The session cookie: `Secure; HttpOnly; SameSite=Strict; Path=/`, kept until the browser
    /// closes; the server enforces the timeouts.
    static func cookie(value: String) -> String {
        "\(cookieName)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict"
    }

    /// The header that makes the browser forget the cookie.
    static var clearingCookie: String { "\(cookieName)=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict" }
}
