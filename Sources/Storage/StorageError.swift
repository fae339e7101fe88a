/// What the store refuses, and failures of the database underneath.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No user with this e-mail address.
    case unknownUser(String)
    /// A user with this e-mail address exists already.
    case userExists(String)
    /// No subscription with this id.
    case unknownSubscription(String)
    /// A subscription with this id exists already.
    case subscriptionExists(String)
    /// The certificate is already registered on the subscription.
    case duplicateCertificate(thumbprint: String)
    /// The subscription holds as many management certificates as it may.
    case subscriptionLimitReached(subscription: String, limit: Int)
    /// The user has added as many registrations as one user id may.
    case userLimitReached(user: String, limit: Int)
    /// The database failed; carries its message.
    case database(String)
    /// A cloud service with this name exists already (in any subscription).
    case cloudServiceExists(String)
    /// The master key is missing, malformed, or not the one the data was sealed with.
    case masterKey(String)
    /// The slot already holds a deployment, or the name is taken in the service.
    case deploymentExists(service: String, detail: String)
    /// The subscription holds as many cloud services as its quota allows.
    case cloudServiceLimitReached(subscription: String, limit: Int)
    /// Another process held the database's write lock for longer than the busy timeout.
    case busy
    /// The service administrator cannot be removed or demoted: make another user service administrator first.
    case serviceAdministratorStays(String)
    /// No cloud service with this name in the subscription.
    case unknownCloudService(String)
    /// An agent with this name exists already.
    case agentExists(String)
    /// The database server did not answer in time (down, unreachable, or refusing connections); names where it is.
    case unavailable(String)

    public var description: String {
        switch self {
        case .unknownUser(let email):
            return "there is no user \(email). Add one with `thumbprint admin user add \(email)`."
        case .userExists(let email):
            return "the user \(email) exists already."
        case .unknownSubscription(let id):
            return "there is no subscription \(id). List them with `thumbprint admin subscription list`."
        case .subscriptionExists(let id):
            return "a subscription with id \(id) exists already."
        case .duplicateCertificate(let thumbprint):
            return "the certificate \(thumbprint) is already registered on this subscription."
        case .subscriptionLimitReached(let subscription, let limit):
            return
                "the subscription \(subscription) already has \(limit) management certificates, the most it may hold. Remove one that is no longer used, or reuse an existing certificate."
        case .userLimitReached(let user, let limit):
            return
                "the user \(user) has already added \(limit) management certificates across subscriptions, the most one user id may. Reuse an existing certificate, or add a co-administrator whose additions count against their own user id."
        case .database(let message):
            return "the database failed: \(message)"
        case .cloudServiceExists:
            return "The specified DNS name is already taken."
        case .masterKey(let message):
            return "master key: \(message)"
        case .deploymentExists(let service, let detail):
            return "The cloud service \(service) \(detail)."
        case .serviceAdministratorStays(let email):
            return "\(email) is the subscription's service administrator: make another user service administrator first."
        case .busy:
            return
                "The database is locked by another process (an admin command or another server) and stayed locked for longer than the server waits; try again."
        case .agentExists(let name):
            return "an agent named \(name) exists already; choose another name."
        case .unavailable(let location):
            return "The database \(location) did not answer within 10 seconds (is it running and reachable?); try again."
        case .unknownCloudService(let name):
            return "The cloud service \(name) does not exist in this subscription."
        case .cloudServiceLimitReached(let subscription, let limit):
            return "The subscription \(subscription) already has \(limit) cloud services, its quota (MaxHostedServices); delete one that is no longer used."
        }
    }
}
