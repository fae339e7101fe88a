#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading local files with a size limit, through POSIX calls: every parser of outside input
/// refuses oversized input before reading it whole.
public enum LocalFile {
    /// What is at a path.
    public enum Kind: Sendable, Equatable {
        case missing, file, directory, other
    }

    /// Whether `path` names a file, a folder, something else or nothing.
    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The bytes of the file at `path`, which must be no larger than `limit`.
    public static func read(path: String, limit: Int) throws(CertificateError) -> [UInt8] {
        switch kind(of: path) {
        case .missing: throw .invalidOption(path, reason: "no such file")
        case .directory: throw .invalidOption(path, reason: "is a directory, not a certificate file")
        case .file, .other: break
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .invalidOption(path, reason: "cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        do {
            return try readAll(descriptor, limit: limit)
        } catch {
            var status = stat()
            let size = fstat(descriptor, &status) == 0 ? Int(status.st_size) : limit + 1
            throw .inFile(path, .inputTooLarge(size: size, limit: limit))
        }
    }

    /// Everything readable from an open descriptor (a file, a pipe, standard input), up to `limit` bytes.
    public static func readAll(_ descriptor: Int32, limit: Int) throws(CertificateError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .invalidOption("input", reason: "cannot be read (\(String(cString: strerror(errno))))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw .inputTooLarge(size: bytes.count, limit: limit) }
        }
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
