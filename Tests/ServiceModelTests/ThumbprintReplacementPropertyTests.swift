import Certificates
import PropertyBased
import ServiceModel
import Testing

/// Renewal changes one thumbprint in a configuration: over generated configurations, the
/// replacement reads back with the new thumbprint where the old one was, and nothing else.
@Suite("Thumbprint replacement over generated configurations")
struct ThumbprintReplacementPropertyTests {
    /// One role's certificates: a name and a thumbprint as written (either case).
    struct Reference: Sendable {
        var name: String
        var thumbprint: [UInt8]
        var lowercase: Bool
        var text: String {
            let hex = hexString(thumbprint, uppercase: true)
            return lowercase ? hex.lowercased() : hex
        }
    }

    static let reference = zip(Gen.letterOrNumber.string(of: 1...8), Gen.uint8().array(of: 20), Gen.bool).map { name, bytes, lowercase in
        Reference(name: "C" + name, thumbprint: bytes, lowercase: lowercase)
    }

    /// Roles with one to three certificates each; names are unique within a role.
    static let roles = reference.array(of: 1...3).array(of: 1...4)

    static func configuration(_ roles: [[Reference]]) -> [UInt8] {
        let body = roles.enumerated().map { index, references in
            var seen = Set<String>()
            let certificates = references.filter { seen.insert($0.name).inserted }.map {
                "<Certificate name=\"\($0.name)\" thumbprint=\"\($0.text)\" thumbprintAlgorithm=\"sha1\" />"
            }
            return """
                <Role name="Role\(index)"><Instances count="\(index + 1)" />
                  <ConfigurationSettings><Setting name="Feature" value="\(index)" /></ConfigurationSettings>
                  <Certificates>\(certificates.joined(separator: "\n    "))</Certificates></Role>
                """
        }
        return Array(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
            \(body.joined(separator: "\n"))
            </ServiceConfiguration>
            """.utf8)
    }

    @Test("replacing a thumbprint a role uses: it reads back as the new one, every other reference and setting is unchanged")
    func replacement() async {
        await propertyCheck(count: 200, input: Self.roles, Gen.uint8().array(of: 20), Gen.int(in: 0...100)) { roles, newBytes, pick in
            let original = Self.configuration(roles)
            let before = try ServiceConfiguration(xml: original)
            let references = before.roles.flatMap(\.certificates)
            let chosen = references[pick % references.count]
            let replacement = try #require(Thumbprint(bytes: newBytes))
            let replaced = try ThumbprintReplacement(replacing: chosen.thumbprintText, with: replacement, in: original)
            let after = try ServiceConfiguration(xml: replaced.configuration)
            #expect(after.roles.map(\.name) == before.roles.map(\.name))
            for (old, new) in zip(before.roles, after.roles) {
                #expect(new.instanceCount == old.instanceCount)
                #expect(new.settings == old.settings)
                for (oldReference, newReference) in zip(old.certificates, new.certificates) {
                    #expect(newReference.name == oldReference.name)
                    let wasChosen = oldReference.thumbprint == chosen.thumbprint
                    #expect(newReference.thumbprint == (wasChosen ? replacement : oldReference.thumbprint))
                }
            }
            #expect(!replaced.changes.isEmpty)
            #expect(try ConfigurationChange(from: original, to: replaced.configuration).subtracting(.thumbprints).isEmpty)
        }
    }
}
