import Storage

extension ManagementStore {
    /// The caller and the cloud service the path names (`:service`) in the caller's subscription;
    /// 404 when there is none.
    func requestedService(_ context: ManagementRequestContext, allowedTo action: SubscriptionAction) async throws -> (Caller, CloudService) {
        let caller = try context.requireCaller(allowedTo: action)
        let name = try context.parameters.require("service")
        guard let service = try await cloudService(name, in: caller.subscription) else {
            throw APIError.notFound("The hosted service does not exist.")
        }
        return (caller, service)
    }
}
