import Certificates
import Foundation
import Storage
import Testing

@Suite("Instances placed on agents, on both backends")
struct PlacementStorageTests {
    static func place(
        _ instance: String, on agent: String, assignment: String = "{\"a\":1}", in store: any ManagementStore
    ) async throws -> InstancePlacement {
        try await store.placeInstance(
            InstancePlacement(deploymentID: "d1", instance: instance, agent: "", subscription: "s", service: "svc", assignment: assignment, generation: ""),
            onLeastLoadedOf: [agent])
    }

    @Test("a placement keeps its generation while agent and assignment stay; a change, a move or a removal gives a new one", arguments: StorageBackend.allCases)
    func generations(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let store = fixture.store
        let first = try await Self.place("Web_IN_0", on: "agent-a", in: store)
        #expect(!first.generation.isEmpty && first.report == nil)
        #expect(try await Self.place("Web_IN_0", on: "agent-a", in: store).generation == first.generation)
        let changed = try await Self.place("Web_IN_0", on: "agent-a", assignment: "{\"a\":2}", in: store)
        #expect(changed.generation != first.generation)
        let moved = try await Self.place("Web_IN_0", on: "agent-b", assignment: "{\"a\":2}", in: store)
        #expect(moved.generation != changed.generation && moved.agent == "agent-b")
        #expect(try await store.placement(deploymentID: "d1", instance: "Web_IN_0") == moved)
        try await store.removePlacement(deploymentID: "d1", instance: "Web_IN_0")
        #expect(try await store.placement(deploymentID: "d1", instance: "Web_IN_0") == nil)
        let again = try await Self.place("Web_IN_0", on: "agent-b", assignment: "{\"a\":2}", in: store)
        #expect(again.generation != moved.generation, "a placement made again never repeats a generation an agent applied")
    }

    @Test("agents' reports land on their own placements only, and say when each agent was last heard from", arguments: StorageBackend.allCases)
    func reports(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let store = fixture.store
        let now = Date(timeIntervalSince1970: 1_800_000_000.5)
        try await store.addAgent(AgentRecord(name: "agent-a", thumbprint: Thumbprint(certificateDER: [1]), created: now))
        try await store.addAgent(AgentRecord(name: "agent-b", thumbprint: Thumbprint(certificateDER: [2]), created: now))
        let a0 = try await Self.place("Web_IN_0", on: "agent-a", in: store)
        _ = try await Self.place("Web_IN_1", on: "agent-a", in: store)
        let b2 = try await Self.place("Web_IN_2", on: "agent-b", in: store)
        let spread = try await store.placeInstance(
            InstancePlacement(deploymentID: "d1", instance: "Web_IN_3", agent: "", subscription: "s", service: "svc", assignment: "{}", generation: ""),
            onLeastLoadedOf: ["agent-a", "agent-b"])
        #expect(spread.agent == "agent-b", "the candidate with the fewest instances")
        let kept = try await store.placeInstance(
            InstancePlacement(deploymentID: "d1", instance: "Web_IN_0", agent: "", subscription: "s", service: "svc", assignment: "{\"a\":1}", generation: ""),
            onLeastLoadedOf: ["agent-a", "agent-b"])
        #expect(kept == a0, "an instance stays on its agent while that one is a candidate")
        #expect(try await store.placements(onAgent: "agent-a").map(\.instance) == ["Web_IN_0", "Web_IN_1"])
        #expect(try await store.agents().allSatisfy { $0.lastSeen == nil })

        let heard = now.addingTimeInterval(5)
        let ready = InstanceReport(generation: a0.generation, status: "ReadyRole", endpoints: "[{\"port\":1}]", failure: nil, at: heard)
        let stranger = InstanceReport(generation: b2.generation, status: "ReadyRole", endpoints: "[]", failure: nil, at: heard)
        try await store.recordAgentReport(
            agent: "agent-a", at: heard,
            instances: [
                PlacementReport(deploymentID: "d1", instance: "Web_IN_0", report: ready),
                PlacementReport(deploymentID: "d1", instance: "Web_IN_2", report: stranger),
            ])
        let reported = try #require(try await store.placement(deploymentID: "d1", instance: "Web_IN_0"))
        #expect(reported.report == ready && reported.isApplied)
        #expect(try await store.placement(deploymentID: "d1", instance: "Web_IN_2")?.report == nil, "agent-a cannot report on agent-b's instance")
        let agents = try await store.agents()
        #expect(agents.first { $0.name == "agent-a" }?.lastSeen == heard)
        #expect(agents.first { $0.name == "agent-b" }?.lastSeen == nil)

        let failed = InstanceReport(generation: a0.generation, status: "FailedStartingRole", endpoints: "[]", failure: "no key", at: heard)
        try await store.recordAgentReport(agent: "agent-a", at: heard, instances: [PlacementReport(deploymentID: "d1", instance: "Web_IN_0", report: failed)])
        #expect(try await store.placement(deploymentID: "d1", instance: "Web_IN_0")?.report?.failure == "no key")
        let changed = try await Self.place("Web_IN_0", on: "agent-a", assignment: "{\"a\":3}", in: store)
        #expect(!changed.isApplied, "a new generation is not applied until the agent says so")
    }
}

@Suite("Turns of changing a cloud service, shared by servers, on both backends")
struct ServiceTurnStorageTests {
    @Test(
        "one holder at a time, by any case of the name; the holder extends it; another takes it once it gives it back or its time ends",
        arguments: StorageBackend.allCases)
    func turns(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let store = fixture.store
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.takeServiceTurn("Shop", holder: "server-a", until: now.addingTimeInterval(30), now: now))
        #expect(try await !store.takeServiceTurn("shop", holder: "server-b", until: now.addingTimeInterval(30), now: now))
        #expect(try await store.takeServiceTurn("other", holder: "server-b", until: now.addingTimeInterval(30), now: now), "another service is free")
        #expect(try await store.takeServiceTurn("shop", holder: "server-a", until: now.addingTimeInterval(60), now: now.addingTimeInterval(20)))
        #expect(try await !store.takeServiceTurn("shop", holder: "server-b", until: now.addingTimeInterval(90), now: now.addingTimeInterval(45)))
        #expect(
            try await store.takeServiceTurn("shop", holder: "server-b", until: now.addingTimeInterval(90), now: now.addingTimeInterval(61)),
            "a holder that stopped loses its turn when its time ends")
        try await store.giveServiceTurn("shop", holder: "server-a")
        #expect(
            try await !store.takeServiceTurn("shop", holder: "server-a", until: now.addingTimeInterval(100), now: now.addingTimeInterval(62)),
            "giving back a turn one lost gives nothing")
        try await store.giveServiceTurn("SHOP", holder: "server-b")
        #expect(try await store.takeServiceTurn("shop", holder: "server-a", until: now.addingTimeInterval(100), now: now.addingTimeInterval(62)))
    }
}
