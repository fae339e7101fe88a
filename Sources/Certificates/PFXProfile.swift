/// How a .pfx file is protected when Thumbprint writes one.
public enum PFXProfile: String, Sendable, CaseIterable, Codable {
    /// The OpenSSL 3 layout: AES-256-CBC with PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC.
    /// Read by OpenSSL 3 with its default provider, Java, Python and current Windows.
    case modern
    /// 3DES key and certificate bags with a SHA-1 MAC, for the classic cloud-service platform
    /// and Windows Server 2016 and older, which refuse AES-encrypted files.
    case legacy
}

/// PKCS#12 object identifiers (RFC 7292, RFC 8018, RFC 2985).
enum PKCS12OID {
    static let data: [UInt] = [1, 2, 840, 113_549, 1, 7, 1]
    static let encryptedData: [UInt] = [1, 2, 840, 113_549, 1, 7, 6]
    static let keyBag: [UInt] = [1, 2, 840, 113_549, 1, 12, 10, 1, 1]
    static let shroudedKeyBag: [UInt] = [1, 2, 840, 113_549, 1, 12, 10, 1, 2]
    static let certBag: [UInt] = [1, 2, 840, 113_549, 1, 12, 10, 1, 3]
    static let x509Certificate: [UInt] = [1, 2, 840, 113_549, 1, 9, 22, 1]
    static let friendlyName: [UInt] = [1, 2, 840, 113_549, 1, 9, 20]
    static let localKeyID: [UInt] = [1, 2, 840, 113_549, 1, 9, 21]
    static let pbes2: [UInt] = [1, 2, 840, 113_549, 1, 5, 13]
    static let pbkdf2: [UInt] = [1, 2, 840, 113_549, 1, 5, 12]
    static let hmacWithSHA256: [UInt] = [1, 2, 840, 113_549, 2, 9]
    static let aes128CBC: [UInt] = [2, 16, 840, 1, 101, 3, 4, 1, 2]
    static let aes192CBC: [UInt] = [2, 16, 840, 1, 101, 3, 4, 1, 22]
    static let aes256CBC: [UInt] = [2, 16, 840, 1, 101, 3, 4, 1, 42]
    static let pbeSHA1RC4With128BitKey: [UInt] = [1, 2, 840, 113_549, 1, 12, 1, 1]
    static let pbeSHA1RC4With40BitKey: [UInt] = [1, 2, 840, 113_549, 1, 12, 1, 2]
    static let pbeSHA1TripleDES: [UInt] = [1, 2, 840, 113_549, 1, 12, 1, 3]
    static let pbeSHA1TwoKeyTripleDES: [UInt] = [1, 2, 840, 113_549, 1, 12, 1, 4]
    static let pbeSHA1RC2With128BitKey: [UInt] = [1, 2, 840, 113_549, 1, 12, 1, 5]
    static let pbeSHA1RC2With40BitKey: [UInt] = [1, 2, 840, 113_549, 1, 12, 1, 6]
    static let sha1: [UInt] = [1, 3, 14, 3, 2, 26]
    static let sha256: [UInt] = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: [UInt] = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: [UInt] = [2, 16, 840, 1, 101, 3, 4, 2, 3]
}
