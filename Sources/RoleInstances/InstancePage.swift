import Foundation

/// What an instance answers over HTTP: a file from the role's static files when the package
/// brought one for the path, else a small page naming the role, the instance and the
/// thumbprint it serves.
struct InstancePage: Sendable {
    /// The largest static file served.
    static let fileLimit = 16 << 20

    var deployment: String
    var role: String
    var instance: String
    var endpoint: String
    var thumbprint: String?
    var staticFiles: String?

    /// Status, content type and body.
    typealias Answer = (status: Int, contentType: String, body: [UInt8])

    /// The answer for a request path; reads the disk when the role has static files.
    func answer(path rawPath: String) -> Answer {
        let path = rawPath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        if let file = staticFile(for: path), let bytes = Self.read(file) {
            return (200, Self.contentType(of: file), bytes)
        }
        if path == "/" || path == "/index.html" {
            return (200, "text/html; charset=utf-8", Array(page.utf8))
        }
        return (404, "text/plain; charset=utf-8", Array("Not found: \(path)\n".utf8))
    }

    /// The page naming what answered; tests and people read the thumbprint from it. Names come
    /// from the package's definition, so they are escaped.
    var page: String {
        let (role, instance, endpoint) = (Self.escaped(role), Self.escaped(instance), Self.escaped(endpoint))
        return """
            <!doctype html>
            <html><head><title>\(role) \(instance)</title></head>
            <body><h1>\(role)</h1><p>Instance: \(instance)</p><p>Endpoint: \(endpoint)</p><p>Deployment: \(Self.escaped(deployment))</p>\
            <p>Certificate thumbprint: \(thumbprint ?? "none (plain HTTP)")</p></body></html>

            """
    }

    /// `text` with the characters that mean something in HTML replaced by their entities.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// The file for a URL path inside the static folder; nil for anything that would leave it.
    func staticFile(for path: String) -> String? {
        guard let staticFiles else { return nil }
        let decoded = path.removingPercentEncoding ?? path
        var parts = decoded.split(separator: "/").map(String.init)
        guard !parts.contains(where: { $0 == ".." || $0.contains("\\") || $0.contains("\0") }) else { return nil }
        if parts.isEmpty { parts = ["index.html"] }
        let file = ([staticFiles] + parts).joined(separator: "/")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { return nil }
        return isDirectory.boolValue ? file + "/index.html" : file
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            ((attributes[.size] as? NSNumber)?.intValue ?? .max) <= fileLimit,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return [UInt8](data)
    }

    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "css": return "text/css"
        case "js": return "text/javascript"
        case "json": return "application/json"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "svg": return "image/svg+xml"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
