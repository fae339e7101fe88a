import Certificates
import ServiceModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A `.publishsettings` file (schema 2.0): for each subscription, the API's URL, the id, the name
/// and a management certificate with its key as a PKCS#12 blob opening with an empty password.
public struct PublishSettings: Sendable, Equatable {
    /// One subscription entry.
    public struct Entry: Sendable, Equatable {
        /// `ServiceManagementUrl`: `https://HOST:PORT`.
        public var serviceManagementURL: String
        /// `Id`: the subscription id.
        public var id: String
        /// `Name`: the subscription's display name.
        public var name: String
        /// `ManagementCertificate`: base64 PKCS#12 with certificate and key, empty password.
        public var managementCertificate: String

        /// An entry from its parts.
        public init(serviceManagementURL: String, id: String, name: String, managementCertificate: String) {
            self.serviceManagementURL = serviceManagementURL
            self.id = id
            self.name = name
            self.managementCertificate = managementCertificate
        }
    }

    /// The subscriptions, in file order.
    public var entries: [Entry]

    /// Settings from entries.
    public init(entries: [Entry]) { self.entries = entries }

    /// The file's text: no XML namespace, as every reader (the Python client among them) expects.
    public var xml: String {
        var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PublishData>\n"
        text += "  <PublishProfile SchemaVersion=\"2.0\" PublishMethod=\"AzureServiceManagementAPI\">\n"
        for entry in entries {
            text += "    <Subscription ServiceManagementUrl=\"\(AzureXML.escape(entry.serviceManagementURL))\" Id=\"\(AzureXML.escape(entry.id))\""
            text += " Name=\"\(AzureXML.escape(entry.name))\" ManagementCertificate=\"\(AzureXML.escape(entry.managementCertificate))\" />\n"
        }
        return text + "  </PublishProfile>\n</PublishData>\n"
    }

    /// Reads a publish-settings file (schema 2.0).
    public init(xml bytes: [UInt8]) throws(XMLReadError) {
        let root = try XMLDocumentReader.parse(bytes, limit: 1 << 20)
        entries = root.children("PublishProfile").flatMap { $0.children("Subscription") }.map { element in
            Entry(
                serviceManagementURL: element.attributes["ServiceManagementUrl"] ?? "", id: element.attributes["Id"] ?? "",
                name: element.attributes["Name"] ?? "", managementCertificate: element.attributes["ManagementCertificate"] ?? "")
        }
    }

    /// The entry for `subscription` (any case), or the first when none is named.
    public func entry(for subscription: String?) -> Entry? {
        guard let subscription else { return entries.first }
        return entries.first { $0.id.lowercased() == subscription.lowercased() }
    }
}
