import HTTPTypes
import ManagementAPI
import ServiceModel

/// The Service Management API's promises to any request: a 4xx for what it refuses, never a
/// 500; every answer carries `x-ms-request-id`; every error body is the API's `<Error>` with a
/// `Code` and a `Message`; the XML bodies of the body-taking operations are refused with the
/// status a client can act on.
enum APIChecks {
    /// The methods a request may carry, picked by the input's first byte.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options]

    /// A request: the first byte picks the method (low bits) and whether a registered
    /// certificate is presented (high bit clear); then the path, a newline, the `x-ms-version`
    /// value (an empty line: no header), a newline, and the body.
    static func router(_ bytes: [UInt8]) async throws(FuzzViolation) {
        guard let (method, presents, path, version, body) = request(from: bytes) else { return }
        var head = HTTPRequest(method: method, scheme: "https", authority: "127.0.0.1", path: path)
        if let version { head.headerFields[HTTPField.Name("x-ms-version")!] = version }
        let fixture = await RouterFixture.shared
        let answer = await fixture.api.respond(to: head, body: body, presenting: presents ? fixture.certificate : nil)
        let code = answer.status.code
        guard code < 500 else { throw FuzzViolation("no request is a server error", "\(method) \(path): \(code)") }
        guard answer.headers[HTTPField.Name("x-ms-request-id")!] != nil else {
            throw FuzzViolation("every answer has an x-ms-request-id", "\(method) \(path): \(code)")
        }
        guard method != .head, !answer.body.isEmpty else { return }
        let isXML = answer.headers[.contentType]?.contains("xml") ?? false
        if code >= 400 {
            guard let error = try? XMLDocumentReader.parse(answer.body), error.name == "Error",
                let errorCode = error.child("Code")?.text, !errorCode.isEmpty, error.child("Message") != nil
            else { throw FuzzViolation("an error body is <Error> with a Code and a Message", "\(method) \(path): \(code)") }
        } else if isXML {
            guard (try? XMLDocumentReader.parse(answer.body)) != nil else {
                throw FuzzViolation("an XML answer reads", "\(method) \(path): \(code)")
            }
        }
    }

    /// The first byte picks the operation, the rest is its body: it reads, or is refused with a
    /// 4xx that names a code.
    static func bodies(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let first = bytes.first else { return }
        let operation = OperationBody.allCases[Int(first) % OperationBody.allCases.count]
        do {
            try operation.read(Array(bytes.dropFirst()), packagesDirectory: "/nonexistent/thumbprint-fuzz-packages")
        } catch {
            let refusal = APIError(describing: error)
            guard (400..<500).contains(refusal.status.code), !refusal.code.isEmpty, !refusal.message.isEmpty else {
                throw FuzzViolation("a body is refused with a 4xx a client can act on", "\(operation.rawValue): \(refusal.status.code) \(error)")
            }
        }
    }

    /// Splits an input into a request's parts; nil when the path or version holds a byte an HTTP
    /// parser refuses before the router (controls, spaces, non-ASCII).
    static func request(from bytes: [UInt8]) -> (HTTPRequest.Method, Bool, String, String?, [UInt8])? {
        guard let first = bytes.first else { return nil }
        let method = methods[Int(first & 0x7F) % methods.count]
        let lines = bytes.dropFirst().split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard let pathBytes = lines.first, pathBytes.first == UInt8(ascii: "/"),
            pathBytes.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        let versionBytes = lines.count > 1 ? lines[1] : []
        guard versionBytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        let version = versionBytes.isEmpty ? nil : String(decoding: versionBytes, as: UTF8.self)
        let body = lines.count > 2 ? Array(lines[2]) : []
        return (method, first & 0x80 == 0, String(decoding: pathBytes, as: UTF8.self), version, body)
    }
}
