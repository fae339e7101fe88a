import Foundation
import ZIPFoundation

/// Where one entry's bytes lie in a ZIP file, read from its central directory and local header,
/// so that unpacking it reads exactly its compressed bytes and no more.
///
/// ZIPFoundation's own `extract` keeps asking for input after the end of a damaged deflate
/// stream and, at the end of the file, spins forever (found by fuzzing); unpacking through
/// `StoredEntry.read` stops with an error instead.
struct StoredEntry {
    /// 0 stored, 8 deflated.
    var method: UInt16
    var compressedSize: UInt64
    var crc32: UInt32
    /// Where its local header starts.
    var headerOffset: UInt64

    /// Why an entry cannot be read.
    struct Damaged: Error, CustomStringConvertible {
        var description: String
    }

    /// Every entry of the central directory, by its name as the archive writes it; read once per
    /// package, whatever the number of entries later read.
    static func directory(in file: FileHandle, size: UInt64) throws -> [String: StoredEntry] {
        // The end-of-central-directory record: 22 bytes and a comment of up to 65,535.
        let tailLength = min(size, 22 + 65_535)
        let tail = try bytes(file, at: size - tailLength, count: Int(tailLength))
        guard tail.count >= 22, let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { signature(tail, $0) == 0x0605_4b50 })
        else { throw Damaged(description: "it has no end-of-central-directory record") }
        let directorySize = UInt64(le32(tail, end + 12))
        let directoryOffset = UInt64(le32(tail, end + 16))
        guard directoryOffset + directorySize <= size else { throw Damaged(description: "its central directory lies past its end") }
        let directory = try bytes(file, at: directoryOffset, count: Int(directorySize))
        var entries: [String: StoredEntry] = [:]
        var at = 0
        while at + 46 <= directory.count, signature(directory, at) == 0x0201_4b50 {
            let nameLength = Int(le16(directory, at + 28))
            guard at + 46 + nameLength <= directory.count else { break }
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            entries[name] = StoredEntry(
                method: le16(directory, at + 10), compressedSize: UInt64(le32(directory, at + 20)), crc32: le32(directory, at + 16),
                headerOffset: UInt64(le32(directory, at + 42)))
            at += 46 + nameLength + Int(le16(directory, at + 30)) + Int(le16(directory, at + 32))
        }
        return entries
    }

    /// Unpacks the entry, handing each piece to `consumer`; checks its CRC-32.
    func read(from file: FileHandle, size fileSize: UInt64, consumer: (Data) throws -> Void) throws {
        guard compressedSize != 0xFFFF_FFFF, headerOffset != 0xFFFF_FFFF else { throw Damaged(description: "it is a ZIP64 entry, which is not read") }
        let local = try Self.bytes(file, at: headerOffset, count: 30)
        guard local.count == 30, Self.signature(local, 0) == 0x0403_4b50 else { throw Damaged(description: "it has no local header") }
        let dataOffset = headerOffset + 30 + UInt64(Self.le16(local, 26)) + UInt64(Self.le16(local, 28))
        guard dataOffset + compressedSize <= fileSize else { throw Damaged(description: "its data lies past the end of the file") }
        let crc: UInt32
        switch method {
        case 0:
            var position: UInt64 = 0
            var running = CRC32(0)
            while position < compressedSize {
                let chunk = try Self.bytes(file, at: dataOffset + position, count: Int(min(64 << 10, compressedSize - position)))
                guard !chunk.isEmpty else { throw Damaged(description: "the file ends inside an entry") }
                let data = Data(chunk)
                running = data.crc32(checksum: running)
                try consumer(data)
                position += UInt64(chunk.count)
            }
            crc = running
        case 8:
            let (start, size) = (dataOffset, compressedSize)
            crc = try Data.decompress(
                size: Int64(size), bufferSize: 64 << 10, skipCRC32: false,
                provider: { position, length in
                    // Asked for more than the entry holds: the deflate stream never ended.
                    guard position >= 0, UInt64(position) < size else { throw Damaged(description: "the compressed data does not end where it should") }
                    // Exactly `length` bytes, zeros after the entry's end: ZIPFoundation tells zlib
                    // every chunk is whole, so a short one let inflate read past it (found by fuzzing).
                    var chunk = try Self.bytes(file, at: start + UInt64(position), count: Int(min(UInt64(length), size - UInt64(position))))
                    chunk += [UInt8](repeating: 0, count: max(0, length - chunk.count))
                    return Data(chunk)
                }, consumer: consumer)
        default:
            throw Damaged(description: "it uses compression method \(method); only stored and deflated entries are read")
        }
        guard crc == crc32 else { throw Damaged(description: "its CRC-32 does not match its data") }
    }

    private static func bytes(_ file: FileHandle, at offset: UInt64, count: Int) throws -> [UInt8] {
        try file.seek(toOffset: offset)
        return [UInt8](try file.read(upToCount: count) ?? Data())
    }

    private static func signature(_ bytes: [UInt8], _ at: Int) -> UInt32 { at + 4 <= bytes.count ? le32(bytes, at) : 0 }
    private static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// A package file opened for unpacking: its central directory read once, then any entry unpacked
/// by name.
final class StoredEntries {
    private let file: FileHandle
    private let size: UInt64
    private let entries: [String: StoredEntry]

    /// Opens `url` and reads its central directory.
    init(_ url: URL) throws {
        file = try FileHandle(forReadingFrom: url)
        do {
            size = try file.seekToEnd()
            entries = try StoredEntry.directory(in: file, size: size)
        } catch {
            try? file.close()
            throw error
        }
    }

    deinit { try? file.close() }

    /// Unpacks the entry named `name` (as the archive writes it), handing each piece to `consumer`.
    func read(_ name: String, consumer: (Data) throws -> Void) throws {
        guard let entry = entries[name] else { throw StoredEntry.Damaged(description: "it is not in the central directory under its name") }
        try entry.read(from: file, size: size, consumer: consumer)
    }
}
