import Foundation
import FuzzChecks
import ManagementAPI
import TestSupport
import Testing

/// The `APIBodies` target starts from bodies the routes accept, and its check can tell a refusal
/// a client can act on from a server error.
@Suite("The APIBodies fuzz target")
struct APIBodiesTargetTests {
    @Test("each operation's committed seed (NN-Root.xml) is a body its route accepts", arguments: OperationBody.allCases)
    func seedsAreAccepted(_ operation: OperationBody) throws {
        let index = try #require(OperationBody.allCases.firstIndex(of: operation))
        let name = String(format: "%02d-%@.xml", index, operation.rawValue)
        let seed = [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("Fuzz/Corpus/APIBodies/\(name)")))
        #expect(seed.first == UInt8(index), "the first byte names the operation")
        #expect(throws: Never.self) { try operation.read(Array(seed.dropFirst()), packagesDirectory: "/nonexistent") }
    }

    @Test("a body with the wrong root, a missing field or a bad value is refused with a 4xx and a code")
    func refusals() async throws {
        for (operation, body) in [
            (OperationBody.swap, "<Other/>"), (.walkUpgradeDomain, "<WalkUpgradeDomain><UpgradeDomain>-1</UpgradeDomain></WalkUpgradeDomain>"),
            (.renewalPolicy, "<RenewalPolicy><DaysBefore>400</DaysBefore></RenewalPolicy>"), (.createHostedService, "<CreateHostedService/>"),
            (.createDeployment, "<CreateDeployment><Name>a</Name><PackageUrl>http://example.com/a</PackageUrl></CreateDeployment>"),
        ] {
            do {
                try operation.read(Array(body.utf8), packagesDirectory: "/nonexistent")
                Issue.record("\(operation) accepted \(body)")
            } catch {
                let refusal = APIError(describing: error)
                #expect((400..<500).contains(refusal.status.code), "\(operation): \(refusal)")
                #expect(!refusal.code.isEmpty)
            }
        }
        await #expect(throws: Never.self) { try await FuzzTarget.apiBodies.check(Array("\u{0}<CreateHostedService/>".utf8)) }
    }
}
