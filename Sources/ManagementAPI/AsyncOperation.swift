import Hummingbird
import Storage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A long-running request: recorded as an operation in progress, answered 202 at once, and
/// finished in the background as Succeeded or Failed for Get Operation Status — and in the audit
/// log, under the request's operation name, with that final outcome.
enum AsyncOperation {
    /// How a failed operation is reported.
    struct Failure: Sendable {
        var httpStatusCode: Int
        var code: String
        var message: String
    }

    /// Starts `work` and answers 202; `describe` turns its error into what the operation reports.
    static func start(_ request: Request, store: any ManagementStore, context: ManagementRequestContext, caller: Caller,
                      now: @escaping @Sendable () -> Date, describe: @escaping @Sendable (any Error) -> Failure,
                      _ work: @escaping @Sendable () async throws -> Void) throws -> Response {
        let operation = OperationRecord(id: context.requestID, subscription: caller.subscription, status: .inProgress)
        try store.saveOperation(operation)
        let logger = context.logger
        var audit = AuditMiddleware.entry(for: request, subscription: caller.subscription, thumbprint: caller.thumbprint,
                                          user: caller.user, time: now(), outcome: "")
        Task {
            var finished = operation
            do {
                try await work()
                finished.status = .succeeded
                finished.httpStatusCode = 200
            } catch {
                let failure = describe(error)
                finished.status = .failed
                finished.httpStatusCode = failure.httpStatusCode
                finished.errorCode = failure.code
                finished.errorMessage = failure.message
            }
            audit.time = now()
            audit.outcome = finished.status == .succeeded ? "Succeeded" : finished.errorCode ?? "Failed"
            do {
                try store.saveOperation(finished)
                try store.appendAudit(audit)
            } catch {
                logger.error("could not record an operation", metadata: ["operation": "\(finished.id)", "error": "\(error)"])
            }
        }
        return Response(status: .accepted)
    }
}
