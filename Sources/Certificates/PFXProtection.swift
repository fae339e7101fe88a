import SwiftASN1

/// How an existing .pfx file is protected, read from its outer structure without the password.
///
/// `check` uses it: the classic cloud-service platform refuses AES-encrypted files.
public struct PFXProtection: Sendable, Hashable, Codable {
    /// The cipher families PKCS#12 files use.
    public enum Cipher: String, Sendable, Hashable, Codable {
        case aes = "AES"
        case tripleDES = "3DES"
        case rc2 = "RC2"
        case rc4 = "RC4"
        case unencrypted = "none"
        case unknown = "unknown"
    }

    /// The cipher protecting the private key bag.
    public var keyCipher: Cipher?
    /// The cipher protecting the certificate bags.
    public var certificateCipher: Cipher?
    /// The MAC digest: `SHA-1`, `SHA-256`, …; nil when there is no MAC.
    public var macDigest: String?
    /// Every key-derivation iteration count the file states outside its encrypted parts: the
    /// MAC's, each encrypted part's and each key bag's. Opening the file costs about their sum.
    public var iterationCounts: [Int] = []

    /// Whether any part of the file is encrypted with AES.
    public var usesAES: Bool { keyCipher == .aes || certificateCipher == .aes }

    /// Reads the algorithm identifiers of a PFX. Never fails: what it cannot read stays nil.
    public init(pfx der: [UInt8]) {
        guard let root = try? BER.parse(der) else { return }
        try? BER.sequence(root, identifier: .sequence) { nodes in
            _ = nodes.next()  // version
            guard let authSafe = nodes.next() else { return }
            if let mac = nodes.next() {
                macDigest = Self.macDigest(mac)
                iterationCounts += Self.macIterations(mac).map { [$0] } ?? []
            }
            guard let content = try Self.dataContent(authSafe) else { return }
            try BER.sequence(BER.parse(content), identifier: .sequence) { contentInfos in
                while let info = contentInfos.next() { try inspect(info) }
            }
        }
    }

    private mutating func inspect(_ contentInfo: ASN1Node) throws {
        try BER.sequence(contentInfo, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(berEncoded: &nodes)
            guard let wrapped = nodes.next(), case .constructed(let inner) = wrapped.content,
                let content = inner.first(where: { _ in true })
            else { return }
            if type == ASN1ObjectIdentifier(elementsOrEmpty: PKCS12OID.encryptedData) {
                // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { type, algorithm, [0] content } }
                try BER.sequence(content, identifier: .sequence) { nodes in
                    _ = nodes.next()
                    guard let info = nodes.next() else { return }
                    try BER.sequence(info, identifier: .sequence) { nodes in
                        _ = nodes.next()
                        if let algorithm = nodes.next() {
                            certificateCipher = Self.cipher(algorithm)
                            iterationCounts += Self.iterations(algorithm).map { [$0] } ?? []
                        }
                        while nodes.next() != nil {}
                    }
                }
            } else if type == ASN1ObjectIdentifier(elementsOrEmpty: PKCS12OID.data) {
                let bytes = try ASN1OctetString(berEncoded: content).bytes
                try BER.sequence(BER.parse(Array(bytes)), identifier: .sequence) { bags in
                    while let bag = bags.next() { try inspectBag(bag) }
                }
            }
        }
    }

    private mutating func inspectBag(_ bag: ASN1Node) throws {
        try BER.sequence(bag, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(berEncoded: &nodes)
            guard let wrapped = nodes.next(), case .constructed(let inner) = wrapped.content,
                let value = inner.first(where: { _ in true })
            else { return }
            while nodes.next() != nil {}
            if type == ASN1ObjectIdentifier(elementsOrEmpty: PKCS12OID.shroudedKeyBag) {
                try BER.sequence(value, identifier: .sequence) { nodes in
                    if let algorithm = nodes.next() {
                        keyCipher = Self.cipher(algorithm)
                        iterationCounts += Self.iterations(algorithm).map { [$0] } ?? []
                    }
                    while nodes.next() != nil {}
                }
            } else if type == ASN1ObjectIdentifier(elementsOrEmpty: PKCS12OID.keyBag) {
                keyCipher = .unencrypted
            } else if type == ASN1ObjectIdentifier(elementsOrEmpty: PKCS12OID.certBag), certificateCipher == nil {
                certificateCipher = .unencrypted
            }
        }
    }

    private static func dataContent(_ contentInfo: ASN1Node) throws -> [UInt8]? {
        try BER.sequence(contentInfo, identifier: .sequence) { nodes in
            _ = try ASN1ObjectIdentifier(berEncoded: &nodes)
            guard let wrapped = nodes.next(), case .constructed(let inner) = wrapped.content,
                let octets = inner.first(where: { _ in true })
            else { return nil }
            return Array(try ASN1OctetString(berEncoded: octets).bytes)
        }
    }

    private static func cipher(_ algorithm: ASN1Node) -> Cipher {
        guard let identifier = try? AlgorithmIdentifierOID(berEncoded: algorithm) else { return .unknown }
        switch Array(identifier.oid.oidComponents) {
        case PKCS12OID.pbeSHA1TripleDES, PKCS12OID.pbeSHA1TwoKeyTripleDES: return .tripleDES
        case PKCS12OID.pbeSHA1RC2With40BitKey, PKCS12OID.pbeSHA1RC2With128BitKey: return .rc2
        case PKCS12OID.pbeSHA1RC4With40BitKey, PKCS12OID.pbeSHA1RC4With128BitKey: return .rc4
        case PKCS12OID.pbes2:
            // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
            guard let parameters = identifier.parameters,
                let scheme = try? BER.sequence(
                    parameters, identifier: .sequence,
                    { nodes -> AlgorithmIdentifierOID? in
                        _ = nodes.next()
                        let scheme = try nodes.next().map { try AlgorithmIdentifierOID(berEncoded: $0) }
                        while nodes.next() != nil {}
                        return scheme
                    })
            else { return .unknown }
            switch Array(scheme.oid.oidComponents) {
            case PKCS12OID.aes128CBC, PKCS12OID.aes192CBC, PKCS12OID.aes256CBC: return .aes
            case [1, 2, 840, 113_549, 3, 7]: return .tripleDES
            default: return .unknown
            }
        default: return .unknown
        }
    }

    /// The iteration count of a PKCS#12 PBE (`SEQUENCE { salt, iterations }`) or of PBES2's
    /// PBKDF2 (`SEQUENCE { salt, iterationCount, … }`); `Int.max` when it is too large to read.
    static func iterations(_ algorithm: ASN1Node) -> Int? {
        guard let identifier = try? AlgorithmIdentifierOID(berEncoded: algorithm), var parameters = identifier.parameters else { return nil }
        if Array(identifier.oid.oidComponents) == PKCS12OID.pbes2 {
            // PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme }
            guard
                let kdf = try? BER.sequence(
                    parameters, identifier: .sequence,
                    { nodes -> AlgorithmIdentifierOID? in
                        let kdf = try nodes.next().map { try AlgorithmIdentifierOID(berEncoded: $0) }
                        while nodes.next() != nil {}
                        return kdf
                    }), let kdfParameters = kdf.parameters
            else { return nil }
            parameters = kdfParameters
        }
        return try? BER.sequence(parameters, identifier: .sequence) { nodes -> Int? in
            _ = nodes.next()  // salt
            let count = nodes.next().map(readCount)
            while nodes.next() != nil {}
            return count
        }
    }

    private static func macIterations(_ macData: ASN1Node) -> Int? {
        try? BER.sequence(macData, identifier: .sequence) { nodes -> Int? in
            _ = nodes.next()  // DigestInfo
            _ = nodes.next()  // salt
            let count = nodes.next().map(readCount)
            while nodes.next() != nil {}
            return count ?? 1
        }
    }

    private static func readCount(_ node: ASN1Node) -> Int {
        guard node.identifier == .integer else { return 0 }
        return (try? Int(berEncoded: node)) ?? Int.max
    }

    private static func macDigest(_ macData: ASN1Node) -> String? {
        try? BER.sequence(macData, identifier: .sequence) { nodes in
            guard let digestInfo = nodes.next() else { return nil }
            while nodes.next() != nil {}
            return try BER.sequence(digestInfo, identifier: .sequence) { nodes in
                guard let algorithm = nodes.next() else { return nil }
                while nodes.next() != nil {}
                let identifier = try AlgorithmIdentifierOID(berEncoded: algorithm)
                switch Array(identifier.oid.oidComponents) {
                case PKCS12OID.sha1: return "SHA-1"
                case PKCS12OID.sha256: return "SHA-256"
                case PKCS12OID.sha384: return "SHA-384"
                case PKCS12OID.sha512: return "SHA-512"
                default: return identifier.oid.description
                }
            }
        }
    }
}

extension ASN1ObjectIdentifier {
    /// An OID from a constant component list (the lists in `PKCS12OID` are all valid).
    init(elementsOrEmpty elements: [UInt]) {
        self = (try? ASN1ObjectIdentifier(elements: elements)) ?? ASN1ObjectIdentifier(arrayLiteral: 0, 0)
    }
}
