import Certificates
import Deployments
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `Deployment` document (spec §7.3, §7.4), in the real service's element order.
enum DeploymentXML {
    /// The guest OS the roles report.
    static let osVersion = "THUMBPRINT-LOCAL-1.0"

    static func write(_ view: DeploymentView, into xml: inout AzureXML) {
        let deployment = view.deployment
        xml.element("Name", deployment.name)
        xml.element("DeploymentSlot", deployment.slot.rawValue)
        xml.element("PrivateID", deployment.privateID)
        xml.element("Status", deployment.status.rawValue)
        xml.element("Label", deployment.label)
        xml.element("Url", view.url)
        xml.element("Configuration", Data(deployment.configuration).base64EncodedString())
        xml.element("RoleInstanceList") { list in
            for instance in view.instances {
                list.element("RoleInstance") { item in
                    item.element("RoleName", instance.role)
                    item.element("InstanceName", instance.name)
                    item.element("InstanceStatus", instance.status.rawValue)
                    item.element("InstanceUpgradeDomain", String(instance.upgradeDomain))
                    item.element("InstanceFaultDomain", String(instance.faultDomain))
                    item.element("InstanceSize", instance.size)
                    item.element("InstanceStateDetails", "")
                    item.element("IpAddress", "127.0.0.1")
                    item.element("InstanceEndpoints") { endpoints in
                        for endpoint in instance.endpoints {
                            endpoints.element("InstanceEndpoint") { entry in
                                entry.element("Name", endpoint.name)
                                entry.element("Vip", "127.0.0.1")
                                entry.element("PublicPort", String(endpoint.publicPort))
                                entry.element("LocalPort", String(endpoint.localPort))
                                entry.element("Protocol", endpoint.protocolName)
                            }
                        }
                    }
                    item.element("PowerState", instance.status.powerState)
                }
            }
        }
        if let upgrade = view.upgrade {
            xml.element("UpgradeStatus") { status in
                status.element("UpgradeType", upgrade.mode.rawValue)
                status.element("CurrentUpgradeDomainState", upgrade.during ? "During" : "Before")
                status.element("CurrentUpgradeDomain", String(upgrade.domain))
            }
        }
        xml.element("UpgradeDomainCount", String(view.upgradeDomainCount))
        xml.element("RoleList") { list in
            for role in view.roles {
                list.element("Role") { item in
                    item.element("RoleName", role)
                    item.element("OsVersion", osVersion)
                    item.element("ConfigurationSets") { sets in
                        sets.element("ConfigurationSet") { set in
                            set.element("ConfigurationSetType", "NetworkConfiguration")
                            set.element("InputEndpoints") { inputs in
                                var seen = Set<String>()
                                for instance in view.instances where instance.role == role {
                                    for endpoint in instance.endpoints where seen.insert(endpoint.name).inserted {
                                        inputs.element("InputEndpoint") { input in
                                            input.element("Port", String(endpoint.publicPort))
                                            input.element("Protocol", endpoint.protocolName)
                                            input.element("Vip", "127.0.0.1")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        xml.element("SdkVersion", "2.9.6")
        xml.element("Locked", "false")
        xml.element("RollbackAllowed", "false")
        xml.element("CreatedTime", UTCCalendar.iso8601(deployment.created))
        xml.element("LastModifiedTime", UTCCalendar.iso8601(deployment.modified))
        xml.extendedProperties(deployment.extendedProperties)
        xml.element("VirtualIPs") { list in
            list.element("VirtualIP") { vip in
                vip.element("Address", "127.0.0.1")
                vip.element("IsDnsProgrammed", "true")
                vip.element("Name", "\(deployment.name)ContractContract")
            }
        }
    }
}
