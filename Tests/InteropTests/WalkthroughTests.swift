import Foundation
import TestSupport
import Testing

/// The README's walk-through, run as it is written: every ```bash block of README.md, in order,
/// in one shell, from a folder that stands for the repository root (its `.thumbprint` is the data
/// folder of a server this test starts, `examples/` the repository's), with the built programs on
/// the PATH. A step that fails fails the test, so the README cannot drift from the programs.
@Suite("The README's walk-through runs as written", .serialized)
struct WalkthroughTests {
    /// The ```bash blocks of the README, in order.
    static func bashBlocks(of markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```bash" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current.map { $0.joined(separator: "\n") } ?? "")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test("every bash block of README.md runs in order against a running server, and makes what the next uses")
    func walkthrough() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = Self.bashBlocks(of: readme)
        try #require(blocks.count >= 4, "the walk-through's blocks were not found")

        let server = try PythonClientTests.RunningServer()
        let root = try TemporaryDirectory()  // stands for the repository root
        try FileManager.default.createSymbolicLink(atPath: root.file(".thumbprint"), withDestinationPath: server.data)
        try FileManager.default.createSymbolicLink(atPath: root.file("examples"), withDestinationPath: repositoryRoot.appendingPathComponent("examples").path)
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("requirements-client.txt").path, toPath: root.file("requirements-client.txt"))
        let scratch = try TemporaryDirectory()  // where mktemp makes the walk-through's folder
        let programs = URL(fileURLWithPath: thumbprintExecutable).deletingLastPathComponent().path

        let script = "set -euo pipefail\nset -x\n" + blocks.joined(separator: "\n")
        let result = try runProcess(
            "/bin/bash", ["-c", script],
            environment: [
                "PATH": programs + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "TMPDIR": scratch.path, "THUMBPRINT_HOME": scratch.file("home"), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            ],
            currentDirectory: root.path)
        #expect(result.status == 0, "the walk-through stopped:\n\(result.standardError.suffix(4000))")
        // What the steps say they do.
        #expect(result.standardOutput.contains("dev@contoso.com is a co-administrator of"), "\(result.standardOutput.suffix(2000))")
        #expect(result.standardOutput.contains("HttpsIn https://127.0.0.1:"), "the deployment printed its endpoint")
        #expect(result.standardOutput.contains("Default ["), "the Python client listed the management certificates")
        let files = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(files == [".thumbprint", "examples", "requirements-client.txt"], "nothing was left in the repository root: \(files)")
    }
}
