import CoreMetrics
import Metrics

/// How long deployment changes take, as `thumbprint_deployment_change_duration_seconds{change}`
/// (a rotation is a `configuration` change): measured from the start of the change's turn to its
/// end, successful changes only.
enum ChangeDuration {
    static func measure<T>(_ change: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let result = try await body()
        Timer(label: "thumbprint_deployment_change_duration_seconds", dimensions: [("change", change)]).record(duration: ContinuousClock.now - started)
        return result
    }
}
