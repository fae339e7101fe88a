import Certificates
import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("Caches an attacker cannot empty")
struct EvictingMapTests {
    @Test("a full map forgets its oldest entry, one at a time")
    func evictsOldest() {
        var map = EvictingMap<String, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c", "d"].enumerated() { map.insert(index, for: key) }
        #expect(map.count == 3)
        #expect(map["a"] == nil && map["b"] == 1 && map["c"] == 2 && map["d"] == 3)
        map.insert(9, for: "b")  // replacing keeps its place
        map.insert(4, for: "e")
        #expect(map["b"] == nil && map["c"] == 2 && map["e"] == 4)
        for index in 0..<5_000 { map.insert(index, for: "k\(index)") }
        #expect(map.count == 3 && map["k4999"] == 4999)
    }

    @Test("lookups of unknown client certificates take no room in the caller cache; known callers stay cached")
    func unknownCallersNotCached() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let admin = EmailAddress("admin@contoso.com")!
        try await store.addUser(admin)
        let subscription = Subscription(id: .random(), name: "S", serviceAdministrator: admin, createdAt: Date())
        try await store.createSubscription(subscription)
        let bundle = try makeTestBundle(["client"], key: .ecdsaP256)
        try await store.addManagementCertificate(
            ManagementCertificate(
                subscription: subscription.id, thumbprint: bundle.thumbprint, publicKey: "", data: "", created: Date(),
                notAfter: bundle.certificate.notAfter, addedBy: admin), limits: .standard)
        #expect(try await store.caller(thumbprint: bundle.thumbprint, subscription: subscription.id) != nil)
        for index in 0..<1_000 {
            let madeUp = Thumbprint(certificateDER: Array("made up \(index)".utf8))
            #expect(try await store.caller(thumbprint: madeUp, subscription: subscription.id) == nil)
        }
        #expect(store.callers.count == 1, "only the known caller is kept")
    }
}
