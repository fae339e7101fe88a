import Certificates
import Foundation
import Storage
import TestSupport
import Testing

/// What the portal and the admin commands keep, on both backends: roles, passwords and
/// failed sign-ins, invitations, sessions, second factors, settings, services by any case.
@Suite("Storage of accounts, roles and services, on SQLite and on PostgreSQL")
struct AccountStorageTests {
    @Test("roles: a new service administrator makes the old one a co-administrator; the administrator cannot be removed", arguments: StorageBackend.allCases)
    func roles(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, admin, subscription) = (fixture.store, fixture.admin, fixture.subscription)
        let ops = EmailAddress("ops@contoso.com")!
        try await store.addUser(ops)
        try await store.setRole(.certificateManager, for: ops, in: subscription.id)
        #expect(try await store.role(of: ops, in: subscription.id) == .certificateManager)
        try await store.setRole(.deployer, for: ops, in: subscription.id)
        #expect(
            try await store.members(of: subscription.id) == [
                SubscriptionMember(user: admin, role: .serviceAdministrator), SubscriptionMember(user: ops, role: .deployer),
            ])
        await #expect(throws: StorageError.serviceAdministratorStays(admin.rawValue)) { _ = try await store.removeMember(admin, from: subscription.id) }

        try await store.setRole(.serviceAdministrator, for: ops, in: subscription.id)
        #expect(try await store.subscription(subscription.id)?.serviceAdministrator == ops)
        #expect(try await store.role(of: admin, in: subscription.id) == .coAdministrator)
        #expect(try await store.memberships(of: admin).map(\.role) == [.coAdministrator])
        #expect(try await store.removeMember(admin, from: subscription.id))
        #expect(try await store.removeMember(admin, from: subscription.id) == false)
        #expect(try await store.role(of: admin, in: subscription.id) == nil)
    }

    @Test("passwords, failed sign-ins, invitations used once, sessions by hash, and second factors", arguments: StorageBackend.allCases)
    func accounts(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, admin) = (fixture.store, fixture.admin)
        let now = Date()
        try await store.setPasswordHash("hash-1", for: admin, at: now)
        try await store.setPasswordHash("hash-2", for: admin, at: now)
        #expect(try await store.passwordHash(of: admin) == "hash-2")
        await #expect(throws: StorageError.unknownUser("nobody@contoso.com")) {
            try await store.setPasswordHash("x", for: EmailAddress("nobody@contoso.com")!, at: now)
        }
        for offset in [-1_000.0, -10, -5] { try await store.recordFailedSignIn(of: admin, at: now.addingTimeInterval(offset)) }
        #expect(try await store.failedSignIns(of: admin, since: now.addingTimeInterval(-60)) == 2)
        try await store.clearFailedSignIns(of: admin)
        #expect(try await store.failedSignIns(of: admin, since: .distantPast) == 0)

        try await store.createInvitation(tokenHash: "t1", for: admin, expiresAt: now.addingTimeInterval(60))
        #expect(try await store.invitation(tokenHash: "t1", at: now) == admin)
        #expect(try await store.invitation(tokenHash: "t1", at: now.addingTimeInterval(120)) == nil, "expired")
        #expect(try await store.redeemInvitation(tokenHash: "t1", passwordHash: "hash-3", at: now) == admin)
        #expect(try await store.redeemInvitation(tokenHash: "t1", passwordHash: "hash-4", at: now) == nil, "used once")
        #expect(try await store.passwordHash(of: admin) == "hash-3")

        try await store.saveSession(idHash: "s1", user: admin, value: [1, 2, 3], expiresAt: now.addingTimeInterval(600))
        try await store.saveSession(idHash: "s2", user: admin, value: [4], expiresAt: now.addingTimeInterval(600))
        try await store.saveSession(idHash: "s3", user: nil, value: [5], expiresAt: nil)
        #expect(try await store.session(idHash: "s1", at: now)?.value == [1, 2, 3])
        #expect(try await store.session(idHash: "s1", at: now.addingTimeInterval(700)) == nil, "expired")
        #expect(try await store.sessionCount(of: admin, at: now) == 2)
        try await store.deleteSession(idHash: "s1")
        #expect(try await store.deleteSessions(of: admin) == 1)
        #expect(try await store.session(idHash: "s3", at: now)?.value == [5])

        try await store.setPendingSecondFactor([9, 9], for: admin)
        #expect(try await store.secondFactor(of: admin) == SecondFactorRecord(sealedSecret: [9, 9], enabledAt: nil, recoveryCodesLeft: 0))
        try await store.enableSecondFactor(of: admin, recoveryHashes: ["r1", "r2"], at: now)
        #expect(try await store.secondFactor(of: admin)?.recoveryCodesLeft == 2)
        #expect(try await store.useSecondFactorStep(10, of: admin))
        #expect(try await store.useSecondFactorStep(10, of: admin) == false, "a code is good once")
        #expect(try await store.useSecondFactorStep(9, of: admin) == false, "and never an older one")
        #expect(try await store.useRecoveryCode(hash: "r2", of: admin))
        #expect(try await store.useRecoveryCode(hash: "r2", of: admin) == false)
        #expect(try await store.secondFactor(of: admin)?.recoveryCodesLeft == 1)
        try await store.removeSecondFactor(of: admin)
        #expect(try await store.secondFactor(of: admin) == nil)
    }

    @Test("cloud service names are one across subscriptions whatever their case; settings are set once when asked", arguments: StorageBackend.allCases)
    func servicesAndSettings(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let (store, subscription) = (fixture.store, fixture.subscription)
        let now = Date()
        var service = CloudService(
            subscription: subscription.id, name: "Web-1", label: "bA==", description: nil, location: "West US", affinityGroup: nil,
            extendedProperties: [ExtendedProperty(name: "owner", value: "ops")], created: now, modified: now)
        try await store.createCloudService(service, limit: 20)
        #expect(try await store.isCloudServiceNameAvailable("WEB-1") == false)
        await #expect(throws: StorageError.cloudServiceExists("web-1")) {
            var copy = service
            copy.name = "web-1"
            try await store.createCloudService(copy, limit: 20)
        }
        #expect(try await store.cloudService("web-1", in: subscription.id)?.name == "Web-1")
        service.description = "the shop"
        service.extendedProperties = []
        try await store.updateCloudService(service)
        let updated = try #require(try await store.cloudService("WEB-1", in: subscription.id))
        #expect(updated.description == "the shop" && updated.extendedProperties.isEmpty && updated.location == "West US")
        await #expect(throws: StorageError.cloudServiceLimitReached(subscription: subscription.id.rawValue, limit: 1)) {
            var other = service
            other.name = "web2"
            try await store.createCloudService(other, limit: 1)
        }
        #expect(try await store.deleteCloudService("web-1", in: subscription.id))
        #expect(try await store.isCloudServiceNameAvailable("Web-1"))

        #expect(try await store.setSettingIfAbsent("k", to: "first") == "first")
        #expect(try await store.setSettingIfAbsent("k", to: "second") == "first")
        try await store.setSetting("k", to: "third")
        #expect(try await store.setting("k") == "third")
        #expect(try await store.setting("missing") == nil)

        let entry = AuditEntry(time: now, subscription: subscription.id, callerThumbprint: nil, user: "a", operation: "X", target: "t", outcome: "Succeeded")
        try await store.appendAudit(entry)
        try await store.appendAudit(
            AuditEntry(
                time: now.addingTimeInterval(100), subscription: subscription.id, callerThumbprint: nil, user: nil, operation: "Y", target: "t",
                outcome: "Failed", requestID: "r", httpStatus: 400))
        #expect(
            try await store.auditEntries(subscription: subscription.id, from: now.addingTimeInterval(-1), to: now.addingTimeInterval(1)).map(\.operation) == [
                "X"
            ])
        let later = try #require(try await store.auditEntries(subscription: subscription.id).last)
        #expect(later.requestID == "r" && later.httpStatus == 400 && later.user == nil && later.sequence != nil)
    }

    @Test("agents are recorded by name and thumbprint; a name is taken once", arguments: StorageBackend.allCases)
    func agents(_ backend: StorageBackend) async throws {
        let fixture = try await StoreFixture(backend)
        let store = fixture.store
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        let first = AgentRecord(name: "agent-b", thumbprint: Thumbprint(certificateDER: [1]), created: now)
        let second = AgentRecord(name: "agent-a", thumbprint: Thumbprint(certificateDER: [2]), created: now)
        try await store.addAgent(first)
        try await store.addAgent(second)
        #expect(try await store.agents() == [second, first])
        await #expect(throws: StorageError.agentExists("agent-b")) {
            try await store.addAgent(AgentRecord(name: "agent-b", thumbprint: Thumbprint(certificateDER: [3]), created: now))
        }
    }
}
