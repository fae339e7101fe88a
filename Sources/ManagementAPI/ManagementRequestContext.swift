import Certificates
import Hummingbird
import NIOCore
import NIOSSL
import Storage
import WireFormat

/// What a request carries through the middleware and routes: its id, the TLS channel it came
/// on (for the client certificate) and, once authenticated, the caller.
public struct ManagementRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, for the client certificate the peer proved it holds.
    public let channel: any Channel
    /// The `x-ms-request-id` of this request.
    public var requestID: WireFormat.RequestID
    /// Who the client is, set by the authentication middleware.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        requestID = .random()
        caller = nil
    }

    /// The id of the operation this request records: its request id.
    func operationID() throws -> OperationID {
        guard let id = OperationID(requestID.rawValue) else { throw APIError.unexpected }
        return id
    }

    /// Request bodies over 4 MiB are refused with 413.
    public var maxUploadSize: Int { ManagementServer.maximumBodySize }

    /// The DER certificate the client presented and proved it holds in the TLS handshake, if any.
    public func presentedCertificate() async -> [UInt8]? {
        await presented()?.der
    }

    /// The presented certificate with its thumbprint: recorded once per connection, else asked of the TLS handler.
    func presented() async -> PresentedCertificates.Presented? {
        if let known = PresentedCertificates.shared.certificate(of: channel) { return known }
        guard let certificate = try? await channel.nioSSL_peerCertificate().get(), let der = try? certificate.toDERBytes() else { return nil }
        return .init(der: der, thumbprint: Thumbprint(certificateDER: der))
    }

    /// The authenticated caller, when its role allows `action`; routes run only after
    /// authentication, so a missing caller is a 403, and so is a role that does not allow it.
    public func requireCaller(allowedTo action: SubscriptionAction) throws -> Caller {
        guard let caller else { throw APIError.forbidden }
        guard caller.may(action) else { throw APIError.roleMissing(for: action, caller: caller) }
        return caller
    }
}
