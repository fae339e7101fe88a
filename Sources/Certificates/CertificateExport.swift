import SwiftASN1

/// The file forms a certificate can be written in.
extension CertificateBundle {
    /// The certificate alone, DER-encoded: a `.cer` file.
    public var cerBytes: [UInt8] { certificate.der }

    /// PEM text: the certificate, then its chain, then (only when asked) the PKCS#8 private key.
    public func pem(includingPrivateKey: Bool = false) throws(CertificateError) -> String {
        var text = ([certificate] + chain)
            .map { PEMDocument(type: "CERTIFICATE", derBytes: $0.der).pemString + "\n" }
            .joined()
        if includingPrivateKey {
            guard let privateKey else { throw .missingPrivateKey }
            text += privateKey.pkcs8PEM + "\n"
        }
        return text
    }

    /// A `.pfx` file with the key, the certificate and its chain.
    public func pfx(password: String, profile: PFXProfile = .modern) throws(CertificateError) -> [UInt8] {
        try PKCS12Writer.encode(self, password: password, profile: profile)
    }
}
