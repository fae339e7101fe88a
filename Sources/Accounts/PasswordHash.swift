import Crypto
import _CryptoExtras

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A user's password as stored: scrypt (memory-hard) with a random salt per hash, written as
/// `scrypt$ln=16,r=8,p=1$<salt>$<key>` (base64), so that the cost can rise later without
/// invalidating what is stored. The password itself is never kept.
public struct PasswordHash: Sendable, Equatable, CustomStringConvertible {
    /// scrypt's cost: N = 2^logN, block size r, parallelism p.
    public struct Cost: Sendable, Equatable {
        /// log2 of N, the number of rounds (and of blocks of memory).
        public var logN: Int
        /// r, the block size in units of 128 bytes.
        public var blockSize: Int
        /// p, the number of independent runs.
        public var parallelism: Int

        /// 2^16 × 8 × 128 bytes = 64 MiB of memory and about a tenth of a second per hash on
        /// this kind of machine (measured by scripts/bench-portal.sh): the cost of a sign-in, by
        /// design (50–250 ms). Hashes made with another cost keep their own: it is stored with them.
        public static let standard = Cost(logN: 16, blockSize: 8, parallelism: 1)

        /// A cost from its parts.
        public init(logN: Int, blockSize: Int, parallelism: Int) {
            self.logN = logN
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        /// What a stored hash may ask for: enough for any sane setting, not enough to exhaust the server.
        var isAcceptable: Bool { (10...20).contains(logN) && (1...16).contains(blockSize) && (1...4).contains(parallelism) }
    }

    /// The cost it was made with.
    public let cost: Cost
    let salt: [UInt8]
    let key: [UInt8]

    /// Hashes `password` with a new random salt.
    public static func make(_ password: String, cost: Cost = .standard) throws -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return PasswordHash(cost: cost, salt: salt, key: try derive(password, salt: salt, cost: cost))
    }

    /// A hash no password matches, with a random salt and key: checking a password against it
    /// costs exactly what checking one against a real hash of `cost` does, and making it costs nothing.
    public static func standIn(cost: Cost = .standard) -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return PasswordHash(cost: cost, salt: salt, key: key)
    }

    /// Reads a stored hash; nil when it is not one this code wrote.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in parts[1].split(separator: ",") {
            let halves = pair.split(separator: "=")
            guard halves.count == 2, let value = Int(halves[1]) else { return nil }
            values[String(halves[0])] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"],
            let salt = Data(base64Encoded: String(parts[2])), let key = Data(base64Encoded: String(parts[3])), !salt.isEmpty, key.count == 32
        else { return nil }
        let cost = Cost(logN: logN, blockSize: r, parallelism: p)
        guard cost.isAcceptable else { return nil }
        self.init(cost: cost, salt: [UInt8](salt), key: [UInt8](key))
    }

    private init(cost: Cost, salt: [UInt8], key: [UInt8]) {
        self.cost = cost
        self.salt = salt
        self.key = key
    }

    /// The stored form.
    public var description: String {
        "scrypt$ln=\(cost.logN),r=\(cost.blockSize),p=\(cost.parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` is the one hashed; compares in constant time.
    public func matches(_ password: String) -> Bool {
        guard let derived = try? Self.derive(password, salt: salt, cost: cost) else { return false }
        // SymmetricKey's == compares without an early exit.
        return SymmetricKey(data: derived) == SymmetricKey(data: key)
    }

    private static func derive(_ password: String, salt: [UInt8], cost: Cost) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << cost.logN, blockSize: cost.blockSize,
            parallelism: cost.parallelism, maxMemory: (128 * cost.blockSize << cost.logN) * cost.parallelism + (16 << 20))
        return key.withUnsafeBytes { Array($0) }
    }
}
