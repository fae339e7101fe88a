import Foundation
import TestSupport
import Testing

@testable import ManagementAPI

/// The QR encoder against Python's `qrcode` (a reference implementation): the same bytes,
/// version and mask give the same modules, for every version and mask it supports.
@Suite("QR codes")
struct QRCodeTests {
    func reference(_ data: [UInt8], version: Int, mask: Int) throws -> [String] {
        try #require(FileManager.default.isExecutableFile(atPath: testPython), "no Python venv at \(testPython): run scripts/test.sh")
        let script = """
            import sys, qrcode
            q = qrcode.QRCode(version=int(sys.argv[2]), error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=int(sys.argv[3]), border=0)
            q.add_data(bytes.fromhex(sys.argv[1]), optimize=0)
            q.make(fit=False)
            print("\\n".join("".join("1" if m else "0" for m in row) for row in q.get_matrix()))
            """
        let hex = data.map { String(format: "%02x", $0) }.joined()
        let result = try runProcess(testPython, ["-c", script, hex, "\(version)", "\(mask)"])
        try #require(result.status == 0, "\(result.standardError)")
        return result.standardOutput.split(separator: "\n").map(String.init)
    }

    func rows(_ code: QRCode) -> [String] {
        code.modules.map { row in row.map { $0 ? "1" : "0" }.joined() }
    }

    @Test("every version 1 to 10 and every mask match the reference module by module")
    func matchesReference() throws {
        let link = Array("otpauth://totp/Thumbprint:ops@contoso.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Thumbprint".utf8)
        for version in 1...10 {
            let capacity = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213][version]
            let data = Array((link + link + link).prefix(capacity))
            for mask in [version % 8, (version + 3) % 8] {
                let code = try QRCode(data, version: version, mask: mask)
                #expect(rows(code) == (try reference(data, version: version, mask: mask)), "version \(version), mask \(mask)")
            }
        }
    }

    @Test("the smallest version is chosen; more than version 10 holds is refused")
    func sizes() throws {
        #expect(try QRCode(Array("hello".utf8)).version == 1)
        #expect(try QRCode(Array(repeating: 0x41, count: 120)).version == 7)
        #expect(throws: QRCode.Failure.tooLong(214)) { try QRCode(Array(repeating: 0x41, count: 214)) }
        let svg = try QRCode(Array("hello".utf8)).svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"174\""))
    }
}
