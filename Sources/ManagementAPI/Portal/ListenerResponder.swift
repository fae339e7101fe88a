import Hummingbird
import NIOCore
import Storage

/// The one listener's doors: a path whose first segment is a subscription id is the Service
/// Management API (client certificates, XML), and so is any request with an `x-ms-version`
/// header (which API clients always send and browsers never do), so that a client's mistyped
/// path still gets the API's XML error; `/agent/…` is for role-instance agents (their
/// certificates, JSON); every other request is the portal (sessions, HTML).
struct ListenerResponder<API: HTTPResponder, Agents: HTTPResponder, Portal: HTTPResponder>: HTTPResponder
where API.Context == ManagementRequestContext, Agents.Context == ManagementRequestContext, Portal.Context == PortalRequestContext {
    typealias Context = ListenerRequestContext

    let api: API
    let agents: Agents
    let portal: Portal

    func respond(to request: Request, context: Context) async throws -> Response {
        let source = ApplicationRequestContextSource(channel: context.channel, logger: context.logger)
        if request.uri.path.hasPrefix(AgentRoutes.prefix) {
            return try await agents.respond(to: request, context: ManagementRequestContext(source: source))
        }
        if Self.isAPIPath(request.uri.path) || request.headers[.msVersion] != nil {
            return try await api.respond(to: request, context: ManagementRequestContext(source: source))
        }
        return try await portal.respond(to: request, context: PortalRequestContext(source: source))
    }

    /// Whether the path is the API's: its first segment is a subscription id.
    static func isAPIPath(_ path: String) -> Bool {
        guard let first = path.split(separator: "/", maxSplits: 1).first else { return false }
        return SubscriptionID(String(first)) != nil
    }
}

/// The context the listener makes for each request before it knows which door it is for.
struct ListenerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
