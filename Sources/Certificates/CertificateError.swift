/// Everything that can go wrong while reading, making, checking or storing certificates.
///
/// Each case carries what the user needs to correct the input; `description` is the message
/// shown to people, and says what to do next.
public enum CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that should be a SHA-1 thumbprint is not one.
    case invalidThumbprint(String, reason: String)
    /// A file is larger than the limit for its kind.
    case inputTooLarge(size: Int, limit: Int)
    /// A file (or standard input) is empty.
    case emptyInput
    /// The bytes are none of PKCS#12, DER certificate or PEM.
    case unrecognisedFormat
    /// A DER certificate could not be decoded; carries the reason.
    case malformedCertificate(reason: String)
    /// A PKCS#12 file could not be decoded; carries the reason.
    case malformedPFX(reason: String)
    /// The PKCS#12 password is wrong.
    case incorrectPassword
    /// A PKCS#12 file needs a password and none was given.
    case passwordRequired
    /// A PEM file is not what was expected: wrong label, bad base64 or nothing inside.
    case malformedPEM(reason: String)
    /// A private key is needed (for a .pfx, or a service certificate) and the input has none.
    case missingPrivateKey
    /// The private key in a file does not belong to the certificate beside it.
    case keyDoesNotMatchCertificate
    /// A private key is of a kind Thumbprint does not handle.
    case unsupportedKey(reason: String)
    /// An issued certificate carries the public key of no pending request.
    case noPendingKey(certificates: [String], pending: [String], folder: String)
    /// A key file cannot be opened: a wrong password, a passphrase-protected file, too many iterations.
    case lockedKey(reason: String)
    /// A PKCS#12 file holds more than one private key.
    case multiplePrivateKeys
    /// A PKCS#12 file asks for more key-derivation iterations than Thumbprint spends on one file.
    case tooManyIterations(Int, limit: Int)
    /// A certificate store name could not be understood.
    case invalidStoreName(String, reason: String)
    /// No certificate with this thumbprint is in the store.
    case notInStore(Thumbprint, store: String)
    /// The local store could not be read or written.
    case storeFailure(reason: String)
    /// An option value is out of range.
    case invalidOption(String, reason: String)
    /// The bytes start like DER (a .pfx or .cer) but their structure breaks off or is damaged.
    case damagedDER
    /// Another error, about the file at this path.
    indirect case inFile(String, CertificateError)

    public var description: String {
        switch self {
        case .tooManyIterations(let count, let limit):
            return
                "the PFX file asks for \(count) key-derivation iterations; at most \(limit) are accepted (Windows and OpenSSL write 2,000 to 600,000). Export it again with the usual settings."
        case .invalidThumbprint(let text, let reason):
            return "'\(text)' is not a thumbprint: \(reason). Copy the 40 hex digits from `thumbprint cert show` or the certificate's details."
        case .inputTooLarge(let size, let limit):
            return "the input is \(size) bytes; certificate files are at most \(limit) bytes. Check that this is the right file."
        case .emptyInput:
            return "the input is empty. Check the path, or export the certificate again."
        case .unrecognisedFormat:
            return "this is not a certificate file Thumbprint reads (.pfx/.p12, DER .cer, or PEM). Check the path, or convert it with openssl."
        case .malformedCertificate(let reason):
            return "the certificate cannot be decoded (\(reason)). The file may be truncated or not a certificate."
        case .malformedPFX(let reason):
            return "the PKCS#12 (.pfx) file cannot be read (\(reason)). The file may be truncated or damaged: export it again."
        case .incorrectPassword:
            return "the password is incorrect for this .pfx file. Give the password it was exported with (--password-env, --password-file or --password-stdin)."
        case .passwordRequired:
            return "this .pfx file is protected by a password and none was given. Use --password-env VAR, --password-file FILE or --password-stdin."
        case .malformedPEM(let reason):
            return "the PEM file cannot be read: \(reason)."
        case .missingPrivateKey:
            return "the file holds no private key, and one is required. Use the .pfx exported with its private key."
        case .keyDoesNotMatchCertificate:
            return "the private key does not belong to the certificate in the same file. Export the certificate together with its own key."
        case .unsupportedKey(let reason):
            return "the private key is not supported: \(reason). Use an RSA or ECDSA P-256/P-384 key."
        case .noPendingKey(let certificates, let pending, let folder):
            let waiting = pending.isEmpty ? "there is none in \(folder)" : "those in \(folder) are \(pending.joined(separator: ", "))"
            return
                "no pending request's key matches: the file holds \(certificates.joined(separator: "; ")), and \(waiting). Complete it in the store (THUMBPRINT_HOME) where thumbprint cert request made the request."
        case .lockedKey(let reason):
            return "the private key cannot be opened: \(reason)"
        case .multiplePrivateKeys:
            return "the .pfx file holds more than one private key; it must hold exactly one. Export a single certificate with its key."
        case .invalidStoreName(let text, let reason):
            return "'\(text)' is not a certificate store: \(reason). Write it as CurrentUser/My or cert:\\LocalMachine\\Root."
        case .notInStore(let thumbprint, let store):
            return "no certificate with thumbprint \(thumbprint) is in \(store). List the store with `thumbprint store list --store \(store)`."
        case .storeFailure(let reason):
            return "the local certificate store failed: \(reason)."
        case .invalidOption(let option, let reason):
            return "\(option): \(reason)."
        case .damagedDER:
            return "the file is truncated or damaged: it starts like a .pfx or .cer but its structure does not parse. Copy or export it again."
        case .inFile(let path, let error):
            return "\(path): \(error.description)"
        }
    }
}
