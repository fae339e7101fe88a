import Accounts
import Foundation
import Storage
import TestSupport
import Testing

/// A cheap cost for tests: the algorithm is the same, each hash takes milliseconds.
private let testCost = PasswordHash.Cost(logN: 10, blockSize: 8, parallelism: 1)

@Suite("Password hashes")
struct PasswordHashTests {
    @Test("a hash matches its password only, keeps no trace of it, and reads back from its stored form")
    func roundTrip() throws {
        let hash = try PasswordHash.make("correct horse battery", cost: testCost)
        #expect(hash.matches("correct horse battery"))
        #expect(!hash.matches("correct horse battery "))
        #expect(!hash.matches(""))
        #expect(hash.description.hasPrefix("scrypt$ln=10,r=8,p=1$"))
        #expect(!hash.description.contains("horse"))
        let stored = try #require(PasswordHash(hash.description))
        #expect(stored.matches("correct horse battery"))
        #expect(try PasswordHash.make("correct horse battery", cost: testCost) != hash, "a new salt each time")
    }

    @Test("the standard cost is scrypt with 64 MiB (2^16 × 8 × 128 bytes)")
    func standardCost() throws {
        #expect(PasswordHash.Cost.standard == PasswordHash.Cost(logN: 16, blockSize: 8, parallelism: 1))
        let hash = try PasswordHash.make("a long enough password")
        #expect(hash.matches("a long enough password"))
    }

    @Test("stored forms this code did not write, or that ask for an unreasonable cost, are refused")
    func malformed() throws {
        let good = try PasswordHash.make("correct horse battery", cost: testCost).description
        for bad in [
            "", "plain", "bcrypt$x$y$z", good.replacingOccurrences(of: "ln=10", with: "ln=30"),
            good.replacingOccurrences(of: "r=8", with: "r=0"), "scrypt$ln=10,r=8,p=1$$AAAA",
        ] {
            #expect(PasswordHash(bad) == nil, "\(bad)")
        }
    }

    @Test("passwords need at least 12 characters; the problem never repeats the password")
    func policy() {
        #expect(PasswordPolicy.problem(with: "short-pw") == "the password has 8 characters; use at least 12")
        #expect(PasswordPolicy.problem(with: "twelve chars") == nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "x", count: 1025)) != nil)
    }
}

@Suite("Sign-in")
struct SignInTests {
    let folder: TemporaryDirectory
    let store: SQLiteManagementStore
    let user = EmailAddress("ops@contoso.com")!

    init() async throws {
        folder = try TemporaryDirectory()
        store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        try await store.addUser(user)
        try await store.setPasswordHash(try PasswordHash.make("correct horse battery", cost: testCost).description, for: user, at: Date())
    }

    @Test("the right password signs in; a wrong one, an unknown account and an account without a password are refused alike")
    func outcomes() async throws {
        let signIn = SignIn(store: store, cost: testCost)
        #expect(try await signIn.attempt(address: "ops@contoso.com", password: "correct horse battery") == .signedIn(user))
        #expect(try await signIn.attempt(address: "ops@contoso.com", password: "wrong horse battery") == .refused)
        #expect(try await signIn.attempt(address: "nobody@contoso.com", password: "correct horse battery") == .refused)
        #expect(try await signIn.attempt(address: "not an address", password: "correct horse battery") == .refused)
        try await store.addUser(EmailAddress("new@contoso.com")!)
        #expect(try await signIn.attempt(address: "new@contoso.com", password: "") == .refused, "no password set: no way in")
    }

    @Test("after 5 failures in 15 minutes an address is locked, even for the right password, until the window passes or the lock is lifted")
    func lockout() async throws {
        let clock = Clock()
        let signIn = SignIn(store: store, cost: testCost, now: { clock.now })
        for _ in 0..<SignIn.maximumFailures {
            #expect(try await signIn.attempt(address: "ops@contoso.com", password: "guess guess guess") == .refused)
        }
        #expect(try await signIn.attempt(address: "ops@contoso.com", password: "correct horse battery") == .locked)
        // An address with no account locks the same way: the answers do not tell them apart.
        for _ in 0..<SignIn.maximumFailures { _ = try await signIn.attempt(address: "nobody@contoso.com", password: "guess guess guess") }
        #expect(try await signIn.attempt(address: "nobody@contoso.com", password: "guess guess guess") == .locked)

        clock.now += SignIn.window + 1
        #expect(try await signIn.attempt(address: "ops@contoso.com", password: "correct horse battery") == .signedIn(user))

        for _ in 0..<SignIn.maximumFailures { _ = try await signIn.attempt(address: "ops@contoso.com", password: "guess guess guess") }
        #expect(try await signIn.attempt(address: "ops@contoso.com", password: "correct horse battery") == .locked)
        try await store.clearFailedSignIns(of: user)  // what `thumbprint admin user unlock` does
        #expect(try await signIn.attempt(address: "ops@contoso.com", password: "correct horse battery") == .signedIn(user))
    }
}

/// A clock tests move by hand.
private final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date()
    var now: Date {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
