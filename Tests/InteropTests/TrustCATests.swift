import Foundation
import TestSupport
import Testing

/// `thumbprint admin trust-ca` against Chromium's real trust decision: before it, the portal's
/// certificate is refused; after it (NSS database in the browser's home), the page loads.
@Suite("thumbprint admin trust-ca")
struct TrustCATests {
    /// Opens `url` in Chromium with `home` as its home folder, verifying certificates; the HTTP
    /// status, or the navigation error.
    func open(_ url: String, home: String) throws -> String {
        let script = """
            import sys
            from playwright.sync_api import sync_playwright, Error
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], env={"HOME": sys.argv[2]})
                page = browser.new_page()
                try:
                    print(page.goto(sys.argv[1]).status)
                except Error as error:
                    print(str(error).splitlines()[0])
                browser.close()
            """
        let result = try runProcess(testPython, ["-c", script, url, home])
        try #require(result.status == 0, "\(result.standardError)")
        return result.lastLine
    }

    @Test("Chromium refuses the server's certificate until trust-ca adds the CA to its NSS database; only the certificate is copied")
    func browserTrustsAfterwards() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "no Chromium: run scripts/test.sh")
        let server = try PythonClientTests.RunningServer()
        let home = server.folder.file("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let url = "https://127.0.0.1:\(server.port)/sign-in"
        #expect(try open(url, home: home).contains("ERR_CERT_AUTHORITY_INVALID"), "an untrusted CA is refused")

        let system = server.folder.file("system-store")
        let trusted = try runProcess(
            thumbprintExecutable, ["admin", "--data-dir", server.data, "trust-ca", "--system-store", system], environment: ["HOME": home])
        #expect(trusted.status == 0, "\(trusted.standardError)")
        #expect(trusted.standardOutput.contains("Added the CA to the NSS database \(home)/.pki/nssdb"), "\(trusted.standardOutput)")
        #expect(try open(url, home: home) == "200", "the browser trusts the server now")

        let copied = try FileManager.default.contentsOfDirectory(atPath: system)
        #expect(copied.count == 1 && copied[0].hasPrefix("thumbprint-") && copied[0].hasSuffix(".crt"))
        let text = try String(contentsOfFile: system + "/" + copied[0], encoding: .utf8)
        #expect(text.contains("BEGIN CERTIFICATE") && !text.contains("PRIVATE KEY"))
        // Again: the same CA replaces itself, no duplicate.
        #expect(
            try runProcess(thumbprintExecutable, ["admin", "--data-dir", server.data, "trust-ca", "--system-store", system], environment: ["HOME": home]).status
                == 0)
    }
}
