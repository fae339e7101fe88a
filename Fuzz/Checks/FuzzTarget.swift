/// One fuzz target per parser of outside input: the name of its executable (`FuzzNAME`), of its
/// corpus folder (`Fuzz/Corpus/NAME`) and the check each input goes through.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// PKCS#12 (.pfx) with a fixed and with an empty password, written back when it opens.
    case pkcs12 = "PKCS12"
    /// A DER certificate.
    case der = "DER"
    /// A PEM bundle of certificates and a key, written back when it reads.
    case pem = "PEM"
    /// A private key file in any form the toolkit reads (PEM PKCS#1/PKCS#8/SEC1, OpenSSH).
    case privateKey = "PrivateKey"
    /// A thumbprint as a person types it, formatted and parsed again.
    case thumbprint = "Thumbprint"
    /// The safe XML reader.
    case xml = "XML"
    /// A `.csdef` and a `.cscfg` (split at the first NUL byte), read and validated together.
    case serviceModel = "ServiceModel"
    /// A publish-settings file, written back when it reads.
    case publishSettings = "PublishSettings"
    /// A service package (ZIP).
    case servicePackage = "ServicePackage"
    /// A request to the API's routes and middleware: method, path, `x-ms-version` and body.
    case router = "Router"
    /// The XML body of one of the body-taking API operations.
    case apiBodies = "APIBodies"

    /// Inputs longer than this are cut (libFuzzer's `-max_len` says the same).
    public var maximumLength: Int {
        switch self {
        case .thumbprint: 256
        case .router: 4 << 10
        case .servicePackage: 256 << 10
        default: 64 << 10
        }
    }

    /// Runs the check on one input.
    public func check(_ input: [UInt8]) async throws(FuzzViolation) {
        if self == .router {
            try await APIChecks.router(Array(input.prefix(maximumLength)))
        } else {
            try checkHere(input)
        }
    }

    /// The check of every target but `router`, which needs a task: run on the calling thread.
    func checkHere(_ input: [UInt8]) throws(FuzzViolation) {
        let bytes = Array(input.prefix(maximumLength))
        switch self {
        case .pkcs12: try CertificateChecks.pkcs12(bytes)
        case .der: try CertificateChecks.der(bytes)
        case .pem: try CertificateChecks.pem(bytes)
        case .privateKey: try CertificateChecks.privateKey(bytes)
        case .thumbprint: try CertificateChecks.thumbprint(bytes)
        case .xml: try ServiceModelChecks.xml(bytes)
        case .serviceModel: try ServiceModelChecks.serviceModel(bytes)
        case .publishSettings: try ServiceModelChecks.publishSettings(bytes)
        case .servicePackage: try ServiceModelChecks.servicePackage(bytes)
        case .apiBodies: try APIChecks.bodies(bytes)
        case .router: preconditionFailure("the Router check runs in a task")
        }
    }

    /// For `LLVMFuzzerTestOneInput`: a violation stops the fuzzer with its description.
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            if self == .router {
                try waitFor { () async throws(FuzzViolation) in try await check(bytes) }
            } else {
                try checkHere(bytes)
            }
        } catch {
            fatalError("\(rawValue): \(error)")
        }
    }
}
