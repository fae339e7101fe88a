import Certificates
import Foundation
import TestSupport
import Testing
import WireFormat

/// The real `azure-servicemanagement-legacy` client against `thumbprint server`, started as a
/// user starts it: first-run setup on an empty data folder, then the client's own flows.
/// What a server process printed, collected as it arrives.
final class ServerOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""

    func append(_ data: Data) {
        lock.withLock { collected += String(decoding: data, as: UTF8.self) }
    }

    var text: String { lock.withLock { collected } }
}

@Suite("The real Python client against thumbprint server", .serialized)
struct PythonClientTests {
    /// A running `thumbprint server` on a free loopback port.
    final class RunningServer: @unchecked Sendable {
        let folder: TemporaryDirectory
        let port: Int
        let process: Process
        let output: Pipe

        /// Starts `thumbprint server` on an empty data folder in `folder` (a new one by default);
        /// with `openFileLimit`, under `ulimit -n` of that many files (soft and hard).
        init(
            folder: TemporaryDirectory? = nil, extraArguments: [String] = [], environment: [String: String]? = nil,
            readyWhen marker: String = "Subscription id:", port fixedPort: Int? = nil, openFileLimit: Int? = nil
        ) throws {
            self.folder = try folder ?? TemporaryDirectory()
            port = try fixedPort ?? freeLoopbackPort()
            process = Process()
            let arguments = ["server", "--data-dir", self.folder.file("data"), "--listen", "127.0.0.1:\(port)"] + extraArguments
            if let openFileLimit {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", thumbprintExecutable] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: thumbprintExecutable)
                process.arguments = arguments
            }
            if let environment { process.environment = environment }
            output = Pipe()
            process.standardOutput = output
            process.standardError = output
            // Read the server's output all along, so that its log never fills the pipe and blocks it.
            let collected = self.collected
            output.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                collected.append(chunk)
            }
            try process.run()
            // Ready when the first-run announcement names the subscription id.
            var text = ""
            let deadline = Date().addingTimeInterval(60)
            while !text.contains(marker) && Date() < deadline && process.isRunning {
                Thread.sleep(forTimeInterval: 0.05)
                text = collected.text
            }
            guard text.contains(marker) else {
                process.terminate()
                throw ServerDidNotStart(output: text)
            }
            announcement = text
        }

        private(set) var announcement = ""
        /// Everything the server has printed so far (standard output and error).
        var printed: String { collected.text }
        private let collected = ServerOutput()
        var data: String { folder.file("data") }

        /// The subscription id the first run announced.
        var subscriptionID: String? {
            announcement.split(separator: "\n").first { $0.hasPrefix("Subscription id: ") }.map { String($0.dropFirst("Subscription id: ".count)) }
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
        }
    }

    struct ServerDidNotStart: Error { var output: String }

    struct ClientReport: Decodable {
        struct SubscriptionView: Decodable {
            var id: String
            var name: String
            var status: String
            var serviceAdmin: String
            var maxCoreCount: Int
            var aadTenantId: String
        }
        struct CertificateView: Decodable {
            var publicKey: String
            var thumbprint: String
            var data: String
            var created: String
        }
        struct Sent: Decodable {
            var publicKey: String
            var data: String
        }
        var subscriptionId: String
        var subscription: SubscriptionView
        var added: String
        var listed: [String]
        var got: CertificateView
        var sent: Sent
        var afterDelete: Int
    }

    func runClient(_ server: RunningServer, publishSettings: String) throws -> ClientReport {
        try #require(FileManager.default.isExecutableFile(atPath: testPython), "no Python venv at \(testPython): run scripts/test.sh")
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/management_client.py").path
        let result = try runProcess(
            testPython, [script, publishSettings, server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", server.folder.path],
            environment: ["REQUESTS_CA_BUNDLE": "/nonexistent/ca.pem"])
        try #require(result.status == 0, "\(result.standardError)")
        return try JSONDecoder().decode(ClientReport.self, from: Data(result.standardOutput.utf8))
    }

    @Test("first run, publish settings, subscription, and add/list/get/delete of a management certificate")
    func clientFlows() throws {
        let server = try RunningServer()
        #expect(server.announcement.contains("https://127.0.0.1:\(server.port)"))
        #expect(server.announcement.contains("/tls/ca.pem"))
        let report = try runClient(server, publishSettings: server.data + "/admin.publishsettings")
        #expect(report.subscription.id == report.subscriptionId)
        #expect(report.subscription.name == "Default")
        #expect(report.subscription.status == "Active")
        #expect(report.subscription.serviceAdmin == "admin@localhost")
        #expect(report.subscription.maxCoreCount > 0 && !report.subscription.aadTenantId.isEmpty)
        #expect(report.listed.contains(report.added))
        #expect(report.got.thumbprint == report.added)
        #expect(report.got.publicKey == report.sent.publicKey)
        #expect(report.got.data == report.sent.data)
        #expect(report.got.created.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$"#, options: .regularExpression) != nil)
        #expect(report.afterDelete == 404)
    }

    @Test("cloud services through the real client: availability, create, list, get, update, delete")
    func cloudServices() throws {
        let server = try RunningServer()
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/cloud_service_client.py").path
        let result = try runProcess(
            testPython,
            [
                script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem",
                "127.0.0.1:\(server.port)", server.folder.path, "contoso-web",
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["availableBefore"] as? Bool == true)
        #expect(report["created"] as? String == "Succeeded")
        #expect(report["availableAfter"] as? Bool == false)
        #expect(report["listed"] as? [String] == ["contoso-web"])
        #expect(report["label"] as? String == "My label")
        #expect(report["description"] as? String == "A description")
        #expect(report["location"] as? String == "West US")
        #expect(report["status"] as? String == "Created")
        #expect(report["extended"] as? [String: String] == ["ext1": "val1", "ext2": "42"])
        #expect(report["deployments"] as? Bool == true, "no Deployments element without embed-detail")
        #expect(report["embeddedDeployments"] as? Int == 0, "an empty Deployments list with embed-detail=true")
        #expect(report["updatedLabel"] as? String == "New label")
        #expect(report["updatedExtended"] as? [String: String] == ["ext1": "changed", "ext2": "42", "ext3": "new"])
        #expect(report["deleted"] as? String == "Succeeded")
        #expect(report["afterDelete"] as? Int == 404)
        let locations = report["locations"] as? [[Any]] ?? []
        let first = locations.first ?? []
        #expect(first.count == 4 && first[0] as? String == "West US" && first[1] as? String == "West US")
        #expect(first.count == 4 && first[2] as? [String] == ["Compute", "Storage"] && first[3] as? [String] == ["ExtraSmall", "Small"], "\(first)")
        #expect(locations.count == 13, "\(locations)")
        let unknown = report["unknownLocation"] as? [Any] ?? []
        #expect(
            unknown.first as? Int == 400
                && (unknown.last as? String ?? "").contains("Atlantis is not one where this server creates cloud services: West US, East US"), "\(unknown)")
    }

    @Test("List Subscription Operations through the real client: every call once, the caller, a refusal as Failed, 100 a page, filters")
    func subscriptionOperations() throws {
        let server = try RunningServer()
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/subscription_operations_client.py").path
        let result = try runProcess(
            testPython, [script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", server.folder.path])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        // The first run's two administrative actions, then the client's 1 + 3 + 210 calls.
        #expect(report["count"] as? Int == 2 + 1 + 3 + 210 && report["pages"] as? Int == 3 && report["unique"] as? Bool == true, "\(report)")
        #expect(
            report["names"] as? [String: Int] == [
                "CreateSubscription": 1, "IssuePublishSettings": 1, "CreateCloudService": 1, "AddManagementCertificate": 107,
                "DeleteManagementCertificate": 106,
            ])
        let administrative = report["administrative"] as? [Any] ?? []
        #expect(administrative.first as? Bool == false && administrative.last as? String == "Succeeded", "an admin command's action, not the API's")
        let first = report["first"] as? [String: Any] ?? [:]
        #expect(first["id"] as? String == report["createRequestId"] as? String, "the operation id is the request id the client got")
        #expect(first["name"] as? String == "CreateCloudService" && first["status"] as? String == "Succeeded" && first["code"] as? Int == 201)
        #expect((first["objectId"] as? String ?? "").hasSuffix("/services/hostedservices/operations-web"))
        #expect(first["api"] as? Bool == true && first["thumbprint"] as? String == report["clientThumbprint"] as? String)
        #expect(first["user"] as? String == "admin@localhost" && first["statusId"] as? String == first["id"] as? String)
        #expect(!(first["started"] as? String ?? "").isEmpty && !(first["completed"] as? String ?? "").isEmpty)
        let failed = report["failed"] as? [[Any]] ?? []
        #expect(failed.count == 1 && failed.first?.first as? String == "AddManagementCertificate" && failed.first?.last as? Int == 409, "\(failed)")
        #expect(report["serviceOperations"] as? [String] == ["CreateCloudService"])
        #expect(report["badTime"] as? Int == 400)
    }

    @Test("service certificates through the real client: pfx, cer, an old Windows pfx, a wrong password; no plaintext key at rest")
    func serviceCertificates() throws {
        let server = try RunningServer()
        let home = server.folder.file("home")
        let made = try runProcess(
            thumbprintExecutable,
            [
                "cert", "new", "--dns-name", "www.contoso.com", "--pfx", "svc.pfx", "--pfx-profile", "legacy",
                "--password-env", "PFX_PASSWORD",
            ],
            environment: ["THUMBPRINT_HOME": home, "PFX_PASSWORD": "upload-secret"], currentDirectory: server.folder.path)
        try #require(made.status == 0)
        let partner = try makeTestBundle(["partner.contoso.com"])
        try Data(partner.cerBytes).write(to: URL(fileURLWithPath: server.folder.file("partner.cer")))
        try Data(try Fixtures.windowsServicePFX()).write(to: URL(fileURLWithPath: server.folder.file("windows.pfx")))

        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/service_certificate_client.py").path
        let result = try runProcess(
            testPython,
            [
                script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)",
                server.folder.path, "contoso-certs", server.folder.file("svc.pfx"), "upload-secret",
                server.folder.file("partner.cer"), server.folder.file("windows.pfx"),
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let outcomes = try #require(report["outcomes"] as? [String: [Any]])
        #expect(outcomes["pfx"]?.first as? String == "Succeeded")
        #expect(outcomes["cer"]?.first as? String == "Succeeded")
        #expect(outcomes["windows"]?.first as? String == "Succeeded")
        #expect(outcomes["wrongPassword"]?.first as? String == "Failed")
        #expect((outcomes["wrongPassword"]?.last as? String)?.contains("password") == true)

        let listed = try #require(report["listed"] as? [[String: String]])
        #expect(listed.count == 3)
        let uploaded = try PKCS12Reader.read([UInt8](Data(contentsOf: URL(fileURLWithPath: server.folder.file("svc.pfx")))), password: "upload-secret")
        let entry = try #require(listed.first { $0["thumbprint"] == uploaded.thumbprint.description })
        #expect(entry["algorithm"] == "sha1")
        #expect(entry["data"] == Data(uploaded.cerBytes).base64EncodedString())
        #expect(entry["url"]?.hasSuffix("/contoso-certs/certificates/sha1-\(uploaded.thumbprint)") == true)
        #expect(listed.contains { $0["thumbprint"] == "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2" })
        let got = try #require(report["got"] as? [String: String])
        #expect(got["url"] == "" && got["thumbprint"] == "" && got["algorithm"] == "", "Get answers only Data")
        #expect(report["deleted"] as? String == "Succeeded")
        #expect(report["afterDelete"] as? Int == 404)

        // The database holds no plaintext private key: neither the DER nor the PEM form.
        let key = try #require(uploaded.privateKey)
        let pemBody = key.pkcs8PEM.split(separator: "\n").dropFirst().dropLast().joined()
        for file in ["thumbprint.sqlite", "thumbprint.sqlite-wal"] where FileManager.default.fileExists(atPath: server.data + "/" + file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: server.data + "/" + file))
            #expect(bytes.range(of: Data(key.pkcs8)) == nil, "\(file) holds the DER key")
            #expect(bytes.range(of: Data(pemBody.prefix(64).utf8)) == nil, "\(file) holds the PEM key")
        }
    }

    @Test("admin commands on the running server's data folder take effect at once; each publish-settings file works")
    func administrationWhileRunning() throws {
        let server = try RunningServer()
        let admin = { (command: [String], arguments: [String]) throws -> ProcessResult in
            // The issue's spelling: `thumbprint admin --data-dir DIR user add EMAIL`.
            try runProcess(thumbprintExecutable, ["admin", "--data-dir", server.data] + command + arguments)
        }
        #expect(try admin(["user", "add"], ["ops@contoso.com"]).status == 0)
        let id = "0f9a3c1e-1111-4222-8333-944455556666"
        let created = try admin(["subscription", "create"], ["--name", "Operations", "--admin", "ops@contoso.com", "--id", id])
        #expect(created.status == 0, "\(created.standardError)")
        #expect(created.lastLine == id)
        let first = server.folder.file("ops-1.publishsettings")
        let second = server.folder.file("ops-2.publishsettings")
        for path in [first, second] {
            let issued = try admin(["publish-settings"], ["--user", "ops@contoso.com", "--out", path])
            #expect(issued.status == 0, "\(issued.standardError)")
        }
        #expect(try String(contentsOfFile: first, encoding: .utf8).contains("ServiceManagementUrl=\"https://127.0.0.1:\(server.port)\""))
        for path in [first, second] {
            let report = try runClient(server, publishSettings: path)
            #expect(report.subscriptionId == id)
            #expect(report.subscription.name == "Operations")
        }
        let audit = try admin(["audit"], ["--subscription", id, "--json"])
        #expect(audit.standardOutput.contains("AddManagementCertificate"))
        #expect(audit.standardOutput.contains("IssuePublishSettings"))
        #expect(audit.standardOutput.contains("\"subscription\" : \"\(id)\""), "ids are plain strings: \(audit.standardOutput)")
        #expect(!audit.standardOutput.contains("rawValue"), "\(audit.standardOutput)")
        #expect(try admin(["user", "add"], ["not-an-address"]).status == 2)
    }
}
