import AsyncHTTPClient
import Certificates
import Crypto
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Sends queued webhook deliveries: a JSON POST signed with HMAC-SHA256, never following a
/// redirect; a delivery not answered 2xx is tried again with doubling delays until its retry
/// window (24 hours) ends, then kept as dead for `thumbprint admin webhook failures`.
public final class WebhookDeliveries: Service, Sendable {
    /// How deliveries are paced and retried.
    public struct Policy: Sendable {
        /// How long after the event a delivery is still tried.
        public var retryWindow: TimeInterval = 86_400
        /// The delay after the first failure; it doubles after each.
        public var firstDelay: TimeInterval = 10
        /// The longest delay between attempts.
        public var longestDelay: TimeInterval = 3_600
        /// How often the queue is looked at.
        public var pollInterval: Duration = .seconds(1)
        /// How long one attempt may take.
        public var requestTimeout: TimeInterval = 10

        /// The defaults above.
        public init() {}
    }

    /// Bodies larger than this are refused by the receiver anyway; answers are read up to it.
    static let maximumAnswer = 64 << 10
    /// The header carrying the signing time (seconds since 1970): a receiver refuses old ones.
    public static let timestampHeader = "Thumbprint-Timestamp"
    /// The header carrying `sha256=` and the hex HMAC-SHA256 of `TIMESTAMP.BODY` under the secret.
    public static let signatureHeader = "Thumbprint-Signature"

    let store: any ManagementStore
    let masterKey: MasterKey
    let policy: Policy
    let now: @Sendable () -> Date
    let logger: Logger
    let client: HTTPClient

    /// A sender for `store`'s queue; the master key opens the webhooks' secrets.
    public init(store: any ManagementStore, masterKey: MasterKey, policy: Policy = Policy(), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.store = store
        self.masterKey = masterKey
        self.policy = policy
        self.now = now
        self.logger = logger
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(policy.requestTimeout)))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends what is due until the server stops.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                while await self.deliverDue() > 0 && !Task.isCancelled {}
                try? await Task.sleep(for: self.policy.pollInterval)
            }
        }
        try await client.shutdown()
    }

    /// Ends the HTTP client, when `run` was never called.
    public func shutdown() async throws { try await client.shutdown() }

    /// One round: sends up to 20 due deliveries, in parallel; how many were tried.
    @discardableResult
    public func deliverDue() async -> Int {
        let time = now()
        let due: [WebhookDelivery]
        do {
            due = try await store.claimDueDeliveries(now: time, holdUntil: time.addingTimeInterval(policy.requestTimeout + 60), limit: 20)
        } catch {
            logger.warning("webhook deliveries could not be read: \(error)")
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in due { group.addTask { await self.attempt(delivery) } }
        }
        return due.count
    }

    /// The signature header's value for `body` signed at `timestamp` with `secret`.
    public static func signature(of body: String, timestamp: Int, secret: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: secret))
        return "sha256=" + hexString(code, uppercase: false)
    }

    private func attempt(_ delivery: WebhookDelivery) async {
        var delivery = delivery
        delivery.attempts += 1
        let failure: String?
        do {
            failure = try await post(delivery)
        } catch {
            failure = "\(error)"
        }
        let time = now()
        if let failure {
            let delay = min(policy.firstDelay * Double(1 << min(delivery.attempts - 1, 30)), policy.longestDelay)
            let next = time.addingTimeInterval(delay)
            delivery.lastError = failure
            if next > delivery.created.addingTimeInterval(policy.retryWindow) {
                delivery.state = .dead
                delivery.nextAttempt = nil
                logger.warning("webhook delivery \(delivery.id) (\(delivery.event)) given up after \(delivery.attempts) attempts: \(failure)")
            } else {
                delivery.nextAttempt = next
            }
        } else {
            delivery.state = .delivered
            delivery.nextAttempt = nil
            delivery.lastError = nil
        }
        do {
            try await store.updateDelivery(delivery)
        } catch {
            logger.warning("webhook delivery \(delivery.id) could not be saved: \(error)")
        }
    }

    /// Sends one delivery; nil when answered 2xx, else what went wrong.
    private func post(_ delivery: WebhookDelivery) async throws -> String? {
        guard let webhook = try await store.webhooks(in: delivery.subscription).first(where: { $0.id == delivery.webhook }) else {
            return "the webhook was removed"
        }
        let secret = try KeyEnvelope.open(webhook.sealedSecret, context: Self.sealingContext(webhook.id), with: masterKey)
        let timestamp = Int(now().timeIntervalSince1970)
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Thumbprint-Webhook/1")
        request.headers.add(name: "Thumbprint-Event", value: delivery.event)
        request.headers.add(name: "Thumbprint-Delivery", value: delivery.id)
        request.headers.add(name: Self.timestampHeader, value: String(timestamp))
        request.headers.add(name: Self.signatureHeader, value: Self.signature(of: delivery.body, timestamp: timestamp, secret: secret))
        request.body = .bytes(ByteBuffer(string: delivery.body))
        let response = try await client.execute(request, timeout: .seconds(Int64(policy.requestTimeout)))
        _ = try? await response.body.collect(upTo: Self.maximumAnswer)
        guard (200..<300).contains(response.status.code) else {
            let redirect = (300..<400).contains(response.status.code) ? " (redirects are not followed)" : ""
            return "\(webhook.url) answered \(response.status.code) \(response.status.reasonPhrase)\(redirect)"
        }
        return nil
    }

    /// The sealing context of a webhook's secret.
    public static func sealingContext(_ webhook: String) -> String { "webhook/\(webhook)" }
}
