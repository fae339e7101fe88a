import Accounts
import HTTPTypes
import Hummingbird
import Logging

/// Every portal request: finds the session its cookie names, refuses a state-changing request
/// without the session's CSRF token (403, nothing changed), turns redirects and errors into
/// pages, and sets the headers every page carries.
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
            if let (session, idHash) = try await sessions.load(cookieValue: request.cookies[PortalSessions.cookieName]?.value) {
                context.session = session
                context.sessionIDHash = idHash
                try await sessions.touch(session, idHash: idHash)
            }
            var request = request
            if request.method == .post {
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
        return response
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
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
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
