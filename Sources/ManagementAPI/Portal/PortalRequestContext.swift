import Hummingbird
import NIOCore
import Storage

/// What a portal request carries: the connection and, once the session middleware has run, the
/// signed-in person's session.
public struct PortalRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    public let channel: any Channel
    /// The session of the person signed in, if any.
    var session: PortalSession?
    /// The hash of the presented session id, when it named a live session.
    var sessionIDHash: String?
    /// A POST's form, read (and its CSRF token checked) by the session middleware.
    var form = PortalForm()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        session = nil
        sessionIDHash = nil
    }

    /// Form bodies (uploads included) larger than this are refused.
    public var maxUploadSize: Int { ManagementServer.maximumBodySize }

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
