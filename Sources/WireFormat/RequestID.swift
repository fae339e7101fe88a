#if canImport(Glibc)
    import Glibc
#endif

/// The id the API gives every request in `x-ms-request-id`: 32 lowercase hex digits, random.
/// An asynchronous operation takes its request's id.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The 32 hex digits.
    public let rawValue: String

    /// A new random id.
    public static func random() -> RequestID {
        // 128 bits from the C library's generator (arc4random: the kernel's randomness, drawn in
        // user space), not a system call per draw.
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { buffer in
            if let base = buffer.baseAddress { arc4random_buf(base, buffer.count) }
        }
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for var word in [words.0, words.1] {
            for _ in 0..<16 {
                let digit = UInt8(word & 0xF)
                text.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
                word >>= 4
            }
        }
        return RequestID(rawValue: String(decoding: text, as: UTF8.self))
    }

    private init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
