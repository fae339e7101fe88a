import Foundation
import TestSupport
import Testing

@Suite("thumbprint cert request and cert complete with an openssl CA")
struct CertificateRequestTests {
    /// Runs `command` in `folder`; its output, after requiring success.
    @discardableResult
    static func run(_ command: String, _ arguments: [String], in folder: TemporaryDirectory) throws -> ProcessResult {
        let result = try runProcess(
            command, arguments, environment: ["THUMBPRINT_HOME": folder.file("home"), "PFX_PASSWORD": "request-secret"], currentDirectory: folder.path)
        try #require(result.status == 0, "\(command) \(arguments): \(result.standardError)")
        return result
    }

    @Test("openssl verifies the request and issues from it; DER, a PEM chain and a .p7b each complete, export as .pfx with the right key")
    func requestAndComplete() throws {
        let folder = try TemporaryDirectory()
        try Self.run(
            "openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Test CA", "-days", "30"],
            in: folder)
        let forms: [(String, [String])] = [
            ("issued.cer", ["sh", "-c", "openssl x509 -in issued.pem -outform DER -out issued.cer"]),
            ("chain.pem", ["sh", "-c", "cat issued.pem ca.pem > chain.pem"]),
            ("issued.p7b", ["openssl", "crl2pkcs7", "-nocrl", "-certfile", "issued.pem", "-certfile", "ca.pem", "-outform", "DER", "-out", "issued.p7b"]),
        ]
        for (file, convert) in forms {
            let request = try Self.run(
                thumbprintExecutable,
                ["cert", "request", "--dns-name", "www.contoso.net", "--dns-name", "contoso.net", "--key", "ecdsa-p256", "--csr", "req.csr"],
                in: folder)
            let keyID = request.lastLine
            let verified = try Self.run("openssl", ["req", "-verify", "-in", "req.csr", "-noout", "-text"], in: folder)
            #expect(verified.standardError.contains("verify OK") || verified.standardOutput.contains("verify OK"), "\(verified.standardError)")
            #expect(verified.standardOutput.contains("DNS:www.contoso.net, DNS:contoso.net"), "\(verified.standardOutput)")
            #expect(FileManager.default.fileExists(atPath: folder.file("home/pending/\(keyID).key")))
            try Self.run(
                "openssl",
                [
                    "x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-copy_extensions", "copy", "-days", "90", "-out",
                    "issued.pem",
                ],
                in: folder)
            try Self.run(convert[0], Array(convert.dropFirst()), in: folder)
            let completed = try Self.run(thumbprintExecutable, ["cert", "complete", file], in: folder)
            let thumbprint = completed.lastLine
            #expect(completed.standardOutput.contains(file == "issued.cer" ? "with its key;" : "a chain of 1"), "\(file): \(completed.standardOutput)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("home/pending/\(keyID).key")), "the pending key is used up")
            try Self.run(thumbprintExecutable, ["cert", "export", thumbprint, "--pfx", "out.pfx", "--password-env", "PFX_PASSWORD"], in: folder)
            let fromPFX = try Self.run(
                "sh", ["-c", "openssl pkcs12 -in out.pfx -passin pass:request-secret -nocerts -nodes | openssl pkey -pubout"], in: folder)
            let fromCertificate = try Self.run("openssl", ["x509", "-in", "issued.pem", "-pubkey", "-noout"], in: folder)
            #expect(
                fromPFX.standardOutput == fromCertificate.standardOutput && !fromPFX.standardOutput.isEmpty, "\(file): the .pfx holds the key the CA certified")
            try Self.run("openssl", ["verify", "-CAfile", "ca.pem", "issued.pem"], in: folder)
        }
    }

    @Test("a certificate for another key is refused, naming its key and the pending ones")
    func foreignCertificate() throws {
        let folder = try TemporaryDirectory()
        let request = try Self.run(thumbprintExecutable, ["cert", "request", "--dns-name", "www.contoso.net", "--csr", "req.csr"], in: folder)
        try Self.run(
            "openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=other", "-days", "3"],
            in: folder)
        let refused = try runProcess(
            thumbprintExecutable, ["cert", "complete", "other.pem"], environment: ["THUMBPRINT_HOME": folder.file("home")], currentDirectory: folder.path)
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("CN=other") && refused.standardError.contains(String(request.lastLine.prefix(16))), "\(refused.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder.file("home/pending/\(request.lastLine).key")), "the pending key stays")
    }
}
