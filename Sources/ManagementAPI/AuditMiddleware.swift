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

/// Records every mutating request (anything but GET and HEAD) in the audit log: time,
/// subscription, caller thumbprint and user, operation, target and outcome, refused ones included.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    let store: any ManagementStore
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        let outcome: String
        let response: Response
        do {
            response = try await next(request, context)
            outcome = "Succeeded"
        } catch {
            await record(request, context: context, response: nil, outcome: Self.code(of: error))
            throw error
        }
        await record(request, context: context, response: response, outcome: outcome)
        return response
    }

    private func record(_ request: Request, context: Context, response: Response?, outcome: String) async {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        let subscription = segments.first.flatMap(SubscriptionID.init)
        let thumbprint = await context.presented()?.thumbprint
        let user = thumbprint.flatMap { thumbprint in subscription.flatMap { try? store.caller(thumbprint: thumbprint, subscription: $0) } }?.user
        let operation = Self.operationName(method: request.method, segments: segments)
        var target = segments.dropFirst().joined(separator: "/")
        if let location = response?.headers[.location], let last = location.split(separator: "/").last {
            target += "/" + last
        }
        let entry = AuditEntry(time: now(), subscription: subscription, callerThumbprint: thumbprint?.description,
                               user: user?.rawValue, operation: operation, target: target, outcome: outcome)
        do {
            try store.appendAudit(entry)
        } catch {
            context.logger.error("could not write the audit log", metadata: ["request-id": "\(context.requestID)", "error": "\(error)"])
        }
    }

    static func operationName(method: HTTPRequest.Method, segments: [String]) -> String {
        let resource = Array(segments.dropFirst())
        switch (method, resource.first, resource.count) {
        case (.post, "certificates", _): return "AddManagementCertificate"
        case (.delete, "certificates", _): return "DeleteManagementCertificate"
        case (.post, "services", 2): return "CreateCloudService"
        case (.put, "services", 3): return "UpdateCloudService"
        case (.delete, "services", 3): return "DeleteCloudService"
        case (.post, "services", 4): return "AddServiceCertificate"
        case (.delete, "services", 5): return "DeleteServiceCertificate"
        default: return "\(method.rawValue) \(segments.dropFirst().first ?? "/")"
        }
    }

    static func code(of error: any Error) -> String {
        switch error {
        case let error as APIError: return error.code
        case let error as StorageError: return APIError(error).code
        case let error as HTTPError: return RequestLoggingMiddleware.apiError(for: error).code
        case is NIOTooManyBytesError: return APIError.tooLarge(limit: ManagementServer.maximumBodySize).code
        default: return "InternalError"
        }
    }
}
