import BoringSSLShims

/// Reads PKCS#12 (.pfx) files made by OpenSSL (default and `-legacy`), Windows and Thumbprint.
public enum PKCS12Reader {
    /// Opens `der` with `password`: the MAC is verified before anything inside is trusted.
    ///
    /// An empty password also tries the "no password" encoding, as OpenSSL does.
    public static func read(_ der: [UInt8], password: String) throws(CertificateError) -> CertificateBundle {
        let decoded: DecodedPKCS12
        do {
            decoded = try decodePKCS12(der, password: password)
        } catch {
            switch error {
            case .incorrectPassword:
                throw password.isEmpty ? .passwordRequired : .incorrectPassword
            case .malformed(let reason) where reason.contains("multiple private keys"):
                throw .multiplePrivateKeys
            case .malformed(let reason):
                throw .malformedPFX(reason: reason)
            }
        }
        var certificates: [CertificateDetails] = []
        for certificate in decoded.certificates {
            certificates.append(try CertificateDetails(der: certificate))
        }
        let key = try decoded.privateKeyPKCS8.map { pkcs8 throws(CertificateError) in try CertificatePrivateKey(pkcs8: pkcs8) }
        return try CertificateBundle.assemble(certificates: certificates, privateKey: key)
    }
}
