import Accounts
import HTTPTypes
import Hummingbird
import Logging

/// Every portal request, inside HummingbirdAuth's session middleware: ends a session that timed
/// out, refuses a state-changing request from another origin or without the session's CSRF token
/// (403, nothing changed), turns redirects and errors into pages, and sets the headers every page
/// carries.
struct PortalSessionMiddleware: RouterMiddleware {
    typealias Context = PortalRequestContext

    let sessions: PortalSessions
    let pages: PortalPages
    let logger: Logger

    /// POSTs that do not act within a session: signing in and choosing a password from an invitation.
    static let sessionlessForms: Set<String> = ["/sign-in"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var response: Response
        do {
            sessions.check(context)
            var request = request
            if request.method == .post {
                if Self.isFromAnotherSite(request) { throw PortalRefusal.badToken }
                context.form = try await PortalForm.read(&request, limit: context.maxUploadSize)
                if !Self.isSessionless(request.uri.path) { try checkToken(context) }
            }
            response = try await next(request, context)
        } catch let redirect as PortalRedirect {
            response = Response(status: .seeOther, headers: [.location: redirect.location])
        } catch let refusal as PortalRefusal {
            response = await pages.errorPage(refusal, session: context.session)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            response = await pages.errorPage(
                PortalRefusal(.contentTooLarge, "The upload is larger than \(ManagementServer.maximumBodySize >> 20) MiB, the most the portal takes."),
                session: context.session)
        } catch let error as HTTPResponseError where error.status == .notFound || error.status == .methodNotAllowed {
            response = await pages.errorPage(PortalRefusal(.notFound, "There is no such page."), session: context.session)
        } catch {
            logger.error("portal request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(APIError(describing: error).message)")])
            response = await pages.errorPage(PortalRefusal(.internalServerError, "The server failed to answer; try again."), session: context.session)
        }
        Self.addPageHeaders(to: &response)
        // One line per request, like the API's: who, never a form's content, and no invitation token.
        logger.info(
            "\(request.method) \(Self.loggedPath(request.uri.path)) \(response.status.code)",
            metadata: ["portal-user": "\(context.session?.user.rawValue ?? "none")"])
        return response
    }

    /// The path as logged: an invitation's token is a secret until used.
    static func loggedPath(_ path: String) -> String {
        path.hasPrefix("/invitation/") ? "/invitation/…" : path
    }

    /// Whether a browser says the form came from another site, so that it is refused before
    /// anything is read, signing in included. `Sec-Fetch-Site` says so in every current browser;
    /// `Origin` names the site, but is `null` for the portal's own forms (their
    /// `Referrer-Policy: no-referrer` hides it), so only another named origin counts.
    static func isFromAnotherSite(_ request: Request) -> Bool {
        if let site = request.headers[.fetchSite], site != "same-origin", site != "none" { return true }
        if let origin = request.headers[.origin], origin != "null", origin != "https://\(request.head.authority ?? "")" { return true }
        return false
    }

    /// Signing in and choosing a password from an invitation act outside any session.
    static func isSessionless(_ path: String) -> Bool {
        sessionlessForms.contains(path) || path.hasPrefix("/invitation/")
    }

    /// A state-changing form must carry its session's token: compared in constant time.
    private func checkToken(_ context: Context) throws {
        guard let session = context.session else { throw PortalRedirect(to: "/sign-in") }
        guard let expected = SecretToken(presented: session.csrfToken), expected.matches(context.form.fields["csrf"] ?? "") else {
            throw PortalRefusal.badToken
        }
    }

    /// Headers on every portal response: no inline script, no framing, no referrer, no caching.
    static func addPageHeaders(to response: inout Response) {
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.frameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.contentTypeOptions] = "nosniff"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }
}

/// A page that answers with an error: a status and what the person can do about it.
struct PortalRefusal: Error {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// 404, for anything the person may not see, so that others' subscriptions are not revealed.
    static let notFound = PortalRefusal(.notFound, "There is no such page.")
    /// 403 for a form without its session's token.
    static let badToken = PortalRefusal(
        .forbidden, "This form has expired or did not come from this site; nothing was changed. Go back, reload the page and try again.")
}

extension HTTPField.Name {
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
