import Certificates
import Foundation
import TestSupport
import Testing
import WireFormat

@Suite("The thumbprint API client commands against thumbprint server")
struct ClientCommandTests {
    @Test("subscription show and mgmt-cert add/list/show/remove, through the publish-settings file")
    func clientCommands() throws {
        let server = try PythonClientTests.RunningServer()
        let home = server.folder.file("home")
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let run = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": home], currentDirectory: server.folder.path)
        }
        let shown = try run(["subscription", "show", "--json"] + connection)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("\"SubscriptionName\" : \"Default\""))
        // The request's log line names the caller's certificate and carries one id, the API's.
        Thread.sleep(forTimeInterval: 0.3)  // the log is buffered for a moment
        let line = server.printed.split(separator: "\n").first { $0.contains("GET /") && $0.contains(" 200 ") } ?? ""
        #expect(line.range(of: "caller=[0-9A-F]{40}", options: .regularExpression) != nil, "\(line)")
        #expect(line.contains("request-id=") && !line.contains("hb.request.id"), "\(line)")

        let made = try run(["cert", "new", "--dns-name", "client.contoso.net", "--cer", "client.cer"])
        let thumbprint = made.lastLine
        let added = try run(["mgmt-cert", "add", "client.cer"] + connection)
        #expect(added.status == 0, "\(added.standardError)")
        #expect(added.lastLine == thumbprint)
        let listed = try run(["mgmt-cert", "list", "--json"] + connection)
        #expect(listed.standardOutput.contains(thumbprint))
        let one = try run(["mgmt-cert", "show", thumbprint.lowercased(), "--json"] + connection)
        #expect(one.standardOutput.contains("\"subject\" : \"CN=client.contoso.net\""))
        #expect(try run(["mgmt-cert", "remove", thumbprint] + connection).status == 0)
        let again = try run(["mgmt-cert", "remove", thumbprint] + connection)
        #expect(again.status == 1)
        #expect(again.standardError.contains("ResourceNotFound"))
        let untrusted = try run(["subscription", "show", "--publish-settings", server.data + "/admin.publishsettings"])
        #expect(untrusted.status == 1)
        #expect(untrusted.standardError.contains("--ca"))
    }
}

@Suite("Locations a server creates cloud services in")
struct LocationTests {
    @Test("--location replaces the list: a listed one is taken in any case and stored as listed; any other is refused naming the list")
    func configuredLocations() throws {
        let server = try PythonClientTests.RunningServer(extraArguments: ["--location", "Local", "--location", "Lab Two"])
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let run = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": server.folder.file("home")], currentDirectory: server.folder.path)
        }
        let created = try run(["service", "create", "web1", "--location", "lab two"] + connection)
        #expect(created.status == 0 && created.standardOutput.contains("in Lab Two"), "\(created.standardOutput)\(created.standardError)")
        let refused = try run(["service", "create", "web2"] + connection)
        #expect(
            refused.status == 1 && refused.standardError.contains("West US is not one where this server creates cloud services: Local, Lab Two"),
            "\(refused.standardError)")
        let empty = try runProcess(thumbprintExecutable, ["server", "--data-dir", server.folder.file("other"), "--location", " "])
        #expect(empty.status == 2 && empty.standardError.contains("--location takes a name"), "\(empty.standardError)")
    }
}

@Suite("The API client commands say what is wrong with a connection")
struct ConnectionErrorTests {
    @Test("a wrong CA, a server that is down, a DER CA file and a key given as CA each get a message that says what to do")
    func connectionErrors() throws {
        let server = try PythonClientTests.RunningServer()
        let folder = server.folder
        let settings = server.data + "/admin.publishsettings"
        let run = { (arguments: [String]) throws -> ProcessResult in
            try runProcess(thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": folder.file("home")], currentDirectory: folder.path)
        }
        #expect(try run(["cert", "new", "--dns-name", "other.contoso.net", "--pem", "other.pem"]).status == 0)
        let wrongCA = try run(["subscription", "show", "--publish-settings", settings, "--ca", "other.pem"])
        #expect(wrongCA.status == 1)
        #expect(wrongCA.standardError.contains("answered, but its certificate is not signed by the CA given with --ca other.pem"), "\(wrongCA.standardError)")
        #expect(!wrongCA.standardError.contains("BoringSSL") && !wrongCA.standardError.contains("handshakeFailed"), "\(wrongCA.standardError)")

        let der = try runProcess("openssl", ["x509", "-in", server.data + "/tls/ca.pem", "-outform", "DER", "-out", folder.file("ca.der")])
        try #require(der.status == 0, "\(der.standardError)")
        let withDER = try run(["subscription", "show", "--publish-settings", settings, "--ca", "ca.der"])
        #expect(withDER.status == 0, "a DER CA file is accepted: \(withDER.standardError)")

        let key = try runProcess("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", folder.file("key.pem")])
        try #require(key.status == 0, "\(key.standardError)")
        let keyAsCA = try run(["subscription", "show", "--publish-settings", settings, "--ca", "key.pem"])
        #expect(keyAsCA.status == 2)
        #expect(keyAsCA.standardError.contains("--ca key.pem: not a CA certificate in PEM or DER form"), "\(keyAsCA.standardError)")

        let closed = try freeLoopbackPort()
        let text = try String(contentsOfFile: settings, encoding: .utf8)
            .replacingOccurrences(of: "https://127.0.0.1:\(server.port)", with: "https://127.0.0.1:\(closed)")
        try text.write(toFile: folder.file("down.publishsettings"), atomically: true, encoding: .utf8)
        let down = try run(["subscription", "show", "--publish-settings", "down.publishsettings", "--ca", server.data + "/tls/ca.pem"])
        #expect(down.status == 1)
        #expect(down.standardError.contains("nothing listens at https://127.0.0.1:\(closed)"), "\(down.standardError)")
    }
}

@Suite("thumbprint service: cloud services and their certificates from the command line")
struct ServiceCommandTests {
    static func definition(_ service: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <ServiceDefinition name="\(service)" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
          <WebRole name="Web">
            <Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
            <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates>
          </WebRole>
        </ServiceDefinition>
        """
    }

    static func configuration(_ service: String, thumbprint: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <ServiceConfiguration serviceName="\(service)" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
          <Role name="Web">
            <Instances count="2" />
            <Certificates><Certificate name="SSL" thumbprint="\(thumbprint)" thumbprintAlgorithm="sha1" /></Certificates>
          </Role>
        </ServiceConfiguration>
        """
    }

    @Test("create, cert add (pfx and wrong password), list, show, validate --service, remove, delete")
    func lifecycle() throws {
        let server = try PythonClientTests.RunningServer()
        let home = server.folder.file("home")
        let connection = ["--publish-settings", server.data + "/admin.publishsettings", "--ca", server.data + "/tls/ca.pem"]
        let run = { (arguments: [String], password: String) throws -> ProcessResult in
            try runProcess(
                thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": home, "PFX_PASSWORD": password],
                currentDirectory: server.folder.path)
        }
        let created = try run(["service", "create", "web1", "--description", "Front end", "--json"] + connection, "")
        #expect(created.status == 0, "\(created.standardError)")
        #expect(created.standardOutput.contains("\"description\" : \"Front end\""))
        #expect(created.standardError.contains("Creating web1") && created.standardError.contains("succeeded"), "progress: \(created.standardError)")
        #expect(try run(["service", "create", "web1"] + connection, "").standardError.contains("ConflictError"))

        let made = try run(["cert", "new", "--dns-name", "www.contoso.net", "--pfx", "www.pfx", "--password-env", "PFX_PASSWORD"], "pfx-secret")
        try #require(made.status == 0, "\(made.standardError)")
        let thumbprint = made.lastLine

        let wrong = try run(["service", "cert", "add", "--service", "web1", "www.pfx", "--password-env", "PFX_PASSWORD"] + connection, "not-it")
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("password is incorrect"), "\(wrong.standardError)")
        #expect(!wrong.standardError.contains("not-it"))
        #expect(try run(["service", "cert", "list", "--service", "web1", "--json"] + connection, "").standardOutput.contains("[\n\n]"), "nothing stored")

        let added = try run(["service", "cert", "add", "--service", "web1", "www.pfx", "--password-env", "PFX_PASSWORD"] + connection, "pfx-secret")
        #expect(added.status == 0, "\(added.standardError)")
        #expect(added.lastLine == thumbprint)
        #expect(added.standardError.contains("Uploading \(thumbprint) to web1") && added.standardError.contains("succeeded"))
        let listed = try run(["service", "cert", "list", "--service", "web1", "--json"] + connection, "")
        #expect(listed.standardOutput.contains("\"thumbprint\" : \"\(thumbprint)\""))
        #expect(listed.standardOutput.contains("/services/hostedservices/web1/certificates/sha1-\(thumbprint)"))
        let one = try run(["service", "cert", "show", "--service", "web1", thumbprint.lowercased()] + connection, "")
        #expect(one.standardOutput.contains("CN=www.contoso.net"), "\(one.standardError)")
        #expect(try run(["service", "show", "web1"] + connection, "").standardOutput.contains(thumbprint))

        try Self.definition("web1").write(toFile: server.folder.file("web1.csdef"), atomically: true, encoding: .utf8)
        try Self.configuration("web1", thumbprint: thumbprint.lowercased()).write(toFile: server.folder.file("good.cscfg"), atomically: true, encoding: .utf8)
        try Self.configuration("web1", thumbprint: String(repeating: "AB", count: 20)).write(
            toFile: server.folder.file("other.cscfg"), atomically: true, encoding: .utf8)
        let agreeing = try run(["service", "validate", "--definition", "web1.csdef", "--configuration", "good.cscfg", "--service", "web1"] + connection, "")
        #expect(agreeing.status == 0, "\(agreeing.standardOutput) \(agreeing.standardError)")
        let offline = try run(["service", "validate", "--definition", "web1.csdef", "--configuration", "other.cscfg"], "")
        #expect(offline.status == 0, "offline, any well-formed thumbprint will do: \(offline.standardOutput)")
        let missing = try run(["service", "validate", "--definition", "web1.csdef", "--configuration", "other.cscfg", "--service", "web1"] + connection, "")
        #expect(missing.status == 1)
        #expect(missing.standardOutput.contains("other.cscfg:5: role Web, certificate SSL:"), "\(missing.standardOutput)")
        #expect(missing.standardOutput.contains("was not found on the cloud service"))

        // The https rule as the deployment applies it: a certificate uploaded as .cer has no key.
        let publicOnly = try run(["cert", "new", "--dns-name", "www.contoso.net", "--cer", "public.cer"], "")
        try #require(publicOnly.status == 0, "\(publicOnly.standardError)")
        #expect(try run(["service", "cert", "add", "--service", "web1", "public.cer"] + connection, "").status == 0)
        try Self.configuration("web1", thumbprint: publicOnly.lastLine).write(toFile: server.folder.file("nokey.cscfg"), atomically: true, encoding: .utf8)
        let noKey = try run(["service", "validate", "--definition", "web1.csdef", "--configuration", "nokey.cscfg", "--service", "web1"] + connection, "")
        #expect(noKey.status == 1)
        #expect(noKey.standardOutput.contains("does not contain private key"), "\(noKey.standardOutput)")

        #expect(try run(["service", "cert", "remove", "--service", "web1", thumbprint] + connection, "").status == 0)
        let again = try run(["service", "cert", "remove", "--service", "web1", thumbprint] + connection, "")
        #expect(again.status == 1)
        #expect(again.standardError.contains("ResourceNotFound"))
        let deleted = try run(["service", "delete", "web1", "--json"] + connection, "")
        #expect(deleted.status == 0, "\(deleted.standardError)")
        #expect(deleted.standardOutput.contains("\"status\" : \"Succeeded\""))
        let gone = try run(["service", "list", "--json"] + connection, "")
        #expect(gone.status == 0 && !gone.standardOutput.contains("web1"))
        #expect(try run(["service", "show", "bad name!"] + connection, "").status == 2)
    }
}

@Suite("thumbprint server as an operator runs it")
struct ServerOperationTests {
    @Test("the data folder is 0700 and the keys 0600; SIGTERM stops the server cleanly")
    func permissionsAndShutdown() throws {
        let server = try PythonClientTests.RunningServer()
        func mode(_ path: String) throws -> Int? { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        #expect(try mode(server.data) == 0o700)
        #expect(try mode(server.data + "/tls/ca.key.sealed") == 0o600)
        #expect(try mode(server.data + "/tls/server.key.sealed") == 0o600)
        #expect(try mode(server.data + "/admin.publishsettings") == 0o600)
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit, "exited by itself, not killed by the signal")
        #expect(server.process.terminationStatus == 0)
    }

    @Test("a second server on a port in use says so, naming the address and --listen, with no raw bind error")
    func portInUse() throws {
        let first = try PythonClientTests.RunningServer()
        let other = try TemporaryDirectory()
        let second = try runProcess(thumbprintExecutable, ["server", "--data-dir", other.file("data"), "--listen", "127.0.0.1:\(first.port)"])
        #expect(second.status == 1)
        #expect(second.standardError.contains("cannot listen on 127.0.0.1:\(first.port): the address is in use"), "\(second.standardError)")
        #expect(second.standardError.contains("--listen HOST:PORT"), "\(second.standardError)")
        #expect(!second.standardError.contains("bind(descriptor"), "\(second.standardError)")
        #expect(first.process.isRunning)
    }

    @Test("a server started with another master key is refused at start, and the data folder is left as it was")
    func wrongMasterKey() throws {
        let server = try PythonClientTests.RunningServer()
        #expect(FileManager.default.fileExists(atPath: server.data + "/master.key"))
        server.process.terminate()
        server.process.waitUntilExit()
        let before = try Data(contentsOf: URL(fileURLWithPath: server.data + "/master.key"))
        let other = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let refused = try runProcess(
            thumbprintExecutable, ["server", "--data-dir", server.data, "--listen", "127.0.0.1:\(try freeLoopbackPort())"],
            environment: ["THUMBPRINT_MASTER_KEY": other])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("sealed with another master key"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: server.data + "/master.key")) == before)
    }

    @Test("--tls-pfx serves the given certificate; the client connects with --endpoint, --subscription and --cert")
    func givenCertificateAndExplicitConnection() async throws {
        let folder = try TemporaryDirectory()
        let home = folder.file("home")
        let run = { (arguments: [String], input: String?) throws -> ProcessResult in
            try runProcess(
                thumbprintExecutable, arguments, environment: ["THUMBPRINT_HOME": home, "PFX_PASSWORD": "tls-secret"],
                input: input, currentDirectory: folder.path)
        }
        let authority = try run(["cert", "new", "--dns-name", "ca.test", "--ca", "--pem", "ca.pem"], nil)
        try #require(authority.status == 0)
        let tls = try run(
            [
                "cert", "new", "--dns-name", "localhost", "--issuer", authority.lastLine, "--valid-days", "20", "--pfx", "tls.pfx", "--password-env",
                "PFX_PASSWORD",
            ], nil)
        try #require(tls.status == 0)
        let server = try PythonClientTests.RunningServer(
            folder: folder, extraArguments: ["--tls-pfx", folder.file("tls.pfx"), "--password-env", "PFX_PASSWORD"],
            environment: ["PFX_PASSWORD": "tls-secret", "PATH": "/usr/bin:/bin"]
        )
        let port = server.port
        let subscription = try #require(server.subscriptionID)
        // Its own certificate expires within 30 days, the CA's does not: one warning, at start.
        let warned = try #require(
            await AgentProcessTests.eventually(10) { server.printed.contains("expires in") }
                ? server.printed.split(separator: "\n").filter { $0.contains("expires in") } : nil)
        // 20 days from its making; the certificate's end is kept to whole seconds, so 19 or 20 whole days remain.
        #expect(
            warned.count == 1 && warned[0].contains("the server's TLS certificate")
                && (warned[0].contains("expires in 19 days") || warned[0].contains("expires in 20 days")), "\(warned)")
        let settings = try PublishSettings(xml: [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("data/admin.publishsettings")))))
        let entry = try #require(settings.entries.first)
        let pfx = try #require(Data(base64Encoded: entry.managementCertificate))
        let bundle = try PKCS12Reader.read([UInt8](pfx), password: "")
        try Array(try bundle.pem(includingPrivateKey: true).utf8).write(to: folder.file("admin.pem"))
        let shown = try run(
            [
                "subscription", "show", "--endpoint", "https://localhost:\(port)", "--subscription", String(subscription),
                "--cert", "admin.pem", "--ca", "ca.pem", "--json",
            ], nil)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains(String(subscription)))
        let untrusted = try run(
            [
                "subscription", "show", "--endpoint", "https://localhost:\(port)/", "--subscription", String(subscription),
                "--cert", "admin.pem",
            ], nil)
        #expect(untrusted.status == 1, "the system roots do not trust the test CA")
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
