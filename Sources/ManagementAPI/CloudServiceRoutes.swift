import Certificates
import Deployments
import Hummingbird
import ServiceModel
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Cloud services (hosted services): Check Name Availability, Create, List, Get, Update, Delete
/// under `/<subscription>/services/hostedservices`.
struct CloudServiceRoutes: Sendable {
    let store: any ManagementStore
    let runtime: DeploymentRuntime
    let quota: SubscriptionQuota
    let locations: ServiceLocations
    let operations: AsyncOperations
    var now: @Sendable () -> Date { operations.now }

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        let base = ":subscription/services/hostedservices"
        router.get("\(base)/operations/isavailable/:service") { _, context in try await availability(context: context) }
        router.post(RouterPath(base)) { request, context in try await create(request, context: context) }
        router.get(RouterPath(base)) { request, context in try await list(request, context: context) }
        router.get("\(base)/:service") { request, context in try await get(request, context: context) }
        router.put("\(base)/:service") { request, context in try await update(request, context: context) }
        router.post("\(base)/:service") { request, context in try await swap(request, context: context) }
        router.delete("\(base)/:service") { _, context in try await delete(context: context) }
    }

    func availability(context: ManagementRequestContext) async throws -> Response {
        _ = try context.requireCaller(allowedTo: .read)
        let name = try context.parameters.require("service")
        let available = try await store.isCloudServiceNameAvailable(name)
        return xmlResponse(
            AzureXML.document("AvailabilityResponse") { xml in
                xml.element("Result", available ? "true" : "false")
                if !available { xml.element("Reason", "A hosted service with the specified name already exists.") }
            })
    }

    func create(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageCloudServices)
        let body = try CreateHostedServiceBody(try await XMLBody.read(request, root: "CreateHostedService"), locations: locations)
        let (name, instant) = (body.name, now())
        try await store.createCloudService(
            CloudService(
                subscription: caller.subscription, name: name, label: body.label, description: body.description,
                location: body.location, affinityGroup: body.affinityGroup, extendedProperties: body.extendedProperties, created: instant,
                modified: instant
            ), limit: quota.maximumCloudServices)
        try await store.saveOperation(
            OperationRecord(id: try context.operationID(), subscription: caller.subscription, status: .succeeded, httpStatusCode: 200))
        return Response(
            status: .created, headers: [.location: "\(ManagementServer.publicBaseURL(request))/subscriptions/\(caller.subscription)/compute/\(name)"])
    }

    func list(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .read)
        let services = try await store.cloudServices(in: caller.subscription)
        return xmlResponse(
            AzureXML.document("HostedServices") { xml in
                for service in services {
                    xml.element("HostedService") { Self.write(service, request: request, into: &$0) }
                }
            })
    }

    func get(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let service = try await existing(context, allowedTo: .read)
        // No Deployments element at all unless embed-detail=true: the real client reads an empty
        // element as "no deployments" and a missing one as "not asked for".
        guard request.uri.queryParameters.get("embed-detail")?.lowercased() == "true" else {
            return xmlResponse(AzureXML.document("HostedService") { Self.write(service, request: request, into: &$0) })
        }
        var views: [DeploymentView] = []
        for deployment in try await store.deployments(of: service.name, in: service.subscription) { views.append(await runtime.view(of: deployment)) }
        return xmlResponse(
            AzureXML.document("HostedService") { xml in
                Self.write(service, request: request, into: &xml)
                xml.element("Deployments") { list in
                    for view in views { list.element("Deployment") { DeploymentXML.write(view, into: &$0) } }
                }
            })
    }

    func update(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        var service = try await existing(context, allowedTo: .manageCloudServices)
        let body = try UpdateHostedServiceBody(try await XMLBody.read(request, root: "UpdateHostedService"))
        if let label = body.label { service.label = label }
        if let description = body.description { service.description = description }
        for property in body.extendedProperties {
            if let index = service.extendedProperties.firstIndex(where: { $0.name == property.name }) {
                service.extendedProperties[index] = property
            } else {
                service.extendedProperties.append(property)
            }
        }
        if let problem = ExtendedProperty.problem(with: service.extendedProperties) { throw APIError.badRequest(problem) }
        service.modified = now()
        try await store.updateCloudService(service)
        return Response(status: .ok)
    }

    /// Swap Deployment: the staging deployment moves to production and back. 202; 409 when the
    /// names do not match what the slots hold.
    func swap(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .manageDeployments)
        let body = try SwapBody(try await XMLBody.read(request, root: "Swap"))
        let source = body.source
        let deployments = try await store.deployments(of: service.name, in: caller.subscription)
        let production = deployments.first { $0.slot == .production }
        guard let staging = deployments.first(where: { $0.slot == .staging }), staging.name.lowercased() == source.lowercased() else {
            throw APIError(status: .conflict, code: "ConflictError", message: "\(source) is not the deployment in the Staging slot of \(service.name).")
        }
        if let named = body.production, named.lowercased() != production?.name.lowercased() {
            throw APIError(status: .conflict, code: "ConflictError", message: "\(named) is not the deployment in the Production slot of \(service.name).")
        }
        let runtime = self.runtime
        return try await operations.start(request, context: context, caller: caller) {
            try await runtime.swap(production: production, staging: staging)
        }
    }

    func delete(context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageCloudServices)
        let name = try context.parameters.require("service")
        if let deployment = try await store.deployments(of: name, in: caller.subscription).first {
            throw APIError(
                status: .conflict, code: "ConflictError",
                message:
                    "The cloud service \(name) still has deployment \(deployment.name) in the \(deployment.slot.rawValue) slot; delete its deployments first.")
        }
        guard try await store.deleteCloudService(name, in: caller.subscription) else { throw APIError.notFound("The hosted service does not exist.") }
        try await store.saveOperation(
            OperationRecord(id: try context.operationID(), subscription: caller.subscription, status: .succeeded, httpStatusCode: 200))
        return Response(status: .ok)
    }

    private func existing(_ context: ManagementRequestContext, allowedTo action: SubscriptionAction) async throws -> CloudService {
        try await store.requestedService(context, allowedTo: action).1
    }

    static func write(_ service: CloudService, request: Request, into xml: inout AzureXML) {
        xml.element("Url", "\(ManagementServer.publicBaseURL(request))/\(service.subscription)/services/hostedservices/\(service.name)")
        xml.element("ServiceName", service.name)
        xml.element("HostedServiceProperties") { properties in
            properties.element("Description", service.description ?? "")
            if let location = service.location { properties.element("Location", location) }
            if let group = service.affinityGroup { properties.element("AffinityGroup", group) }
            properties.element("Label", service.label)
            properties.element("Status", "Created")
            properties.element("DateCreated", UTCCalendar.iso8601(service.created))
            properties.element("DateLastModified", UTCCalendar.iso8601(service.modified))
            properties.extendedProperties(service.extendedProperties)
        }
    }

    static func checkLabel(_ label: String) throws {
        guard let data = Data(base64Encoded: label), let text = String(data: data, encoding: .utf8), text.count <= 100 else {
            throw APIError.badRequest("Label must be base64 of UTF-8 text of at most 100 characters.")
        }
    }
}
