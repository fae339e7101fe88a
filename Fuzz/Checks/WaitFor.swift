import Dispatch
import Synchronization

/// Runs `work` in a task and blocks the calling thread until it ends: libFuzzer calls its entry
/// point on a thread of its own, and the `Router` check is asynchronous. Never call it from a
/// task (it would hold one of the cooperative pool's threads).
func waitFor(_ work: @escaping @Sendable () async throws(FuzzViolation) -> Void) throws(FuzzViolation) {
    let outcome = Mutex<Result<Void, FuzzViolation>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<Void, FuzzViolation>
        do throws(FuzzViolation) {
            try await work()
            result = .success(())
        } catch {
            result = .failure(error)
        }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    try outcome.withLock { $0 }?.get()
}
