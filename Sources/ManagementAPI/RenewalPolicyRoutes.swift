import Hummingbird
import Storage
import WireFormat

/// Thumbprint's own addition to the API, outside the classic one's paths:
/// `/<subscription>/services/hostedservices/<service>/renewal` — GET the cloud service's
/// automatic-renewal policy, PUT one (`RenewalPolicy` with `DaysBefore` and `ValidDays`),
/// DELETE it. Setting it takes both managing service certificates and changing thumbprints.
struct RenewalPolicyRoutes: Sendable {
    let store: any ManagementStore

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        let path = ":subscription/services/hostedservices/:service/renewal"
        router.get(RouterPath(path)) { _, context in try await get(context) }
        router.put(RouterPath(path)) { request, context in try await set(request, context) }
        router.delete(RouterPath(path)) { _, context in try await remove(context) }
    }

    func get(_ context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .read)
        guard let policy = try await store.renewalPolicies().first(where: { $0.subscription == caller.subscription && $0.service == service.name.lowercased() })
        else { throw APIError.notFound("The cloud service \(service.name) has no automatic renewal; set it with PUT (thumbprint service renewal set).") }
        return xmlResponse(
            AzureXML.document("RenewalPolicy") { xml in
                xml.element("ServiceName", service.name)
                xml.element("DaysBefore", String(policy.daysBefore))
                xml.element("ValidDays", String(policy.validDays))
            })
    }

    func set(_ request: Request, _ context: ManagementRequestContext) async throws -> Response {
        _ = try context.requireCaller(allowedTo: .changeThumbprints)
        let (caller, service) = try await store.requestedService(context, allowedTo: .manageServiceCertificates)
        let body = try RenewalPolicyBody(try await XMLBody.read(request, root: "RenewalPolicy"))
        let policy = RenewalPolicy(
            subscription: caller.subscription, service: service.name.lowercased(), daysBefore: body.daysBefore, validDays: body.validDays)
        try await store.setRenewalPolicy(policy, service: service.name, in: caller.subscription)
        return Response(status: .ok)
    }

    func remove(_ context: ManagementRequestContext) async throws -> Response {
        _ = try context.requireCaller(allowedTo: .changeThumbprints)
        let (caller, service) = try await store.requestedService(context, allowedTo: .manageServiceCertificates)
        try await store.setRenewalPolicy(nil, service: service.name, in: caller.subscription)
        return Response(status: .ok)
    }
}
