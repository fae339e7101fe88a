import ArgumentParser
import AsyncHTTPClient
import CLISupport
import Certificates
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceModel
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How the client commands reach the API: a publish-settings file, or an endpoint, a
/// subscription and a client certificate; the server is trusted through `--ca` or the system roots.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("publish-settings"), help: ArgumentHelp("A .publishsettings file (default: $THUMBPRINT_PUBLISH_SETTINGS).", valueName: "FILE"))
    var publishSettings: String?

    @Option(name: .customLong("endpoint"), help: ArgumentHelp("The API's URL, such as https://127.0.0.1:8443.", valueName: "URL"))
    var endpoint: String?

    @Option(
        name: .customLong("subscription"), help: ArgumentHelp("The subscription id (with --endpoint; picks one from a publish-settings file).", valueName: "ID")
    )
    var subscription: String?

    @Option(
        name: .customLong("cert"),
        help: ArgumentHelp("The management certificate with its key: PEM (certificate + PKCS#8 key) or .pfx.", valueName: "PEM_OR_PFX"))
    var certificate: String?

    @Option(
        name: .customLong("ca"), help: ArgumentHelp("Trust the server through this CA certificate (PEM or DER) instead of the system roots.", valueName: "FILE")
    )
    var ca: String?

    @OptionGroup var password: PasswordOptions

    /// Runs `body` with a connection as the options say, and always closes it.
    func withConnection<T>(_ body: (ManagementConnection) async throws -> T) async throws -> T {
        let connection = try connect()
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Opens a connection as the options say; the caller must close it.
    private func connect() throws -> ManagementConnection {
        let settingsPath = publishSettings ?? ProcessInfo.processInfo.environment["THUMBPRINT_PUBLISH_SETTINGS"].flatMap { $0.isEmpty ? nil : $0 }
        let base: String
        let subscriptionID: String
        let identity: CertificateBundle
        if let endpoint {
            guard let subscription, let certificate else {
                throw ValidationError("--endpoint needs --subscription and --cert as well (or use --publish-settings)")
            }
            base = endpoint
            subscriptionID = subscription
            identity = try password.readFile(certificate).bundle
        } else if let settingsPath {
            let settings = try PublishSettings(xml: CertificateFile.readLimited(path: settingsPath))
            guard let entry = settings.entry(for: subscription) else {
                throw CommandFailure(
                    message: "\(settingsPath) has no subscription\(subscription.map { " \($0)" } ?? ""). List them with `grep Id= \(settingsPath)`.")
            }
            guard let pfx = Data(base64Encoded: entry.managementCertificate) else {
                throw CommandFailure(message: "\(settingsPath): the management certificate is not valid base64.")
            }
            base = entry.serviceManagementURL
            subscriptionID = entry.id
            identity = try PKCS12Reader.read([UInt8](pfx), password: "")
        } else {
            throw ValidationError(
                "say where the API is: --publish-settings FILE (or THUMBPRINT_PUBLISH_SETTINGS), or --endpoint URL --subscription ID --cert FILE")
        }
        guard let key = identity.privateKey else { throw CertificateError.missingPrivateKey }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca {
            tls.trustRoots = .certificates(try Self.authorities(in: ca).map { try NIOSSLCertificate(bytes: $0.der, format: .der) })
        }
        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: identity.certificate.der, format: .der))]
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return ManagementConnection(
            client: client, base: trimmed, subscription: subscriptionID, trusted: ca.map { "the CA given with --ca \($0)" } ?? "the system's trusted roots")
    }

    /// The certificates of a `--ca` file, PEM (one or several) or DER.
    static func authorities(in path: String) throws -> [CertificateDetails] {
        let bytes = try CertificateFile.readLimited(path: path)
        if let pem = try? PEMReader.read(bytes) { return pem.chainIncludingLeaf }
        if let der = try? CertificateDetails(der: bytes) { return [der] }
        throw CommandFailure(
            message: "--ca \(path): not a CA certificate in PEM or DER form (the server's is DIR/tls/ca.pem in its data folder)", status: ExitStatus.badInput)
    }
}

/// An open connection to the API for one subscription.
struct ManagementConnection {
    let client: HTTPClient
    let base: String
    let subscription: String
    /// What the server's certificate must be signed by, for messages.
    let trusted: String

    /// What the API answered.
    struct Answer {
        var status: Int
        var body: [UInt8]
        /// `x-ms-request-id`: the operation to poll for an asynchronous request.
        var requestID: String?
        /// `x-thumbprint-private-key` on Get Service Certificate: whether the upload brought a
        /// key (nil from a server that does not say).
        var privateKeyUploaded: Bool? = nil
    }

    /// How an asynchronous operation ended.
    struct OperationResult: Encodable {
        var id: String
        var status: String
        var httpStatusCode: Int?
        var errorCode: String?
        var errorMessage: String?
    }

    /// Sends a request to a path under the subscription ("" for the subscription itself).
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: "\(base)/\(subscription)\(path)")
        request.method = method
        request.headers.add(name: "x-ms-version", value: "2014-10-01")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(60))
        } catch {
            throw CommandFailure(message: Self.unreachable(base, trusted: trusted, error: error), status: ExitStatus.failed)
        }
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let answer = Answer(
            status: Int(response.status.code), body: Array(buffer: bytes), requestID: response.headers.first(name: "x-ms-request-id"),
            privateKeyUploaded: response.headers.first(name: "x-thumbprint-private-key").map { $0 == "present" })
        guard answer.status < 300 else { throw Self.failure(answer) }
        return answer
    }

    /// Polls Get Operation Status until the operation of `answer` ends, telling the user on
    /// standard error what it waits for (standard output stays for the result and `--json`).
    /// `progress`, when given, is asked at every poll for where the work stands; each new answer
    /// is written on a line of its own.
    func waitForOperation(
        of answer: Answer, doing what: String, timeout: Duration = .seconds(300), progress: (() async -> String?)? = nil
    ) async throws -> OperationResult {
        guard let id = answer.requestID else {
            throw CommandFailure(message: "the API accepted the request but gave no x-ms-request-id to follow it by.", status: ExitStatus.failed)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = Duration.milliseconds(50)
        var lastProgress: String?
        Terminal.writeToStandardError("\(what) (operation \(id))…")
        while true {
            let element = try xml(try await send(.GET, "/operations/\(id)"))
            let status = element.child("Status")?.text ?? ""
            if status != "InProgress" {
                Terminal.writeToStandardError(" \(status.lowercased())\n")
                let error = element.child("Error")
                return OperationResult(
                    id: id, status: status, httpStatusCode: element.child("HttpStatusCode").flatMap { Int($0.text) },
                    errorCode: error?.child("Code")?.text, errorMessage: error?.child("Message")?.text)
            }
            if let progress, let now = await progress(), now != lastProgress {
                Terminal.writeToStandardError("\n  \(now)")
                lastProgress = now
            } else {
                Terminal.writeToStandardError(".")
            }
            guard clock.now < deadline else {
                Terminal.writeToStandardError("\n")
                throw CommandFailure(
                    message: "operation \(id) is still in progress after \(timeout); check it later with the API's Get Operation Status.",
                    status: ExitStatus.failed)
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }

    /// What to say when a request gets no answer: nothing listens, the server's certificate is
    /// not trusted, or (rarely) something else; never the TLS library's own text.
    static func unreachable(_ base: String, trusted: String, error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") || text.contains("ECONNREFUSED") {
            return "nothing listens at \(base): is the server running (thumbprint server), and is that its address?"
        }
        if text.contains("handshakeFailed") || text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return "\(base) answered, but its certificate is not signed by \(trusted); trust the server's CA with --ca DIR/tls/ca.pem (from its data folder)"
        }
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("timeout") {
            return "\(base) did not answer in time: check the address, and that the server runs and is not overloaded"
        }
        return "cannot reach \(base) (\(type(of: error))); check the address and that the server runs"
    }

    /// Waits for the operation and turns a failed one into an error that carries its message.
    func requireSuccess(of answer: Answer, doing what: String, progress: (() async -> String?)? = nil) async throws -> OperationResult {
        let result = try await waitForOperation(of: answer, doing: what, progress: progress)
        guard result.status == "Succeeded" else {
            throw CommandFailure(
                message: "operation \(result.id) failed (\(result.errorCode ?? result.status)): \(result.errorMessage ?? "no message")",
                status: ExitStatus.failed)
        }
        return result
    }

    /// The root element of an XML answer.
    func xml(_ answer: Answer) throws -> XMLElement {
        try XMLDocumentReader.parse(answer.body, limit: 16 << 20)
    }

    func close() async {
        try? await client.shutdown()
    }

    static func failure(_ answer: Answer) -> CommandFailure {
        let element = try? XMLDocumentReader.parse(answer.body)
        let code = element?.child("Code")?.text ?? "HTTP \(answer.status)"
        let message = element?.child("Message")?.text ?? String(decoding: answer.body.prefix(500), as: UTF8.self)
        return CommandFailure(message: "the API refused the request (\(answer.status) \(code)): \(message)", status: ExitStatus.failed)
    }
}
