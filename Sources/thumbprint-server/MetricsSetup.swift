import CoreMetrics
import Deployments
import Logging
import ManagementAPI
import Prometheus
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ServerCommand {
    /// Makes swift-metrics report to a Prometheus registry (once per process) and returns the
    /// endpoint that shows it, refreshing the gauges read from the database on each scrape.
    static func metricsEndpoint(
        _ address: (String, Int), store: any ManagementStore, runtime: DeploymentRuntime, logger: Logger
    ) -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return MetricsEndpoint(host: address.0, port: address.1, logger: logger) {
            try await ServerMetrics.refresh(store: store, runtime: runtime, now: Date())
            return registry.emitToBuffer()
        }
    }
}
