import Foundation
import TestSupport
import Testing

@Suite("Role instances through the real Python client")
struct RoleInstanceTests {
    @Test(
        "Reboot and Reimage Role Instance: the instance comes back ReadyRole, a reimage empties its stores and reinstalls what is declared, and the load balancer keeps serving"
    )
    func rebootAndReimage() throws {
        let (server, old, _, package) = try DeploymentFixture.prepared()
        let folder = server.folder
        try DeploymentFixture.configuration(thumbprint: old, count: 2).write(toFile: folder.file("two.cscfg"), atomically: true, encoding: .utf8)
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/role_instance_client.py").path
        let result = try runProcess(
            testPython,
            [
                script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", folder.path,
                "file://" + package, folder.file("old.pfx"), "deploy-secret", folder.file("two.cscfg"), server.data,
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["reboot"] as? String == "Succeeded" && report["reimage"] as? String == "Succeeded")
        for key in ["afterReboot", "afterReimage"] {
            let states = (report[key] as? [String: [Any]] ?? [:]).mapValues { $0.first as? String ?? "" }
            #expect(states == ["WebRole_IN_0": "ReadyRole", "WebRole_IN_1": "ReadyRole"], "\(key): \(states)")
        }
        #expect((report["storeBefore"] as? [String] ?? []).contains("left-by-hand.txt"))
        let after = report["storeAfter"] as? [String] ?? []
        #expect(
            !after.contains("left-by-hand.txt") && after.contains("\(old).cer"), "a reimage empties the stores and installs the declared certificate: \(after)")
        #expect(report["servedDirect"] as? [String] == [old])
        #expect(
            report["failures"] as? Int == 0 && (report["connections"] as? Int ?? 0) > 10, "connections through the load balancer: \(report["connections"] ?? 0)"
        )
        let unknown = report["unknown"] as? [Any] ?? []
        #expect(unknown.first as? Int == 404 && (unknown.last as? String ?? "").contains("WebRole_IN_9"), "\(unknown)")
        #expect(report["delete"] as? String == "Succeeded" && report["afterDelete"] as? [String] == ["WebRole_IN_1"])
        #expect(report["countAfterDelete"] as? Bool == true, "the configuration's instance count dropped")
        #expect(report["afterScaleUp"] as? [String] == ["WebRole_IN_1", "WebRole_IN_2"], "a deleted instance's name is not used again")
        let deleteAll = report["deleteAll"] as? [Any] ?? []
        #expect(deleteAll.first as? Int == 400 && (deleteAll.last as? String ?? "").contains("no instance left"), "\(deleteAll)")
        #expect(report["afterDeleteAll"] as? [String] == ["WebRole_IN_1", "WebRole_IN_2"], "a refused delete changes nothing")
    }
}

@Suite("Upgrades through the real Python client")
struct UpgradeTests {
    @Test(
        "an Auto upgrade of a 2-domain, 4-instance deployment under continuous fresh HTTPS connections fails none; UpgradeStatus while it runs; Simultaneous back"
    )
    func upgradeWithoutDowntime() throws {
        // Each domain waits 0.3 s with its instances out of service, so that the client sees UpgradeStatus.
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_PAUSE_AT"] = "deployment-upgrade-domain"
        environment["THUMBPRINT_PAUSE_SECONDS"] = "0.3"
        let (server, old, _, _) = try DeploymentFixture.prepared(environment: environment)
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/upgrade_client.py").path
        let result = try runProcess(
            testPython,
            [
                script, server.data + "/admin.publishsettings", server.data + "/tls/ca.pem", "127.0.0.1:\(server.port)", server.folder.path,
                server.folder.file("old.pfx"), "deploy-secret", old, server.data,
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["domainCount"] as? Int == 2 && report["domains"] as? [Int] == [0, 1, 0, 1], "\(report["domains"] ?? "")")
        #expect(report["idleStatus"] as? Bool == true && report["idleAfter"] as? Bool == true, "no UpgradeStatus when idle")
        #expect(report["before"] as? [String] == ["v1", "v1", "v1", "v1"])
        #expect(report["auto"] as? String == "Succeeded" && report["afterAuto"] as? [String] == ["v2", "v2", "v2", "v2"])
        #expect(report["simultaneous"] as? String == "Succeeded" && report["afterSimultaneous"] as? [String] == ["v1", "v1", "v1", "v1"])
        #expect(report["failureCount"] as? Int == 0, "failed connections: \(report["failures"] ?? "")")
        #expect((report["connections"] as? Int ?? 0) > 20 && report["versionsSeen"] as? [String] == ["v1", "v2"], "\(report["connections"] ?? 0)")
        let seen = report["upgradeStatusSeen"] as? [[Any]] ?? []
        #expect(!seen.isEmpty && seen.allSatisfy { $0.first as? String == "Auto" && $0.dropFirst().first as? String == "During" }, "\(seen)")
        #expect(Set(seen.compactMap { $0.last as? String }) == ["0", "1"], "both domains reported in turn: \(seen)")
        #expect(report["label"] as? String == "v1")
        // Manual: waits before domain 0; walking moves exactly that domain; a rollback returns it.
        let message = { (key: String) -> String in ((report[key] as? [Any])?.last as? String) ?? "" }
        #expect(report["manual"] as? String == "Succeeded")
        #expect("\(report["manualWaiting"] ?? "")" == "\([["Manual", "Before", "0"], ["v1", "v1", "v1", "v1"]] as [Any])", "\(report["manualWaiting"] ?? "")")
        #expect(report["walk0"] as? String == "Succeeded")
        #expect("\(report["afterWalk0"] ?? "")" == "\([["Manual", "Before", "1"], ["v1", "v1", "v2", "v2"]] as [Any])", "\(report["afterWalk0"] ?? "")")
        #expect(message("walkAgain").contains("next upgrade domain to walk is 1"), "\(report["walkAgain"] ?? "")")
        #expect(message("configDuring").contains("manual upgrade"), "\(report["configDuring"] ?? "")")
        #expect(report["rollback"] as? String == "Succeeded")
        #expect("\(report["afterRollback"] ?? "")" == "\([NSNull(), ["v1", "v1", "v1", "v1"]] as [Any])", "\(report["afterRollback"] ?? "")")
        #expect(message("rollbackNone").contains("No upgrade"), "\(report["rollbackNone"] ?? "")")
        #expect(report["walkBoth"] as? [String] == ["Succeeded", "Succeeded"])
        #expect(
            "\(report["afterManual"] ?? "")" == "\([NSNull(), ["v2", "v2", "v2", "v2"], "v2"] as [Any])",
            "\(report["afterManual"] ?? "")")
        #expect(message("walkOutOfRange").contains("has 2 upgrade domains"), "\(report["walkOutOfRange"] ?? "")")
        #expect((report["roleToUpgrade"] as? [Any])?.first as? Int == 400 && message("roleToUpgrade").contains("RoleToUpgrade"))
    }
}

@Suite("Upgrades and role instances from the command line")
struct UpgradeCommandTests {
    @Test("deployment upgrade (progress per domain), walk, rollback, reboot, reimage, remove-instances; locations; operations")
    func commands() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["THUMBPRINT_PAUSE_AT"] = "deployment-upgrade-domain"
        environment["THUMBPRINT_PAUSE_SECONDS"] = "0.4"
        let (server, old, _, package) = try DeploymentFixture.prepared(environment: environment)
        let folder = server.folder
        try DeploymentFixture.configuration(thumbprint: old, count: 2).write(toFile: folder.file("two.cscfg"), atomically: true, encoding: .utf8)
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let run = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(
                thumbprintExecutable, arguments + connection, environment: ["THUMBPRINT_HOME": folder.file("home"), "PFX_PASSWORD": "deploy-secret"],
                currentDirectory: folder.path)
        }
        let target = ["--service", "cli1"]
        #expect(try run(["service", "create", "cli1"]).status == 0)
        #expect(try run(["service", "cert", "add", "--service", "cli1", "old.pfx", "--password-env", "PFX_PASSWORD"]).status == 0)
        let created = try run(["deployment", "create", "--package", package, "--configuration", "two.cscfg"] + target)
        try #require(created.status == 0, "\(created.standardError)")

        let auto = try run(["deployment", "upgrade", "--package", package] + target)
        #expect(auto.status == 0, "\(auto.standardError)")
        #expect(auto.standardError.contains("upgrade domain 0: During") && auto.standardError.contains("upgrade domain 1: During"), "\(auto.standardError)")

        let manual = try run(["deployment", "upgrade", "--package", package, "--mode", "manual"] + target)
        #expect(manual.status == 0 && manual.standardError.contains("thumbprint deployment walk --domain N"), "\(manual.standardError)")
        let wrong = try run(["deployment", "walk", "--domain", "1"] + target)
        #expect(wrong.status == 1 && wrong.standardError.contains("next upgrade domain to walk is 0"), "\(wrong.standardError)")
        #expect(try run(["deployment", "walk", "--domain", "0"] + target).status == 0)
        let rolledBack = try run(["deployment", "rollback"] + target)
        #expect(rolledBack.status == 0 && rolledBack.standardOutput.contains("from before the upgrade"), "\(rolledBack.standardError)")

        #expect(try run(["deployment", "reboot", "WebRole_IN_0"] + target).standardOutput.contains("WebRole_IN_0 is running again"))
        #expect(try run(["deployment", "reimage", "WebRole_IN_1"] + target).status == 0)
        let unknown = try run(["deployment", "reboot", "WebRole_IN_9"] + target)
        #expect(unknown.status == 1 && unknown.standardError.contains("no running role instance named WebRole_IN_9"), "\(unknown.standardError)")
        #expect(try run(["deployment", "remove-instances", "WebRole_IN_1"] + target).status == 0)
        let shown = try run(["deployment", "show", "--json"] + target)
        #expect(shown.standardOutput.contains("WebRole_IN_0") && !shown.standardOutput.contains("WebRole_IN_1"), "\(shown.standardOutput)")

        let locations = try run(["locations"])
        #expect(locations.standardOutput.contains("West US  (Compute, Storage)"), "\(locations.standardOutput)")
        let operations = try run(["operations", "--json"])
        for name in ["UpgradeDeployment", "WalkUpgradeDomain", "RollbackUpdateOrUpgrade", "RebootRoleInstance", "ReimageRoleInstance", "DeleteRoleInstances"] {
            #expect(operations.standardOutput.contains("\"name\" : \"\(name)\""), "\(name) in \(operations.standardOutput.prefix(400))")
        }
        #expect(try run(["operations", "--since", "yesterday"]).status == 2)
    }
}
