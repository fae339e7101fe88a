import Certificates
import Foundation
import FuzzChecks
import TestSupport
import Testing

@Suite("Every committed fuzz input passes its target's check (the corpora as regression tests)")
struct CorpusTests {
    /// `Fuzz/Corpus/NAME`'s files.
    static func inputs(_ target: FuzzTarget) throws -> [URL] {
        let folder = repositoryRoot.appendingPathComponent("Fuzz/Corpus/\(target.rawValue)")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
    }

    @Test("each target's corpus: no input breaks its check", arguments: FuzzTarget.allCases)
    func corpus(_ target: FuzzTarget) async throws {
        let inputs = try Self.inputs(target)
        #expect(inputs.count >= 3, "\(target.rawValue) has a seed corpus")
        for input in inputs {
            await #expect(throws: Never.self, "\(input.lastPathComponent)") { try await target.check([UInt8](try Data(contentsOf: input))) }
        }
    }

    @Test("inputs with keys made now (the corpus holds none) open, and pass the key formats' checks")
    func keyedInputs() async throws {
        for key in [KeyAlgorithm.rsa2048, .ecdsaP256] {
            let bundle = try makeTestBundle(["seed.fuzz.example"], key: key)
            for (password, profile) in [("", PFXProfile.modern), ("Python", .legacy), ("Python", .modern)] {
                let pfx = try PKCS12Writer.encode(bundle, password: password, profile: profile)
                #expect(try PKCS12Reader.read(pfx, password: password).privateKey != nil, "the round trip in the check runs on it")
                await #expect(throws: Never.self, "\(key) \(profile)") { try await FuzzTarget.pkcs12.check(pfx) }
            }
            let pem = Array(try bundle.pem(includingPrivateKey: true).utf8)
            #expect(try PEMReader.read(pem).privateKey != nil)
            await #expect(throws: Never.self) { try await FuzzTarget.pem.check(pem) }
            let keyFile = Array(try #require(bundle.privateKey).pkcs8PEM.utf8)
            await #expect(throws: Never.self) { try await FuzzTarget.privateKey.check(keyFile) }
        }
    }
}
