import Foundation
import TestSupport
import Testing

/// The portal in Debian's Chromium, driven by Playwright (python/portal_browser.py), against a
/// real server on loopback; the deployment is created through the API by the real Python client.
@Suite("The portal in a real browser")
struct PortalBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let markupName = "<img src=x onerror=alert(1)>"

    /// Runs `thumbprint admin` on the server's data folder; its last line of output.
    func admin(_ server: PythonClientTests.RunningServer, _ arguments: [String]) throws -> String {
        let result = try runProcess(thumbprintExecutable, ["admin", "--data-dir", server.data] + arguments)
        try #require(result.status == 0, "admin \(arguments): \(result.standardError)")
        return result.lastLine
    }

    /// A key and self-signed certificate made by openssl: (key PEM, certificate PEM, certificate DER, thumbprint).
    func openSSLCertificate(_ name: String, in folder: TemporaryDirectory) throws -> (key: String, pem: String, cer: String, thumbprint: String) {
        let (key, pem, cer) = (folder.file("\(name).key.pem"), folder.file("\(name).pem"), folder.file("\(name).cer"))
        let made = try runProcess(
            "/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem, "-subj", "/CN=\(name)", "-days", "30"])
        try #require(made.status == 0, "\(made.standardError)")
        let der = try runProcess("/usr/bin/openssl", ["x509", "-in", pem, "-outform", "der", "-out", cer])
        try #require(der.status == 0, "\(der.standardError)")
        let fingerprint = try runProcess("/usr/bin/openssl", ["x509", "-in", pem, "-noout", "-fingerprint", "-sha1"])
        let thumbprint = String(fingerprint.lastLine.split(separator: "=").last ?? "").replacingOccurrences(of: ":", with: "")
        return (key, pem, cer, thumbprint)
    }

    @Test(
        "invitation, sign-in, uploads, renewing a running deployment's certificate; wrong password, lockout, CSRF, roles, another subscription, sign-out, markup as text"
    )
    func portalStory() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.chromium), "no Chromium at \(Self.chromium): run scripts/test.sh")
        let (server, old, new, package) = try DeploymentFixture.prepared()
        let folder = server.folder
        let invitation = try #require(
            server.announcement.range(of: #"https://127\.0\.0\.1:\d+/invitation/[A-Za-z0-9_-]{43}"#, options: .regularExpression)
                .map { String(server.announcement[$0]) }, "the first run prints an invitation link: \(server.announcement)")
        let listed = try runProcess(thumbprintExecutable, ["admin", "--data-dir", server.data, "subscription", "list", "--json"])
        let subscriptions = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        let defaultID = try #require(subscriptions.first?["id"] as? String)

        var invitations: [String: String] = [:]
        for (user, role) in [("reader", "reader"), ("deployer", "deployer"), ("manager", "certificate-manager")] {
            _ = try admin(server, ["user", "add", "\(user)@contoso.com"])
            _ = try admin(server, ["subscription", "add-user", defaultID, "\(user)@contoso.com", "--role", role])
            invitations[user] = try admin(server, ["user", "invite", "\(user)@contoso.com"])
        }
        _ = try admin(server, ["user", "add", "other@contoso.com"])
        let other = try admin(server, ["subscription", "create", "--name", "Other", "--admin", "other@contoso.com"])
        let markup = try admin(server, ["subscription", "create", "--name", Self.markupName, "--admin", "admin@localhost"])

        let management = try openSSLCertificate("portal-management", in: folder)
        let manager = try openSSLCertificate("portal-manager", in: folder)
        try DeploymentFixture.configuration(thumbprint: old, count: 2).write(toFile: folder.file("old.cscfg"), atomically: true, encoding: .utf8)
        let screenshots = folder.file("screenshots")
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "baseURL": "https://127.0.0.1:\(server.port)", "host": "127.0.0.1:\(server.port)", "work": folder.path, "chromium": Self.chromium,
            "publishSettings": server.data + "/admin.publishsettings", "caPEM": server.data + "/tls/ca.pem", "service": "portal-shop",
            "adminInvitation": invitation, "readerInvitation": invitations["reader"] ?? "", "deployerInvitation": invitations["deployer"] ?? "",
            "managerInvitation": invitations["manager"] ?? "", "managementCer": management.cer, "managementThumbprint": management.thumbprint,
            "managerCer": manager.cer, "managerCertPEM": manager.pem, "managerKeyPEM": manager.key,
            "oldPFX": folder.file("old.pfx"), "newPFX": folder.file("new.pfx"), "pfxPassword": "deploy-secret",
            "oldThumbprint": old, "newThumbprint": new, "packageURL": "file://" + package, "oldConfiguration": folder.file("old.cscfg"),
            "markupName": Self.markupName, "markupSubscription": markup, "otherSubscription": other, "screenshots": screenshots,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder.file("portal.json")))
        let script = repositoryRoot.appendingPathComponent("Tests/InteropTests/python/portal_browser.py").path
        let result = try runProcess(testPython, [script, folder.file("portal.json")])
        try #require(result.status == 0, "\(result.standardError.suffix(4000))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let text = { (key: String) in report[key] as? String ?? "" }

        // The story.
        #expect(text("afterInvitation").hasSuffix("/sign-in?done=password"))
        #expect(report["invitationAgain"] as? Int == 404, "an invitation link works once")
        #expect(text("wrongPassword").contains("The email or the password is wrong."))
        #expect(report["signInAlert"] is NSNull || report["signInAlert"] == nil, "signed in: \(text("signInAlert"))")
        #expect(text("home").contains("Default") && text("home").contains("Service administrator"))
        let headers = report["headers"] as? [String: String] ?? [:]
        #expect(headers["content-security-policy"]?.contains("script-src 'none'") == true && headers["x-frame-options"] == "DENY")
        #expect(headers["referrer-policy"] == "no-referrer" && headers["cache-control"] == "no-store", "\(headers)")
        let badName = report["badServiceName"] as? [String] ?? []
        #expect(
            badName == ["-bad-name is not a cloud service name: use 1 to 63 letters, digits and hyphens, starting with a letter.", "-bad-name", "Kept label"])
        let unknownUser = report["unknownUser"] as? [String] ?? []
        #expect(unknownUser.first?.hasPrefix("There is no user nobody@contoso.com") == true && unknownUser.last == "nobody@contoso.com", "\(unknownUser)")
        #expect(text("deleteServiceQuestion").contains("Delete the cloud service portal-temp"))
        #expect(report["servicesAfterDelete"] as? [String] == ["portal-shop"], "the API sees what the portal did")
        #expect(text("otherRole") == "Deployer" && report["otherRemoved"] as? Int == 0)
        let badWebhook = report["badWebhook"] as? [String] ?? []
        #expect(badWebhook.first?.contains("only http:// and https://") == true && badWebhook.last == "ftp://127.0.0.1/hook", "\(badWebhook)")
        #expect(text("webhookAdded").contains("shown this once: ") && text("webhookListed").contains("http://127.0.0.1:9/portal-hook"))
        #expect(report["webhookSecretAgain"] as? Bool == false, "the made secret is shown once, never listed")
        #expect(report["webhooksAfterRemove"] as? Int == 0)
        #expect(text("subscriptionPage").contains(management.thumbprint) && text("subscriptionPage").contains("2 of 100 used"), "\(text("subscriptionPage"))")
        #expect(text("wrongPFXPassword").contains("The certificate password is wrong"))
        #expect(text("notACertificate").contains("old.cscfg is not a certificate file"), "\(text("notACertificate"))")
        let tooLarge = report["tooLarge"] as? [Any] ?? []
        #expect(tooLarge.first as? Int == 413 && (tooLarge.last as? String ?? "").contains("larger than 4 MiB"), "\(tooLarge)")
        #expect(text("servicePage").contains(old) && text("servicePage").contains(new) && text("servicePage").contains("www.contoso.net"))
        #expect(text("servedBefore") == old)
        #expect(text("deleteInUse").contains("in use by deployment portal1"), "\(text("deleteInUse"))")
        #expect(text("deploymentPageBefore").contains(old) && text("deploymentPageBefore").contains("ReadyRole"))
        #expect(text("renewPreview").contains("- \(old)") && text("renewPreview").contains("+ \(new)"), "\(text("renewPreview"))")
        #expect(text("deploymentPageAfter").contains("Renewal: Succeeded"), "\(text("deploymentPageAfter"))")
        #expect(text("servedAfter") == new, "the endpoint serves the renewed certificate")
        #expect(text("expiring").contains(old) && text("expiring").contains(management.thumbprint))

        // Markup is text.
        #expect((report["dialogs"] as? [String])?.isEmpty == true, "no script ran: \(report["dialogs"] ?? "")")
        #expect(report["images"] as? Int == 0 && report["serviceImages"] as? Int == 0)
        // A subject as RFC 4514 writes it: `<` and `>` backslash-escaped, and shown as text.
        let subject = #"CN=\<img src=x onerror=alert(1)\>"#
        #expect(text("servicePage").contains(subject) && text("expiring").contains(subject), "a certificate's subject is text too")
        #expect(report["markupSubscriptionShown"] as? Int ?? 0 >= 1)
        #expect(text("markupFilterValue") == Self.markupName && text("markupTitle") == Self.markupName)

        // Refusals.
        #expect(report["csrfMissing"] as? Int == 403 && report["csrfOtherSession"] as? Int == 403)
        #expect(report["foreignOrigin"] as? [Int] == [403, 403, 403], "a form from another site is refused, signing in included")
        #expect(report["managementStillListed"] as? Bool == true, "a refused POST changed nothing")
        let cookie = (report["sessionCookie"] as? [[String: Any]])?.first
        #expect(cookie?["secure"] as? Bool == true && cookie?["httpOnly"] as? Bool == true && cookie?["sameSite"] as? String == "Strict")
        #expect(text("profile").contains("signed in 2 time(s)"), "\(text("profile"))")
        #expect(text("otherAfterEverywhere").hasSuffix("/sign-in"))
        #expect(text("afterSignOutURL").hasSuffix("/sign-in"), "the old cookie no longer opens a page: \(text("afterSignOutURL"))")
        #expect(report["readerButtons"] as? [Int] == [0, 0])
        let readerDelete = report["readerDelete"] as? [Any] ?? []
        #expect(readerDelete.first as? Int == 403 && (readerDelete.last as? String ?? "").contains("Your role here is Reader"), "\(readerDelete)")
        #expect(report["readerOtherSubscription"] as? Int == 404)
        #expect(report["deployerUpload"] as? Int == 0 && report["deployerUploadPost"] as? Int == 403)
        let api = report["managerCreateDeployment"] as? [Any] ?? []
        #expect(api.first as? Int == 403 && (api.last as? String ?? "").contains("Certificate manager role"), "\(api)")
        #expect(report["qrImages"] as? Int == 1 && report["recoveryCodes"] as? Int == 10)
        #expect(text("afterPassword").hasSuffix("/sign-in/code") && text("pendingOpensPage").hasSuffix("/sign-in/code"), "the password alone opens nothing")
        #expect(text("reusedCode").contains("not right"), "a code is good once")
        #expect(text("afterRecoveryCode").hasSuffix("/") && text("afterNextCode").hasSuffix("/"))
        #expect(text("reusedRecoveryCode").contains("not right"), "a recovery code is good once")
        #expect(text("lockedRight").contains("Too many failed sign-ins"), "\(text("lockedRight"))")
        #expect(text("lockedUnknown") == text("lockedRight"), "an unknown address reads alike")
        // Kept for docs/portal.md (scripts/portal-screenshots.sh copies them).
        if let target = ProcessInfo.processInfo.environment["THUMBPRINT_PORTAL_SCREENSHOTS"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: screenshots)) ?? [] {
                try? FileManager.default.removeItem(atPath: target + "/" + name)
                try FileManager.default.copyItem(atPath: screenshots + "/" + name, toPath: target + "/" + name)
            }
        }
    }
}
