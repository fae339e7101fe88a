import Hummingbird
import Logging

/// `GET /metrics` in Prometheus' text format, on a listener of its own (plain HTTP: keep it on
/// loopback or a private network). `scrape` refreshes the gauges read from the database and
/// returns the text.
public struct MetricsEndpoint: Sendable {
    let host: String
    let port: Int
    let scrape: @Sendable () async throws -> [UInt8]
    let logger: Logger

    /// An endpoint on `host:port` answering with what `scrape` returns.
    public init(host: String, port: Int, logger: Logger, scrape: @escaping @Sendable () async throws -> [UInt8]) {
        self.host = host
        self.port = port
        self.scrape = scrape
        self.logger = logger
    }

    /// The application, ready to run as a service.
    public func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: try await scrape())))
        }
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Thumbprint"), logger: logger)
    }
}
