import Certificates

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything the management API and the admin commands keep: one interface, so that SQLite
/// (the default) and later PostgreSQL can stand behind it. No database types appear here.
///
/// Every method reads or writes the database itself: nothing that matters lives only in memory,
/// so several server processes and the admin commands can share one database. Every method is
/// asynchronous: database work never runs on the caller's thread (an event loop in the server).
///
/// Tenancy lives here: every lookup, change or deletion of a service certificate, deployment or
/// operation takes the subscription as well as the name, and finds nothing in another subscription.
public protocol ManagementStore: Sendable {
    /// Adds a user.
    func addUser(_ email: EmailAddress) async throws(StorageError)
    /// Whether the user exists.
    func userExists(_ email: EmailAddress) async throws(StorageError) -> Bool

    /// Creates a subscription administered by an existing user.
    func createSubscription(_ subscription: Subscription) async throws(StorageError)
    /// The subscription with this id.
    func subscription(_ id: SubscriptionID) async throws(StorageError) -> Subscription?
    /// Every subscription, ordered by name.
    func allSubscriptions() async throws(StorageError) -> [Subscription]
    /// Gives an existing user `role` on the subscription, replacing any role they had. Making a
    /// user the service administrator makes the previous one a co-administrator.
    func setRole(_ role: SubscriptionRole, for user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError)
    /// Removes a user from the subscription; false when they were no member. The service
    /// administrator cannot be removed (`StorageError.serviceAdministratorStays`).
    func removeMember(_ user: EmailAddress, from subscription: SubscriptionID) async throws(StorageError) -> Bool
    /// The user's role on the subscription; nil when they are no member.
    func role(of user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError) -> SubscriptionRole?
    /// Everyone with a role on the subscription, the service administrator first.
    func members(of subscription: SubscriptionID) async throws(StorageError) -> [SubscriptionMember]
    /// The subscriptions the user has a role on, with that role, ordered by name.
    func memberships(of user: EmailAddress) async throws(StorageError) -> [Membership]

    /// Registers a management certificate, refusing a duplicate and enforcing both limits in the
    /// same transaction, so that concurrent additions never pass a limit.
    func addManagementCertificate(_ certificate: ManagementCertificate, limits: CertificateLimits) async throws(StorageError)
    /// The certificates registered on the subscription, ordered by thumbprint.
    func managementCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ManagementCertificate]
    /// One registered certificate.
    func managementCertificate(_ thumbprint: Thumbprint, in subscription: SubscriptionID) async throws(StorageError) -> ManagementCertificate?
    /// Removes a registration; false when there was none.
    func deleteManagementCertificate(_ thumbprint: Thumbprint, in subscription: SubscriptionID) async throws(StorageError) -> Bool
    /// Who a client is when it proved it holds the certificate `thumbprint` and asks for `subscription`;
    /// nil when the certificate is not registered there.
    func caller(thumbprint: Thumbprint, subscription: SubscriptionID) async throws(StorageError) -> Caller?

    /// Appends to the audit log.
    func appendAudit(_ entry: AuditEntry) async throws(StorageError)
    /// The audit log, oldest first, optionally for one subscription.
    func auditEntries(subscription: SubscriptionID?) async throws(StorageError) -> [AuditEntry]
    /// The subscription's audit entries from `start` to `end` (both included), oldest first.
    func auditEntries(subscription: SubscriptionID, from start: Date, to end: Date) async throws(StorageError) -> [AuditEntry]

    /// Creates a cloud service; its name must be free across all subscriptions, and the
    /// subscription may hold at most `limit` (checked in the same transaction).
    func createCloudService(_ service: CloudService, limit: Int) async throws(StorageError)
    /// The cloud service with this name in the subscription.
    func cloudService(_ name: String, in subscription: SubscriptionID) async throws(StorageError) -> CloudService?
    /// The subscription's cloud services, by name.
    func cloudServices(in subscription: SubscriptionID) async throws(StorageError) -> [CloudService]
    /// Whether no cloud service, in any subscription, has this name.
    func isCloudServiceNameAvailable(_ name: String) async throws(StorageError) -> Bool
    /// Replaces a cloud service's label, description and extended properties.
    func updateCloudService(_ service: CloudService) async throws(StorageError)
    /// Removes a cloud service; false when there was none.
    func deleteCloudService(_ name: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool

    /// Stores an uploaded service certificate; `unknownCloudService` unless its service is in its
    /// subscription. Uploading the same one again replaces it, except that
    /// a public-only upload (.cer) keeps the private key an earlier .pfx upload brought.
    func addServiceCertificate(_ certificate: ServiceCertificate) async throws(StorageError)
    /// The certificates uploaded to a cloud service, by thumbprint.
    func serviceCertificates(of service: String, in subscription: SubscriptionID) async throws(StorageError) -> [ServiceCertificate]
    /// Every service certificate of every cloud service in the subscription, by service.
    func serviceCertificates(in subscription: SubscriptionID) async throws(StorageError) -> [ServiceCertificate]
    /// One uploaded certificate.
    func serviceCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> ServiceCertificate?
    /// Removes an uploaded certificate; false when there was none.
    func deleteServiceCertificate(_ thumbprint: Thumbprint, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool

    /// Stores a new deployment; refused when its slot is occupied or its name taken in the service,
    /// and (`unknownCloudService`) unless its service is in its subscription.
    func createDeployment(_ deployment: Deployment) async throws(StorageError)
    /// The deployments of a cloud service, production first.
    func deployments(of service: String, in subscription: SubscriptionID) async throws(StorageError) -> [Deployment]
    /// Every deployment of every service (to restart them with the server).
    func allDeployments() async throws(StorageError) -> [Deployment]
    /// Replaces a deployment's status, configuration, label and modification time (only within its subscription).
    func updateDeployment(_ deployment: Deployment) async throws(StorageError)
    /// Exchanges the slots of the service's deployments: production becomes staging and back.
    func swapDeploymentSlots(of service: String, in subscription: SubscriptionID) async throws(StorageError)
    /// Removes a deployment; false when there was none.
    func deleteDeployment(_ name: String, of service: String, in subscription: SubscriptionID) async throws(StorageError) -> Bool

    /// Sets a user's password hash (never the password); refused for an unknown user.
    func setPasswordHash(_ hash: String, for user: EmailAddress, at time: Date) async throws(StorageError)
    /// The user's password hash; nil when the user has none (or does not exist).
    func passwordHash(of user: EmailAddress) async throws(StorageError) -> String?
    /// Records a failed sign-in for `user` (who may not exist: failures count all the same).
    func recordFailedSignIn(of user: EmailAddress, at time: Date) async throws(StorageError)
    /// How many sign-ins for `user` failed since `time`.
    func failedSignIns(of user: EmailAddress, since time: Date) async throws(StorageError) -> Int
    /// Forgets the user's failed sign-ins (after a successful one, or when an administrator lifts a lock).
    func clearFailedSignIns(of user: EmailAddress) async throws(StorageError)

    /// Records an invitation: the hash of its token, whose it is and until when it may be used.
    func createInvitation(tokenHash: String, for user: EmailAddress, expiresAt: Date) async throws(StorageError)
    /// The user an unused, unexpired invitation is for; nil otherwise.
    func invitation(tokenHash: String, at time: Date) async throws(StorageError) -> EmailAddress?
    /// Uses an invitation up and sets the user's password hash in one transaction; the user it
    /// was for, or nil when it was unknown, used or expired (and nothing changed).
    func redeemInvitation(tokenHash: String, passwordHash: String, at time: Date) async throws(StorageError) -> EmailAddress?

    /// Replaces the user's second factor with a new one not yet turned on (its secret sealed).
    func setPendingSecondFactor(_ sealedSecret: [UInt8], for user: EmailAddress) async throws(StorageError)
    /// The user's second factor, on or pending; nil when there is none.
    func secondFactor(of user: EmailAddress) async throws(StorageError) -> SecondFactorRecord?
    /// Turns the pending second factor on, with the hashes of its recovery codes.
    func enableSecondFactor(of user: EmailAddress, recoveryHashes: [String], at time: Date) async throws(StorageError)
    /// Records that the code of time step `step` was used; false when that step or a later one
    /// was used already (a code is good once).
    func useSecondFactorStep(_ step: Int, of user: EmailAddress) async throws(StorageError) -> Bool
    /// Uses up a recovery code by its hash; false when the user has no such unused code.
    func useRecoveryCode(hash: String, of user: EmailAddress) async throws(StorageError) -> Bool
    /// Turns the second factor off.
    func removeSecondFactor(of user: EmailAddress) async throws(StorageError)

    /// Saves a portal session under the hash of its id, with the user it belongs to (if signed in).
    func saveSession(idHash: String, user: EmailAddress?, value: [UInt8], expiresAt: Date?) async throws(StorageError)
    /// A session's value and expiry; nil when unknown or expired at `time`.
    func session(idHash: String, at time: Date) async throws(StorageError) -> (value: [UInt8], expiresAt: Date?)?
    /// Forgets one session.
    func deleteSession(idHash: String) async throws(StorageError)
    /// How many live sessions the user has at `time`.
    func sessionCount(of user: EmailAddress, at time: Date) async throws(StorageError) -> Int
    /// Forgets every session of a user (sign out everywhere, password change); how many there were.
    func deleteSessions(of user: EmailAddress) async throws(StorageError) -> Int

    /// Records an agent's certificate; refused (`agentExists`) when the name is taken.
    func addAgent(_ agent: AgentRecord) async throws(StorageError)
    /// Every agent, by name.
    func agents() async throws(StorageError) -> [AgentRecord]
    /// Places an instance with an assignment on one of `candidates` (not empty), chosen in the
    /// same transaction: the agent it is on when that is a candidate, else the candidate with the
    /// fewest instances (ties by name); `placement.agent` is not read. A placement left on its
    /// agent with the same assignment keeps its generation; any other gets a new one.
    func placeInstance(_ placement: InstancePlacement, onLeastLoadedOf candidates: [String]) async throws(StorageError) -> InstancePlacement
    /// The placement of one instance, if it has one.
    func placement(deploymentID: String, instance: String) async throws(StorageError) -> InstancePlacement?
    /// Forgets an instance's placement: its agent stops it.
    func removePlacement(deploymentID: String, instance: String) async throws(StorageError)
    /// The instances placed on one agent.
    func placements(onAgent agent: String) async throws(StorageError) -> [InstancePlacement]
    /// Takes the turn of changing `service`'s deployments for `holder` until `until`, when nobody
    /// holds it or the holder's time ended at `now` (or `holder` holds it already: the time is
    /// extended). Whether `holder` holds it now. Servers sharing a database change a service one
    /// at a time this way.
    func takeServiceTurn(_ service: String, holder: String, until: Date, now: Date) async throws(StorageError) -> Bool
    /// Gives the turn back, if `holder` holds it.
    func giveServiceTurn(_ service: String, holder: String) async throws(StorageError)
    /// Records that `agent` was heard from at `time`, with what it reported of its instances
    /// (reports about instances no longer placed on it are ignored).
    func recordAgentReport(agent: String, at time: Date, instances: [PlacementReport]) async throws(StorageError)

    /// Adds a webhook to its subscription.
    func addWebhook(_ webhook: Webhook) async throws(StorageError)
    /// The webhooks of one subscription, oldest first.
    func webhooks(in subscription: SubscriptionID) async throws(StorageError) -> [Webhook]
    /// Removes a webhook and what waits to be sent to it; whether there was one.
    func removeWebhook(_ id: String, from subscription: SubscriptionID) async throws(StorageError) -> Bool
    /// Queues deliveries.
    func enqueueDeliveries(_ deliveries: [WebhookDelivery]) async throws(StorageError)
    /// Up to `limit` pending deliveries due at `now`, each held (its next attempt set to
    /// `holdUntil`) so that no other server sends it meanwhile.
    func claimDueDeliveries(now: Date, holdUntil: Date, limit: Int) async throws(StorageError) -> [WebhookDelivery]
    /// Saves a delivery's state after an attempt.
    func updateDelivery(_ delivery: WebhookDelivery) async throws(StorageError)
    /// Deliveries in one state (all subscriptions when nil), newest first, at most `limit`.
    func deliveries(in state: WebhookDelivery.State, subscription: SubscriptionID?, limit: Int) async throws(StorageError) -> [WebhookDelivery]
    /// Records that the notice `kind` about `subject` was given; false when it had been before.
    /// Notices are given once, across restarts and servers.
    func recordNotice(_ kind: String, about subject: String, in subscription: SubscriptionID, at time: Date) async throws(StorageError) -> Bool
    /// Sets a cloud service's renewal policy, or removes it (nil).
    func setRenewalPolicy(_ policy: RenewalPolicy?, service: String, in subscription: SubscriptionID) async throws(StorageError)
    /// Every renewal policy.
    func renewalPolicies() async throws(StorageError) -> [RenewalPolicy]
    /// Records a renewal, or saves it again (retired).
    func saveRenewal(_ renewal: CertificateRenewal) async throws(StorageError)
    /// Every renewal not yet retired.
    func pendingRenewals() async throws(StorageError) -> [CertificateRenewal]

    /// A named server setting, such as the public URL of the API.
    func setting(_ name: String) async throws(StorageError) -> String?
    /// Sets a named server setting.
    func setSetting(_ name: String, to value: String) async throws(StorageError)
    /// Sets a named server setting unless it has a value; the value it has after (the first
    /// writer's, when several servers race).
    func setSettingIfAbsent(_ name: String, to value: String) async throws(StorageError) -> String

    /// Creates or replaces an asynchronous operation's record.
    func saveOperation(_ operation: OperationRecord) async throws(StorageError)
    /// Ends as Failed with `message` every operation still in progress that `runner` ran (a
    /// restarted server: no operation survives the process that ran it) or whose lease ended
    /// before `time` (its server stopped); how many there were.
    func failInterruptedOperations(runner: String?, leaseEndedBefore time: Date, message: String) async throws(StorageError) -> Int
    /// Extends the lease of every operation in progress that `runner` runs; how many there are.
    func renewOperationLeases(runner: String, until time: Date) async throws(StorageError) -> Int
    /// The operation with this id on the subscription.
    func operation(_ id: OperationID, in subscription: SubscriptionID) async throws(StorageError) -> OperationRecord?
}

/// The co-administrator calls of the admin commands, as roles.
extension ManagementStore {
    /// Makes an existing user a co-administrator of the subscription.
    public func addCoAdministrator(_ user: EmailAddress, to subscription: SubscriptionID) async throws(StorageError) {
        try await setRole(.coAdministrator, for: user, in: subscription)
    }

    /// Removes a co-administrator; false when the user was none.
    public func removeCoAdministrator(_ user: EmailAddress, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        guard try await role(of: user, in: subscription) == .coAdministrator else { return false }
        return try await removeMember(user, from: subscription)
    }

    /// The co-administrators of the subscription.
    public func coAdministrators(of subscription: SubscriptionID) async throws(StorageError) -> [EmailAddress] {
        try await members(of: subscription).filter { $0.role == .coAdministrator }.map(\.user)
    }

    /// The subscriptions the user administers, as service administrator or co-administrator.
    public func subscriptions(administeredBy user: EmailAddress) async throws(StorageError) -> [Subscription] {
        try await memberships(of: user).filter { $0.role <= .coAdministrator }.map(\.subscription)
    }
}
