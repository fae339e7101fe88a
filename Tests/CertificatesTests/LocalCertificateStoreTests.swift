import Certificates
import Foundation
import TestSupport
import Testing

@Suite("Local certificate stores")
struct LocalCertificateStoreTests {
    @Test(
        "store names are read as Windows writes them",
        arguments: [
            ("cert:\\LocalMachine\\My", "LocalMachine/My"),
            ("Cert:/CurrentUser/My", "CurrentUser/My"),
            ("currentuser/root", "CurrentUser/Root"),
            ("LocalMachine\\Personal", "LocalMachine/My"),
            ("LocalMachine/TrustedPeople", "LocalMachine/TrustedPeople"),
            ("CurrentUser/MyCustomStore", "CurrentUser/MyCustomStore"),
        ])
    func storeNames(text: String, expected: String) throws {
        #expect(try CertificateStoreName(parsing: text).description == expected)
    }

    @Test("bad store names are refused", arguments: ["My", "Elsewhere/My", "CurrentUser/../etc", "CurrentUser/My/Extra", ""])
    func badStoreNames(text: String) {
        #expect(throws: CertificateError.self) { try CertificateStoreName(parsing: text) }
    }

    @Test("add, read back, list and remove; keys 0600 in 0700 folders")
    func lifecycle() throws {
        let folder = try TemporaryDirectory()
        let store = LocalCertificateStore(root: folder.file("home"))
        let name = try CertificateStoreName(parsing: "LocalMachine/My")
        let bundle = try makeTestBundle()
        try store.add(bundle, to: name)

        let read = try store.certificate(bundle.thumbprint, in: name)
        #expect(read.privateKey?.pkcs8 == bundle.privateKey?.pkcs8)
        #expect(try store.list(name).map(\.thumbprint) == [bundle.thumbprint])
        #expect(store.locate(bundle.thumbprint, preferring: nil) == name)

        let attributes = try FileManager.default.attributesOfItem(atPath: "\(store.directory(of: name))/\(bundle.thumbprint).key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        for path in [store.root, store.directory(of: name)] {
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o700)
        }

        try store.remove(bundle.thumbprint, from: name)
        #expect(try store.list(name).isEmpty)
        #expect(throws: CertificateError.notInStore(bundle.thumbprint, store: name.description)) {
            try store.remove(bundle.thumbprint, from: name)
        }
    }
}
