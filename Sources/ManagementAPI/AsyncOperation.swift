import Hummingbird
import Storage

/// A long-running request: recorded as an operation in progress, answered 202 at once, and
/// finished in the background as Succeeded or Failed for Get Operation Status.
enum AsyncOperation {
    /// How a failed operation is reported.
    struct Failure: Sendable {
        var httpStatusCode: Int
        var code: String
        var message: String
    }

    /// Starts `work` and answers 202; `describe` turns its error into what the operation reports.
    static func start(store: any ManagementStore, context: ManagementRequestContext, caller: Caller,
                      describe: @escaping @Sendable (any Error) -> Failure,
                      _ work: @escaping @Sendable () async throws -> Void) throws -> Response {
        let operation = OperationRecord(id: context.requestID, subscription: caller.subscription, status: .inProgress)
        try store.saveOperation(operation)
        let logger = context.logger
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
            do {
                try store.saveOperation(finished)
            } catch {
                logger.error("could not record an operation", metadata: ["operation": "\(finished.id)", "error": "\(error)"])
            }
        }
        return Response(status: .accepted)
    }
}
