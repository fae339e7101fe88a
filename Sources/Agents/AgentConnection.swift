import AsyncHTTPClient
import Certificates
import NIOCore
import NIOSSL
import RoleInstances

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An agent's connection to a server: mutual TLS with the agent's certificate, trusting only the
/// servers' CA; asks for the agent's instances and sends its reports (see `AgentRoutes`).
public final class AgentConnection: Sendable {
    /// Why a server's answer was not usable.
    public struct Refused: Error, CustomStringConvertible {
        /// The HTTP status.
        public var status: Int
        /// What the server said.
        public var message: String

        public var description: String { "the server answered \(status): \(message)" }
    }

    /// The largest assignments document read (a thousand instances with their certificates fit).
    static let maximumAssignmentsSize = 32 << 20

    private let client: HTTPClient
    private let server: String

    /// A connection to `server` (`https://HOST:PORT`) as the holder of `identity` (with its key),
    /// trusting `authority` (the servers' CA) for the server's certificate.
    public init(server: String, identity: CertificateBundle, authority: CertificateDetails) throws {
        guard let key = identity.privateKey else { throw CertificateError.missingPrivateKey }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: identity.certificate.der, format: .der))]
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: authority.der, format: .der)])
        tls.minimumTLSVersion = .tlsv12
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(10))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
    }

    /// What the agent should run, once it differs from `known` (the digest of the last answer);
    /// nil when nothing changed within the server's wait.
    public func assignments(known: String) async throws -> AgentAssignments? {
        let query = known.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await client.execute(HTTPClientRequest(url: "\(server)/agent/v1/assignments?known=\(query)"), timeout: .seconds(15))
        let body = try await response.body.collect(upTo: Self.maximumAssignmentsSize)
        switch response.status.code {
        case 204: return nil
        case 200: return try JSONDecoder().decode(AgentAssignments.self, from: Data(body.readableBytesView))
        default: throw Refused(status: Int(response.status.code), message: String(buffer: body))
        }
    }

    /// Tells the server what the agent runs.
    public func send(_ report: AgentReport) async throws {
        var request = HTTPClientRequest(url: "\(server)/agent/v1/report")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(report)))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 16)
        guard response.status.code == 204 else { throw Refused(status: Int(response.status.code), message: String(buffer: body)) }
    }

    /// Closes the connection pool.
    public func close() async {
        try? await client.shutdown()
    }
}
