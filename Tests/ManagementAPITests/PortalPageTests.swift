import Foundation
import Hummingbird
import Testing

@testable import ManagementAPI

/// Rendering portal pages: every value escaped by the portal's own escaping, in every template.
@Suite("Portal pages")
struct PortalPageTests {
    func body(_ response: Response) async throws -> String {
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return String(buffer: writer.collected)
    }

    @Test("markup in any value is text: < > & \" ' and ` are escaped, in the page and in the layout")
    func escaping() async throws {
        let pages = try PortalPages()
        let hostile = #"<img src=x onerror="alert(1)">&'`"#
        let response = await pages.page(
            "home", title: hostile, values: ["subscriptions": [["id": hostile, "name": hostile, "role": "Reader"]]], session: nil, alert: hostile)
        let html = try await body(response)
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&#96;"))
        // The backtick is escaped only by the portal's escaping (Mustache's own leaves it):
        // the title (in <title> and <h1>), the alert, and the id (link and text) and name.
        #expect(html.components(separatedBy: "&#96;").count - 1 == 6)
        #expect(PortalEscaping().escapeText("plain text") == "plain text")
    }
}

/// Collects a response body.
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    var collected = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws { collected.writeImmutableBuffer(buffer) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
