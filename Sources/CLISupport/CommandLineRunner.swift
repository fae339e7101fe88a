import ArgumentParser
import Certificates
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes shared by every command.
public enum ExitStatus {
    /// Everything worked.
    public static let success: Int32 = 0
    /// A check failed or an operation failed.
    public static let failed: Int32 = 1
    /// Bad input or bad usage.
    public static let badInput: Int32 = 2
}

/// An error the CLI reports with its own message and exit status.
public struct CommandFailure: Error {
    /// What went wrong and what to do.
    public var message: String
    /// The exit status.
    public var status: Int32

    /// A failure with its message and status (bad input by default).
    public init(message: String, status: Int32 = ExitStatus.badInput) {
        self.message = message
        self.status = status
    }
}

/// Ends the process with `status`.
public func systemExit(_ status: Int32) -> Never {
    exit(status)
}

/// Runs a command line: parses the arguments, runs the command, and maps errors to messages
/// and exit statuses. `describe` names the errors of the caller's own modules.
public func runCommandLine<Root: ParsableCommand>(
    _ root: Root.Type, describe: @Sendable (any Error) -> (message: String, status: Int32)? = { _ in nil }
) async -> Never {
    do {
        var command = try root.parseAsRoot()
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        systemExit(ExitStatus.success)
    } catch let error as CertificateError {
        Terminal.error(error.description)
        systemExit(ExitStatus.badInput)
    } catch let error as CommandFailure {
        Terminal.error(error.message)
        systemExit(error.status)
    } catch {
        if let (message, status) = describe(error) {
            Terminal.error(message)
            systemExit(status)
        }
        // Usage errors exit 2, as every other bad input does; help and --version exit 0.
        if root.exitCode(for: error) == .validationFailure {
            Terminal.writeToStandardError(root.fullMessage(for: error) + "\n")
            systemExit(ExitStatus.badInput)
        }
        root.exit(withError: error)
    }
}

/// Prints label–value rows with the values lined up.
public func printTable(_ rows: [(String, String)]) {
    let width = rows.map(\.0.count).max() ?? 0
    for (label, value) in rows {
        Terminal.say(label.padded(to: width) + "  " + value)
    }
}
