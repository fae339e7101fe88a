import Logging
import ServiceLifecycle
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps this server's operations alive in the database, and ends those of servers that are gone:
/// every third of a lease it extends the leases of the operations it runs, and marks Failed every
/// operation in progress whose lease ended (its server was killed or lost the database). So with
/// several servers on one database, an operation never stays InProgress for ever, and any server
/// answers Get Operation Status for it.
public struct OperationLeases: Service {
    let store: any ManagementStore
    let operations: RunningOperations
    let logger: Logger
    let now: @Sendable () -> Date

    /// Leases for `operations` in `store`.
    public init(store: any ManagementStore, operations: RunningOperations, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.operations = operations
        self.logger = logger
        self.now = now
    }

    /// What an operation whose server is gone ends with.
    static let message = "The server running the operation stopped before it ended; send the request again."

    /// Renews and sweeps until the service group stops and this server's operations have ended
    /// (they may finish during the shutdown grace, and keep their leases meanwhile).
    public func run() async throws {
        let lease = TimeInterval(operations.lease.components.seconds)
        while !Task.isCancelled && !(Task.isShuttingDownGracefully && operations.count == 0) {
            do {
                let time = now()
                if operations.count > 0 { _ = try await store.renewOperationLeases(runner: operations.runner, until: time.addingTimeInterval(lease)) }
                let ended = try await store.failInterruptedOperations(runner: nil, leaseEndedBefore: time, message: Self.message)
                if ended > 0 { logger.warning("operations of a stopped server marked Failed", metadata: ["count": "\(ended)"]) }
            } catch {
                logger.error("could not renew operation leases", metadata: ["error": "\(error)"])
            }
            let next = ContinuousClock.now + operations.lease / 3
            while ContinuousClock.now < next, !Task.isCancelled, !(Task.isShuttingDownGracefully && operations.count == 0) {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
