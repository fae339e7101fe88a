import Foundation
import TestSupport
import Testing

@Suite("thumbprint cert new --key-file: certificates for keys made by openssl and ssh-keygen")
struct KeyFileTests {
    /// One key made by another tool: how to make it, and how to print its public key as PEM.
    struct Made: Sendable, CustomTestStringConvertible {
        var name: String
        var make: [[String]]
        var publicKey: [String]
        var password: String?
        var testDescription: String { name }
    }

    static let keys: [Made] = [
        Made(
            name: "PKCS#8 RSA (openssl genpkey)", make: [["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key"]],
            publicKey: ["openssl", "pkey", "-in", "key", "-pubout"]),
        Made(
            name: "PKCS#1 RSA (openssl genrsa -traditional)", make: [["openssl", "genrsa", "-traditional", "-out", "key", "2048"]],
            publicKey: ["openssl", "pkey", "-in", "key", "-pubout"]),
        Made(
            name: "SEC1 EC P-256 (openssl ecparam)", make: [["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key"]],
            publicKey: ["openssl", "pkey", "-in", "key", "-pubout"]),
        Made(
            name: "encrypted PKCS#8 (openssl pkcs8 -v2 aes-256-cbc)",
            make: [
                ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "plain"],
                ["openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain", "-out", "key", "-passout", "pass:key-secret"],
            ], publicKey: ["openssl", "pkey", "-in", "plain", "-pubout"], password: "key-secret"),
        Made(
            name: "OpenSSH RSA (ssh-keygen -t rsa)", make: [["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", "key"]],
            publicKey: ["ssh-keygen", "-e", "-m", "PKCS8", "-f", "key.pub"]),
        Made(
            name: "OpenSSH ECDSA (ssh-keygen -t ecdsa)", make: [["ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", "key"]],
            publicKey: ["ssh-keygen", "-e", "-m", "PKCS8", "-f", "key.pub"]),
    ]

    static func make(_ made: Made, in folder: TemporaryDirectory) throws {
        for command in made.make {
            let result = try runProcess(command[0], Array(command.dropFirst()), currentDirectory: folder.path)
            try #require(result.status == 0, "\(command): \(result.standardError)")
        }
    }

    @Test("the certificate carries the key's public key (openssl and ssh-keygen say which)", arguments: keys)
    func accepted(_ made: Made) throws {
        let folder = try TemporaryDirectory()
        try Self.make(made, in: folder)
        var arguments = ["cert", "new", "--dns-name", "www.contoso.net", "--key-file", "key", "--cer", "out.cer"]
        if made.password != nil { arguments += ["--key-password-env", "KEY_PASSWORD"] }
        let created = try runProcess(
            thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": folder.file("home"), "KEY_PASSWORD": made.password ?? ""],
            currentDirectory: folder.path)
        try #require(created.status == 0, "\(created.standardError)")
        let inCertificate = try runProcess("openssl", ["x509", "-inform", "DER", "-in", "out.cer", "-pubkey", "-noout"], currentDirectory: folder.path)
        let ofKey = try runProcess(made.publicKey[0], Array(made.publicKey.dropFirst()), currentDirectory: folder.path)
        #expect(inCertificate.status == 0 && ofKey.status == 0, "\(inCertificate.standardError)\(ofKey.standardError)")
        #expect(
            !ofKey.standardOutput.isEmpty && inCertificate.standardOutput == ofKey.standardOutput, "\(inCertificate.standardOutput) vs \(ofKey.standardOutput)")
    }

    @Test("refused with the reason: small RSA, Ed25519, a passphrase-protected OpenSSH key, a wrong or missing password")
    func refused() throws {
        let folder = try TemporaryDirectory()
        let steps: [(String, [String], [String], String)] = [
            ("small", ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "small"], [], "at least 2048"),
            ("ed", ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "ed"], [], "ssh-ed25519"),
            ("locked", ["ssh-keygen", "-q", "-t", "ecdsa", "-N", "phrase-1234", "-f", "locked"], [], "passphrase"),
            (
                "encrypted",
                [
                    "sh", "-c",
                    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkcs8 -topk8 -v2 aes-128-cbc -passout pass:right -out encrypted",
                ],
                ["--key-password-env", "KEY_PASSWORD"], "password"
            ),
            ("encrypted", [], [], "--key-password-env"),
        ]
        for (file, make, extra, expected) in steps {
            if !make.isEmpty {
                let made = try runProcess(make[0], Array(make.dropFirst()), currentDirectory: folder.path)
                try #require(made.status == 0, "\(made.standardError)")
            }
            let result = try runProcess(
                thumbprintExecutable, ["cert", "new", "--dns-name", "www.contoso.net", "--key-file", file] + extra,
                environment: ["THUMBPRINT_HOME": folder.file("home"), "KEY_PASSWORD": "wrong"], currentDirectory: folder.path)
            #expect(result.status == 2, "\(file): \(result.standardOutput)")
            #expect(result.standardError.contains(expected) && result.standardError.contains(file), "\(file): \(result.standardError)")
            #expect(!result.standardError.contains("wrong"), "the password never appears in an error")
        }
    }
}
