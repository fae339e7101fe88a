import SwiftASN1

/// Reads PEM files: one or more CERTIFICATE blocks and at most one PKCS#8 PRIVATE KEY.
public enum PEMReader {
    /// Labels read as a private key: PKCS#8 "PRIVATE KEY", and PKCS#1 / SEC1 forms for RSA and EC.
    static let keyLabels: Set<String> = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]

    /// Every CERTIFICATE block of a bundle, in file order (a trust file may hold several CAs).
    public static func certificates(_ bytes: [UInt8]) throws(CertificateError) -> [CertificateDetails] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .malformedPEM(reason: "a block is not valid PEM (check the BEGIN/END lines and the base64 between them)")
        }
        var certificates: [CertificateDetails] = []
        for document in documents where document.discriminator == "CERTIFICATE" { certificates.append(try CertificateDetails(der: document.derBytes)) }
        guard !certificates.isEmpty else { throw .malformedPEM(reason: "it holds no CERTIFICATE block") }
        return certificates
    }

    /// Reads every block; the first certificate whose key is in the file (or the first) is the leaf.
    public static func read(_ bytes: [UInt8]) throws(CertificateError) -> CertificateBundle {
        let text = String(decoding: bytes, as: UTF8.self)
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw .malformedPEM(reason: "a block is not valid PEM (check the BEGIN/END lines and the base64 between them)")
        }
        guard !documents.isEmpty else { throw .malformedPEM(reason: "there is no BEGIN/END block in it") }
        var certificates: [CertificateDetails] = []
        var key: CertificatePrivateKey?
        for document in documents {
            switch document.discriminator {
            case "CERTIFICATE":
                certificates.append(try CertificateDetails(der: document.derBytes))
            case "PRIVATE KEY":
                guard key == nil else { throw .malformedPEM(reason: "it holds more than one private key") }
                key = try CertificatePrivateKey(pkcs8: document.derBytes)
            case "ENCRYPTED PRIVATE KEY":
                throw .malformedPEM(
                    reason: "its private key is encrypted; Thumbprint reads encrypted keys only inside a .pfx (convert with `openssl pkcs12 -export`)")
            case let label where keyLabels.contains(label):
                throw .malformedPEM(reason: "its private key is in the \"\(label)\" form; convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt`")
            default:
                throw .malformedPEM(reason: "it has a \"\(document.discriminator)\" block where a CERTIFICATE or PRIVATE KEY was expected")
            }
        }
        guard !certificates.isEmpty else { throw .malformedPEM(reason: "it holds no CERTIFICATE block") }
        return try CertificateBundle.assemble(certificates: certificates, privateKey: key)
    }
}
