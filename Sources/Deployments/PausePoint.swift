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
/// waits there for ever. Unset (always, outside tests), it costs one dictionary lookup.
public enum PausePoint {
    /// The environment variable that names the point.
    public static let environmentVariable = "THUMBPRINT_PAUSE_AT"

    private static let chosen = ProcessInfo.processInfo.environment[environmentVariable]

    /// Pauses for ever when `name` is the chosen point.
    public static func reach(_ name: String) async {
        guard let chosen, chosen == name else { return }
        let line = Array("paused at \(name)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }
}
