import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders portal pages: a page's template inside the layout, as an HTML response.
struct PortalPages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        MustacheContentTypes.register(PortalEscaping(), named: PortalEscaping.name)
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in PortalTemplates.all { templates[name] = try MustacheTemplate(string: PortalEscaping.pragma + text) }
        library = MustacheLibrary(templates: templates)
    }

    /// The page `template` with `values`, titled `title`, for the person of `session` (if any).
    func page(
        _ template: String, title: String, values: [String: Any] = [:], session: PortalSession?,
        notice: String? = nil, alert: String? = nil, status: HTTPResponse.Status = .ok, refresh: Int? = nil
    ) async -> Response {
        var values = values
        values["csrf"] = session?.csrfToken ?? ""
        var frame: [String: Any] = ["title": title, "csrf": session?.csrfToken ?? ""]
        if let user = session?.user { frame["user"] = user.rawValue }
        if let notice { frame["notice"] = notice }
        if let alert { frame["alert"] = alert }
        if let refresh { frame["refresh"] = refresh }
        // Rendering a long page takes milliseconds of CPU: never on an event loop, which serves
        // every TLS handshake of the listener.
        let page = RenderRequest(template: template, values: values, frame: frame)
        let library = self.library
        let html = (try? await BackgroundWork.parsing.run { page.render(with: library) }) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// An error page: what went wrong and a way back.
    func errorPage(_ refusal: PortalRefusal, session: PortalSession?) async -> Response {
        await page(
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

/// A page to render: the values are plain strings, numbers, booleans, arrays and dictionaries of
/// them, made for one request and handed whole to the rendering thread.
private struct RenderRequest: @unchecked Sendable {
    let template: String
    let values: [String: Any]
    let frame: [String: Any]

    func render(with library: MustacheLibrary) -> String {
        var frame = frame
        frame["body"] = library.render(values, withTemplate: template) ?? ""
        return library.render(frame, withTemplate: "layout") ?? ""
    }
}
