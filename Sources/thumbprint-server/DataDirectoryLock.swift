import ArgumentParser

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The server's exclusive hold on its data folder: `DIR/server.lock`, locked with `flock` for as
/// long as the process lives (the kernel releases it when the process ends, however it ends),
/// holding the PID and address of the server, so that a second server on the same folder is
/// refused with a message that names the first. Admin commands do not take it.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32
    private let path: String

    /// Why the folder cannot be locked.
    struct Held: Error, CustomStringConvertible {
        var folder: String
        var holder: String

        var description: String {
            "another Thumbprint server or agent is running on the data folder \(folder) (\(holder)); stop it first, or start this one with another --data-dir"
        }
    }

    /// Locks `folder` or throws `Held` naming the server that holds it.
    init(folder: String) throws {
        path = folder + "/server.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw Held(folder: folder, holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "its PID is not known yet")
        }
        self.descriptor = descriptor
        record("PID \(getpid()), starting")
    }

    /// Who holds `folder` now (PID and address), or nil when no server runs on it.
    static func holder(folder: String) -> String? {
        let path = folder + "/server.lock"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) != 0 else {
            flock(descriptor, LOCK_UN)
            return nil
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "its PID is not known yet" : text
    }

    /// Writes who holds the lock, for the message a second server prints.
    func record(_ holder: String) {
        let bytes = Array((holder + "\n").utf8)
        _ = ftruncate(descriptor, 0)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        close(descriptor)
    }
}
