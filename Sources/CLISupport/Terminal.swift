import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the CLI talks to people: messages on standard error, and password prompts on the terminal.
public enum Terminal {
    /// Prints an error message to standard error.
    public static func error(_ message: String) {
        writeToStandardError("thumbprint: error: \(message)\n")
    }

    /// Prints a warning to standard error.
    public static func warning(_ message: String) {
        writeToStandardError("thumbprint: warning: \(message)\n")
    }

    /// Writes text to standard error as it is.
    public static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Reads all of standard input, up to `limit` bytes.
    public static func readStandardInput(limit: Int) throws(CertificateError) -> [UInt8] {
        try LocalFile.readAll(STDIN_FILENO, limit: limit)
    }

    /// Prints a line to standard output.
    public static func say(_ line: String) {
        print(line)
    }

    /// Whether a person could answer a prompt: standard input is a terminal.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks for a secret on the controlling terminal without echoing it; nil when there is no terminal.
    public static func readSecret(prompt: String) -> String? {
        guard isInteractive else { return nil }
        writeToStandardError(prompt)
        var original = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &original) == 0
        if haveTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
            writeToStandardError("\n")
        }
        return readLine(strippingNewline: true)
    }
}

extension String {
    /// The string padded with spaces on the right to `width` characters.
    public func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
