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

/// Runs a command line whose commands are all synchronous: parses the arguments, runs the
/// command, and maps errors to messages and exit statuses.
///
/// Kept free of Swift concurrency on purpose: an async `main` costs the certificate commands
/// several times their own run time in start-up (docs/benchmarks.md).
public func runCommandLine<Root: ParsableCommand>(
    _ root: Root.Type, describe: (any Error) -> (message: String, status: Int32)? = { _ in nil }
) -> Never {
    do {
        var command = try root.parseAsRoot()
        try command.run()
        systemExit(ExitStatus.success)
    } catch {
        report(error, root: root, describe: describe)
    }
}

/// Runs a command line with asynchronous commands (the server and the API client).
public func runAsyncCommandLine<Root: ParsableCommand>(
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
    } catch {
        report(error, root: root, describe: describe)
    }
}

/// Prints an error the way every command does and exits: 2 for bad input and usage, 1 for a
/// failed operation, 0 for help.
private func report<Root: ParsableCommand>(
    _ error: any Error, root: Root.Type, describe: (any Error) -> (message: String, status: Int32)?
) -> Never {
    switch error {
    case let error as CertificateError:
        Terminal.error(error.description)
        systemExit(ExitStatus.badInput)
    case let error as CommandFailure:
        Terminal.error(error.message)
        systemExit(error.status)
    default:
        if let (message, status) = describe(error) {
            Terminal.error(message)
            systemExit(status)
        }
        if root.exitCode(for: error) == .validationFailure {
            // The same `thumbprint: error: …` form as every other error, then the usage.
            let message = root.message(for: error)
            Terminal.error(message + unquotedThumbprintHint(CommandLine.arguments))
            var rest = root.fullMessage(for: error)
            if let range = rest.firstRange(of: message) { rest = String(rest[range.upperBound...]) }
            let usage = rest.drop { $0 == "\n" || $0 == " " }
            if !usage.isEmpty { Terminal.writeToStandardError(usage + (usage.hasSuffix("\n") ? "" : "\n")) }
            systemExit(ExitStatus.badInput)
        }
        root.exit(withError: error)
    }
}

/// A hint when the arguments hold a thumbprint typed with spaces and not quoted (each pair of hex
/// digits then arrives as an argument of its own); empty otherwise.
func unquotedThumbprintHint(_ arguments: [String]) -> String {
    let pairs = arguments.filter { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }.count
    guard pairs >= 8 else { return "" }
    return ". A thumbprint typed with spaces must be quoted: \"3f 5a …\" (or typed without spaces)"
}

/// Prints label–value rows with the values lined up.
public func printTable(_ rows: [(String, String)]) {
    let width = rows.map(\.0.count).max() ?? 0
    for (label, value) in rows {
        Terminal.say(label.padded(to: width) + "  " + value)
    }
}
