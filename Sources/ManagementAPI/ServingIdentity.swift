import Certificates
import NIOSSL
import Synchronization

/// The certificate the API listener presents, replaceable while it runs: each new TLS
/// handshake takes the one current then, and open connections keep theirs, so a renewed
/// server certificate or a new CA's takes over with no downtime.
public final class ServingIdentity: Sendable {
    private struct Current: Sendable {
        var bundle: CertificateBundle
        var override: NIOSSLContextConfigurationOverride
    }

    private let current: Mutex<Current>

    /// Serves `bundle` (a certificate with its key and chain).
    public init(_ bundle: CertificateBundle) throws {
        current = Mutex(try Self.current(bundle))
    }

    /// The certificate presented to new connections now.
    public var bundle: CertificateBundle { current.withLock { $0.bundle } }

    /// Presents `bundle` to every connection from now on.
    public func replace(with bundle: CertificateBundle) throws {
        let next = try Self.current(bundle)
        current.withLock { $0 = next }
    }

    /// For `TLSConfiguration.sslContextCallback`: called once per handshake, on the event loop.
    var contextCallback: NIOSSLContextCallback {
        { [self] _, promise in promise.succeed(current.withLock { $0.override }) }
    }

    private static func current(_ bundle: CertificateBundle) throws -> Current {
        guard let key = bundle.privateKey else { throw CertificateError.missingPrivateKey }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = try ([bundle.certificate] + bundle.chain).map { .certificate(try NIOSSLCertificate(bytes: $0.der, format: .der)) }
        override.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        return Current(bundle: bundle, override: override)
    }
}
