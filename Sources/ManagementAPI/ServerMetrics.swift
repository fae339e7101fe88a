import Certificates
import CoreMetrics
import Deployments
import Metrics
import RoleInstances
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the server counts and measures, through swift-metrics: without a metrics backend (no
/// `--metrics-listen`) every call here does nothing. Names follow Prometheus' conventions; the
/// one list of them is docs/operations.md.
public enum ServerMetrics {
    /// An API request ended: its operation (as the audit log names it, or a read's name) and HTTP status.
    static func requestEnded(operation: String, status: Int, duration: Duration) {
        Counter(label: "thumbprint_api_requests_total", dimensions: [("operation", operation), ("status", String(status))]).increment()
        Timer(label: "thumbprint_api_request_duration_seconds", dimensions: [("operation", operation)]).record(duration: duration)
    }

    /// Why a request was refused authentication.
    enum AuthenticationFailure: String {
        /// No client certificate on the connection.
        case noCertificate = "no_certificate"
        /// A certificate not registered on the subscription (or no such subscription).
        case notRegistered = "not_registered"
        /// A registered certificate outside its validity period.
        case expired
    }

    static func authenticationFailed(_ reason: AuthenticationFailure) {
        Counter(label: "thumbprint_authentication_failures_total", dimensions: [("reason", reason.rawValue)]).increment()
    }

    /// A connection finished its TLS handshake and sent its first request.
    static func handshakeCompleted(clientCertificate: Bool) {
        Counter(label: "thumbprint_tls_handshakes_total", dimensions: [("client_certificate", clientCertificate ? "presented" : "none")]).increment()
    }

    /// An asynchronous operation ended.
    static func operationEnded(succeeded: Bool) {
        Counter(label: "thumbprint_operations_total", dimensions: [("outcome", succeeded ? "succeeded" : "failed")]).increment()
    }

    /// The days-to-expiry buckets of `thumbprint_certificates`, in order.
    static let expiryBuckets = ["expired", "7d", "14d", "30d", "90d", "later"]

    /// The bucket of a certificate that expires at `notAfter`, seen at `now`.
    static func expiryBucket(_ notAfter: Date, now: Date) -> String {
        let days = notAfter.timeIntervalSince(now) / 86_400
        switch days {
        case ..<0: return "expired"
        case ..<7: return "7d"
        case ..<14: return "14d"
        case ..<30: return "30d"
        case ..<90: return "90d"
        default: return "later"
        }
    }

    /// Sets the gauges read from the database at scrape time: certificates by kind and
    /// days-to-expiry bucket, the earliest service-certificate expiry per cloud service, and role
    /// instances by state.
    public static func refresh(store: any ManagementStore, runtime: DeploymentRuntime, now: Date) async throws {
        var counts: [String: [String: Int]] = ["service": [:], "management": [:]]
        var earliest: [String: (subscription: String, service: String, notAfter: Date)] = [:]
        for subscription in try await store.allSubscriptions() {
            for certificate in try await store.managementCertificates(in: subscription.id) {
                counts["management", default: [:]][expiryBucket(certificate.notAfter, now: now), default: 0] += 1
            }
            for certificate in try await store.serviceCertificates(in: subscription.id) {
                guard let notAfter = try? CertificateDetails(der: certificate.certificate).notAfter else { continue }
                counts["service", default: [:]][expiryBucket(notAfter, now: now), default: 0] += 1
                let key = subscription.id.rawValue + "/" + certificate.service
                if earliest[key].map({ notAfter < $0.notAfter }) ?? true {
                    earliest[key] = (subscription.id.rawValue, certificate.service, notAfter)
                }
            }
        }
        for (kind, buckets) in counts {
            for bucket in expiryBuckets {
                Gauge(label: "thumbprint_certificates", dimensions: [("kind", kind), ("expiry", bucket)]).record(buckets[bucket] ?? 0)
            }
        }
        for entry in earliest.values {
            Gauge(
                label: "thumbprint_cloud_service_earliest_expiry_timestamp_seconds",
                dimensions: [("subscription", entry.subscription), ("service", entry.service)]
            )
            .record(entry.notAfter.timeIntervalSince1970)
        }
        var states: [InstanceStatus: Int] = [:]
        for deployment in try await store.allDeployments() {
            for instance in await runtime.view(of: deployment).instances { states[instance.status, default: 0] += 1 }
        }
        for state in [InstanceStatus.creatingVM, .startingRole, .readyRole, .stoppedVM, .failedStartingRole, .unresponsiveRole] {
            Gauge(label: "thumbprint_role_instances", dimensions: [("state", state.rawValue)]).record(states[state] ?? 0)
        }
    }
}
