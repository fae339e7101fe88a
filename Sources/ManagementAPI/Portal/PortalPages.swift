import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders portal pages: a page's template inside the layout, as an HTML response.
struct PortalPages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in PortalTemplates.all { templates[name] = try MustacheTemplate(string: text) }
        library = MustacheLibrary(templates: templates)
    }

    /// The page `template` with `values`, titled `title`, for the person of `session` (if any).
    func page(
        _ template: String, title: String, values: [String: Any] = [:], session: PortalSession?,
        notice: String? = nil, alert: String? = nil, status: HTTPResponse.Status = .ok, refresh: Int? = nil
    ) -> Response {
        var values = values
        values["csrf"] = session?.csrfToken ?? ""
        let body = library.render(values, withTemplate: template) ?? ""
        var frame: [String: Any] = ["title": title, "body": body, "csrf": session?.csrfToken ?? ""]
        if let user = session?.user { frame["user"] = user.rawValue }
        if let notice { frame["notice"] = notice }
        if let alert { frame["alert"] = alert }
        if let refresh { frame["refresh"] = refresh }
        let html = library.render(frame, withTemplate: "layout") ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// An error page: what went wrong and a way back.
    func errorPage(_ refusal: PortalRefusal, session: PortalSession?) -> Response {
        page(
            "error", title: refusal.status == .notFound ? "Not found" : "Something went wrong", session: session, alert: refusal.message, status: refusal.status
        )
    }

    /// The stylesheet (a file of its own: the Content-Security-Policy allows no inline style).
    static func stylesheet() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: PortalTemplates.stylesheet)))
    }
}
