import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CLI talks to people: messages on standard error, and password prompts on the terminal.
enum Terminal {
    /// Prints an error message to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("thumbprint: error: \(message)\n".utf8))
    }

    /// Prints a warning to standard error.
    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("thumbprint: warning: \(message)\n".utf8))
    }

    /// Prints a line to standard output.
    static func say(_ line: String) {
        print(line)
    }

    /// Whether a person could answer a prompt: standard input is a terminal.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks for a secret on the controlling terminal without echoing it; nil when there is no terminal.
    static func readSecret(prompt: String) -> String? {
        guard isInteractive else { return nil }
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &original) == 0
        if haveTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }
}
