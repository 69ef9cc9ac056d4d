import FluentKit
import Foundation
import SQLKit

/// Human-facing numbers per kind and year (receipt numbers, tender numbers, ...).
///
/// A number is taken inside the caller's transaction: if the transaction rolls back, so does the
/// number, which keeps the series gap-free where the law wants it.
public struct SequenceService: Sendable {
    public init() {}

    public func next(_ kind: String, year: Int, on db: any Database) async throws -> Int64 {
        if db.inTransaction { return try await take(kind, year: year, on: db) }
        return try await db.transaction { tx in try await self.take(kind, year: year, on: tx) }
    }

    /// `count` consecutive numbers in one statement (a group commit's batch), in the caller's transaction.
    public func reserve(_ kind: String, year: Int, count: Int, on db: any Database) async throws -> ClosedRange<Int64> {
        precondition(count >= 1)
        let last = db.inTransaction ? try await take(kind, year: year, count: count, on: db)
            : try await db.transaction { tx in try await self.take(kind, year: year, count: count, on: tx) }
        return (last - Int64(count) + 1)...last
    }

    private func take(_ kind: String, year: Int, count: Int = 1, on db: any Database) async throws -> Int64 {
        let sql = db as! any SQLDatabase
        // Create the counter if it is new (another node may create it at the same moment: no error,
        // no aborted transaction), then take the next number under the row's write lock.
        try await sql.raw("""
            INSERT INTO sequences (id, kind, year, last_value) VALUES (\(bind: UUID()), \(bind: kind), \(bind: year), 0)
            ON CONFLICT (kind, year) DO NOTHING
            """).run()
        guard let row = try await sql.raw("""
            UPDATE sequences SET last_value = last_value + \(bind: Int64(count)) WHERE kind = \(bind: kind) AND year = \(bind: year) RETURNING last_value
            """).first() else {
            throw NaraError(.unavailable, code: .unavailable, "Could not allocate a number for \(kind); try again.")
        }
        return try row.decode(column: "last_value", as: Int64.self)
    }

    /// `PREFIX-2026-000042`.
    public static func format(prefix: String, year: Int, number: Int64, width: Int = 6) -> String {
        let digits = String(number)
        return "\(prefix)-\(year)-" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
