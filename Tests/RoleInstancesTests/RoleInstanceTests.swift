import AsyncHTTPClient
import Certificates
import Foundation
import NIOCore
import NIOPosix
import RoleInstances
import Storage
import TestSupport
import Testing

@Suite("Role instances and the load balancer")
struct RoleInstanceTests {
    static func assignment(
        _ instance: String, certificate: CertificateBundle?, protocolName: String = "https", staticFiles: String? = nil,
        role: String = "Web"
    ) -> RoleAssignment {
        RoleAssignment(
            deploymentID: "0123456789abcdef0123456789abcdef", role: role, instance: instance,
            certificates: certificate.map { [InstalledCertificate(name: "SSL", store: CertificateStoreName(location: .localMachine, name: .my), bundle: $0)] }
                ?? [],
            endpoints: [EndpointAssignment(name: "In", protocolName: protocolName, port: 443, certificate: certificate == nil ? nil : "SSL")],
            staticFiles: staticFiles
        )
    }

    /// The SHA-1 thumbprint of the certificate a TLS server on `port` presents, as openssl sees it (no SNI).
    static func servedThumbprint(_ port: Int) throws -> String {
        let result = try runProcess(
            "/usr/bin/env",
            ["sh", "-c", "openssl s_client -connect 127.0.0.1:\(port) -noservername </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha1"])
        return String(result.standardOutput.split(separator: "=").last ?? "").replacingOccurrences(of: ":", with: "").trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    @Test("an instance installs its certificates in the declared store with the key sealed (0600), serves them, and switches for new connections")
    func installServeAndSwitch() async throws {
        let folder = try TemporaryDirectory()
        let first = try makeTestBundle(["www.contoso.net"])
        let second = try makeTestBundle(["www.contoso.net"])
        let masterKey = MasterKey.generate()
        let instance = LocalRoleInstance(folder: folder.file("Web_IN_0"), sealing: masterKey)
        let served = try await instance.apply(Self.assignment("Web_IN_0", certificate: first))
        let port = try #require(served.first?.localPort)
        #expect(served.first?.thumbprint == first.thumbprint.description)
        #expect(await instance.status() == .readyRole)
        let store = folder.file("Web_IN_0") + "/stores/LocalMachine/My/\(first.thumbprint)"
        #expect(FileManager.default.fileExists(atPath: store + ".cer"))
        #expect(try FileManager.default.attributesOfItem(atPath: store + ".key.sealed")[.posixPermissions] as? Int == 0o600)
        #expect(!FileManager.default.fileExists(atPath: store + ".key"), "no plaintext key on disk")
        let sealed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: store + ".key.sealed")))
        let pkcs8 = try #require(first.privateKey?.pkcs8)
        #expect(!Data(sealed).contains(Data(pkcs8)) && sealed.count > pkcs8.count)
        #expect(
            try instance.store.certificate(first.thumbprint, in: .init(location: .localMachine, name: .my)).privateKey?.pkcs8 == pkcs8,
            "the sealed key opens with the master key")
        #expect(throws: CertificateError.self) {
            try LocalCertificateStore(root: folder.file("Web_IN_0"), sealing: MasterKey.generate()).certificate(
                first.thumbprint, in: .init(location: .localMachine, name: .my))
        }
        #expect(try Self.servedThumbprint(port) == first.thumbprint.description)

        let again = try await instance.apply(Self.assignment("Web_IN_0", certificate: second))
        #expect(again.first?.localPort == port, "the endpoint keeps its port")
        #expect(try Self.servedThumbprint(port) == second.thumbprint.description)
        #expect(FileManager.default.fileExists(atPath: store + ".cer"), "the old certificate stays until it is uninstalled")
        await instance.uninstall(thumbprint: first.thumbprint.description)
        #expect(!FileManager.default.fileExists(atPath: store + ".cer"))
        #expect(!FileManager.default.fileExists(atPath: store + ".key.sealed"))

        await instance.stop()
        #expect(await instance.status() == .stoppedVM)
        #expect(try Self.servedThumbprint(port) == "", "a stopped instance serves nothing")
    }

    @Test("an https endpoint whose certificate has no private key is refused")
    func httpsNeedsKey() async throws {
        let folder = try TemporaryDirectory()
        let instance = LocalRoleInstance(folder: folder.file("Web_IN_0"), sealing: MasterKey.generate())
        let publicOnly = try makeTestBundle(["www.contoso.net"]).publicOnly
        await #expect(throws: LocalRoleInstance.Failure.self) { _ = try await instance.apply(Self.assignment("Web_IN_0", certificate: publicOnly)) }
        #expect(await instance.status() == .failedStartingRole)
    }

    @Test("the load balancer takes turns, skips an instance that does not answer, and serves static files without leaving their folder")
    func loadBalancer() async throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.file("site"), withIntermediateDirectories: true)
        try "hello".write(toFile: folder.file("site/hello.txt"), atomically: true, encoding: .utf8)
        try "secret".write(toFile: folder.file("secret.txt"), atomically: true, encoding: .utf8)
        var addresses: [InstanceAddress] = []
        var instances: [LocalRoleInstance] = []
        for index in 0..<2 {
            let instance = LocalRoleInstance(folder: folder.file("Web_IN_\(index)"), sealing: MasterKey.generate())
            let served = try await instance.apply(Self.assignment("Web_IN_\(index)", certificate: nil, protocolName: "http", staticFiles: folder.file("site")))
            addresses.append(try #require(served.first?.address))
            instances.append(instance)
        }
        let closed = try freeLoopbackPort()  // nothing listens here
        let balancer = try await LoadBalancer.start(addresses: [.loopback(closed)] + addresses, group: MultiThreadedEventLoopGroup.singleton)
        var answeredBy: [String] = []
        for _ in 0..<6 {
            let page = try await Self.get("http://127.0.0.1:\(balancer.port)/")
            answeredBy.append(page.contains("Web_IN_0") ? "0" : page.contains("Web_IN_1") ? "1" : "?")
        }
        #expect(Set(answeredBy) == ["0", "1"], "both instances answer: \(answeredBy)")
        #expect(try await Self.get("http://127.0.0.1:\(balancer.port)/hello.txt") == "hello")
        #expect(try await Self.get("http://127.0.0.1:\(balancer.port)/..%2Fsecret.txt").hasPrefix("Not found"))

        balancer.setBackends([.loopback(closed)])
        await #expect(throws: (any Error).self) { _ = try await Self.get("http://127.0.0.1:\(balancer.port)/") }
        await balancer.stop()
        for instance in instances { await instance.stop() }
    }

    @Test("the instance page escapes the names it takes from the package")
    func pageEscapesNames() async throws {
        let folder = try TemporaryDirectory()
        let instance = LocalRoleInstance(folder: folder.file("x"), sealing: MasterKey.generate())
        let served = try await instance.apply(Self.assignment("Web_IN_0", certificate: nil, protocolName: "http", role: "<script>alert('role')</script>"))
        let page = try await Self.get("http://127.0.0.1:\(try #require(served.first?.localPort))/")
        #expect(!page.contains("<script>"), "\(page)")
        #expect(page.contains("&lt;script&gt;alert(&#39;role&#39;)&lt;/script&gt;"), "\(page)")
        await instance.stop()
    }

    /// One request on a connection of its own: the load balancer places connections, not requests.
    static func get(_ url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Connection", value: "close")
        return String(buffer: try await HTTPClient.shared.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 20))
    }
}
