import Crypto
import HummingbirdOTP
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The optional second factor: a TOTP authenticator app (HummingbirdOTP: 6 digits, 30 s,
/// SHA-1, as every app reads it) and ten recovery codes shown once. The secret is sealed by the
/// master key; a code is good once (its time step is recorded); recovery codes are kept as hashes.
public struct SecondFactor: Sendable {
    /// The name an authenticator app shows above the code.
    public static let issuer = "Thumbprint"
    /// How many recovery codes a user gets.
    public static let recoveryCodeCount = 10

    let store: any ManagementStore
    let masterKey: MasterKey
    let now: @Sendable () -> Date

    /// Second factors kept in `store`, their secrets sealed by `masterKey`.
    public init(store: any ManagementStore, masterKey: MasterKey, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.masterKey = masterKey
        self.now = now
    }

    /// A new secret for `user`, waiting for its first code: the `otpauth://` link for a QR code
    /// and the key to type by hand (base32). Any earlier one is replaced.
    public func begin(for user: EmailAddress) async throws -> (link: String, key: String) {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let secret = String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        try await store.setPendingSecondFactor(
            try KeyEnvelope.seal(Array(secret.utf8), context: Self.sealingContext(user), with: masterKey), for: user)
        let link = TOTP(secret: secret).createAuthenticatorURL(label: "\(Self.issuer):\(user)", issuer: Self.issuer)
        let key = link.split(separator: "secret=").last.map { String($0.prefix { $0 != "&" }) } ?? ""
        return (link, key)
    }

    /// Whether the user has a second factor turned on.
    public func isEnabled(for user: EmailAddress) async throws -> Bool {
        try await store.secondFactor(of: user)?.enabledAt != nil
    }

    /// Turns the waiting secret on when `code` is right; the recovery codes to show once, or nil.
    public func confirm(code: String, for user: EmailAddress) async throws -> [String]? {
        guard let record = try await store.secondFactor(of: user), record.enabledAt == nil, try await checkCode(code, record: record, user: user)
        else { return nil }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        let codes = (0..<Self.recoveryCodeCount).map { _ in
            let characters = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            return String(characters[0..<5]) + "-" + String(characters[5...])
        }
        try await store.enableSecondFactor(of: user, recoveryHashes: codes.map(Self.recoveryHash), at: now())
        return codes
    }

    /// The second step of signing in: a current code from the app, or an unused recovery code.
    public func verify(_ code: String, for user: EmailAddress) async throws -> Bool {
        guard let record = try await store.secondFactor(of: user), record.enabledAt != nil else { return false }
        if try await checkCode(code, record: record, user: user) { return true }
        let normalised = Self.normalisedRecoveryCode(code)
        guard normalised.count == 10 else { return false }
        return try await store.useRecoveryCode(hash: Self.recoveryHash(normalised), of: user)
    }

    /// Turns the second factor off.
    public func turnOff(for user: EmailAddress) async throws {
        try await store.removeSecondFactor(of: user)
    }

    /// A 6-digit code of this time step or a neighbour (clocks drift), not used before.
    private func checkCode(_ code: String, record: SecondFactorRecord, user: EmailAddress) async throws -> Bool {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return false }
        let secret = String(decoding: try KeyEnvelope.open(record.sealedSecret, context: Self.sealingContext(user), with: masterKey), as: UTF8.self)
        let totp = TOTP(secret: secret)
        let instant = now()
        let step = Int(instant.timeIntervalSince1970 / 30)
        for offset in [0, -1, 1] where String(format: "%06d", totp.compute(date: instant.addingTimeInterval(Double(offset * 30)))) == digits {
            return try await store.useSecondFactorStep(step + offset, of: user)
        }
        return false
    }

    static func sealingContext(_ user: EmailAddress) -> String { "second-factor:\(user)" }

    static func normalisedRecoveryCode(_ code: String) -> String {
        code.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    static func recoveryHash(_ code: String) -> String {
        SHA256.hash(data: Array(normalisedRecoveryCode(code).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
