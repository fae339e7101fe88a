import RoleInstances
import Storage

/// A deployment as Get Deployment shows it: the stored record and what runs.
public struct DeploymentView: Sendable {
    /// One endpoint of one instance.
    public struct Endpoint: Sendable, Equatable {
        /// The endpoint's name.
        public var name: String
        /// `http`, `https` or `tcp`.
        public var protocolName: String
        /// The load balancer's port: the public address (on loopback).
        public var publicPort: Int
        /// The port the instance listens on.
        public var localPort: Int
        /// The thumbprint served to new connections (https).
        public var thumbprint: String?
    }

    /// One role instance.
    public struct Instance: Sendable, Equatable {
        public var role: String
        public var name: String
        public var status: InstanceStatus
        public var upgradeDomain: Int
        public var faultDomain: Int
        public var size: String
        public var endpoints: [Endpoint]
    }

    /// The stored deployment.
    public var deployment: Deployment
    /// Every instance, by role and number.
    public var instances: [Instance]
    /// The role names.
    public var roles: [String]
    /// How many upgrade domains the instances are spread over.
    public var upgradeDomainCount: Int
    /// The upgrade in progress, if any.
    public var upgrade: UpgradeProgress?

    /// The address a client reaches the first endpoint on, for `Url`.
    public var url: String {
        guard let endpoint = instances.first?.endpoints.first else { return "http://127.0.0.1/" }
        return "\(endpoint.protocolName == "https" ? "https" : "http")://127.0.0.1:\(endpoint.publicPort)/"
    }
}
