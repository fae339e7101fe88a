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
        #expect(stored.standardOutput.hasPrefix("scrypt$ln=16,r=8,p=1$"), "\(stored.standardOutput)\(stored.standardError)")
        let everything = try Data(contentsOf: URL(fileURLWithPath: data + "/thumbprint.sqlite"))
        #expect(everything.range(of: Data("correct horse battery".utf8)) == nil, "the password is nowhere in the database")

        let unknown = try admin(["user", "set-password", "nobody@contoso.com", "--password-stdin"], "correct horse battery\n")
        #expect(unknown.status != 0 && unknown.standardError.contains("there is no user nobody@contoso.com"), "\(unknown.standardError)")
        #expect(try admin(["user", "unlock", "ops@contoso.com"], nil).status == 0)
        #expect(try admin(["audit"], nil).standardOutput.contains("SetUserPassword"))
    }

    @Test("add-user gives one role per user and subscription; users lists them; a wrong role name is refused with the list")
    func roles() throws {
        let folder = try TemporaryDirectory()
        let data = folder.file("data")
        let admin = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(thumbprintExecutable, ["admin", "--data-dir", data] + arguments)
        }
        for user in ["owner@contoso.com", "it@contoso.com"] { #expect(try admin(["user", "add", user]).status == 0) }
        let created = try admin(["subscription", "create", "--name", "Shop", "--admin", "owner@contoso.com"])
        let id = try #require(created.standardOutput.split(separator: "\n").last.map(String.init))
        #expect(try admin(["subscription", "add-user", id, "it@contoso.com", "--role", "deployer"]).status == 0)
        let changed = try admin(["subscription", "add-user", id, "it@contoso.com", "--role", "certificate-manager"])
        #expect(changed.standardOutput.contains("it@contoso.com is Certificate manager of"), "\(changed.standardOutput)\(changed.standardError)")
        let listed = try admin(["subscription", "users", id, "--json"])
        let members = try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: String]]
        #expect(
            members == [["user": "owner@contoso.com", "role": "service-administrator"], ["user": "it@contoso.com", "role": "certificate-manager"]],
            "\(listed.standardOutput)")
        let wrong = try admin(["subscription", "add-user", id, "it@contoso.com", "--role", "owner"])
        #expect(wrong.status != 0 && wrong.standardError.contains("co-administrator, certificate-manager, deployer, reader"), "\(wrong.standardError)")
        let demote = try admin(["subscription", "add-user", id, "owner@contoso.com", "--role", "reader"])
        #expect(demote.status != 0 && demote.standardError.contains("make another user service administrator first"), "\(demote.standardError)")
        #expect(try admin(["subscription", "remove-user", id, "it@contoso.com"]).status == 0)
        #expect(try admin(["subscription", "remove-user", id, "it@contoso.com"]).status != 0)
    }

    @Test("an invitation needs the server's address; its link holds a token the database keeps only as a hash")
    func invite() throws {
        let folder = try TemporaryDirectory()
        let data = folder.file("data")
        let admin = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(thumbprintExecutable, ["admin", "--data-dir", data] + arguments)
        }
        #expect(try admin(["user", "add", "ops@contoso.com"]).status == 0)
        let early = try admin(["user", "invite", "ops@contoso.com"])
        #expect(early.status != 0 && early.standardError.contains("start it once with `thumbprint server`"), "\(early.standardError)")
        let set = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO settings VALUES ('service_management_url', 'https://127.0.0.1:8443')\"); c.commit()",
                data + "/thumbprint.sqlite",
            ])
        #expect(set.status == 0, "\(set.standardError)")
        let invited = try admin(["user", "invite", "ops@contoso.com"])
        let link = invited.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(link.hasPrefix("https://127.0.0.1:8443/invitation/") && link.count == "https://127.0.0.1:8443/invitation/".count + 43, "\(link)")
        // The database file and its write-ahead log: a recent write may be in either.
        let everything = ["", "-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: data + "/thumbprint.sqlite" + $0)) }.reduce(Data(), +)
        let hashes = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM invitations').fetchone()[0])",
                data + "/thumbprint.sqlite",
            ])
        #expect(hashes.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "the invitation is stored")
        let token = String(link.split(separator: "/").last ?? "")
        #expect(!token.isEmpty && everything.range(of: Data(token.utf8)) == nil, "only the token's hash is stored")
    }
}
