import Deployments
import ServiceModel
import ServicePackages
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The XML body of each operation that takes one, read and checked field by field before
// anything stored is touched. The routes read their bodies through these types, and so does the
// `APIBodies` fuzz target (through `OperationBody`), so both see the same refusals.

/// Create Hosted Service: a valid name and label, exactly one of Location and AffinityGroup.
struct CreateHostedServiceBody {
    let name: String
    let label: String
    let description: String?
    let location: String?
    let affinityGroup: String?
    let extendedProperties: [ExtendedProperty]

    init(_ body: XMLBody, locations: ServiceLocations) throws {
        name = try body.required("ServiceName")
        guard CloudService.isValidName(name) else {
            throw APIError.badRequest("ServiceName \(name) is not valid: use 1 to 63 letters, digits and hyphens, starting with a letter.")
        }
        label = try body.required("Label")
        try CloudServiceRoutes.checkLabel(label)
        let location = body.optional("Location")
        affinityGroup = body.optional("AffinityGroup")
        guard (location == nil) != (affinityGroup == nil) else {
            throw APIError.badRequest("Give exactly one of Location and AffinityGroup.")
        }
        if let location {
            guard let known = locations.named(location) else { throw APIError.badRequest(locations.problem(with: location) ?? "") }
            self.location = known
        } else {
            self.location = nil
        }
        description = try body.description()
        extendedProperties = try body.extendedProperties()
    }
}

/// Update Hosted Service: a label, a description or both, and properties to set.
struct UpdateHostedServiceBody {
    let label: String?
    let description: String?
    let extendedProperties: [ExtendedProperty]

    init(_ body: XMLBody) throws {
        label = body.optional("Label")
        description = try body.description()
        guard label != nil || description != nil else { throw APIError.badRequest("Give a Label, a Description or both.") }
        if let label { try CloudServiceRoutes.checkLabel(label) }
        extendedProperties = try body.extendedProperties()
    }
}

/// Swap Deployment: the staging deployment's name, and the production one's when there is one.
struct SwapBody {
    let source: String
    let production: String?

    init(_ body: XMLBody) throws {
        source = try body.required("SourceDeployment")
        production = body.optional("Production")
    }
}

/// Add Service Certificate: base64 data, pfx or cer, and the pfx's password (empty when absent).
struct CertificateFileBody {
    let data: [UInt8]
    let format: String
    let password: String

    init(_ body: XMLBody) throws {
        guard let data = Data(base64Encoded: try body.required("Data"), options: .ignoreUnknownCharacters) else {
            throw APIError.invalidXML("The request body's XML was invalid or not correctly specified: Data is not base64.")
        }
        self.data = [UInt8](data)
        format = try body.required("CertificateFormat").lowercased()
        guard format == "pfx" || format == "cer" else { throw APIError.badRequest("CertificateFormat must be pfx or cer, not \(format).") }
        password = body.root.child("Password")?.text ?? ""
    }
}

/// Create Deployment: name, an allowed package location, label and configuration.
struct CreateDeploymentBody {
    let name: String
    let packageURL: String
    let label: String
    let configuration: [UInt8]
    let start: Bool
    let extendedProperties: [ExtendedProperty]

    init(_ body: XMLBody, packagesDirectory: String) throws {
        name = try body.required("Name")
        guard Deployment.isValidName(name) else {
            throw APIError.badRequest("Name \(name) is not valid: use 1 to 100 letters, digits, hyphens and underscores.")
        }
        packageURL = try body.required("PackageUrl")
        _ = try PackageLocation.resolve(packageURL, packagesDirectory: packagesDirectory)
        label = try body.required("Label")
        try CloudServiceRoutes.checkLabel(label)
        configuration = try Self.configuration(body)
        start = body.optional("StartDeployment")?.lowercased() == "true"
        extendedProperties = try body.extendedProperties()
    }

    /// `Configuration`: the base64 of the .cscfg file, not empty.
    static func configuration(_ body: XMLBody) throws -> [UInt8] {
        guard let data = Data(base64Encoded: try body.required("Configuration"), options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw APIError.badRequest("Configuration must be the base64 of the .cscfg file.")
        }
        return [UInt8](data)
    }
}

/// Change Deployment Configuration: the new .cscfg.
struct ChangeConfigurationBody {
    let configuration: [UInt8]

    init(_ body: XMLBody) throws {
        configuration = try CreateDeploymentBody.configuration(body)
    }
}

/// Upgrade Deployment: mode, an allowed package location, label and configuration; every role.
struct UpgradeDeploymentBody {
    let mode: UpgradeMode
    let packageURL: String
    let label: String
    let configuration: [UInt8]

    init(_ body: XMLBody, packagesDirectory: String) throws {
        guard let mode = UpgradeMode(name: try body.required("Mode")) else {
            throw APIError.badRequest("Mode must be Auto, Manual or Simultaneous.")
        }
        self.mode = mode
        if let role = body.optional("RoleToUpgrade"), !role.isEmpty {
            throw APIError.badRequest("RoleToUpgrade is not served: an upgrade moves every role of the deployment; leave it out.")
        }
        packageURL = try body.required("PackageUrl")
        _ = try PackageLocation.resolve(packageURL, packagesDirectory: packagesDirectory)
        label = try body.required("Label")
        try CloudServiceRoutes.checkLabel(label)
        configuration = try CreateDeploymentBody.configuration(body)
    }
}

/// Walk Upgrade Domain: the number of the domain, from 0.
struct WalkUpgradeDomainBody {
    let domain: Int

    init(_ body: XMLBody) throws {
        guard let domain = Int(try body.required("UpgradeDomain")), domain >= 0 else {
            throw APIError.badRequest("UpgradeDomain must be the number of the upgrade domain to walk, from 0.")
        }
        self.domain = domain
    }
}

/// Update Deployment Status: Running or Suspended.
struct UpdateDeploymentStatusBody {
    let status: DeploymentStatus

    init(_ body: XMLBody) throws {
        guard let status = DeploymentStatus(rawValue: try body.required("Status")) else {
            throw APIError.badRequest("Status must be Running or Suspended.")
        }
        self.status = status
    }
}

/// Delete Role Instances: at least one instance name.
struct RoleInstancesBody {
    let names: Set<String>

    init(_ body: XMLBody) throws {
        names = Set(body.root.children("Name").map(\.text).filter { !$0.isEmpty })
        guard !names.isEmpty else { throw APIError.badRequest("Name at least one role instance to delete in RoleInstances.") }
    }
}

/// Thumbprint's renewal policy: days before expiry (1–365) and the successor's validity (2–3650, more than that).
struct RenewalPolicyBody {
    static let daysBefore = 1...365
    static let validDays = 2...3_650

    let daysBefore: Int
    let validDays: Int

    init(_ body: XMLBody) throws {
        guard let daysBefore = Int(try body.required("DaysBefore")), Self.daysBefore.contains(daysBefore) else {
            throw APIError.badRequest("DaysBefore must be a number of days from 1 to 365.")
        }
        let validText = body.optional("ValidDays") ?? "365"
        guard let validDays = Int(validText), Self.validDays.contains(validDays), validDays > daysBefore else {
            throw APIError.badRequest("ValidDays must be a number of days from 2 to 3650, more than DaysBefore (\(daysBefore)), not \(validText).")
        }
        (self.daysBefore, self.validDays) = (daysBefore, validDays)
    }
}
