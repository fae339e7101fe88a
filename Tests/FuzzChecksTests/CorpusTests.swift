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
    func corpus(_ target: FuzzTarget) throws {
        let inputs = try Self.inputs(target)
        #expect(inputs.count >= 3, "\(target.rawValue) has a seed corpus")
        for input in inputs {
            #expect(throws: Never.self, "\(input.lastPathComponent)") { try target.check([UInt8](try Data(contentsOf: input))) }
        }
    }
}
