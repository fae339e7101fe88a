import Certificates
import Hummingbird
import NIOCore
import NIOSSL
import Storage
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Authorises a request by the client certificate of its TLS connection.
///
/// The TLS layer asks every client for a certificate and accepts any, self-signed included;
/// here the SHA-1 thumbprint of the certificate the client proved it holds must be registered
/// on the subscription named first in the path, and the certificate must be within its
/// validity. Anything else is 403 ForbiddenError. The store is asked on every request (it answers
/// from memory while the database is unchanged), so a deleted certificate stops working from the
/// next request, even on an open connection.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    let store: any ManagementStore
    let now: @Sendable () -> Date
    /// Validity periods of presented certificates, so that a client's certificate is decoded
    /// once rather than on every request. Derived data: losing it costs only a decode; whether
    /// the certificate is still registered is asked of the store every time.
    let validityCache = ValidityCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let segment = request.uri.path.split(separator: "/").first,
            let subscription = SubscriptionID(String(segment))
        else { throw APIError.forbidden }
        guard let presented = await context.presented() else {
            ServerMetrics.authenticationFailed(.noCertificate)
            throw APIError.forbidden
        }
        let (der, thumbprint) = (presented.der, presented.thumbprint)
        guard let caller = try await store.caller(thumbprint: thumbprint, subscription: subscription) else {
            ServerMetrics.authenticationFailed(.notRegistered)
            throw APIError.forbidden
        }
        let instant = now()
        guard let validity = validityCache.validity(of: thumbprint, der: der),
            validity.notBefore <= instant, instant <= validity.notAfter, caller.notAfter >= instant
        else {
            ServerMetrics.authenticationFailed(.expired)
            throw APIError.forbidden
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}

/// A bounded map from thumbprint to the validity period of the certificate it names.
final class ValidityCache: Sendable {
    private let entries = Mutex(EvictingMap<Thumbprint, Validity>(capacity: 10_000))

    struct Validity: Sendable {
        var notBefore: Date
        var notAfter: Date
    }

    /// The validity of the certificate `der` (whose thumbprint is `thumbprint`); nil when it does not decode.
    func validity(of thumbprint: Thumbprint, der: [UInt8]) -> (notBefore: Date, notAfter: Date)? {
        if let known = entries.withLock({ $0[thumbprint] }) { return (known.notBefore, known.notAfter) }
        guard let details = try? CertificateDetails(der: der) else { return nil }
        entries.withLock { $0.insert(Validity(notBefore: details.notBefore, notAfter: details.notAfter), for: thumbprint) }
        return (details.notBefore, details.notAfter)
    }
}
