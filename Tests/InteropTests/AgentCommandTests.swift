import Foundation
import TestSupport
import Testing

@Suite("Agent identities", .serialized)
struct AgentCommandTests {
    @Test("admin agent issue writes a .pfx whose client certificate the servers' CA signed; the database keeps only its thumbprint")
    func issue() throws {
        let server = try PythonClientTests.RunningServer()
        defer { server.process.terminate() }
        let environment = ["AGENT_PASSWORD": "agent-secret"]
        func admin(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                thumbprintExecutable, ["admin", "--data-dir", server.data] + arguments, environment: environment, currentDirectory: server.folder.path)
        }
        let issued = try admin(["agent", "issue", "agent-1", "--out", "agent.pfx", "--password-env", "AGENT_PASSWORD"])
        #expect(issued.status == 0, "\(issued.standardError)")
        let thumbprint = issued.lastLine
        #expect(thumbprint.count == 40)

        let checked = try runProcess(
            "/bin/sh",
            [
                "-c",
                """
                openssl pkcs12 -in agent.pfx -passin env:AGENT_PASSWORD -clcerts -nokeys | openssl x509 -out agent.pem &&
                openssl verify -CAfile "$0/tls/ca.pem" agent.pem && openssl x509 -in agent.pem -noout -subject -ext extendedKeyUsage &&
                openssl x509 -in agent.pem -noout -fingerprint -sha1 && stat -c %a agent.pfx
                """, server.data,
            ], environment: environment, currentDirectory: server.folder.path)
        #expect(checked.status == 0, "\(checked.standardError)")
        #expect(checked.standardOutput.contains("agent.pem: OK"), "\(checked.standardOutput)")
        #expect(
            checked.standardOutput.contains("CN = agent-1") && checked.standardOutput.contains("TLS Web Client Authentication"), "\(checked.standardOutput)")
        #expect(checked.standardOutput.replacingOccurrences(of: ":", with: "").contains(thumbprint), "\(checked.standardOutput)")
        #expect(checked.lastLine == "600")

        let listed = try admin(["agent", "list", "--json"])
        let agents = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: String]])
        #expect(agents.map { $0["name"] } == ["agent-1"] && agents.first?["thumbprint"] == thumbprint)

        let again = try admin(["agent", "issue", "agent-1", "--out", "again.pfx", "--password-env", "AGENT_PASSWORD"])
        #expect(again.status != 0 && again.standardError.contains("exists already"), "\(again.standardError)")
        #expect(!FileManager.default.fileExists(atPath: server.folder.file("again.pfx")), "a refused name writes no file")
        let badName = try admin(["agent", "issue", "no spaces", "--out", "x.pfx", "--password-env", "AGENT_PASSWORD"])
        #expect(badName.status == 2, "\(badName.standardError)")
    }
}
