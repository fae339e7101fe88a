import ServiceLifecycle
import Storage
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The asynchronous operations this server is running, as a service of its service group: on
/// SIGTERM it stops accepting new ones (they get 503), waits up to `grace` for those running to
/// end (the API keeps answering Get Operation Status meanwhile), then cancels the rest. One that
/// never ends is marked Failed by the next start, or, when the server is gone for good, by another
/// server on the database once its lease ends (`OperationLeases`).
public final class RunningOperations: Service, Sendable {
    private struct State {
        var accepting = true
        var tasks: [OperationID: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    /// How long a stopping server waits for running operations.
    public let grace: Duration
    /// Who runs them: the data folder's runner id, recorded with each operation in progress.
    public let runner: String
    /// How long an operation's lease lasts; `OperationLeases` renews it three times as often.
    public let lease: Duration

    /// Operations that a stopping server waits `grace` for, run by `runner` under leases of `lease`.
    public init(grace: Duration = .seconds(30), runner: String = UUID().uuidString.lowercased(), lease: Duration = .seconds(6)) {
        self.grace = grace
        self.runner = runner
        self.lease = lease
    }

    /// Runs `work` as operation `id`; false, and nothing started, once the server is stopping.
    func start(_ id: OperationID, _ work: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            guard state.accepting else { return false }
            state.tasks[id] = Task {
                await work()
                self.finished(id)
            }
            return true
        }
    }

    /// Whether new operations may start (false once the server is stopping).
    var isAccepting: Bool { state.withLock { $0.accepting } }

    /// How many operations are running.
    public var count: Int { state.withLock { $0.tasks.count } }

    private func finished(_ id: OperationID) {
        state.withLock { _ = $0.tasks.removeValue(forKey: id) }
    }

    /// Waits for the service group's graceful shutdown, then drains; cancelled, cancels at once.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            cancelAll()
            return
        }
        await drain()
    }

    /// Refuses new operations, waits up to `grace` for the running ones, then cancels what is
    /// left. When operations were running, the API stays up a little longer (within the grace)
    /// so that clients polling Get Operation Status, about once a second, see how they ended.
    public func drain() async {
        let waited = state.withLock { state in
            state.accepting = false
            return !state.tasks.isEmpty
        }
        let deadline = ContinuousClock.now + grace
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        cancelAll()
        if waited { try? await Task.sleep(until: min(deadline, ContinuousClock.now + Self.linger)) }
    }

    /// How long the API stays up after the last operation ended.
    static let linger = Duration.milliseconds(1500)

    private func cancelAll() {
        state.withLock { $0.accepting = false }
        for task in state.withLock({ Array($0.tasks.values) }) { task.cancel() }
    }
}
