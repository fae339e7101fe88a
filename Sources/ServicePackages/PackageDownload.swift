import AsyncHTTPClient
import Foundation
import NIOCore

/// Downloads a package served on loopback into a file, never more than the package size limit
/// and never following a redirect (which could lead off this machine).
public enum PackageDownload {
    /// Downloads `url` (already checked by `PackageLocation`) to `destination`, created 0600.
    public static func fetch(_ url: String, to destination: String, limit: Int64 = ServicePackage.sizeLimit) async throws {
        guard case .loopback = try PackageLocation.resolve(url, packagesDirectory: "/") else {
            throw ServicePackageError.refusedLocation(url: url, reason: "only loopback URLs are downloaded")
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var failure: ServicePackageError?
        do {
            try await download(url, to: destination, limit: limit, client: client)
        } catch let error as ServicePackageError {
            failure = error
        } catch {
            failure = .downloadFailed(url: url, reason: "\(error)")
        }
        try? await client.shutdown()
        if let failure {
            unlink(destination)
            throw failure
        }
    }

    private static func download(_ url: String, to destination: String, limit: Int64, client: HTTPClient) async throws {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(300))
        guard response.status == .ok else {
            throw ServicePackageError.downloadFailed(url: url, reason: "the server answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        let name = (url as NSString).lastPathComponent
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int64.init), declared > limit {
            throw ServicePackageError.tooLarge(package: name, size: declared, limit: limit)
        }
        let descriptor = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ServicePackageError.downloadFailed(url: url, reason: "cannot create \(destination)") }
        defer { close(descriptor) }
        var received: Int64 = 0
        for try await chunk in response.body {
            received += Int64(chunk.readableBytes)
            guard received <= limit else { throw ServicePackageError.tooLarge(package: name, size: received, limit: limit) }
            try chunk.withUnsafeReadableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, base + offset, buffer.count - offset)
                    guard written > 0 else { throw ServicePackageError.downloadFailed(url: url, reason: "cannot write \(destination)") }
                    offset += written
                }
            }
        }
    }
}
