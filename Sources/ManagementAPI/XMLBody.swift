import Hummingbird
import ServiceModel
import Storage

/// A request body for the API, read with the safe XML reader: the root must be the one expected.
struct XMLBody: Sendable {
    let root: XMLElement

    /// The request's body, read off the event loop (at most `ManagementServer.maximumBodySize` bytes).
    static func read(_ request: Request, root name: String) async throws -> XMLBody {
        var request = request
        let bytes = Array(buffer: try await request.collectBody(upTo: ManagementServer.maximumBodySize))
        return try await BackgroundWork.parsing.run { try XMLBody(bytes, root: name) }
    }

    /// `bytes` read with the safe XML reader; the root element must be `name`.
    init(_ bytes: [UInt8], root name: String) throws {
        let root: XMLElement
        do {
            root = try XMLDocumentReader.parse(bytes, limit: ManagementServer.maximumBodySize)
        } catch {
            throw APIError.invalidXML("The request body's XML was invalid or not correctly specified: \(error).")
        }
        guard root.name == name else { throw APIError.invalidXML("The root element must be \(name), not \(root.name).") }
        self.root = root
    }

    func required(_ name: String) throws -> String {
        guard let value = optional(name) else { throw APIError.badRequest("\(name) is missing or empty.") }
        return value
    }

    func optional(_ name: String) -> String? {
        guard let value = root.child(name)?.text, !value.isEmpty else { return nil }
        return value
    }

    /// The `ExtendedProperties` given, within the bounds every resource keeps.
    func extendedProperties() throws -> [ExtendedProperty] {
        let properties =
            root.child("ExtendedProperties")?.children("ExtendedProperty").compactMap { element -> ExtendedProperty? in
                guard let name = element.child("Name")?.text, !name.isEmpty else { return nil }
                return ExtendedProperty(name: name, value: element.child("Value")?.text ?? "")
            } ?? []
        if let problem = ExtendedProperty.problem(with: properties) { throw APIError.badRequest(problem) }
        return properties
    }

    /// `Description`, at most `CloudService.maximumDescriptionLength` characters.
    func description() throws -> String? {
        guard let text = optional("Description") else { return nil }
        guard text.count <= CloudService.maximumDescriptionLength else {
            throw APIError.badRequest("Description is \(text.count) characters; at most \(CloudService.maximumDescriptionLength) are accepted.")
        }
        return text
    }
}
