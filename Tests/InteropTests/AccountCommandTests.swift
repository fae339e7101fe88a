import Foundation
import TestSupport
import Testing

@Suite("thumbprint admin user set-password and unlock")
struct AccountCommandTests {
    @Test("a password of at least 12 characters is stored only as a scrypt hash; a short one is refused without being repeated")
    func setPassword() throws {
        let folder = try TemporaryDirectory()
        let data = folder.file("data")
        let admin = { (arguments: [String], input: String?) throws -> ProcessResult in
            try runProcess(thumbprintExecutable, ["admin", "--data-dir", data] + arguments, input: input)
        }
        #expect(try admin(["user", "add", "ops@contoso.com"], nil).status == 0)
        let short = try admin(["user", "set-password", "ops@contoso.com", "--password-stdin"], "tiny-secret\n")
        #expect(short.status == 2)
        #expect(short.standardError.contains("use at least 12"), "\(short.standardError)")
        #expect(!short.standardError.contains("tiny-secret"))

        let set = try admin(["user", "set-password", "ops@contoso.com", "--password-stdin"], "correct horse battery\n")
        #expect(set.status == 0, "\(set.standardError)")
        let stored = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT hash FROM user_passwords').fetchone()[0])",
                data + "/thumbprint.sqlite",
            ])
        #expect(stored.standardOutput.hasPrefix("scrypt$ln=14,r=8,p=1$"), "\(stored.standardOutput)\(stored.standardError)")
        let everything = try Data(contentsOf: URL(fileURLWithPath: data + "/thumbprint.sqlite"))
        #expect(everything.range(of: Data("correct horse battery".utf8)) == nil, "the password is nowhere in the database")

        let unknown = try admin(["user", "set-password", "nobody@contoso.com", "--password-stdin"], "correct horse battery\n")
        #expect(unknown.status != 0 && unknown.standardError.contains("there is no user nobody@contoso.com"), "\(unknown.standardError)")
        #expect(try admin(["user", "unlock", "ops@contoso.com"], nil).status == 0)
        #expect(try admin(["audit"], nil).standardOutput.contains("SetUserPassword"))
    }
}
