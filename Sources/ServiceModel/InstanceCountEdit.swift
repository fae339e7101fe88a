/// Changes one role's instance count in a `.cscfg` as written, touching nothing else (layout,
/// comments, other attributes), for Delete Role Instances.
public enum InstanceCountEdit {
    /// `configuration` with `<Instances count="…"/>` of role `role` set to `count`; refused when
    /// the role or its `Instances` element cannot be found.
    public static func setting(_ count: Int, forRole role: String, in configuration: [UInt8]) throws(ServiceModelError) -> [UInt8] {
        let text = String(decoding: configuration, as: UTF8.self)
        var searchFrom = text.startIndex
        while let roleStart = text.range(of: "<Role", range: searchFrom..<text.endIndex) {
            guard let roleEnd = text.range(of: ">", range: roleStart.upperBound..<text.endIndex) else { break }
            let tag = text[roleStart.lowerBound..<roleEnd.upperBound]
            searchFrom = roleEnd.upperBound
            guard tag.contains("name=\"\(role)\"") || tag.contains("name='\(role)'") else { continue }
            let closing = text.range(of: "</Role>", range: roleEnd.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
            guard let instances = text.range(of: "<Instances", range: roleEnd.upperBound..<closing),
                let countAttribute = text.range(of: "count=", range: instances.upperBound..<closing),
                let quote = text[countAttribute.upperBound...].first, quote == "\"" || quote == "'"
            else { break }
            let valueStart = text.index(after: countAttribute.upperBound)
            guard let valueEnd = text[valueStart...].firstIndex(of: quote) else { break }
            var edited = text
            edited.replaceSubrange(valueStart..<valueEnd, with: String(count))
            return Array(edited.utf8)
        }
        throw .unreadable(file: .configuration, reason: "it has no Instances element for role \(role)")
    }
}
