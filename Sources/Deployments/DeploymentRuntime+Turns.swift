import Foundation
import Storage

/// Taking turns: changes to one cloud service's deployments run one at a time, in this process
/// (`ServiceTurns`) and across the servers sharing the database (`ManagementStore.takeServiceTurn`).
extension DeploymentRuntime {
    /// Runs `body` in `service`'s turn: after every change to its deployments that came before,
    /// in this process and (through the database's service turns) in every server sharing the
    /// database. The database turn is held for 30 s at a time and extended every 10 s while the
    /// change runs, so a server that dies holding it keeps the others out for 30 s at most.
    func inTurn<T>(of service: String, _ body: () async throws -> T) async throws -> T {
        await turns.take(service)
        do {
            try await takeDatabaseTurn(service)
        } catch {
            await turns.give(service)
            throw error
        }
        let (store, holder, lease) = (store, turnHolder, Self.turnLease)
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(lease / 3))
                if Task.isCancelled { return }
                _ = try? await store.takeServiceTurn(service, holder: holder, until: Date().addingTimeInterval(lease), now: Date())
            }
        }
        func end() async {
            renewal.cancel()
            try? await store.giveServiceTurn(service, holder: holder)
            await turns.give(service)
        }
        do {
            let result = try await body()
            await end()
            return result
        } catch {
            await end()
            throw error
        }
    }

    /// How long a database service turn lasts unless extended.
    static let turnLease: TimeInterval = 30
    /// How long a change waits for another server's turn on the same service.
    static let turnPatience = 120

    /// Waits for `service`'s turn in the database; `busyElsewhere` after `turnPatience`.
    func takeDatabaseTurn(_ service: String) async throws {
        let deadline = ContinuousClock.now + .seconds(Self.turnPatience)
        while try await !store.takeServiceTurn(service, holder: turnHolder, until: Date().addingTimeInterval(Self.turnLease), now: Date()) {
            guard ContinuousClock.now < deadline else { throw DeploymentError.busyElsewhere(service: service, seconds: Self.turnPatience) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
