import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Log lines for standard output, written in batches: the server logs one line per request, and
/// a write system call per line was a quarter of a request's cost (docs/benchmarks.md).
/// Lines are written at least every 100 ms, when 64 KiB have gathered, for warnings and errors
/// at once, and when the server stops.
final class BufferedLogOutput: Sendable {
    /// The one buffer of the process.
    static let standardOutput = BufferedLogOutput(descriptor: STDOUT_FILENO)

    private let descriptor: Int32
    private let pending = Mutex<[UInt8]>([])
    private static let batchSize = 64 * 1024

    private init(descriptor: Int32) {
        self.descriptor = descriptor
        // Writes what has gathered ten times a second, for as long as the process runs.
        Task.detached { [self] in
            while true {
                try? await Task.sleep(for: .milliseconds(100))
                flush()
            }
        }
    }

    /// Adds a line; writes now when the batch is full or `urgent`.
    func append(_ line: String, urgent: Bool) {
        let full = pending.withLock { bytes in
            bytes.append(contentsOf: line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            return bytes.count >= Self.batchSize
        }
        if full || urgent { flush() }
    }

    /// Writes everything gathered so far.
    func flush() {
        let bytes = pending.withLock { bytes in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            remaining = remaining.dropFirst(written)
        }
    }
}

/// A swift-log handler writing `2026-11-30T02:41:41Z info thumbprint: message key=value` lines
/// through `BufferedLogOutput`.
struct BufferedLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let (level, message, explicit) = (event.level, event.message, event.metadata)
        // Built by appending, with no sorting or reflection: this runs once per request.
        var text = UTCCalendarText.now()
        text += " "
        text += level.rawValue
        text += " "
        text += label
        text += ": "
        text += message.description
        for (key, value) in metadata where explicit?[key] == nil {
            text += " " + key + "=" + value.description
        }
        for (key, value) in explicit ?? [:] {
            text += " " + key + "=" + value.description
        }
        BufferedLogOutput.standardOutput.append(text, urgent: level >= .warning)
    }
}

/// The current time for log lines, formatted once per second.
enum UTCCalendarText {
    private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

    static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let second = Int(time.tv_sec)
        if let cached = cache.withLock({ $0.second == second ? $0.text : nil }) { return cached }
        let text = format(time.tv_sec)
        cache.withLock { $0 = (second, text) }
        return text
    }

    private static func format(_ seconds: time_t) -> String {
        var parts = tm()
        var seconds = seconds
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
