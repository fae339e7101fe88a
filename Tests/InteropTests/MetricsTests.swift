import Foundation
import TestSupport
import Testing

@Suite("Prometheus metrics", .serialized)
struct MetricsTests {
    @Test("/metrics on its own listener parses with Prometheus' parser, and its values move as actions happen")
    func metricsMove() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: testPython), "no Python venv at \(testPython): run scripts/test.sh")
        let metricsPort = try freeLoopbackPort()
        let server = try PythonClientTests.RunningServer(extraArguments: ["--metrics-listen", "127.0.0.1:\(metricsPort)"])
        let folder = server.folder
        let (old, new) = try DeploymentFixture.makeCertificates(in: folder, home: folder.file("home"))
        let package = server.data + "/packages/app.cspkg"
        try DeploymentFixture.writePackage(to: package)
        try DeploymentFixture.configuration(thumbprint: old, count: 2).write(toFile: folder.file("old.cscfg"), atomically: true, encoding: .utf8)
        try DeploymentFixture.configuration(thumbprint: new, count: 2).write(toFile: folder.file("new.cscfg"), atomically: true, encoding: .utf8)
        let result = try await awaitProcess(
            testPython,
            [
                repositoryRoot.appendingPathComponent("Tests/InteropTests/python/metrics_client.py").path, server.data + "/admin.publishsettings",
                server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", folder.path, "http://127.0.0.1:\(metricsPort)/metrics",
                folder.file("old.pfx"), "deploy-secret", "file://" + package, folder.file("old.cscfg"), folder.file("new.cscfg"), folder.file("new.pfx"),
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.lastLine.utf8)) as? [String: Any])
        let before = report["before"] as? [String: Double] ?? [:]
        let deployed = report["deployed"] as? [String: Double] ?? [:]
        let after = report["after"] as? [String: Double] ?? [:]
        func moved(_ key: String) -> Double { (after[key] ?? 0) - (before[key] ?? 0) }

        #expect(report["refusedStatus"] as? Int == 403)
        #expect(moved(#"thumbprint_api_requests_total{operation="CreateCloudService",status="201"}"#) == 1, "\(after.keys.sorted())")
        #expect(moved(#"thumbprint_api_requests_total{operation="AddServiceCertificate",status="202"}"#) == 2)
        #expect(moved(#"thumbprint_api_requests_total{operation="ChangeDeploymentConfiguration",status="202"}"#) == 1)
        #expect(moved(#"thumbprint_api_requests_total{operation="ListCloudServices",status="403"}"#) == 1, "the stranger's request, refused")
        #expect(moved(#"thumbprint_api_request_duration_seconds_count{operation="ListCloudServices"}"#) >= 2)
        #expect(moved(#"thumbprint_authentication_failures_total{reason="not_registered"}"#) == 1)
        #expect(
            moved(#"thumbprint_operations_total{outcome="succeeded"}"#) == 4, "two uploads, the deployment, its rotation (creating a service is synchronous)")
        #expect(moved(#"thumbprint_certificates{expiry="later",kind="service"}"#) == 2, "the uploaded certificates (365 days)")
        #expect((after[#"thumbprint_certificates{expiry="later",kind="management"}"#] ?? 0) >= 1, "the administrator's certificate")
        #expect(after[#"thumbprint_certificates{expiry="expired",kind="service"}"#] == 0)
        #expect((after[#"thumbprint_tls_handshakes_total{client_certificate="presented"}"#] ?? 0) >= 2)
        #expect(before[#"thumbprint_role_instances{state="ReadyRole"}"#] == 0)
        #expect(after[#"thumbprint_role_instances{state="ReadyRole"}"#] == 2, "the deployment's two instances")
        let rotations = #"thumbprint_deployment_change_duration_seconds_count{change="configuration"}"#
        #expect((after[rotations] ?? 0) - (deployed[rotations] ?? 0) == 1, "the rotation was timed")
        #expect((after[#"thumbprint_deployment_change_duration_seconds_sum{change="configuration"}"#] ?? 0) > 0)
        let subscription = try #require(server.subscriptionID)
        let earliest = try #require(after[#"thumbprint_cloud_service_earliest_expiry_timestamp_seconds{service="metrics1",subscription="\#(subscription)"}"#])
        #expect(abs(earliest - Date().addingTimeInterval(365 * 86_400).timeIntervalSince1970) < 2 * 86_400, "the certificate's expiry")
        // Nothing names an id in a label: the operations are the API's names.
        #expect(!after.keys.contains { $0.contains("operation=\"GET ") || $0.contains("operation=\"POST ") })
    }
}
