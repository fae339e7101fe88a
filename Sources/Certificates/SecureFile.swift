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

/// Writes files that may hold secrets: created with their final permissions from the first byte,
/// and put in place atomically so that a crash never leaves half a key behind.
public enum SecureFile {
    /// Writes `bytes` to `path` with `mode` (0600 for anything holding a key), replacing any file there.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(CertificateError) {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw .invalidOption(path, reason: "cannot be written (\(String(cString: strerror(errno))))")
        }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += result
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        // open() applied the umask; set exactly the mode asked for.
        if failure == 0, chmod(temporary, mode) != 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .invalidOption(path, reason: "cannot be written (\(String(cString: strerror(failure))))")
        }
    }

    /// Creates `path` and its missing parents with `mode` (0700 for folders holding keys).
    public static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(CertificateError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
            _ = chmod(path, mode)
        } catch {
            throw .storeFailure(reason: "cannot create \(path) (\(error))")
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
