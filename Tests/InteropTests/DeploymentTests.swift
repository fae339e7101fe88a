import Foundation
import TestSupport
import Testing

/// A deployment's files: the package (built with Python's zipfile, as any zip tool would) and
/// configurations, for role `WebRole` with one https endpoint serving certificate `SSL`.
enum DeploymentFixture {
    static let definition = """
        <?xml version="1.0" encoding="utf-8"?>
        <ServiceDefinition name="deploy1" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
          <WebRole name="WebRole" vmsize="Small">
            <Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
            <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates>
          </WebRole>
        </ServiceDefinition>
        """

    static func configuration(thumbprint: String, count: Int) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <ServiceConfiguration serviceName="deploy1" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
          <Role name="WebRole">
            <Instances count="\(count)" />
            <Certificates><Certificate name="SSL" thumbprint="\(thumbprint)" thumbprintAlgorithm="sha1" /></Certificates>
          </Role>
        </ServiceConfiguration>
        """
    }

    /// Writes a package holding the definition (in a subfolder) and a static file for the role.
    static func writePackage(to path: String) throws {
        let result = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    z.writestr("app/ServiceDefinition.csdef", sys.argv[2])
                    z.writestr("app/WebRole/hello.txt", "hello from the package\\n")
                """, path, definition,
            ])
        try #require(result.status == 0, "\(result.standardError)")
    }

    /// Two certificates for www.contoso.net, as .pfx files; returns their thumbprints.
    static func makeCertificates(in folder: TemporaryDirectory, home: String) throws -> (old: String, new: String) {
        var thumbprints: [String] = []
        for name in ["old", "new"] {
            let made = try runProcess(
                thumbprintExecutable, ["cert", "new", "--dns-name", "www.contoso.net", "--pfx", "\(name).pfx", "--password-env", "PFX_PASSWORD"],
                environment: ["THUMBPRINT_HOME": home, "PFX_PASSWORD": "deploy-secret"], currentDirectory: folder.path)
            try #require(made.status == 0, "\(made.standardError)")
            thumbprints.append(made.lastLine)
        }
        return (thumbprints[0], thumbprints[1])
    }

    /// A running server, two certificates in its folder and the package in its packages folder.
    static func prepared(environment: [String: String]? = nil) throws -> (server: PythonClientTests.RunningServer, old: String, new: String, package: String) {
        try #require(FileManager.default.isExecutableFile(atPath: testPython), "no Python venv at \(testPython): run scripts/test.sh")
        let server = try PythonClientTests.RunningServer(environment: environment)
        let (old, new) = try makeCertificates(in: server.folder, home: server.folder.file("home"))
        let package = server.data + "/packages/app.cspkg"
        try writePackage(to: package)
        return (server, old, new, package)
    }
}

@Suite("Deployments through the real Python client", .serialized)
struct DeploymentTests {
    @Test("create, instances ReadyRole with their stores, served thumbprint, rotation, scale, a refused change, suspend, delete")
    func lifecycle() throws {
        let (server, old, new, package) = try DeploymentFixture.prepared()
        let folder = server.folder
        let files: [(String, String)] = [
            ("old.cscfg", DeploymentFixture.configuration(thumbprint: old.lowercased(), count: 2)),
            ("new.cscfg", DeploymentFixture.configuration(thumbprint: new, count: 2)),
            ("three.cscfg", DeploymentFixture.configuration(thumbprint: new, count: 3)),
            ("unknown.cscfg", DeploymentFixture.configuration(thumbprint: String(repeating: "AB", count: 20), count: 3)),
        ]
        for (name, text) in files { try text.write(toFile: folder.file(name), atomically: true, encoding: .utf8) }

        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/deployment_client.py").path
        let result = try runProcess(
            testPython,
            [
                script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", folder.path, "web1",
                "file://" + package, folder.file("old.pfx"), folder.file("new.pfx"), "deploy-secret",
                folder.file("old.cscfg"), folder.file("new.cscfg"), folder.file("three.cscfg"), folder.file("unknown.cscfg"),
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        func status(_ key: String) -> String? { (report[key] as? [Any])?.first as? String }

        #expect(status("uploadOld") == "Succeeded" && status("uploadNew") == "Succeeded")
        #expect(status("create") == "Succeeded", "\(report["create"] ?? "")")
        #expect(report["slot"] as? String == "Production")
        #expect(report["label"] as? String == "first label")
        #expect(report["status"] as? String == "Running")
        #expect(report["configurationEcho"] as? Bool == true)
        #expect(report["extended"] as? [String: String] == ["dep1": "one", "dep2": "two"])
        #expect(report["roles"] as? [String] == ["WebRole"])
        let instances = report["instances"] as? [[String]]
        #expect(instances == [["WebRole", "WebRole_IN_0", "Small", "Started"], ["WebRole", "WebRole_IN_1", "Small", "Started"]])
        let endpoint = report["endpoint"] as? [String: Any]
        #expect(endpoint?["name"] as? String == "HttpsIn")
        #expect(endpoint?["vip"] as? String == "127.0.0.1")
        let localPorts = report["localPorts"] as? [Int] ?? []
        #expect(localPorts.count == 2 && Set(localPorts).count == 2 && !localPorts.contains(endpoint?["publicPort"] as? Int ?? -1))
        #expect(report["servedBefore"] as? String == old, "the endpoint serves the uploaded certificate")
        #expect(report["pageNamesRole"] as? Bool == true)
        #expect(report["bySlot"] as? String == "dep1")
        #expect(report["staticFile"] as? String == "hello from the package\n", "the role's static files from the package are served")
        #expect(report["traversal"] as? String == "HTTP/1.1 404 Not Found")
        #expect(status("refusedCreate") == "Failed")
        let createRefusal = (report["refusedCreate"] as? [Any])?.last as? String ?? ""
        #expect(createRefusal.contains(String(repeating: "AB", count: 20)), "\(createRefusal)")
        #expect(report["stagingAfterRefusal"] as? Int == 404, "a refused create leaves no deployment behind")
        let refusedDelete = report["delete_in_use"] as? String ?? ""
        #expect(
            refusedDelete.contains("ConflictError") && refusedDelete.contains("dep1"), "deleting a certificate in use names the deployment: \(refusedDelete)")

        #expect(status("changeNew") == "Succeeded")
        #expect(report["servedAfter"] as? String == new, "a new connection gets the new certificate once the change succeeded")
        #expect(status("changeThree") == "Succeeded")
        #expect(report["instancesAfterScale"] as? Int == 3)
        #expect(status("changeUnknown") == "Failed")
        let refusal = (report["changeUnknown"] as? [Any])?.last as? String ?? ""
        #expect(refusal.contains(String(repeating: "AB", count: 20)), "the refusal names the thumbprint: \(refusal)")
        #expect(report["configurationKept"] as? Bool == true)
        #expect(report["servedAfterRefusal"] as? String == new)
        #expect(report["embedded"] as? [String] == ["dep1"])
        let embedded = report["embeddedInstances"] as? [[Any]] ?? []
        #expect(embedded.count == 3 && "\(embedded)" == "\(report["directInstances"] ?? "")", "embed-detail carries the instances and endpoints: \(embedded)")
        #expect(report["embeddedConfiguration"] as? Bool == true)
        #expect(status("suspend") == "Succeeded")
        #expect(report["suspendedStatus"] as? String == "Suspended")
        #expect(report["suspendedInstances"] as? [String] == ["StoppedVM"])
        #expect(status("resume") == "Succeeded")
        #expect(report["addressStable"] as? Bool == true, "the public address survives suspend and resume")
        let foreign = report["foreignPackage"] as? String ?? ""
        #expect(foreign.hasPrefix("400") && foreign.contains("loopback"), "a package URL on another host is refused: \(foreign)")
        #expect(status("createStaging") == "Succeeded", "a package downloaded from loopback: \(report["createStaging"] ?? "")")
        // Created with StartDeployment=false: Suspended, its instances listed.
        let suspendedStaging = report["stagingCreatedSuspended"] as? [Any]
        #expect(suspendedStaging?.first as? String == "Suspended")
        #expect(suspendedStaging?.last as? [String] == ["StoppedVM", "StoppedVM"])
        #expect(status("startStaging") == "Succeeded")
        #expect(status("swap") == "Succeeded")
        #expect(report["productionAfterSwap"] as? [String] == ["dep3", "Production"])
        #expect(report["stagingAfterSwap"] as? String == "dep1")
        #expect(report["productionAddressServesSwapped"] as? Bool == true, "the production address now reaches the swapped-in deployment")
        #expect(status("deleteStaging") == "Succeeded")
        #expect(status("delete") == "Succeeded")
        #expect(report["afterDelete"] as? Int == 404)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: server.data + "/deployments")) ?? []
        #expect(leftovers.isEmpty, "a deleted deployment leaves no files: \(leftovers)")
    }
}

@Suite("Certificate rotation without a failed request", .serialized)
struct RotationTests {
    @Test("under continuous fresh TLS connections, a thumbprint change fails none and reaches every instance at once")
    func rotationUnderLoad() throws {
        let (server, old, new, package) = try DeploymentFixture.prepared()
        let folder = server.folder
        try DeploymentFixture.configuration(thumbprint: old, count: 3).write(toFile: folder.file("old.cscfg"), atomically: true, encoding: .utf8)
        try DeploymentFixture.configuration(thumbprint: new, count: 3).write(toFile: folder.file("new.cscfg"), atomically: true, encoding: .utf8)

        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/rotation_client.py").path
        let result = try runProcess(
            testPython,
            [
                script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", folder.path, "rot1",
                "file://" + package, folder.file("old.pfx"), folder.file("new.pfx"), "deploy-secret",
                folder.file("old.cscfg"), folder.file("new.cscfg"), server.data, "4",
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])

        print(
            "rotation report: connections \(report["connections"] ?? ""), change \(report["changeSeconds"] ?? "") s, new seen \(report["newSeen"] ?? ""), old after success \(report["oldServedAfterSuccessSeconds"] ?? "none")"
        )
        #expect(report["instances"] as? Int == 3)
        #expect(report["failureCount"] as? Int == 0, "failed connections: \(report["failures"] ?? "")")
        #expect((report["connections"] as? Int ?? 0) > 50, "the load kept going: \(report["connections"] ?? "")")
        #expect(report["directAfterSuccess"] as? [String] == [new], "every instance serves the new certificate once the change succeeded")
        #expect((report["newSeen"] as? Int ?? 0) > 0)
        if let late = report["oldServedAfterSuccessSeconds"] as? Double {
            #expect(late < 1.0, "the old certificate was still served \(late) s after the change succeeded")
        }
        #expect(report["heldThumbprint"] as? String == old)
        #expect(report["heldAnswer"] as? String == "HTTP/1.1 200 OK", "a connection opened before the change finishes normally")

        let before = report["storesBefore"] as? [String: [String: Any]] ?? [:]
        #expect(before.keys.sorted() == ["WebRole_IN_0", "WebRole_IN_1", "WebRole_IN_2"])
        for (instance, store) in before {
            #expect(store[old] as? String == "0o600", "\(instance) holds the certificate with its key sealed, 0600, in LocalMachine\\My: \(store)")
        }
        let after = report["storesAfter"] as? [String: [String: Any]] ?? [:]
        for (instance, store) in after {
            #expect(Set(store.keys) == [old, new], "\(instance): the old certificate stays until it is deleted: \(store.keys)")
        }
        let deleted = report["storesAfterDelete"] as? [String: [String: Any]] ?? [:]
        for (instance, store) in deleted {
            #expect(Array(store.keys) == [new], "\(instance): deleting the old certificate removes it from the stores")
        }
    }
}

@Suite("Deployments survive a server restart", .serialized)
struct DeploymentRestartTests {
    @Test("a running deployment runs again, serving its certificate, when the server starts on the same data folder")
    func restart() throws {
        let folder = try TemporaryDirectory()
        let home = folder.file("home")
        var server: PythonClientTests.RunningServer? = try PythonClientTests.RunningServer(folder: folder)
        let data = folder.file("data")
        let connection = ["--publish-settings", data + "/admin.publishsettings", "--ca", data + "/tls/ca.pem"]
        let run = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(
                thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": home, "PFX_PASSWORD": "deploy-secret"],
                currentDirectory: folder.path)
        }
        let (old, _) = try DeploymentFixture.makeCertificates(in: folder, home: home)
        try DeploymentFixture.writePackage(to: data + "/packages/app.cspkg")
        try DeploymentFixture.configuration(thumbprint: old, count: 2).write(toFile: folder.file("app.cscfg"), atomically: true, encoding: .utf8)
        try #require(try run(["service", "create", "again"] + connection).status == 0)
        try #require(try run(["service", "cert", "add", "--service", "again", "old.pfx", "--password-env", "PFX_PASSWORD"] + connection).status == 0)
        let created = try run(
            ["deployment", "create", "--service", "again", "--package", data + "/packages/app.cspkg", "--configuration", "app.cscfg"] + connection)
        try #require(created.status == 0, "\(created.standardError)")

        let before = try #require(created.standardOutput.split(separator: "\n").first { $0.hasPrefix("Endpoint") })
        let port = try #require(server?.port)
        server?.process.terminate()
        server?.process.waitUntilExit()
        server = nil
        let restarted = try PythonClientTests.RunningServer(folder: folder, readyWhen: "listening on https://127.0.0.1:", port: port)
        let shown = try run(["deployment", "show", "--service", "again", "--json"] + connection)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.components(separatedBy: "\"status\" : \"ReadyRole\"").count - 1 == 2, "\(shown.standardOutput)")
        let address = try #require(shown.standardOutput.split(separator: "\n").first { $0.contains("\"address\"") })
        let publicPort = try #require(address.split(separator: ":").last.flatMap { Int($0.filter(\.isNumber)) })
        #expect(before.hasSuffix(":\(publicPort)"), "the endpoint keeps its address across the restart: \(before) → \(publicPort)")
        let served = try runProcess(
            "/usr/bin/env", ["sh", "-c", "openssl s_client -connect 127.0.0.1:\(publicPort) </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha1"])
        #expect(served.standardOutput.replacingOccurrences(of: ":", with: "").contains(old), "\(served.standardOutput)")
        withExtendedLifetime(restarted) {}
    }
}

@Suite("thumbprint deployment: the seed's story from the command line", .serialized)
struct DeploymentCommandTests {
    @Test("a developer deploys a package naming a certificate; the certificate manager renews it by changing only the thumbprint")
    func story() throws {
        let server = try PythonClientTests.RunningServer()
        let folder = server.folder
        let home = folder.file("home")
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let run = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(
                thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": home, "PFX_PASSWORD": "deploy-secret"],
                currentDirectory: folder.path)
        }
        let (old, new) = try DeploymentFixture.makeCertificates(in: folder, home: home)
        try DeploymentFixture.writePackage(to: server.data + "/packages/app.cspkg")
        try DeploymentFixture.configuration(thumbprint: old, count: 2).write(toFile: folder.file("app.cscfg"), atomically: true, encoding: .utf8)
        try DeploymentFixture.configuration(thumbprint: new, count: 2).write(toFile: folder.file("renewed.cscfg"), atomically: true, encoding: .utf8)

        try #require(try run(["service", "create", "shop"] + connection).status == 0)
        let uploaded = try run(["service", "cert", "add", "--service", "shop", "old.pfx", "--password-env", "PFX_PASSWORD"] + connection)
        try #require(uploaded.status == 0, "\(uploaded.standardError)")

        let created = try run(
            [
                "deployment", "create", "--service", "shop", "--package", server.data + "/packages/app.cspkg",
                "--configuration", "app.cscfg",
            ] + connection)
        #expect(created.status == 0, "\(created.standardError)")
        #expect(created.standardError.contains("Deploying production to shop") && created.standardError.contains("succeeded"))
        #expect(created.standardOutput.contains("Certificate WebRole/SSL  \(old)"), "\(created.standardOutput)")
        let address = created.standardOutput.split(separator: "\n").first { $0.hasPrefix("Endpoint") }.map(String.init) ?? ""
        #expect(address.contains("HttpsIn https://127.0.0.1:"), "\(created.standardOutput)")

        // Before the renewed certificate is uploaded, its configuration is refused and nothing changes.
        let early = try run(["deployment", "set-config", "--service", "shop", "--configuration", "renewed.cscfg"] + connection)
        #expect(early.status == 1)
        #expect(early.standardError.contains(new), "the refusal names the missing thumbprint: \(early.standardError)")

        let renewed = try run(["service", "cert", "add", "--service", "shop", "new.pfx", "--password-env", "PFX_PASSWORD"] + connection)
        try #require(renewed.status == 0)
        let changed = try run(["deployment", "set-config", "--service", "shop", "--configuration", "renewed.cscfg", "--json"] + connection)
        #expect(changed.status == 0, "\(changed.standardError)")
        #expect(changed.standardOutput.contains("\"WebRole/SSL\" : \"\(new)\""))
        #expect(changed.standardOutput.contains("\"status\" : \"ReadyRole\""))
        let again = try run(["deployment", "set-config", "--service", "shop", "--configuration", "renewed.cscfg"] + connection)
        #expect(again.status == 0)
        #expect(again.standardError.contains("already runs; nothing was changed"), "an unchanged configuration is said so: \(again.standardError)")
        #expect(!again.standardError.contains("operation"), "no operation was run: \(again.standardError)")

        let shown = try run(["deployment", "show", "--service", "shop", "--name", "production"] + connection)
        #expect(shown.standardOutput.contains("WebRole_IN_1"), "\(shown.standardOutput)")
        #expect(try run(["deployment", "set-status", "--service", "shop", "suspended"] + connection).status == 0)
        #expect(try run(["deployment", "show", "--service", "shop", "--json"] + connection).standardOutput.contains("\"status\" : \"StoppedVM\""))
        let refusedDelete = try run(["service", "delete", "shop"] + connection)
        #expect(refusedDelete.status == 1 && refusedDelete.standardError.contains("delete its deployments first"))
        #expect(try run(["deployment", "delete", "--service", "shop"] + connection).status == 0)
        #expect(try run(["deployment", "show", "--service", "shop"] + connection).standardError.contains("No deployments were found"))
        #expect(try run(["service", "delete", "shop"] + connection).status == 0)
    }
}
