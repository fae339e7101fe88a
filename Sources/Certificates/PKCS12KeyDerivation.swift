import Crypto

/// The PKCS#12 key derivation of RFC 7292 Appendix B.2, built on a swift-crypto hash.
///
/// It derives the MAC key of every PKCS#12 file, and the 3DES key and IV of the legacy
/// `pbeWithSHAAnd3-KeyTripleDES-CBC` scheme. No library on this stack exposes it.
enum PKCS12KeyDerivation {
    /// What the derived bytes are for (the "ID" byte of the RFC).
    enum Purpose: UInt8 {
        case encryptionKey = 1
        case initializationVector = 2
        case macKey = 3
    }

    /// The password as PKCS#12 feeds it to this derivation: big-endian UTF-16 with a two-byte NUL.
    static func bmpPassword(_ password: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for unit in password.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        return bytes + [0, 0]
    }

    /// Derives `count` bytes from `password` (already in BMP form), `salt` and `iterations`.
    static func derive<H: HashFunction>(
        _ hash: H.Type, purpose: Purpose, password: [UInt8], salt: [UInt8], iterations: Int, count: Int
    ) -> [UInt8] {
        let v = H.blockByteCount
        let diversifier = [UInt8](repeating: purpose.rawValue, count: v)
        var input = repeated(salt, toMultipleOf: v) + repeated(password, toMultipleOf: v)
        var output: [UInt8] = []
        while true {
            var block = Array(H.hash(data: diversifier + input))
            for _ in 1..<max(iterations, 1) {
                block = Array(H.hash(data: block))
            }
            output += block
            if output.count >= count { return Array(output.prefix(count)) }
            // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, where B is A repeated to v bytes.
            let b = repeated(block, toLength: v)
            var start = 0
            while start < input.count {
                var carry: UInt16 = 1
                for index in stride(from: v - 1, through: 0, by: -1) {
                    let sum = UInt16(input[start + index]) + UInt16(b[index]) + carry
                    input[start + index] = UInt8(sum & 0xFF)
                    carry = sum >> 8
                }
                start += v
            }
        }
    }

    private static func repeated(_ bytes: [UInt8], toMultipleOf v: Int) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        return repeated(bytes, toLength: v * ((bytes.count + v - 1) / v))
    }

    private static func repeated(_ bytes: [UInt8], toLength length: Int) -> [UInt8] {
        (0..<length).map { bytes[$0 % bytes.count] }
    }
}
