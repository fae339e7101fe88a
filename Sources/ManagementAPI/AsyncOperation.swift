import Hummingbird
import Logging
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Long-running requests: each is recorded as an operation in progress, answered 202 at once,
/// and finished by `RunningOperations` as Succeeded or Failed for Get Operation Status — and in
/// the audit log, under the request's operation name, with that final outcome. A failure is
/// reported as `APIError(describing:)` maps it, like any other error.
struct AsyncOperations: Sendable {
    let store: any ManagementStore
    let running: RunningOperations
    let now: @Sendable () -> Date

    /// Starts `work` and answers 202; 503 when the server is stopping.
    func start(
        _ request: Request, context: ManagementRequestContext, caller: Caller,
        _ work: @escaping @Sendable () async throws -> Void
    ) async throws -> Response {
        let operation = OperationRecord(
            id: try context.operationID(), subscription: caller.subscription, status: .inProgress, runner: running.runner,
            leaseUntil: now().addingTimeInterval(TimeInterval(running.lease.components.seconds)))
        var accepted = AuditMiddleware.entry(
            for: request, requestID: context.requestID.rawValue, subscription: caller.subscription, thumbprint: caller.thumbprint,
            user: caller.user, time: now(), outcome: "Accepted")
        accepted.httpStatus = 202
        try await begin(operation, audit: accepted, logger: context.logger) { entry in
            await AuditMiddleware.append(entry, to: store, context: context)
        } work: {
            try await work()
        }
        return Response(status: .accepted)
    }

    /// Records `operation` in progress and `accepted` in the audit log (through `record`), then
    /// runs `work`, recording how it ended in both; throws 503 when the server is stopping.
    func begin(
        _ operation: OperationRecord, audit accepted: AuditEntry, logger: Logger,
        record: @Sendable (AuditEntry) async -> Void, work: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await store.saveOperation(operation)
        let (store, now) = (self.store, self.now)
        // Recorded before the work starts, so that it always comes before the final outcome.
        if running.isAccepting { await record(accepted) }
        let started = running.start(operation.id) {
            var finished = operation
            var audit = accepted
            do {
                try await work()
                finished.status = .succeeded
                finished.httpStatusCode = 200
            } catch {
                let failure = APIError(describing: error)
                if failure.isInternal {
                    logger.error("operation failed", metadata: ["operation": "\(finished.id)", "error": "\(error)"])
                }
                finished.status = .failed
                finished.httpStatusCode = Int(failure.status.code)
                finished.errorCode = failure.code
                finished.errorMessage = failure.message
            }
            ServerMetrics.operationEnded(succeeded: finished.status == .succeeded)
            audit.time = now()
            audit.outcome = finished.status == .succeeded ? "Succeeded" : finished.errorCode ?? "Failed"
            audit.httpStatus = finished.httpStatusCode
            do {
                try await store.saveOperation(finished)
                try await store.appendAudit(audit)
            } catch {
                logger.error("could not record an operation", metadata: ["operation": "\(finished.id)", "error": "\(error)"])
            }
        }
        guard started else {
            var refused = operation
            refused.status = .failed
            refused.httpStatusCode = 503
            refused.errorCode = APIError.shuttingDown.code
            refused.errorMessage = APIError.shuttingDown.message
            try? await store.saveOperation(refused)
            throw APIError.shuttingDown
        }
    }
}

extension APIError {
    /// 503: the server is stopping and starts no new operation.
    static let shuttingDown = APIError(
        status: .serviceUnavailable, code: "ServerBusy",
        message: "The server is shutting down and accepts no new operations; send the request again when it is back.")
}
