/// The `x-ms-version` header every request must carry: a date, YYYY-MM-DD.
public enum VersionHeader {
    /// `YYYY-MM-DD` with a real month and day; checked on bytes, as every request runs it.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        var digits: [Int] = []
        for index in [0, 1, 2, 3, 5, 6, 8, 9] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return false }
            digits.append(Int(bytes[index] - UInt8(ascii: "0")))
        }
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
