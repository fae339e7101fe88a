import Certificates
import Deployments
import Hummingbird
import Storage
import WireFormat

/// Get Subscription (`GET /<subscription>`) and Get Operation Status (`GET /<subscription>/operations/<id>`).
struct SubscriptionRoutes: Sendable {
    let store: any ManagementStore
    let quota: SubscriptionQuota

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        router.get(":subscription") { _, context in try await subscription(context: context) }
        router.get(":subscription/operations/:id") { _, context in try await operation(context: context) }
    }

    /// The elements the real service returns, in its order (spec §3.1).
    func subscription(context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .read)
        guard let subscription = try await store.subscription(caller.subscription) else { throw APIError.forbidden }
        let admin = subscription.serviceAdministrator.rawValue
        let services = try await store.cloudServices(in: subscription.id).count
        let cores = try await CoreUsage(store: store).cores(in: subscription.id)
        let fields: [(String, String)] = [
            ("SubscriptionID", subscription.id.rawValue),
            ("SubscriptionName", subscription.name),
            ("SubscriptionStatus", "Active"),
            ("AccountAdminLiveEmailId", admin),
            ("ServiceAdminLiveEmailId", admin),
            ("MaxCoreCount", String(quota.maximumCores)),
            ("MaxStorageAccounts", "100"),
            ("MaxHostedServices", String(quota.maximumCloudServices)),
            ("CurrentCoreCount", String(cores)),
            ("CurrentHostedServices", String(services)),
            ("CurrentStorageAccounts", "0"),
            ("MaxVirtualNetworkSites", "10"),
            ("MaxLocalNetworkSites", "10"),
            ("MaxDnsServers", "9"),
            ("OfferCategories", "Thumbprint"),
            // One tenant per subscription: its own id stands in for a directory tenant.
            ("AADTenantID", subscription.id.rawValue),
            ("CreatedTime", UTCCalendar.iso8601(subscription.createdAt)),
            ("MaxReservedIPs", "20"),
            ("CurrentReservedIPs", "0"),
            ("MaxPublicIPCount", "5"),
            ("CurrentNetworkSecurityGroups", "0"),
            ("MaxNetworkSecurityGroups", "100"),
            ("MaxNetworkSecurityRulesPerGroup", "200"),
            ("MaxRouteTables", "100"),
            ("MaxRoutesPerRouteTable", "100"),
        ]
        return xmlResponse(
            AzureXML.document("Subscription") { xml in
                for (name, value) in fields { xml.element(name, value) }
            })
    }

    func operation(context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .read)
        let text = try context.parameters.require("id")
        guard let id = OperationID(text), let operation = try await store.operation(id, in: caller.subscription) else {
            throw APIError.notFound("The operation \(text) was not found.")
        }
        return xmlResponse(
            AzureXML.document("Operation") { xml in
                xml.element("ID", id.dashed)
                xml.element("Status", operation.status.rawValue)
                if operation.status != .inProgress {
                    xml.element("HttpStatusCode", String(operation.httpStatusCode ?? (operation.status == .succeeded ? 200 : 400)))
                }
                if operation.status == .failed {
                    xml.element("Error") { error in
                        error.element("Code", operation.errorCode ?? "BadRequest")
                        error.element("Message", operation.errorMessage ?? "The operation failed.")
                    }
                }
            })
    }
}
