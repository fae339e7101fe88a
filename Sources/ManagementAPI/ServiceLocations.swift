import Hummingbird
import ServiceModel
import Storage
import WireFormat

/// The locations cloud services may be created in: List Locations reports them, and Create
/// Cloud Service (API and portal) refuses any other, naming these. Configurable with the
/// server's `--location` option; the default is the classic platform's main regions.
public struct ServiceLocations: Sendable, Equatable {
    /// The names, as reported and stored.
    public var names: [String]

    /// The default list.
    public static let standard = ServiceLocations(names: [
        "West US", "East US", "North Central US", "South Central US", "Central US", "North Europe", "West Europe",
        "East Asia", "Southeast Asia", "Japan East", "Japan West", "Brazil South", "Australia East",
    ])

    /// A list from its names.
    public init(names: [String]) { self.names = names }

    /// The location `text` names, in any case, as listed; nil when it is none of them.
    public func named(_ text: String) -> String? {
        names.first { $0.caseInsensitiveCompare(text.trimmingCharacters(in: .whitespaces)) == .orderedSame }
    }

    /// Why `text` cannot be used, naming the locations that can; nil when it can.
    public func problem(with text: String) -> String? {
        named(text) == nil ? "The location \(text) is not one where this server creates cloud services: \(names.joined(separator: ", "))." : nil
    }
}

/// List Locations (`GET /<subscription>/locations`).
struct LocationRoutes: Sendable {
    let locations: ServiceLocations

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        router.get(":subscription/locations") { _, context in
            _ = try context.requireCaller(allowedTo: .read)
            return xmlResponse(
                AzureXML.document("Locations") { xml in
                    for name in locations.names {
                        xml.element("Location") { location in
                            location.element("Name", name)
                            location.element("DisplayName", name)
                            location.element("AvailableServices") { services in
                                services.element("AvailableService", "Compute")
                                services.element("AvailableService", "Storage")
                            }
                            location.element("ComputeCapabilities") { capabilities in
                                capabilities.element("WebWorkerRoleSizes") { sizes in
                                    for size in VirtualMachineSize.names { sizes.element("RoleSize", size) }
                                }
                                capabilities.element("VirtualMachinesRoleSizes") { _ in }
                            }
                        }
                    }
                })
        }
    }
}
