import Storage
import WireFormat

extension AzureXML {
    /// `ExtendedProperties` with one `ExtendedProperty` (Name, Value) per pair.
    mutating func extendedProperties(_ properties: [ExtendedProperty]) {
        element("ExtendedProperties") { list in
            for property in properties {
                list.element("ExtendedProperty") { item in
                    item.element("Name", property.name)
                    item.element("Value", property.value)
                }
            }
        }
    }
}
