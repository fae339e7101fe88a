import BoringSSLShims

/// Reads PKCS#12 (.pfx) files made by OpenSSL (default and `-legacy`), Windows and Thumbprint.
public enum PKCS12Reader {
    /// The most key-derivation iterations one step of a file may ask for (Windows and OpenSSL
    /// write 2,000 to 600,000); more would let one upload take seconds of CPU.
    public static let maximumIterations = 1_000_000
    /// The most iteration-bearing steps (MAC, encrypted parts, key bags) one file may have.
    public static let maximumProtectedParts = 16

    /// Opens `der` with `password`: the MAC is verified before anything inside is trusted.
    ///
    /// An empty password also tries the "no password" encoding, as OpenSSL does. Files that ask
    /// for more than `maximumIterations` are refused before any key is derived (the fuzz target
    /// passes a lower bound, so that no input holds it longer than a second).
    public static func read(_ der: [UInt8], password: String, maximumIterations: Int = maximumIterations) throws(CertificateError) -> CertificateBundle {
        let counts = PFXProtection(pfx: der).iterationCounts
        if let highest = counts.max(), highest > maximumIterations { throw .tooManyIterations(highest, limit: maximumIterations) }
        guard counts.count <= maximumProtectedParts else {
            throw .malformedPFX(reason: "it has \(counts.count) encrypted parts; at most \(maximumProtectedParts) are accepted")
        }
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
