import NIOPosix

/// Work that must not run on an event loop (they serve every TLS handshake of the API, the
/// load balancers and the role instances): parsing request bodies and opening uploaded PFX files.
/// Two threads, so that a burst of expensive uploads waits its turn here instead of taking
/// every core; what waits costs nothing to the requests that do not need it.
enum BackgroundWork {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// Runs `work` on the background threads and returns its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }
}
