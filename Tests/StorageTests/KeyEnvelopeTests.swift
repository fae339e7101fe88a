import Certificates
import Foundation
import Storage
import TestSupport
import Testing

@Suite("Private keys at rest")
struct KeyEnvelopeTests {
    let secret = Array("-----BEGIN PRIVATE KEY----- not really".utf8)

    @Test("sealed keys open with the same master key and context only")
    func sealAndOpen() async throws {
        let master = MasterKey.generate()
        let sealed = try KeyEnvelope.seal(secret, context: "svc/ABC", with: master)
        #expect(try KeyEnvelope.open(sealed, context: "svc/ABC", with: master) == secret)
        #expect(Data(sealed).range(of: Data(secret)) == nil, "the plaintext does not appear in the sealed form")
        #expect(throws: StorageError.self) { try KeyEnvelope.open(sealed, context: "svc/ABC", with: MasterKey.generate()) }
        #expect(throws: StorageError.self) { try KeyEnvelope.open(sealed, context: "other/ABC", with: master) }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: StorageError.self) { try KeyEnvelope.open(tampered, context: "svc/ABC", with: master) }
        #expect(try KeyEnvelope.seal(secret, context: "svc/ABC", with: master) != sealed, "a fresh data key and nonce every time")
    }

    @Test("the master key file is made 0600 on first use and read back after; the environment overrides it")
    func masterKeySources() async throws {
        let folder = try TemporaryDirectory()
        let first = try MasterKey.load(dataDirectory: folder.path, environment: [:])
        let mode = try FileManager.default.attributesOfItem(atPath: folder.file("master.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try MasterKey.load(dataDirectory: folder.path, environment: [:]).checkValue == first.checkValue)
        let bytes = [UInt8](repeating: 7, count: 32)
        let fromEnvironment = try MasterKey.load(dataDirectory: folder.path, environment: [MasterKey.environmentVariable: Data(bytes).base64EncodedString()])
        #expect(fromEnvironment.checkValue == (try MasterKey(bytes: bytes)).checkValue)
        #expect(throws: StorageError.self) {
            try MasterKey.load(dataDirectory: folder.path, environment: [MasterKey.environmentVariable: "not base64!"])
        }
        #expect(throws: StorageError.self) {
            try MasterKey.load(dataDirectory: folder.path, environment: [MasterKey.environmentVariable: Data([1, 2, 3]).base64EncodedString()])
        }
    }

    @Test("a data folder refuses a master key other than the one it was first used with")
    func wrongMasterKeyRefused() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteManagementStore(path: folder.file("db.sqlite"))
        let master = MasterKey.generate()
        try await store.verifyMasterKey(master)
        try await store.verifyMasterKey(master)
        do {
            try await store.verifyMasterKey(MasterKey.generate())
            Issue.record("another master key was accepted")
        } catch {
            #expect(error.description.contains("nothing was changed"))
        }
    }
}
