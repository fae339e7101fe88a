#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Named places inside long operations where a test can make the server stop dead, to kill it
/// there (`kill -9`) and check what the next start makes of the half-done work. Set
/// `THUMBPRINT_PAUSE_AT` to a name: the server prints `paused at NAME` on standard error and
/// waits there for ever, or for `THUMBPRINT_PAUSE_SECONDS` when set (a slow operation, to stop
/// the server during it). Unset (always, outside tests), it costs one dictionary lookup.
public enum PausePoint {
    /// The environment variable that names the point.
    public static let environmentVariable = "THUMBPRINT_PAUSE_AT"
    /// The environment variable that limits the pause, in seconds.
    public static let secondsVariable = "THUMBPRINT_PAUSE_SECONDS"

    private static let chosen = ProcessInfo.processInfo.environment[environmentVariable]
    private static let seconds = ProcessInfo.processInfo.environment[secondsVariable].flatMap(Double.init)

    /// Pauses when `name` is the chosen point: for ever, or for the chosen seconds.
    public static func reach(_ name: String) async {
        guard let chosen, chosen == name else { return }
        let line = Array("paused at \(name)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if let seconds {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return
        }
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }
}
