import ServiceModel
import Testing

@Suite("Changing one role's instance count")
struct InstanceCountEditTests {
    @Test("only the named role's count changes, the rest of the file stays as written; a role without Instances is refused")
    func edit() throws {
        let original = """
            <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
              <!-- the web tier -->
              <Role name="Web"><Instances count="3" /></Role>
              <Role name='Worker'>
                <Instances   count='2'/>
              </Role>
            </ServiceConfiguration>
            """
        let edited = String(decoding: try InstanceCountEdit.setting(1, forRole: "Worker", in: Array(original.utf8)), as: UTF8.self)
        #expect(edited == original.replacingOccurrences(of: "count='2'", with: "count='1'"))
        let configuration = try ServiceConfiguration(xml: Array(edited.utf8))
        #expect(configuration.roles.map(\.instanceCount) == [3, 1])
        #expect(throws: ServiceModelError.self) { try InstanceCountEdit.setting(1, forRole: "Cache", in: Array(original.utf8)) }
    }
}
