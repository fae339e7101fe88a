internal import CCryptoBoringSSL

/// Decrypts a DER EncryptedPrivateKeyInfo (PKCS#8, "ENCRYPTED PRIVATE KEY": PBES2 with PBKDF2
/// and AES, or the PKCS#12 PBEs) with `password`; returns the DER PrivateKeyInfo. The caller
/// bounds the iteration count first.
public func decryptPKCS8(_ der: [UInt8], password: String) throws(PKCS12DecodingFailure) -> [UInt8] {
    CCryptoBoringSSL_ERR_clear_error()
    let key: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
        var cbs = CBS()
        CCryptoBoringSSL_CBS_init(&cbs, buffer.baseAddress, buffer.count)
        return password.withCString { CCryptoBoringSSL_PKCS8_parse_encrypted_private_key(&cbs, $0, password.utf8.count) }
    }
    guard let key else {
        let failure = lastFailure()
        // BoringSSL reports a wrong password as a padding error of the decrypted block.
        if case .malformed(let reason) = failure, reason.uppercased().contains("DECRYPT") || reason.uppercased().contains("BAD_DECRYPT") {
            throw .incorrectPassword
        }
        throw failure
    }
    defer { CCryptoBoringSSL_EVP_PKEY_free(key) }
    return try marshalPrivateKey(key)
}
