import Hummingbird
import Storage

/// The outermost middleware when metrics are on: counts every API request by operation and final
/// status (after the error mapping) and measures how long it took.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ManagementRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let segments = request.uri.path.split(separator: "/").map(String.init)
        let operation = Self.operation(method: request.method, segments: segments, component: request.uri.queryParameters.get("comp"))
        do {
            let response = try await next(request, context)
            ServerMetrics.requestEnded(operation: operation, status: Int(response.status.code), duration: ContinuousClock.now - started)
            return response
        } catch {
            ServerMetrics.requestEnded(
                operation: operation, status: Int(APIError(describing: error).status.code), duration: ContinuousClock.now - started)
            throw error
        }
    }

    /// The operation's name as the API documentation gives it; reads and writes the audit log
    /// does not name are `Other`, so that no id ever becomes a label.
    static func operation(method: HTTPRequest.Method, segments: [String], component: String?) -> String {
        guard segments.first.flatMap({ SubscriptionID($0) }) != nil else { return "Other" }
        if method != .get && method != .head {
            let name = AuditMiddleware.operationName(method: method, segments: segments, component: component)
            return name.contains(" ") ? "Other" : name
        }
        let resource = Array(segments.dropFirst())
        switch (resource.first, resource.count) {
        case (nil, _): return "GetSubscription"
        case ("certificates", 1): return "ListManagementCertificates"
        case ("certificates", 2): return "GetManagementCertificate"
        case ("locations", 1): return "ListLocations"
        case ("operations", 1): return "ListSubscriptionOperations"
        case ("operations", 2): return "GetOperationStatus"
        case ("services", 2): return "ListCloudServices"
        case ("services", 3): return "GetCloudService"
        case ("services", 4) where resource[3] == "certificates": return "ListServiceCertificates"
        case ("services", 5) where resource[3] == "certificates": return "GetServiceCertificate"
        case ("services", 5): return "GetDeployment"
        default: return "Other"
        }
    }
}
