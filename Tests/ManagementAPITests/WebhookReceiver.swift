import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A webhook receiver on a free loopback port: records every POST, and answers 200 at
/// `/hook`, 500 at `/fail` and a redirect to `/hook` at `/redirect`.
final class WebhookReceiver: Sendable {
    /// One request as received.
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: String
    }

    private actor Log {
        var received: [Received] = []
        func add(_ entry: Received) { received.append(entry) }
    }

    let port: Int
    private let log: Log
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(port: Int, log: Log, group: ServiceGroup, running: Task<Void, any Error>) {
        self.port = port
        self.log = log
        self.group = group
        self.running = running
    }

    /// Starts a receiver.
    static func start() async throws -> WebhookReceiver {
        let log = Log()
        let router = Router()
        for (path, status) in [("hook", HTTPResponse.Status.ok), ("fail", .internalServerError), ("redirect", .found)] {
            router.post(RouterPath(path)) { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                await log.add(Received(path: path, headers: headers, body: String(buffer: body)))
                return Response(status: status, headers: status == .found ? [.location: "/hook"] : [:])
            }
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
        return WebhookReceiver(port: port, log: log, group: group, running: running)
    }

    /// The URL of one of the paths.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Everything received so far.
    func received() async -> [Received] { await log.received }

    /// Stops the receiver.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }
}
