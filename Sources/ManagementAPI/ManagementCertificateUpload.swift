import Certificates
import ServiceModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The body of Add Management Certificate, checked: the data is an X.509 certificate, the
/// thumbprint is its thumbprint and the public key is its key. Each mismatch names the field.
struct ManagementCertificateUpload {
    /// The three fields as uploaded, to be echoed back byte for byte.
    let publicKeyText: String
    let thumbprintText: String
    let dataText: String
    /// What they mean.
    let certificate: CertificateDetails
    let thumbprint: Thumbprint

    static let fields = ["SubscriptionCertificatePublicKey", "SubscriptionCertificateThumbprint", "SubscriptionCertificateData"]

    init(body: XMLBody) throws {
        let root = body.root
        if let unknown = root.children.first(where: { !Self.fields.contains($0.name) }) {
            throw APIError.invalidXML("SubscriptionCertificate has an unknown element \(unknown.name); it holds only \(Self.fields.joined(separator: ", ")).")
        }
        publicKeyText = try body.required("SubscriptionCertificatePublicKey")
        thumbprintText = try body.required("SubscriptionCertificateThumbprint")
        dataText = try body.required("SubscriptionCertificateData")

        guard let data = Data(base64Encoded: dataText, options: .ignoreUnknownCharacters) else {
            throw APIError.badRequest("SubscriptionCertificateData is not valid base64.")
        }
        do {
            certificate = try CertificateDetails(der: [UInt8](data))
        } catch {
            throw APIError.badRequest("SubscriptionCertificateData is not an X.509 certificate (DER, base64-encoded): \(error).")
        }
        thumbprint = certificate.thumbprint
        guard let given = try? Thumbprint.parse(thumbprintText).thumbprint else {
            throw APIError.badRequest("SubscriptionCertificateThumbprint is not a SHA-1 thumbprint (40 hex digits).")
        }
        guard given == thumbprint else {
            throw APIError.badRequest(
                "SubscriptionCertificateThumbprint \(thumbprintText) does not match the certificate in SubscriptionCertificateData, whose thumbprint is \(thumbprint)."
            )
        }
        guard let publicKey = Data(base64Encoded: publicKeyText, options: .ignoreUnknownCharacters) else {
            throw APIError.badRequest("SubscriptionCertificatePublicKey is not valid base64.")
        }
        guard [UInt8](publicKey) == certificate.publicKey.keyBytes else {
            throw APIError.badRequest("SubscriptionCertificatePublicKey does not match the public key of the certificate in SubscriptionCertificateData.")
        }
    }
}
