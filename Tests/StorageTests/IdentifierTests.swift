import Foundation
import Storage
import Testing

@Suite("Identifiers")
struct IdentifierTests {
    @Test("subscription ids are GUIDs in any case, kept lower case; anything else is refused")
    func subscriptionIDs() {
        #expect(SubscriptionID("0AB1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D")?.rawValue == "0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d")
        #expect(SubscriptionID("00000000-0000-0000-0000-000000000000")?.rawValue == "00000000-0000-0000-0000-000000000000")
        for bad in [
            "", "certificates", "0ab1c2d3e4f54a6b8c7d9e0f1a2b3c4d", "0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4", "0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4dd",
            "0ab1c2d3-e4f5-4a6b-8c7d_9e0f1a2b3c4d", "0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4g", "{0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d}",
            "0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4é",
        ] {
            #expect(SubscriptionID(bad) == nil, "\(bad)")
        }
        let made = SubscriptionID.random()
        #expect(SubscriptionID(made.rawValue) == made)
    }

    @Test("identifiers are plain strings in JSON, and are checked when read back")
    func json() throws {
        let id = try #require(SubscriptionID("0F9A3C1E-0000-4000-8000-000000000001"))
        let encoded = String(decoding: try JSONEncoder().encode([id]), as: UTF8.self)
        #expect(encoded == "[\"0f9a3c1e-0000-4000-8000-000000000001\"]")
        #expect(try JSONDecoder().decode([SubscriptionID].self, from: Data(encoded.utf8)) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([SubscriptionID].self, from: Data("[\"nope\"]".utf8)) }
        let user = try #require(EmailAddress("ops@contoso.com"))
        #expect(String(decoding: try JSONEncoder().encode([user]), as: UTF8.self) == "[\"ops@contoso.com\"]")
    }

    @Test("operation ids read the 32-hex and the dashed GUID form, in any case, and nothing else")
    func operationIDs() throws {
        let id = try #require(OperationID("0123456789ABCDEF0123456789abcdef"))
        #expect(id.rawValue == "0123456789abcdef0123456789abcdef")
        #expect(id.dashed == "01234567-89ab-cdef-0123-456789abcdef")
        #expect(OperationID(id.dashed) == id)
        for bad in ["", "0123", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef0"] {
            #expect(OperationID(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Names")
struct NameTests {
    @Test("cloud service names are DNS labels: 1 to 63 letters, digits and hyphens, a letter first, no hyphen last")
    func cloudServiceNames() {
        for good in ["a", "web1", "My-Service", String(repeating: "a", count: 63)] {
            #expect(CloudService.isValidName(good), "\(good)")
        }
        for bad in ["", "1web", "-web", "web-", "web_1", "wéb", "web 1", "web/../x", String(repeating: "a", count: 64)] {
            #expect(!CloudService.isValidName(bad), "\(bad)")
        }
    }

    @Test("deployment names: 1 to 100 letters, digits, hyphens and underscores")
    func deploymentNames() {
        for good in ["production", "dep_1", "Dep-2", String(repeating: "d", count: 100)] {
            #expect(Deployment.isValidName(good), "\(good)")
        }
        for bad in ["", "dep 1", "dep/1", "..", "dép", String(repeating: "d", count: 101)] {
            #expect(!Deployment.isValidName(bad), "\(bad)")
        }
    }
}
