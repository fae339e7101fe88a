import Foundation
import Storage
import Synchronization
import TestSupport
import Testing

@testable import ManagementAPI

/// Portal sessions against a real SQLite file and a clock the test moves.
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

    func id(of cookie: String) -> String {
        String(cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)[1])
    }

    @Test("the cookie is Secure, HttpOnly, SameSite=Strict, Path=/; the database holds only the id's hash")
    func cookieAndHash() async throws {
        let (sessions, _, _, folder) = try await fixture()
        let (_, cookie) = try await sessions.start(for: EmailAddress("ops@contoso.com")!)
        #expect(cookie.hasSuffix("; Path=/; Secure; HttpOnly; SameSite=Strict"))
        let value = id(of: cookie)
        #expect(value.count == 43, "256 random bits")
        #expect(try await sessions.load(cookieValue: value) != nil)
        let files = ["", "-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: folder.file("thumbprint.sqlite") + $0)) }.reduce(Data(), +)
        #expect(files.range(of: Data(value.utf8)) == nil, "the session id itself is stored nowhere")
        #expect(try await sessions.load(cookieValue: "not-a-session") == nil)
    }

    @Test("30 minutes idle end a session; activity keeps it, but never past 12 hours after sign-in")
    func timeouts() async throws {
        let (sessions, _, clock, folder) = try await fixture()
        defer { withExtendedLifetime(folder) {} }
        let user = EmailAddress("ops@contoso.com")!
        let idle = id(of: try await sessions.start(for: user).cookie)
        clock.advance(29 * 60)
        #expect(try await sessions.load(cookieValue: idle) != nil, "29 minutes idle: still signed in")
        clock.advance(31 * 60)
        #expect(try await sessions.load(cookieValue: idle) == nil, "31 minutes idle after the last request: ended")

        let busy = id(of: try await sessions.start(for: user).cookie)
        for _ in 0..<(12 * 4 - 1) {
            clock.advance(15 * 60)
            let (session, hash) = try #require(try await sessions.load(cookieValue: busy), "active within 12 hours")
            try await sessions.touch(session, idHash: hash)
        }
        clock.advance(15 * 60)
        #expect(try await sessions.load(cookieValue: busy) == nil, "12 hours after sign-in, even with activity")
    }

    @Test("sign out everywhere ends every session of the user and no one else's")
    func endAll() async throws {
        let (sessions, store, _, folder) = try await fixture()
        defer { withExtendedLifetime(folder) {} }
        let user = EmailAddress("ops@contoso.com")!
        let other = EmailAddress("dev@contoso.com")!
        try await store.addUser(other)
        let first = id(of: try await sessions.start(for: user).cookie)
        let second = id(of: try await sessions.start(for: user).cookie)
        let theirs = id(of: try await sessions.start(for: other).cookie)
        #expect(first != second, "a new id at every sign-in")
        #expect(try await sessions.endAll(of: user) == 2)
        #expect(try await sessions.load(cookieValue: first) == nil)
        #expect(try await sessions.load(cookieValue: second) == nil)
        #expect(try await sessions.load(cookieValue: theirs) != nil)
    }

    @Test("a password set by an administrator ends the user's sessions")
    func administratorPasswordEndsSessions() async throws {
        let (sessions, store, _, folder) = try await fixture()
        defer { withExtendedLifetime(folder) {} }
        let user = EmailAddress("ops@contoso.com")!
        let cookie = id(of: try await sessions.start(for: user).cookie)
        try await Administration(store: store).setPassword("a brand new passphrase", for: user)
        #expect(try await sessions.load(cookieValue: cookie) == nil)
    }
}
