import Certificates
import Foundation

/// The repository's root folder, found from this file's path.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Real-world files kept in `Tests/Fixtures`.
public enum Fixtures {
    /// A field of a JSON fixture, base64-decoded.
    public static func base64Field(_ file: String, _ field: String) throws -> [UInt8] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/\(file)"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let text = object[field] as? String, let bytes = Data(base64Encoded: text)
        else { throw FixtureError.missing("\(file): \(field)") }
        return [UInt8](bytes)
    }

    /// A string field of a JSON fixture.
    public static func stringField(_ file: String, _ field: String) throws -> String {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/\(file)"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let text = object[field] as? String
        else { throw FixtureError.missing("\(file): \(field)") }
        return text
    }

    /// The PFX exported by Windows for the Azure SDK's test suite (password `Python`).
    public static func windowsServicePFX() throws -> [UInt8] { try base64Field("service_certificate.json", "pfx") }

    /// The makecert-era management certificate (DER) of the Azure SDK's test suite.
    public static func managementCertificate() throws -> [UInt8] { try base64Field("management_certificate.json", "data") }

    enum FixtureError: Error { case missing(String) }
}

/// A fresh temporary folder, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The folder's path.
    public let path: String

    /// Creates a new empty folder under the system's temporary folder.
    public init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("thumbprint-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// The path of `name` inside the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// What a finished process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String

    /// The last non-empty line of standard output.
    public var lastLine: String {
        standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    }
}

/// Runs a program to completion, feeding `input` to its standard input.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil,
    currentDirectory: String? = nil
) throws -> ProcessResult {
    let process = Process()
    if executable.contains("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let output = Pipe()
    let error = Pipe()
    let standardInput = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = standardInput
    try process.run()
    if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
    try standardInput.fileHandleForWriting.close()
    // Read both pipes while the process runs, so that neither fills up and blocks it.
    let errorData = LockedData()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData.get(), as: UTF8.self)
    )
}

/// `runProcess` on a thread of its own: an async test waits for the process without holding one
/// of the few threads Swift concurrency runs every task on (in-process servers need them).
public func awaitProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil,
    currentDirectory: String? = nil
) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(
                with: Result { try runProcess(executable, arguments, environment: environment, input: input, currentDirectory: currentDirectory) })
        }.start()
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }
    func get() -> Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// The built `thumbprint` executable next to the test bundle.
public var thumbprintExecutable: String {
    if let path = ProcessInfo.processInfo.environment["THUMBPRINT_BIN"] { return path }
    for configuration in ["debug", "release"] {
        let candidate = repositoryRoot.appendingPathComponent(".build/\(configuration)/thumbprint").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return repositoryRoot.appendingPathComponent(".build/debug/thumbprint").path
}

/// The Python interpreter of the test venv (`scripts/test.sh` makes it), or `THUMBPRINT_TEST_PYTHON`.
public var testPython: String {
    ProcessInfo.processInfo.environment["THUMBPRINT_TEST_PYTHON"] ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
}

/// Makes a certificate with a key in memory, for tests.
public func makeTestBundle(_ names: [String] = ["contoso.net"], key: KeyAlgorithm = .rsa2048) throws -> CertificateBundle {
    try CertificateFactory().makeCertificate(CertificateRequest(dnsNames: names, keyAlgorithm: key))
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func freeLoopbackPort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
