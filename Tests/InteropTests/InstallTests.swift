import Foundation
import TestSupport
import Testing

/// Getting the programs: the run command installs both side by side, and `thumbprint` alone says
/// what is missing instead of refusing the server's options.
@Suite("Installing thumbprint and thumbprint-server")
struct InstallTests {
    @Test("scripts/install.sh links both programs into PREFIX/bin; thumbprint there runs the server's commands")
    func install() throws {
        let prefix = try TemporaryDirectory()
        let script = repositoryRoot.appendingPathComponent("scripts/install.sh").path
        let configuration = thumbprintExecutable.contains("/release/") ? [] : ["--debug"]
        let installed = try runProcess("/bin/bash", [script, "--no-build"] + configuration, environment: ["PREFIX": prefix.path, "PATH": "/usr/bin:/bin"])
        #expect(installed.status == 0, "\(installed.standardError)")
        #expect(installed.standardError.contains("export PATH=\"\(prefix.path)/bin:$PATH\""), "says how to put them on the PATH: \(installed.standardError)")
        for program in ["thumbprint", "thumbprint-server"] {
            #expect(FileManager.default.isExecutableFile(atPath: prefix.file("bin/\(program)")), "\(program) is installed")
        }
        let help = try runProcess(prefix.file("bin/thumbprint"), ["admin", "--help"])
        #expect(help.status == 0, "\(help.standardError)")
        #expect(help.standardOutput.contains("--data-dir"), "thumbprint on the PATH runs thumbprint-server's admin: \(help.standardOutput)")
    }

    @Test("thumbprint without thumbprint-server beside it names the program and where it looked, for any server command")
    func missingServer() throws {
        let alone = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: thumbprintExecutable, toPath: alone.file("thumbprint"))
        for arguments in [
            ["admin", "--data-dir", alone.file("data"), "user", "add", "ops@contoso.com"],
            ["service", "validate", "--definition", "a.csdef", "--configuration", "a.cscfg"],
            ["server"],
        ] {
            let result = try runProcess(alone.file("thumbprint"), arguments)
            #expect(result.status == 1, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("runs thumbprint-server, which is not installed beside thumbprint"), "\(result.standardError)")
            #expect(result.standardError.contains("looked for \(alone.path)/thumbprint-server"), "\(result.standardError)")
            #expect(!result.standardError.contains("Unknown option"), "\(result.standardError)")
        }
        #expect(try runProcess(alone.file("thumbprint"), ["cert", "--help"]).status == 0, "the certificate commands work alone")
    }
}
