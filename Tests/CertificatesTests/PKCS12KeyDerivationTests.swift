import Crypto
import Testing

@testable import Certificates

@Suite("RFC 7292 Appendix B key derivation")
struct PKCS12KeyDerivationTests {
    /// Published SHA-1 vectors (the PKCS#12 key-generation tests of OpenSSL and Bouncy Castle).
    @Test(
        "matches the published vectors",
        arguments: [
            ("smeg", "0A58CF64530D823F", 1, PKCS12KeyDerivation.Purpose.encryptionKey, 24, "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"),
            ("smeg", "0A58CF64530D823F", 1, .initializationVector, 8, "79993DFE048D3B76"),
            ("smeg", "3D83C0E4546AC140", 1, .macKey, 20, "8D967D88F6CAA9D714800AB3D48051D63F73A312"),
            ("queeg", "1682C0FC5B3F7EC5", 1000, .encryptionKey, 24, "483DD6E919D7DE2E8E648BA8F862F3FBFBDC2BCB2C02957F"),
            ("queeg", "1682C0FC5B3F7EC5", 1000, .initializationVector, 8, "9D461D1B00355C50"),
        ])
    func vectors(password: String, salt: String, iterations: Int, purpose: PKCS12KeyDerivation.Purpose, count: Int, expected: String) {
        let derived = PKCS12KeyDerivation.derive(
            Insecure.SHA1.self, purpose: purpose, password: PKCS12KeyDerivation.bmpPassword(password),
            salt: bytes(hex: salt), iterations: iterations, count: count
        )
        #expect(derived == bytes(hex: expected))
    }

    @Test("the password is big-endian UTF-16 with a two-byte terminator; empty is just the terminator")
    func bmpPassword() {
        #expect(PKCS12KeyDerivation.bmpPassword("Ab") == [0, 0x41, 0, 0x62, 0, 0])
        #expect(PKCS12KeyDerivation.bmpPassword("") == [0, 0])
        #expect(PKCS12KeyDerivation.bmpPassword("é") == [0, 0xE9, 0, 0])
    }

    private func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }
}
