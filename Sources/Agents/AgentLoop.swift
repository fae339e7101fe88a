import Logging
import RoleInstances

/// What an agent does while it runs: asks a server for its instances (the server answers when
/// they change, or after a few seconds), converges, and reports, over and over. When no server
/// answers it keeps serving what it has and tries again after a delay that doubles up to 5 s,
/// with jitter, so that many agents do not all return at the same instant.
public struct AgentLoop: Sendable {
    let connection: AgentConnection
    let host: AgentHost
    let logger: Logger

    /// The first and the longest wait between attempts.
    static let shortestDelay = 0.2
    static let longestDelay = 5.0

    /// A loop asking through `connection` and running instances on `host`.
    public init(connection: AgentConnection, host: AgentHost, logger: Logger) {
        self.connection = connection
        self.host = host
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var known = ""
        var delay = Self.shortestDelay
        var connected: Bool?
        while !Task.isCancelled {
            do {
                let report: AgentReport
                if let assignments = try await connection.assignments(known: known) {
                    report = await host.converge(assignments)
                    known = assignments.digest
                    logger.info("converged", metadata: ["instances": "\(assignments.instances.count)"])
                } else {
                    report = await host.report()
                }
                // Sent after every answer, changed or not: it is also the agent's heartbeat.
                try await connection.send(report)
                if connected != true { logger.notice("connected to the server") }
                connected = true
                await host.setConnected(true)
                delay = Self.shortestDelay
            } catch {
                if Task.isCancelled { break }
                if connected != false {
                    logger.warning("no server answers; the instances keep serving what they have", metadata: ["error": "\(error)"])
                }
                connected = false
                await host.setConnected(false)
                try? await Task.sleep(for: .milliseconds(Int(delay * Double.random(in: 0.5...1.5) * 1000)))
                delay = min(delay * 2, Self.longestDelay)
            }
        }
    }
}
