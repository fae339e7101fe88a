import Hummingbird
import HummingbirdAuth
import NIOCore
import Storage

/// What a portal request carries: the connection and, once the session middleware has run, the
/// signed-in person's session.
struct PortalRequestContext: RequestContext, SessionRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel
    /// The session, loaded and saved by HummingbirdAuth's session middleware.
    let sessions = SessionContext<PortalSession>()
    /// A POST's form, read (and its CSRF token checked) by the session middleware.
    var form = PortalForm()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The session of the person signed in (or half-way, before the second factor), if any.
    var session: PortalSession? { sessions.session }

    /// Form bodies (uploads included) larger than this are refused.
    var maxUploadSize: Int { ManagementServer.maximumBodySize }

    /// The signed-in person, or a redirect to the sign-in page (or to its second step).
    func requireSession() throws -> PortalSession {
        guard let session else { throw PortalRedirect(to: "/sign-in") }
        guard !session.secondFactorPending else { throw PortalRedirect(to: "/sign-in/code") }
        return session
    }
}

/// Thrown to send the browser elsewhere (303 See Other).
struct PortalRedirect: Error {
    var location: String

    init(to location: String) { self.location = location }
}
