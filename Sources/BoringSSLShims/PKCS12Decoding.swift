internal import CCryptoBoringSSL

/// What BoringSSL found inside a PKCS#12 file once the MAC was checked and the bags decrypted.
public struct DecodedPKCS12: Sendable {
    /// The private key as a DER PKCS#8 PrivateKeyInfo, if the file held one.
    public var privateKeyPKCS8: [UInt8]?
    /// Every certificate in the file, DER-encoded, in file order.
    public var certificates: [[UInt8]]
}

/// Why BoringSSL could not open a PKCS#12 file.
public enum PKCS12DecodingFailure: Error, Sendable, Equatable {
    /// The MAC did not verify with the password given: the password is wrong.
    case incorrectPassword
    /// The bytes are not a PKCS#12 file BoringSSL understands; carries BoringSSL's reason.
    case malformed(reason: String)
}

/// Opens a PKCS#12 (PFX) file: verifies its MAC with `password`, then decrypts every bag.
///
/// BoringSSL reads every layout we meet in practice: OpenSSL 3 (PBES2, AES-256, PBKDF2),
/// OpenSSL `-legacy` and Windows (RC2-40 and 3DES, SHA-1 MAC), and files without a password.
public func decodePKCS12(_ der: [UInt8], password: String) throws(PKCS12DecodingFailure) -> DecodedPKCS12 {
    CCryptoBoringSSL_ERR_clear_error()
    guard let stack = CCryptoBoringSSL_OPENSSL_sk_new_null() else {
        throw .malformed(reason: "out of memory")
    }
    defer {
        while let certificate = CCryptoBoringSSL_OPENSSL_sk_pop(stack) {
            CCryptoBoringSSL_X509_free(OpaquePointer(certificate))
        }
        CCryptoBoringSSL_OPENSSL_sk_free(stack)
    }
    var key: OpaquePointer? = nil
    let ok: Int32 = der.withUnsafeBufferPointer { buffer in
        var cbs = CBS()
        CCryptoBoringSSL_CBS_init(&cbs, buffer.baseAddress, buffer.count)
        return password.withCString { CCryptoBoringSSL_PKCS12_get_key_and_certs(&key, stack, &cbs, $0) }
    }
    defer { if let key { CCryptoBoringSSL_EVP_PKEY_free(key) } }
    guard ok == 1 else {
        throw lastFailure()
    }

    var result = DecodedPKCS12(privateKeyPKCS8: nil, certificates: [])
    if let key {
        result.privateKeyPKCS8 = try marshalPrivateKey(key)
    }
    for index in 0..<CCryptoBoringSSL_OPENSSL_sk_num(stack) {
        guard let certificate = CCryptoBoringSSL_OPENSSL_sk_value(stack, index).map(OpaquePointer.init) else { continue }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = CCryptoBoringSSL_i2d_X509(certificate, &out)
        guard length > 0, let out else { throw .malformed(reason: "a certificate could not be re-encoded") }
        result.certificates.append(Array(UnsafeBufferPointer(start: out, count: Int(length))))
        CCryptoBoringSSL_OPENSSL_free(out)
    }
    return result
}

func marshalPrivateKey(_ key: OpaquePointer) throws(PKCS12DecodingFailure) -> [UInt8] {
    var cbb = CBB()
    guard CCryptoBoringSSL_CBB_init(&cbb, 2048) == 1 else { throw .malformed(reason: "out of memory") }
    defer { CCryptoBoringSSL_CBB_cleanup(&cbb) }
    guard CCryptoBoringSSL_EVP_marshal_private_key(&cbb, key) == 1 else {
        throw .malformed(reason: "the private key is of a kind that cannot be exported")
    }
    let bytes = Array(UnsafeBufferPointer(start: CCryptoBoringSSL_CBB_data(&cbb), count: CCryptoBoringSSL_CBB_len(&cbb)))
    return bytes
}

/// Turns BoringSSL's error queue into a typed failure, and empties the queue.
func lastFailure() -> PKCS12DecodingFailure {
    var reasons: [String] = []
    var incorrectPassword = false
    while case let code = CCryptoBoringSSL_ERR_get_error(), code != 0 {
        let reason = CCryptoBoringSSL_ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
        if reason.uppercased().contains("INCORRECT_PASSWORD") { incorrectPassword = true }
        reasons.append(reason)
    }
    if incorrectPassword { return .incorrectPassword }
    return .malformed(reason: reasons.last.map { String($0.map { $0 == "_" ? " " : $0 }).lowercased() } ?? "unknown error")
}
