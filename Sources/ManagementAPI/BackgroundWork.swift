import NIOPosix

/// Work that must not run on an event loop (they serve every TLS handshake of the API, the
/// load balancers and the role instances), on threads of its own. Two kinds, so that one never
/// waits behind another: parsing request bodies (bounded, quick) and opening uploaded PFX
/// files (up to a second or more of CPU each, one at a time, so that a burst of uploads queues
/// here while a core stays free for everything else), and people's password hashes.
enum BackgroundWork {
    /// Parsing request bodies: two threads.
    case parsing
    /// Opening uploaded PFX files: one thread.
    case decryption
    /// Hashing and checking people's passwords (scrypt, 64 MiB and about 0.1 s each): one thread.
    case passwords

    private static let parsingPool = started(threads: 2)
    private static let decryptionPool = started(threads: 1)
    private static let passwordPool = started(threads: 1)

    private static func started(threads: Int) -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }

    /// Runs `work` on this kind's threads and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        switch self {
        case .parsing: return try await Self.parsingPool.runIfActive(work)
        case .decryption: return try await Self.decryptionPool.runIfActive(work)
        case .passwords: return try await Self.passwordPool.runIfActive(work)
        }
    }
}
