import Certificates
import Hummingbird
import NIOCore
import NIOSSL
import Storage
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
/// validity. Anything else is 403 ForbiddenError. The store is asked on every request, so a
/// deleted certificate stops working from the next request, even on an open connection.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    let store: any ManagementStore
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let segment = request.uri.path.split(separator: "/").first,
              let subscription = SubscriptionID(String(segment)),
              let der = await context.presentedCertificate()
        else { throw APIError.forbidden }
        let thumbprint = Thumbprint(certificateDER: der)
        guard let caller = try store.caller(thumbprint: thumbprint, subscription: subscription) else {
            throw APIError.forbidden
        }
        let instant = now()
        guard let details = try? CertificateDetails(der: der), details.isValid(at: instant), caller.notAfter >= instant else {
            throw APIError.forbidden
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}
