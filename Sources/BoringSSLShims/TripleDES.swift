internal import CCryptoBoringSSL

/// Why a 3DES operation failed.
public enum TripleDESFailure: Error, Sendable, Equatable {
    /// The key was not 24 bytes or the IV not 8.
    case badKeyOrIV
    /// BoringSSL refused the operation (for example, bad padding on decryption).
    case failed
}

/// 3DES (DES-EDE3) in CBC mode with PKCS#7 padding.
///
/// swift-crypto offers no 3DES, yet the classic cloud-service platform and Windows Server 2016
/// and older accept only 3DES-encrypted PFX files, so the `legacy` PFX profile needs it.
public enum TripleDESCBC {
    /// Encrypts `plaintext` with a 24-byte key and an 8-byte IV.
    public static func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws(TripleDESFailure) -> [UInt8] {
        try run(plaintext, key: key, iv: iv, encrypt: true)
    }

    /// Decrypts `ciphertext` with a 24-byte key and an 8-byte IV, checking the padding.
    public static func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws(TripleDESFailure) -> [UInt8] {
        try run(ciphertext, key: key, iv: iv, encrypt: false)
    }

    private static func run(_ input: [UInt8], key: [UInt8], iv: [UInt8], encrypt: Bool) throws(TripleDESFailure) -> [UInt8] {
        guard key.count == 24, iv.count == 8 else { throw .badKeyOrIV }
        guard let context = CCryptoBoringSSL_EVP_CIPHER_CTX_new() else { throw .failed }
        defer { CCryptoBoringSSL_EVP_CIPHER_CTX_free(context) }
        guard CCryptoBoringSSL_EVP_CipherInit_ex(context, CCryptoBoringSSL_EVP_des_ede3_cbc(), nil, key, iv, encrypt ? 1 : 0) == 1 else {
            CCryptoBoringSSL_ERR_clear_error()
            throw .failed
        }
        var output = [UInt8](repeating: 0, count: input.count + 8)
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            guard CCryptoBoringSSL_EVP_CipherUpdate(context, out.baseAddress, &written, input, Int32(input.count)) == 1 else {
                return false
            }
            return CCryptoBoringSSL_EVP_CipherFinal_ex(context, out.baseAddress! + Int(written), &finalWritten) == 1
        }
        guard ok else {
            CCryptoBoringSSL_ERR_clear_error()
            throw .failed
        }
        return Array(output.prefix(Int(written + finalWritten)))
    }
}
