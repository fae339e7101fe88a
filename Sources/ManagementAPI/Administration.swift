import Accounts
import Certificates
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What administrators do, from the `admin` commands and the first-run setup: users,
/// subscriptions, co-administrators and publish-settings files. Everything goes straight to the
/// store, so a running server sees it at once.
public struct Administration: Sendable {
    /// The store.
    public var store: any ManagementStore
    /// The management-certificate limits.
    public var limits: CertificateLimits
    /// The clock.
    public var now: @Sendable () -> Date

    /// The setting that holds the API's public URL, written by the server when it starts.
    public static let serviceManagementURLSetting = "service_management_url"

    /// Administration over `store`.
    public init(store: any ManagementStore, limits: CertificateLimits = .standard, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.limits = limits
        self.now = now
    }

    /// Adds a user.
    public func addUser(_ user: EmailAddress) async throws(StorageError) {
        try await store.addUser(user)
        await audit("AddUser", target: "users/\(user)", subscription: nil)
    }

    /// Creates a subscription with a new or given id.
    public func createSubscription(name: String, administrator: EmailAddress, id: SubscriptionID? = nil) async throws(StorageError) -> Subscription {
        let subscription = Subscription(id: id ?? .random(), name: name, serviceAdministrator: administrator, createdAt: now())
        try await store.createSubscription(subscription)
        await audit("CreateSubscription", target: "administrator/\(administrator)", subscription: subscription.id)
        return subscription
    }

    /// Makes an existing user a co-administrator of the subscription.
    public func addCoAdministrator(_ user: EmailAddress, to subscription: SubscriptionID) async throws(StorageError) {
        try await setRole(.coAdministrator, for: user, in: subscription)
    }

    /// Removes a co-administrator (and so the authority of the certificates they added); false
    /// when the user was none.
    public func removeCoAdministrator(_ user: EmailAddress, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        guard try await store.role(of: user, in: subscription) == .coAdministrator else { return false }
        return try await removeMember(user, from: subscription)
    }

    /// Gives an existing user `role` on the subscription, replacing the role they had.
    public func setRole(_ role: SubscriptionRole, for user: EmailAddress, in subscription: SubscriptionID) async throws(StorageError) {
        try await store.setRole(role, for: user, in: subscription)
        await audit("SetSubscriptionRole", target: "users/\(user)/\(role.rawValue)", subscription: subscription)
    }

    /// Takes a user's role on the subscription away (and the authority of the management
    /// certificates they added); false when they had none.
    public func removeMember(_ user: EmailAddress, from subscription: SubscriptionID) async throws(StorageError) -> Bool {
        guard try await store.removeMember(user, from: subscription) else { return false }
        await audit("RemoveSubscriptionUser", target: "users/\(user)", subscription: subscription)
        return true
    }

    /// How long an invitation link may be used.
    public static let invitationLifetime: TimeInterval = 24 * 60 * 60

    /// A one-time link with which `user` chooses a password in the portal at `portalURL`,
    /// usable once within 24 hours. Only the hash of its token is stored.
    public func invite(_ user: EmailAddress, portalURL: String) async throws(StorageError) -> String {
        let token = SecretToken.random()
        try await store.createInvitation(tokenHash: token.hashed, for: user, expiresAt: now().addingTimeInterval(Self.invitationLifetime))
        await audit("InviteUser", target: "users/\(user)", subscription: nil)
        return "\(portalURL)/invitation/\(token.text)"
    }

    /// Gives a user a password: checked against the policy, stored only as a hash; the user's
    /// portal sessions end.
    public func setPassword(_ password: String, for user: EmailAddress) async throws {
        if let problem = PasswordPolicy.problem(with: password) { throw AdministrationError.unusablePassword(problem) }
        try await store.setPasswordHash(try PasswordHash.make(password).description, for: user, at: now())
        // A new password ends every portal session the user had.
        _ = try await store.deleteSessions(of: user)
        await audit("SetUserPassword", target: "users/\(user)", subscription: nil)
    }

    /// Lifts a sign-in lock: forgets the user's failed sign-ins.
    public func unlockSignIn(_ user: EmailAddress) async throws(StorageError) {
        try await store.clearFailedSignIns(of: user)
        await audit("UnlockSignIn", target: "users/\(user)", subscription: nil)
    }

    /// Records an administrative action: no caller certificate, the operator of the admin commands.
    private func audit(_ operation: String, target: String, subscription: SubscriptionID?) async {
        try? await store.appendAudit(
            AuditEntry(
                time: now(), subscription: subscription, callerThumbprint: nil, user: nil,
                operation: operation, target: target, outcome: "Succeeded"))
    }

    /// A new management certificate for `user`, registered on every subscription the user
    /// has a role on, acting with that role (counted against the user), as a publish-settings file. If any registration is
    /// refused, the ones made before it are taken back and nothing is written.
    public func issuePublishSettings(for user: EmailAddress, serviceManagementURL: String) async throws -> (settings: PublishSettings, thumbprint: Thumbprint) {
        guard try await store.userExists(user) else { throw StorageError.unknownUser(user.rawValue) }
        let memberships = try await store.memberships(of: user)
        let subscriptions = memberships.map(\.subscription)
        guard !subscriptions.isEmpty else {
            throw AdministrationError.noSubscriptions(user.rawValue)
        }
        let bundle = try CertificateFactory(now: now).makeCertificate(
            CertificateRequest(
                dnsNames: [], keyAlgorithm: .rsa2048, validDays: 365, commonName: "Thumbprint management certificate for \(user.rawValue)"
            ))
        let data = Data(bundle.cerBytes).base64EncodedString()
        let publicKey = Data(bundle.certificate.publicKey.keyBytes).base64EncodedString()
        var registered: [SubscriptionID] = []
        do {
            for membership in memberships {
                let subscription = membership.subscription
                try await store.addManagementCertificate(
                    ManagementCertificate(
                        subscription: subscription.id, thumbprint: bundle.thumbprint, publicKey: publicKey, data: data,
                        created: now(), notAfter: bundle.certificate.notAfter, addedBy: user, role: membership.role
                    ), limits: limits)
                registered.append(subscription.id)
            }
        } catch {
            for subscription in registered { _ = try? await store.deleteManagementCertificate(bundle.thumbprint, in: subscription) }
            throw error
        }
        // The legacy (3DES) profile opens everywhere publish-settings files are read, old Windows included.
        let pfx = Data(try bundle.pfx(password: "", profile: .legacy)).base64EncodedString()
        let entries = subscriptions.map {
            PublishSettings.Entry(serviceManagementURL: serviceManagementURL, id: $0.id.rawValue, name: $0.name, managementCertificate: pfx)
        }
        for subscription in subscriptions {
            try? await store.appendAudit(
                AuditEntry(
                    time: now(), subscription: subscription.id, callerThumbprint: nil, user: user.rawValue,
                    operation: "IssuePublishSettings", target: "certificates/\(bundle.thumbprint)", outcome: "Succeeded"))
        }
        return (PublishSettings(entries: entries), bundle.thumbprint)
    }

    /// The setting that records which server ran the first-run setup (one, however many start together).
    static let firstRunSetting = "first_run_by"

    /// The first-run setup: on an empty store, user `admin@localhost`, a subscription "Default"
    /// and a publish-settings file for it. Returns nil when the store was not empty, or when
    /// another server starting on the same database at the same moment claimed the setup first.
    public func bootstrapIfEmpty(serviceManagementURL: String) async throws -> (subscription: Subscription, settings: PublishSettings)? {
        guard try await store.allSubscriptions().isEmpty, let admin = EmailAddress("admin@localhost") else { return nil }
        let claim = "\(UUID().uuidString) \(serviceManagementURL)"
        guard try await store.setSettingIfAbsent(Self.firstRunSetting, to: claim) == claim else { return nil }
        if try await !store.userExists(admin) { try await store.addUser(admin) }
        let subscription = try await createSubscription(name: "Default", administrator: admin)
        let (settings, _) = try await issuePublishSettings(for: admin, serviceManagementURL: serviceManagementURL)
        return (subscription, settings)
    }
}

/// Administrative requests that cannot be met.
public enum AdministrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The user has no role on any subscription, so a publish-settings file would be empty.
    case noSubscriptions(String)
    /// A new password does not meet the policy; says why (never repeating it).
    case unusablePassword(String)

    public var description: String {
        switch self {
        case .noSubscriptions(let user):
            return
                "\(user) has no role on any subscription. Give them one with `thumbprint admin subscription add-user SUBSCRIPTION \(user) --role ROLE`, or create one with `thumbprint admin subscription create --name NAME --admin \(user)`."
        case .unusablePassword(let problem):
            return "\(problem); nothing was changed."
        }
    }
}
