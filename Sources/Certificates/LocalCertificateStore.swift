import SwiftASN1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Certificate stores kept on this machine, laid out as folders like Windows' stores:
/// `ROOT/stores/<Location>/<Name>/<THUMBPRINT>.cer`, with the private key beside it as
/// `<THUMBPRINT>.key` (PKCS#8, 0600) — or, for stores the user does not own (role instances),
/// sealed as `<THUMBPRINT>.key.sealed` — and the chain as `<THUMBPRINT>.chain.pem`. Folders are 0700.
public struct LocalCertificateStore: Sendable {
    /// The folder holding every store: `$THUMBPRINT_HOME`, or `~/.thumbprint`.
    public let root: String
    /// Seals keys before they are written, when the stores are not the user's own.
    public let sealing: (any PrivateKeySealing)?

    /// A store rooted at `root`; with `sealing`, keys are written only sealed.
    public init(root: String, sealing: (any PrivateKeySealing)? = nil) {
        self.root = root
        self.sealing = sealing
    }

    /// The store the environment points at: `$THUMBPRINT_HOME`, else `~/.thumbprint`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> LocalCertificateStore {
        if let home = environment["THUMBPRINT_HOME"], !home.isEmpty { return LocalCertificateStore(root: home) }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeFromPasswordDatabase() ?? "."
        return LocalCertificateStore(root: userHome + "/.thumbprint")
    }

    /// The folder of one store.
    public func directory(of store: CertificateStoreName) -> String {
        "\(root)/stores/\(store.location.rawValue)/\(store.name.rawValue)"
    }

    /// Puts a certificate (and its key, when it has one) in `store`, replacing an earlier copy.
    public func add(_ bundle: CertificateBundle, to store: CertificateStoreName) throws(CertificateError) {
        let folder = directory(of: store)
        for path in [root, "\(root)/stores", "\(root)/stores/\(store.location.rawValue)", folder] {
            try SecureFile.makeDirectory(path)
        }
        let base = "\(folder)/\(bundle.thumbprint)"
        if let key = bundle.privateKey {
            if let sealing {
                try SecureFile.write(try seal(key.pkcs8, thumbprint: bundle.thumbprint, with: sealing), to: base + ".key.sealed", mode: 0o600)
            } else {
                try SecureFile.write(key.pkcs8, to: base + ".key", mode: 0o600)
            }
        }
        if !bundle.chain.isEmpty {
            let chain = bundle.chain.map { PEMDocumentText.certificate($0.der) }.joined()
            try SecureFile.write(Array(chain.utf8), to: base + ".chain.pem", mode: 0o644)
        }
        // The .cer goes last: a certificate is listed only once its key is in place.
        try SecureFile.write(bundle.certificate.der, to: base + ".cer", mode: 0o644)
    }

    /// The certificate with this thumbprint, with its key and chain.
    public func certificate(_ thumbprint: Thumbprint, in store: CertificateStoreName) throws(CertificateError) -> CertificateBundle {
        let base = "\(directory(of: store))/\(thumbprint)"
        guard FileManager.default.fileExists(atPath: base + ".cer") else {
            throw .notInStore(thumbprint, store: store.description)
        }
        let certificate = try CertificateDetails(der: CertificateFile.readLimited(path: base + ".cer"))
        var key: CertificatePrivateKey?
        if let sealing, FileManager.default.fileExists(atPath: base + ".key.sealed") {
            let sealed = try CertificateFile.readLimited(path: base + ".key.sealed")
            do {
                key = try CertificatePrivateKey(pkcs8: try sealing.open(sealed, context: Self.sealingContext(thumbprint)))
            } catch {
                throw .storeFailure(reason: "the sealed key of \(thumbprint) does not open: \(error)")
            }
        } else if FileManager.default.fileExists(atPath: base + ".key") {
            key = try CertificatePrivateKey(pkcs8: CertificateFile.readLimited(path: base + ".key"))
        }
        var chain: [CertificateDetails] = []
        if FileManager.default.fileExists(atPath: base + ".chain.pem") {
            chain = try PEMReader.read(CertificateFile.readLimited(path: base + ".chain.pem")).chainIncludingLeaf
        }
        return try CertificateBundle(certificate: certificate, privateKey: key, chain: chain)
    }

    /// Every certificate in `store`, ordered by thumbprint.
    public func list(_ store: CertificateStoreName) throws(CertificateError) -> [CertificateBundle] {
        let folder = directory(of: store)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var bundles: [CertificateBundle] = []
        for name in names.sorted() where name.hasSuffix(".cer") {
            guard let thumbprint = try? Thumbprint.parse(String(name.dropLast(4))).thumbprint else { continue }
            bundles.append(try certificate(thumbprint, in: store))
        }
        return bundles
    }

    /// Removes the certificate and its key from `store`.
    public func remove(_ thumbprint: Thumbprint, from store: CertificateStoreName) throws(CertificateError) {
        let base = "\(directory(of: store))/\(thumbprint)"
        guard FileManager.default.fileExists(atPath: base + ".cer") else {
            throw .notInStore(thumbprint, store: store.description)
        }
        // The .cer goes first, so that a half-finished removal never lists a certificate without its key.
        for suffix in [".cer", ".key", ".key.sealed", ".chain.pem"] {
            try? FileManager.default.removeItem(atPath: base + suffix)
        }
    }

    private func seal(_ pkcs8: [UInt8], thumbprint: Thumbprint, with sealing: any PrivateKeySealing) throws(CertificateError) -> [UInt8] {
        do {
            return try sealing.seal(pkcs8, context: Self.sealingContext(thumbprint))
        } catch {
            throw .storeFailure(reason: "the key of \(thumbprint) could not be sealed: \(error)")
        }
    }

    /// What a sealed key is bound to: moved to another certificate's name, it does not open.
    static func sealingContext(_ thumbprint: Thumbprint) -> String { "certificate store key \(thumbprint)" }

    /// Finds which store holds `thumbprint`, searching `preferred` first, then every store.
    /// Every store that holds `thumbprint`, in location and name order.
    public func stores(holding thumbprint: Thumbprint) -> [CertificateStoreName] {
        var found: [CertificateStoreName] = []
        for location in StoreLocation.allCases {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/stores/\(location.rawValue)")) ?? []
            for name in names.sorted() {
                guard let storeName = try? StoreName(name: name) else { continue }
                let store = CertificateStoreName(location: location, name: storeName)
                if FileManager.default.fileExists(atPath: "\(directory(of: store))/\(thumbprint).cer") { found.append(store) }
            }
        }
        return found
    }

    public func locate(_ thumbprint: Thumbprint, preferring preferred: CertificateStoreName?) -> CertificateStoreName? {
        var candidates: [CertificateStoreName] = preferred.map { [$0] } ?? []
        for location in StoreLocation.allCases {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/stores/\(location.rawValue)")) ?? []
            for name in names.sorted() {
                if let storeName = try? StoreName(name: name) { candidates.append(CertificateStoreName(location: location, name: storeName)) }
            }
        }
        return candidates.first { FileManager.default.fileExists(atPath: "\(directory(of: $0))/\(thumbprint).cer") }
    }
}

extension CertificateBundle {
    /// The leaf followed by its chain, as a PEM file of several certificates lists them.
    public var chainIncludingLeaf: [CertificateDetails] { [certificate] + chain }
}

enum PEMDocumentText {
    static func certificate(_ der: [UInt8]) -> String {
        PEMDocument(type: "CERTIFICATE", derBytes: der).pemString + "\n"
    }
}

/// The current user's home folder from the password database, for when `HOME` is unset.
private func homeFromPasswordDatabase() -> String? {
    guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
    return String(cString: directory)
}
