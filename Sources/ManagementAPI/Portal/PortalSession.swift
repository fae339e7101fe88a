import Accounts
import Hummingbird
import HummingbirdAuth
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A signed-in person's session, as HummingbirdAuth's session middleware keeps it.
struct PortalSession: Sendable, Codable, Equatable {
    /// Who signed in.
    var user: EmailAddress
    /// When they signed in: the session ends 12 hours later whatever happens.
    var signedInAt: Date
    /// The last request (to the minute): the session ends after 30 minutes without one.
    var lastSeen: Date
    /// The token every state-changing form carries, bound to this session.
    var csrfToken: String
    /// The password was right but the second factor is still to come: such a session opens
    /// only the page that asks for the code.
    var secondFactorPending = false
}

/// Portal sessions through HummingbirdAuth (`SessionMiddleware`, a random id in a cookie) with
/// the database behind it (`PortalSessionStore`, only hashes of ids); an idle timeout and an
/// absolute one; ended on the server by sign-out, "sign out everywhere" and password change.
struct PortalSessions: Sendable {
    /// The cookie's name.
    static let cookieName = "thumbprint_session"
    /// A session ends after this long without a request.
    static let idleTimeout: TimeInterval = 30 * 60
    /// A session ends this long after sign-in.
    static let absoluteTimeout: TimeInterval = 12 * 60 * 60
    /// Activity is written down at most this often.
    static let touchInterval: TimeInterval = 60
    /// HummingbirdAuth's prefix of storage keys.
    static let keyPrefix = "hbs."

    let store: any ManagementStore
    let now: @Sendable () -> Date
    var storage: PortalSessionStore { PortalSessionStore(store: store, now: now) }

    /// The middleware that loads the session a request's cookie names and saves what changed:
    /// the cookie is `Secure; HttpOnly; SameSite=Strict; Path=/`.
    func middleware() -> SessionMiddleware<PortalRequestContext> {
        SessionMiddleware(
            storage: storage,
            configuration: .init(
                sessionCookieParameters: .init(name: Self.cookieName, path: "/", secure: true, sameSite: .strict), keyPrefix: Self.keyPrefix,
                defaultSessionExpiration: .seconds(Int64(Self.idleTimeout))))
    }

    /// Signs `user` in: the session the request came with (if any) is forgotten and a new one,
    /// under a new id, takes its place when the response is sent.
    func begin(for user: EmailAddress, secondFactorPending: Bool = false, request: Request, context: PortalRequestContext) async throws {
        try await endPresented(request)
        let instant = now()
        let session = PortalSession(
            user: user, signedInAt: instant, lastSeen: instant, csrfToken: SecretToken.random().text, secondFactorPending: secondFactorPending)
        context.sessions.createSession(session, expiresIn: .seconds(Int64(Self.idleTimeout)))
    }

    /// Forgets, in the database, the session the request's cookie names.
    func endPresented(_ request: Request) async throws {
        if let id = request.cookies[Self.cookieName]?.value { try await storage.remove(key: Self.keyPrefix + String(id)) }
    }

    /// Whether `session` is still live at `instant`: used within 30 minutes, begun within 12 hours.
    func isLive(_ session: PortalSession, at instant: Date) -> Bool {
        instant.timeIntervalSince(session.lastSeen) < Self.idleTimeout && instant.timeIntervalSince(session.signedInAt) < Self.absoluteTimeout
    }

    /// Keeps the request's session alive (at most one write a minute), or ends it when it timed out.
    func check(_ context: PortalRequestContext) {
        guard let session = context.session else { return }
        let instant = now()
        guard isLive(session, at: instant) else {
            context.sessions.clearSession()
            return
        }
        guard instant.timeIntervalSince(session.lastSeen) >= Self.touchInterval else { return }
        var touched = session
        touched.lastSeen = instant
        let left = min(Self.idleTimeout, Self.absoluteTimeout - instant.timeIntervalSince(session.signedInAt))
        _ = context.sessions.updateSession(touched, expiresIn: .seconds(Int64(left)))
    }

    /// Ends every session of `user` on the server, the request's own included; how many there were.
    func endAll(of user: EmailAddress, context: PortalRequestContext) async throws -> Int {
        context.sessions.clearSession()
        return try await store.deleteSessions(of: user)
    }
}
