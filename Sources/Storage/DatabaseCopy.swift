import Crypto
import GRDB
import Logging
import NIOCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Copies everything from a SQLite store into an empty PostgreSQL one, in one transaction, and
/// checks the copy: the same number of rows in every table, and the same SHA-256 over every
/// row's values read back from both sides. Sealed keys are copied as they are (still sealed by
/// the data folder's master key, which every server on the new database then needs).
public enum DatabaseCopy {
    /// Every table, parents before children.
    static let tables = [
        "users", "subscriptions", "subscription_members", "management_certificates", "cloud_services", "service_certificates", "deployments",
        "user_passwords", "failed_sign_ins", "invitations", "portal_sessions", "second_factors", "settings", "operations", "audit_log", "agents",
        "instance_placements", "service_turns", "webhooks", "webhook_deliveries", "notices", "renewal_policies", "certificate_renewals",
    ]

    /// What was copied: rows per table, and the checksum both sides agree on.
    public struct Report: Sendable {
        /// Each table, parents first, with the rows copied.
        public var rows: [(table: String, count: Int)]
        /// The SHA-256 (hex) over every row, the same read from either database.
        public var checksum: String
    }

    /// One row: its values by column name, in name order (the two schemas may order columns differently).
    typealias StoredRow = [(column: String, value: Value)]

    /// Copies `source` into `target`, which must hold no data; throws when any table differs after.
    public static func copy(from source: SQLiteManagementStore, to target: PostgresManagementStore) async throws(StorageError) -> Report {
        let sourceTables = try await source.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        let unknown = Set(sourceTables).subtracting(tables).filter { !$0.hasPrefix("sqlite_") && !$0.hasPrefix("grdb_") }
        guard unknown.isEmpty else { throw .database("the copy does not know the tables \(unknown.sorted().joined(separator: ", "))") }

        var original: [String: [StoredRow]] = [:]
        for table in tables {
            original[table] = try await source.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    row.columnNames.map { name in (column: name, value: Value(row[name] as DatabaseValue)) }.sorted { $0.column < $1.column }
                }
            }
        }
        let copying = original
        try await target.write { db in
            for table in tables where try await db.exists(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(quoted(table)) LIMIT 1"), logger: target.logger) {
                throw StorageError.database("the database already holds data (table \(table)); copy only into an empty one")
            }
            for table in tables { try await insert(copying[table] ?? [], into: table, db, logger: target.logger) }
            _ = try await db.query(
                "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1, false)", logger: target.logger)
        }

        var rows: [(table: String, count: Int)] = []
        var expected: [[UInt8]] = []
        var found: [[UInt8]] = []
        for table in tables {
            let copied = try await target.database.rows(PostgresQuery(unsafeSQL: "SELECT * FROM \(quoted(table))")).map { row throws(StorageError) in
                var values: StoredRow = []
                for cell in row { values.append((column: cell.columnName, value: try Value(cell))) }
                return values.sorted { $0.column < $1.column }
            }
            let count = original[table]?.count ?? 0
            guard copied.count == count else { throw .database("\(table): \(count) rows copied, \(copied.count) found after") }
            rows.append((table, count))
            expected += (original[table] ?? []).map { Value.digest(table, $0) }
            found += copied.map { Value.digest(table, $0) }
        }
        let checksum = Value.checksum(expected)
        let after = Value.checksum(found)
        guard after == checksum else { throw .database("the copy differs from the original (checksum \(after), expected \(checksum))") }
        return Report(rows: rows, checksum: checksum)
    }

    /// Inserts the rows in statements of up to 500 rows.
    private static func insert(_ rows: [StoredRow], into table: String, _ db: PostgresConnection, logger: Logger) async throws {
        guard let columns = rows.first?.map(\.column) else { return }
        let names = columns.map(quoted).joined(separator: ", ")
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + 500, rows.count)]
            var bindings = PostgresBindings()
            var tuples: [String] = []
            for row in batch {
                var places: [String] = []
                for (_, value) in row {
                    value.bind(into: &bindings)
                    places.append("$\(bindings.count)")
                }
                tuples.append("(" + places.joined(separator: ", ") + ")")
            }
            _ = try await db.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(quoted(table)) (\(names)) VALUES \(tuples.joined(separator: ", "))", binds: bindings), logger: logger)
            start += batch.count
        }
    }

    private static func quoted(_ name: String) -> String { "\"\(name)\"" }

    /// One stored value, the same whichever database it was read from.
    enum Value: Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case bytes([UInt8])

        init(_ value: DatabaseValue) {
            switch value.storage {
            case .null: self = .null
            case .int64(let number): self = .integer(number)
            case .double(let number): self = .real(number)
            case .string(let text): self = .text(text)
            case .blob(let data): self = .bytes([UInt8](data))
            }
        }

        init(_ cell: PostgresCell) throws(StorageError) {
            guard cell.bytes != nil else {
                self = .null
                return
            }
            do {
                switch cell.dataType {
                case .int2, .int4, .int8: self = .integer(try cell.decode(Int64.self))
                case .float4, .float8: self = .real(try cell.decode(Double.self))
                case .bytea: self = .bytes([UInt8](try cell.decode(Data.self)))
                default: self = .text(try cell.decode(String.self))
                }
            } catch {
                throw .database("\(cell.columnName): \(error)")
            }
        }

        func bind(into bindings: inout PostgresBindings) {
            switch self {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }

        /// The SHA-256 of a row of `table`: each column's name and value, with kinds and lengths, so no two rows read alike.
        static func digest(_ table: String, _ row: StoredRow) -> [UInt8] {
            var digest = SHA256()
            digest.update(data: Array(table.utf8) + [0])
            for (column, value) in row {
                digest.update(data: Array(column.utf8) + [0])
                let bytes: [UInt8]
                switch value {
                case .null: bytes = [0]
                case .integer(let number): bytes = [1] + withUnsafeBytes(of: number.bigEndian, Array.init)
                case .real(let number): bytes = [2] + withUnsafeBytes(of: number.bitPattern.bigEndian, Array.init)
                case .text(let text): bytes = [3] + withUnsafeBytes(of: UInt64(text.utf8.count).bigEndian, Array.init) + Array(text.utf8)
                case .bytes(let data): bytes = [4] + withUnsafeBytes(of: UInt64(data.count).bigEndian, Array.init) + data
                }
                digest.update(data: bytes)
            }
            return Array(digest.finalize())
        }

        /// One checksum over rows in any order: the SHA-256 of their sorted digests, in hex.
        static func checksum(_ digests: [[UInt8]]) -> String {
            var all = SHA256()
            for digest in digests.sorted(by: { $0.lexicographicallyPrecedes($1) }) { all.update(data: digest) }
            return all.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }
}
