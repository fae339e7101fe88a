import Foundation
import Storage
import Synchronization
import TestSupport
import Testing

@testable import ManagementAPI

/// Portal sessions: HummingbirdAuth's middleware over our database store, against a real SQLite
/// file and a clock the test moves. (The cookie and the flows are checked in a real browser by
/// PortalBrowserTests.)
@Suite("Portal sessions")
struct PortalSessionTests {
    final class Clock: Sendable {
        let instant = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var now: Date { instant.withLock { $0 } }
    }

    func fixture() async throws -> (PortalSessions, SQLiteManagementStore, Clock, TemporaryDirectory) {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("thumbprint.sqlite"))
        try await store.addUser(EmailAddress("ops@contoso.com")!)
        let clock = Clock()
        return (PortalSessions(store: store, now: { clock.now }), store, clock, folder)
    }

    func session(_ user: String, at instant: Date) -> PortalSession {
        PortalSession(user: EmailAddress(user)!, signedInAt: instant, lastSeen: instant, csrfToken: "token")
    }

    @Test("the store keeps only the hash of a key; a session ends with its time to live")
    func hashedAndExpiring() async throws {
        let (sessions, _, clock, folder) = try await fixture()
        let key = PortalSessions.keyPrefix + "Zm9yLWEtdGVzdC1vbmx5LXNlc3Npb24taWQtb2YtMzItYnl0ZXM="
        try await sessions.storage.set(key: key, value: session("ops@contoso.com", at: clock.now), expires: .seconds(1800))
        #expect(try await sessions.storage.get(key: key, as: PortalSession.self)?.user == EmailAddress("ops@contoso.com"))
        let files = ["", "-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: folder.file("thumbprint.sqlite") + $0)) }.reduce(Data(), +)
        #expect(files.range(of: Data("Zm9yLWEtdGVzdC1vbmx5".utf8)) == nil, "the session id itself is stored nowhere")
        #expect(files.range(of: Data(PortalSessionStore.hash(key).utf8)) != nil, "its hash is")
        let (_, ttl) = try #require(try await sessions.storage.getWithTTL(key: key, as: PortalSession.self))
        #expect(ttl == .seconds(1800))
        clock.advance(1801)
        #expect(try await sessions.storage.get(key: key, as: PortalSession.self) == nil, "past its time to live")
    }

    @Test("30 minutes idle end a session; activity keeps it, but never past 12 hours after sign-in")
    func timeouts() async throws {
        let (sessions, _, clock, folder) = try await fixture()
        defer { withExtendedLifetime(folder) {} }
        var current = session("ops@contoso.com", at: clock.now)
        #expect(sessions.isLive(current, at: clock.now.addingTimeInterval(29 * 60)))
        #expect(!sessions.isLive(current, at: clock.now.addingTimeInterval(31 * 60)), "31 minutes idle")
        for _ in 0..<47 {
            clock.advance(15 * 60)
            #expect(sessions.isLive(current, at: clock.now), "active within 12 hours")
            current.lastSeen = clock.now
        }
        clock.advance(15 * 60)
        #expect(!sessions.isLive(current, at: clock.now), "12 hours after sign-in, even with activity")
    }

    @Test("sign out everywhere ends every session of the user and no one else's")
    func endAll() async throws {
        let (sessions, store, clock, folder) = try await fixture()
        defer { withExtendedLifetime(folder) {} }
        try await store.addUser(EmailAddress("dev@contoso.com")!)
        for (key, user) in [("a", "ops@contoso.com"), ("b", "ops@contoso.com"), ("c", "dev@contoso.com")] {
            try await sessions.storage.set(key: PortalSessions.keyPrefix + key, value: session(user, at: clock.now), expires: .seconds(1800))
        }
        #expect(try await store.deleteSessions(of: EmailAddress("ops@contoso.com")!) == 2)
        #expect(try await sessions.storage.get(key: PortalSessions.keyPrefix + "a", as: PortalSession.self) == nil)
        #expect(try await sessions.storage.get(key: PortalSessions.keyPrefix + "c", as: PortalSession.self) != nil)
    }

    @Test("a password set by an administrator ends the user's sessions")
    func administratorPasswordEndsSessions() async throws {
        let (sessions, store, clock, folder) = try await fixture()
        defer { withExtendedLifetime(folder) {} }
        let key = PortalSessions.keyPrefix + "x"
        try await sessions.storage.set(key: key, value: session("ops@contoso.com", at: clock.now), expires: .seconds(1800))
        try await Administration(store: store).setPassword("a brand new passphrase", for: EmailAddress("ops@contoso.com")!)
        #expect(try await sessions.storage.get(key: key, as: PortalSession.self) == nil)
    }
}
