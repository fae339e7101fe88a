import Foundation
import Hummingbird
import Logging
import ServicePackages
import TestSupport
import Testing

@Suite("Where a PackageUrl may point")
struct PackageLocationTests {
    @Test("a file inside the packages folder is accepted; outside it, through .. or a symbolic link, it is refused")
    func fileURLs() throws {
        let folder = try TemporaryDirectory()
        let packages = folder.file("packages")
        try FileManager.default.createDirectory(atPath: packages, withIntermediateDirectories: true)
        try Data("zip".utf8).write(to: URL(fileURLWithPath: packages + "/app.cspkg"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: folder.file("outside.cspkg")))
        try FileManager.default.createSymbolicLink(atPath: packages + "/link.cspkg", withDestinationPath: folder.file("outside.cspkg"))

        let inside = try PackageLocation.resolve("file://\(packages)/app.cspkg", packagesDirectory: packages)
        guard case .file(let path) = inside else {
            Issue.record("not a file: \(inside)")
            return
        }
        #expect(path.hasSuffix("/packages/app.cspkg"))

        for refused in [
            "file://\(folder.path)/outside.cspkg", "file://\(packages)/../outside.cspkg", "file://\(packages)/link.cspkg",
            "file:///etc/passwd", "file://\(packages)/missing.cspkg", "file://fileserver\(packages)/app.cspkg",
        ] {
            let error = #expect(throws: ServicePackageError.self, "\(refused)") { try PackageLocation.resolve(refused, packagesDirectory: packages) }
            guard case .refusedLocation(let url, _) = error else {
                Issue.record("\(String(describing: error))")
                continue
            }
            #expect(url == refused)
        }
    }

    @Test("http(s) on loopback is accepted; any other host or scheme is refused")
    func networkURLs() throws {
        for accepted in ["http://127.0.0.1:8080/app.cspkg", "https://[::1]:8443/app.cspkg", "http://localhost/app.cspkg", "http://127.1.2.3/x"] {
            #expect(try PackageLocation.resolve(accepted, packagesDirectory: "/nonexistent") == .loopback(url: accepted))
        }
        for refused in [
            "http://storagename.blob.core.windows.net/c/app.cspkg", "http://10.0.0.1/app.cspkg", "https://192.168.1.1/a",
            "http://127.0.0.1.example.com/a", "ftp://127.0.0.1/app.cspkg", "http://user:pw@127.0.0.1/a", "app.cspkg", "gopher://x",
        ] {
            #expect(throws: ServicePackageError.self, "\(refused)") { try PackageLocation.resolve(refused, packagesDirectory: "/nonexistent") }
        }
    }
}

@Suite("Downloading a package from loopback")
struct PackageDownloadTests {
    /// Serves `/app.cspkg`, `/moved` (a redirect to another host) and `/missing` on a free loopback port.
    static func withServer(_ package: Data, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("app.cspkg") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: package))) }
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "http://storagename.blob.core.windows.net/app.cspkg"]) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "package-server") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { try await application.runService() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        do {
            try await body(port)
        } catch {
            running.cancel()
            throw error
        }
        running.cancel()
    }

    @Test("a package is downloaded and opens; a redirect is not followed; over the limit it is cut off and nothing is left")
    func download() async throws {
        let folder = try TemporaryDirectory()
        let source = folder.file("source.cspkg")
        try PackageBuilder.make(source, [("ServiceDefinition.csdef", PackageBuilder.definition)])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        try await Self.withServer(bytes) { port in
            let target = folder.file("downloaded.cspkg")
            try await PackageDownload.fetch("http://127.0.0.1:\(port)/app.cspkg", to: target)
            #expect(try ServicePackage(path: target).definition.roles.isEmpty == false)

            let moved = folder.file("moved.cspkg")
            await #expect(throws: ServicePackageError.self) { try await PackageDownload.fetch("http://127.0.0.1:\(port)/moved", to: moved) }
            #expect(!FileManager.default.fileExists(atPath: moved))

            let small = folder.file("small.cspkg")
            let error = await #expect(throws: ServicePackageError.self) {
                try await PackageDownload.fetch("http://127.0.0.1:\(port)/app.cspkg", to: small, limit: Int64(bytes.count - 1))
            }
            guard case .tooLarge = error else {
                Issue.record("\(String(describing: error))")
                return
            }
            #expect(!FileManager.default.fileExists(atPath: small))

            await #expect(throws: ServicePackageError.self) { try await PackageDownload.fetch("http://example.com/app.cspkg", to: small) }
        }
    }
}
