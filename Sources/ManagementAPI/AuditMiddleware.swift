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
/// An asynchronous operation records itself (`AsyncOperation`): `Accepted` before it starts and
/// its final outcome when it ends, in that order.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    let store: any ManagementStore
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let refusal = APIError(describing: error)
            await record(request, context: context, response: nil, outcome: refusal.code, status: Int(refusal.status.code))
            throw error
        }
        if response.status != .accepted {
            await record(request, context: context, response: response, outcome: "Succeeded", status: Int(response.status.code))
        }
        return response
    }

    private func record(_ request: Request, context: Context, response: Response?, outcome: String, status: Int) async {
        var entry = await Self.entry(for: request, context: context, store: store, time: now(), outcome: outcome)
        entry.httpStatus = status
        if let location = response?.headers[.location], let last = location.split(separator: "/").last {
            entry.target += "/" + last
        }
        await Self.append(entry, to: store, context: context)
    }

    /// The entry for `request`: who asked (from the connection's certificate), what and on what.
    static func entry(for request: Request, context: Context, store: any ManagementStore, time: Date, outcome: String) async -> AuditEntry {
        let subscription = request.uri.path.split(separator: "/").first.flatMap { SubscriptionID(String($0)) }
        let thumbprint = await context.presented()?.thumbprint
        var user: EmailAddress?
        if let thumbprint, let subscription { user = try? await store.caller(thumbprint: thumbprint, subscription: subscription)?.user }
        return entry(
            for: request, requestID: context.requestID.rawValue, subscription: subscription, thumbprint: thumbprint, user: user, time: time,
            outcome: outcome)
    }

    /// The entry for `request` made by the given caller: the one place that names the operation
    /// and its target, for the middleware and for operations that end later (`AsyncOperation`).
    static func entry(
        for request: Request, requestID: String, subscription: SubscriptionID?, thumbprint: Thumbprint?, user: EmailAddress?,
        time: Date, outcome: String
    ) -> AuditEntry {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        return AuditEntry(
            time: time, subscription: subscription, callerThumbprint: thumbprint?.description, user: user?.rawValue,
            operation: operationName(method: request.method, segments: segments, component: request.uri.queryParameters.get("comp")),
            target: segments.dropFirst().joined(separator: "/"), outcome: outcome, requestID: requestID)
    }

    /// Appends `entry`, logging (never failing the request) when the log cannot be written.
    static func append(_ entry: AuditEntry, to store: any ManagementStore, context: Context) async {
        do {
            try await store.appendAudit(entry)
        } catch {
            context.logger.error("could not write the audit log", metadata: ["request-id": "\(context.requestID)", "error": "\(error)"])
        }
    }

    /// The operation's name in the Service Management API's words, from the method, the path
    /// below the subscription and `?comp=`.
    static func operationName(method: HTTPRequest.Method, segments: [String], component: String? = nil) -> String {
        let resource = Array(segments.dropFirst())
        let below = resource.count > 3 ? resource[3] : nil  // what under a cloud service
        switch (method, resource.first, resource.count, below) {
        case (.post, "certificates", _, _): return "AddManagementCertificate"
        case (.delete, "certificates", _, _): return "DeleteManagementCertificate"
        case (.post, "services", 2, _): return "CreateCloudService"
        case (.put, "services", 3, _): return "UpdateCloudService"
        case (.post, "services", 3, _): return "SwapDeployment"
        case (.delete, "services", 3, _): return "DeleteCloudService"
        case (.post, "services", 4, "certificates"): return "AddServiceCertificate"
        case (.delete, "services", 5, "certificates"): return "DeleteServiceCertificate"
        case (.post, "services", 5, "deploymentslots"), (.post, "services", 5, "deployments"):
            switch component?.lowercased() {
            case "config": return "ChangeDeploymentConfiguration"
            case "status": return "UpdateDeploymentStatus"
            case "upgrade": return "UpgradeDeployment"
            case "walkupgradedomain": return "WalkUpgradeDomain"
            case "rollback": return "RollbackUpdateOrUpgrade"
            default: return below == "deploymentslots" ? "CreateDeployment" : "\(method.rawValue) deployments"
            }
        case (.delete, "services", 5, "deploymentslots"), (.delete, "services", 5, "deployments"): return "DeleteDeployment"
        case (.post, "services", 6, _) where resource[5] == "roleinstances": return "DeleteRoleInstances"
        case (.post, "services", 7, _) where resource[5] == "roleinstances":
            return component?.lowercased() == "reimage" ? "ReimageRoleInstance" : "RebootRoleInstance"
        default: return "\(method.rawValue) \(segments.dropFirst().joined(separator: "/"))"
        }
    }
}
