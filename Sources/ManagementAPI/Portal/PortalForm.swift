import Foundation
import Hummingbird
import MultipartKit
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#endif

/// A submitted form: `application/x-www-form-urlencoded` or `multipart/form-data` (uploads),
/// at most `ManagementServer.maximumBodySize` bytes and 32 fields.
struct PortalForm: Sendable {
    /// An uploaded file.
    struct File: Sendable {
        var name: String
        var bytes: [UInt8]
    }

    /// Text fields by name.
    var fields: [String: String] = [:]
    /// Files by field name; an empty file input is absent.
    var files: [String: File] = [:]

    static let maximumFields = 32

    /// The text field `name`, trimmed; "" when absent.
    subscript(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Reads the request's form; a body that is neither kind, too large or malformed is a 400 page.
    static func read(_ request: inout Request, limit: Int) async throws -> PortalForm {
        let body = try await request.collectBody(upTo: limit)
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            return try urlEncoded(String(buffer: body))
        }
        if type.lowercased().hasPrefix("multipart/form-data"), let boundary = parameter("boundary", in: type) {
            return try multipart(body, boundary: boundary)
        }
        throw PortalRefusal(.badRequest, "The form could not be read; reload the page and try again.")
    }

    static func urlEncoded(_ text: String) throws -> PortalForm {
        var form = PortalForm()
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            form.fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            guard form.fields.count <= maximumFields else { throw PortalRefusal(.badRequest, "The form has too many fields.") }
        }
        return form
    }

    static func multipart(_ body: ByteBuffer, boundary: String) throws -> PortalForm {
        let parser = MultipartParser(boundary: boundary)
        var form = PortalForm()
        var headers: [String: String] = [:]
        var bytes: [UInt8] = []
        var count = 0
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in bytes += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            defer {
                headers = [:]
                bytes = []
                count += 1
            }
            guard let disposition = headers["content-disposition"], let name = parameter("name", in: disposition) else { return }
            if let filename = parameter("filename", in: disposition) {
                if !filename.isEmpty || !bytes.isEmpty { form.files[name] = File(name: filename, bytes: bytes) }
            } else {
                form.fields[name] = String(decoding: bytes, as: UTF8.self)
            }
        }
        do {
            try parser.execute(body)
        } catch {
            throw PortalRefusal(.badRequest, "The form could not be read; reload the page and try again.")
        }
        guard count <= maximumFields else { throw PortalRefusal(.badRequest, "The form has too many fields.") }
        return form
    }

    /// `key=value` or `key="value"` from a header value such as `form-data; name="file"`.
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
