import CoreMetrics

/// How long deployment changes take, as `thumbprint_deployment_change_duration_seconds{change}`
/// (a rotation is a `configuration` change): measured from the start of the change's turn to its
/// end, successful changes only.
enum ChangeDuration {
    static func measure<T>(_ change: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let result = try await body()
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        Timer(label: "thumbprint_deployment_change_duration_seconds", dimensions: [("change", change)])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        return result
    }
}
