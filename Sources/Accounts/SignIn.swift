import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks a person's e-mail address and password. Every attempt costs one password hash, whether
/// the account exists or not, and answers alike for both, so that neither the time nor the answer
/// tells whether an account exists. After `maximumFailures` failures within `window` for an
/// address, attempts for it are refused as locked until the window has passed or an
/// administrator lifts the lock (`thumbprint admin user unlock`).
public struct SignIn: Sendable {
    /// How an attempt ended.
    public enum Outcome: Sendable, Equatable {
        /// The password is right: the user may have a session.
        case signedIn(EmailAddress)
        /// Wrong address or wrong password (the two are not told apart).
        case refused
        /// Too many recent failures for this address; nothing was checked.
        case locked
    }

    /// Failures within `window` that lock an address.
    public static let maximumFailures = 5
    /// How far back failures count.
    public static let window: TimeInterval = 15 * 60

    let store: any ManagementStore
    let now: @Sendable () -> Date
    /// A hash to check against when the account has none, so that every attempt costs the same.
    let standIn: PasswordHash
    /// Runs the (deliberately slow) hash check: a server runs it off its event loops.
    let verify: @Sendable (PasswordHash, String) async -> Bool

    /// Sign-ins checked against `store`; `cost` is the hash cost of the stand-in (that of the stored hashes).
    /// `verify` runs each check (by default where the caller runs).
    public init(
        store: any ManagementStore, cost: PasswordHash.Cost = .standard, now: @escaping @Sendable () -> Date = { Date() },
        verify: @escaping @Sendable (PasswordHash, String) async -> Bool = { $0.matches($1) }
    ) {
        self.store = store
        self.now = now
        self.verify = verify
        // Made without hashing: a server (and every test server) starts at once.
        self.standIn = PasswordHash.standIn(cost: cost)
    }

    /// Checks `password` for the account `address`.
    public func attempt(address: String, password: String) async throws(StorageError) -> Outcome {
        guard let user = EmailAddress(address) else {
            _ = await verify(standIn, password)  // the same cost as for an account
            return .refused
        }
        let stored = try await store.passwordHash(of: user).flatMap(PasswordHash.init)
        let matches = await verify(stored ?? standIn, password) && stored != nil
        if try await store.failedSignIns(of: user, since: now().addingTimeInterval(-Self.window)) >= Self.maximumFailures {
            return .locked
        }
        guard matches else {
            try await store.recordFailedSignIn(of: user, at: now())
            return .refused
        }
        try await store.clearFailedSignIns(of: user)
        return .signedIn(user)
    }
}
