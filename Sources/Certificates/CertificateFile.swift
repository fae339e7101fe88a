import SwiftASN1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A certificate file as read from disk: what it held and in which format.
public struct CertificateFile: Sendable {
    /// The formats Thumbprint reads and writes.
    public enum Format: String, Sendable, Codable {
        /// PKCS#12, usually `.pfx` or `.p12`: certificate, private key and chain under a password.
        case pfx
        /// A single DER certificate, usually `.cer`.
        case der
        /// PEM text: certificates, and optionally a PKCS#8 private key.
        case pem
    }

    /// Certificate files are small; anything larger than this is refused before parsing.
    public static let sizeLimit = 1 << 20

    /// The format the bytes were in.
    public let format: Format
    /// The certificate, its key if present, and its chain.
    public let bundle: CertificateBundle
    /// For .pfx files, how the file is protected.
    public let protection: PFXProtection?

    /// Tells a PFX from a DER certificate from PEM by looking at the bytes.
    public static func detectFormat(_ bytes: [UInt8]) throws(CertificateError) -> Format {
        guard !bytes.isEmpty else { throw .emptyInput }
        guard bytes.count <= sizeLimit else { throw .inputTooLarge(size: bytes.count, limit: sizeLimit) }
        if bytes.first == 0x30 {
            // PFX ::= SEQUENCE { version INTEGER (3), ... }; a certificate starts SEQUENCE { SEQUENCE ...
            if let root = try? BER.parse(bytes), case .constructed(let children) = root.content,
                let first = children.first(where: { _ in true })
            {
                if first.identifier == .integer { return .pfx }
                if first.identifier == .sequence { return .der }
                throw .unrecognisedFormat
            }
            throw .damagedDER
        }
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if text.contains("-----BEGIN ") { return .pem }
        throw .unrecognisedFormat
    }

    /// Reads certificate bytes in any supported format.
    ///
    /// `password` is asked for only when the bytes are a .pfx; it returns nil for "no password given".
    public static func read(_ bytes: [UInt8], password: () throws(CertificateError) -> String?) throws(CertificateError) -> CertificateFile {
        switch try detectFormat(bytes) {
        case .pfx:
            let protection = PFXProtection(pfx: bytes)
            let bundle: CertificateBundle
            if let given = try password() {
                bundle = try PKCS12Reader.read(bytes, password: given)
            } else {
                bundle = try PKCS12Reader.read(bytes, password: "")
            }
            return CertificateFile(format: .pfx, bundle: bundle, protection: protection)
        case .der:
            let certificate = try CertificateDetails(der: bytes)
            return CertificateFile(format: .der, bundle: try CertificateBundle(certificate: certificate, privateKey: nil), protection: nil)
        case .pem:
            return CertificateFile(format: .pem, bundle: try PEMReader.read(bytes), protection: nil)
        }
    }

    /// Reads a file from disk, refusing files over the size limit before reading them whole.
    /// Errors name the file.
    public static func read(path: String, password: () throws(CertificateError) -> String?) throws(CertificateError) -> CertificateFile {
        let bytes = try readLimited(path: path)
        do {
            return try read(bytes, password: password)
        } catch {
            if case .inFile = error { throw error }
            throw .inFile(path, error)
        }
    }

    /// The bytes of a file no larger than `limit`.
    public static func readLimited(path: String, limit: Int = sizeLimit) throws(CertificateError) -> [UInt8] {
        try LocalFile.read(path: path, limit: limit)
    }
}
