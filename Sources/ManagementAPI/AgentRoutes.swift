import Certificates
import Deployments
import Hummingbird
import Logging
import RoleInstances
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The door for role-instance agents (`thumbprint agent`), on the API's listener: an agent
/// proves it holds a certificate recorded by `thumbprint admin agent issue`, asks for the
/// instances it should run and reports what it runs. JSON both ways.
///
/// - `GET /agent/v1/assignments?known=DIGEST`: answers at once when what the agent should run
///   differs from `DIGEST`, else waits up to 3 s for a change and answers 204 No Content.
/// - `POST /agent/v1/report`: the agent's `AgentReport`; 204.
struct AgentRoutes {
    /// Where the agents' door is.
    static let prefix = "/agent/"
    /// How long a request for assignments waits for a change.
    static let longPoll: Duration = .seconds(3)
    /// How often a waiting request looks for a change.
    static let pollInterval: Duration = .milliseconds(100)
    /// The largest report accepted.
    static let maximumReportSize = 1 << 20

    let desired: AgentDesiredState
    let store: any ManagementStore
    let now: @Sendable () -> Date
    let logger: Logger

    func router() -> Router<ManagementRequestContext> {
        let router = Router(context: ManagementRequestContext.self)
        router.get("/agent/v1/assignments") { request, context in try await assignments(request, context) }
        router.post("/agent/v1/report") { request, context in try await report(request, context) }
        return router
    }

    /// The name of the agent whose certificate the connection presented; 403 otherwise.
    private func agent(_ context: ManagementRequestContext) async throws -> String {
        guard let presented = await context.presented() else {
            throw HTTPError(.forbidden, message: "present an agent certificate (thumbprint admin agent issue)")
        }
        guard let agent = try await store.agents().first(where: { $0.thumbprint == presented.thumbprint }) else {
            throw HTTPError(.forbidden, message: "certificate \(presented.thumbprint) is not an agent's (thumbprint admin agent list)")
        }
        let details = try? CertificateDetails(der: presented.der)
        guard let details, details.notBefore <= now(), now() <= details.notAfter else {
            throw HTTPError(.forbidden, message: "the certificate of agent \(agent.name) is outside its validity period: issue a new one")
        }
        return agent.name
    }

    private func assignments(_ request: Request, _ context: ManagementRequestContext) async throws -> Response {
        let agent = try await agent(context)
        let known = request.uri.queryParameters.get("known") ?? ""
        let deadline = ContinuousClock.now + Self.longPoll
        while try await desired.digest(of: agent) == known {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return Response(status: .noContent) }
            try await Task.sleep(for: Self.pollInterval)
        }
        let (assignments, problems) = try await desired.assignments(of: agent)
        for problem in problems {
            logger.error("an instance placed on an agent cannot be sent to it", metadata: ["agent": "\(agent)", "problem": "\(problem)"])
        }
        return try Self.json(assignments)
    }

    private func report(_ request: Request, _ context: ManagementRequestContext) async throws -> Response {
        let agent = try await agent(context)
        let body = try await request.body.collect(upTo: Self.maximumReportSize)
        let report: AgentReport
        do {
            report = try JSONDecoder().decode(AgentReport.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "the report is not an agent report: \(error)")
        }
        try await desired.record(report, from: agent, at: now())
        return Response(status: .noContent)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let bytes = try JSONEncoder().encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
