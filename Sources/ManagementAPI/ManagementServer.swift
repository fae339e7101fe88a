import Accounts
import Certificates
import ConnectionLimits
import Deployments
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Service Management API server: HTTPS only, every client asked for a certificate. On the
/// same listener, paths that do not start with a subscription id are the portal for people.
public struct ManagementServer: Sendable {
    /// Request bodies larger than this get 413.
    public static let maximumBodySize = 4 << 20

    /// Where to listen.
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int
    /// The store behind the API.
    public var store: any ManagementStore
    /// The certificate and key the server presents, with its chain.
    public var identity: CertificateBundle
    /// The management-certificate limits.
    public var limits: CertificateLimits
    /// The clock.
    public var now: @Sendable () -> Date
    /// The key that seals uploaded private keys at rest.
    public var masterKey: MasterKey
    /// The logger for the one line per request.
    public var logger: Logger
    /// Runs the deployments' role instances and load balancers.
    public var deployments: DeploymentRuntime
    /// Timeouts and the connection cap of the API listener.
    public var connectionLimits: ConnectionLimits
    /// What each subscription may use (the deployment runtime enforces the cores).
    public var quota: SubscriptionQuota
    /// The asynchronous operations in progress; a service of the server's service group.
    public var operations: RunningOperations
    /// Where cloud services may be created.
    public var locations: ServiceLocations
    /// The certificate presented, replaceable while the server runs; `identity` when nil.
    public var serving: ServingIdentity?
    /// Whether API requests are counted and timed (`--metrics-listen`).
    public var countsRequests = false

    /// A server from its parts.
    public init(
        host: String, port: Int, store: any ManagementStore, identity: CertificateBundle,
        limits: CertificateLimits = .standard, now: @escaping @Sendable () -> Date = { Date() }, masterKey: MasterKey,
        deployments: DeploymentRuntime, connectionLimits: ConnectionLimits = .defaults, quota: SubscriptionQuota = .standard,
        operations: RunningOperations = RunningOperations(), locations: ServiceLocations = .standard, logger: Logger
    ) {
        self.operations = operations
        self.locations = locations
        self.quota = quota
        self.connectionLimits = connectionLimits
        self.host = host
        self.port = port
        self.store = store
        self.identity = identity
        self.limits = limits
        self.now = now
        self.masterKey = masterKey
        self.deployments = deployments
        self.logger = logger
    }

    /// Events for the subscriptions' webhooks.
    public var notifications: Notifications { Notifications(store: store, now: now, logger: logger) }

    /// The router: middleware from outermost in, then the routes.
    func router() -> Router<ManagementRequestContext> {
        let router = Router(context: ManagementRequestContext.self)
        if countsRequests { router.add(middleware: MetricsMiddleware()) }
        router.add(middleware: RequestLoggingMiddleware(logger: logger))
        router.add(middleware: AuditMiddleware(store: store, now: now))
        router.add(middleware: AuthenticationMiddleware(store: store, now: now))
        let asynchronous = AsyncOperations(store: store, running: operations, now: now)
        SubscriptionRoutes(store: store, quota: quota).register(on: router)
        ManagementCertificateRoutes(store: store, limits: limits, now: now, notifications: notifications).register(on: router)
        LocationRoutes(locations: locations).register(on: router)
        SubscriptionOperationRoutes(store: store).register(on: router)
        CloudServiceRoutes(store: store, runtime: deployments, quota: quota, locations: locations, operations: asynchronous).register(on: router)
        ServiceCertificateRoutes(store: store, masterKey: masterKey, runtime: deployments, operations: asynchronous).register(on: router)
        DeploymentRoutes(store: store, runtime: deployments, operations: asynchronous, notifications: notifications).register(on: router)
        RenewalPolicyRoutes(store: store).register(on: router)
        return router
    }

    /// TLS that asks every client for a certificate and accepts any at this layer: the
    /// authentication middleware decides, so that refusals are 403s, not broken handshakes.
    func tlsConfiguration() throws -> TLSChannelConfiguration {
        let serving = try self.serving ?? ServingIdentity(identity)
        let identity = serving.bundle
        guard let key = identity.privateKey else { throw CertificateError.missingPrivateKey }
        let chain = try ([identity.certificate] + identity.chain).map { try NIOSSLCertificate(bytes: $0.der, format: .der) }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        )
        // Each handshake presents the certificate current then (renewal without a restart).
        tls.sslContextCallback = serving.contextCallback
        tls.certificateVerification = .optionalVerification
        tls.minimumTLSVersion = .tlsv12
        // Synchronous, on the event loop: the handshake never waits for a task to be scheduled.
        return TLSChannelConfiguration(tlsConfiguration: tls, customVerificationCallback: { _, promise in promise.succeed(.certificateVerified) })
    }

    /// The application, ready to run as a service; `onRunning` gets the port it listens on.
    /// Connections that outlast a step's timeout are closed, and at the cap the one waiting
    /// longest without a request in progress is.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let limits = connectionLimits
        let registry = ConnectionRegistry(maximum: limits.maximumConnections)
        let http = HTTP1Channel.Configuration(additionalChannelHandlers: [
            ConnectionDeadlines<HTTPRequestPart, HTTPResponsePart>(limits: limits, usesTLS: true, registry: registry),
            PresentedCertificates.shared.handler(),
        ])
        let portal = Portal(
            store: store, runtime: deployments, masterKey: masterKey, limits: self.limits, quota: quota, locations: locations,
            operations: AsyncOperations(store: store, running: operations, now: now),
            signIn: SignIn(
                store: store, now: now, verify: { hash, password in (try? await BackgroundWork.passwords.run { hash.matches(password) }) ?? false }),
            secondFactor: SecondFactor(store: store, masterKey: masterKey, now: now), sessions: PortalSessions(store: store, now: now),
            pages: try PortalPages(), notifications: notifications, now: now, logger: logger)
        return Application(
            responder: ListenerResponder(
                api: router().buildResponder(),
                agents: AgentRoutes(desired: AgentDesiredState(store: store, masterKey: masterKey), store: store, now: now, logger: logger).router()
                    .buildResponder(),
                portal: portal.router().buildResponder()),
            server: try .tls(.http1(configuration: http), configuration: tlsConfiguration()),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "Thumbprint", backlog: 4096,
                availableConnectionsDelegate: RegistryAvailability(registry: registry)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// `https://` and the host the client addressed, for `Location` headers.
    static func publicBaseURL(_ request: Request) -> String {
        "https://\(request.head.authority ?? "localhost")"
    }
}

/// Hummingbird's accept pacing, asked of the listener's registry: accepting pauses only when
/// every connection has a request in progress.
struct RegistryAvailability: AvailableConnectionsDelegate {
    let registry: ConnectionRegistry

    mutating func connectionOpened() {}
    mutating func connectionClosed() {}
    func isAcceptingNewConnections() -> Bool { registry.hasRoom }
}
