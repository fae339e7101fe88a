/// What one subscription may use, as Get Subscription advertises it (`MaxHostedServices`,
/// `MaxCoreCount`): creating a cloud service or a deployment that would pass it is refused.
public struct SubscriptionQuota: Sendable, Equatable {
    /// Cloud services per subscription.
    public var maximumCloudServices: Int
    /// Cores of every deployment's instances, both slots, running or suspended.
    public var maximumCores: Int

    /// A quota from its parts.
    public init(maximumCloudServices: Int, maximumCores: Int) {
        self.maximumCloudServices = maximumCloudServices
        self.maximumCores = maximumCores
    }

    /// The classic platform's defaults: 20 cloud services and 20 cores.
    public static let standard = SubscriptionQuota(maximumCloudServices: 20, maximumCores: 20)
}
