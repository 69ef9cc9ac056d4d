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

    private func take(_ kind: String, year: Int, on db: any Database) async throws -> Int64 {
        let sql = db as! any SQLDatabase
        for _ in 0..<3 {
            try await sql.raw("UPDATE sequences SET last_value = last_value + 1 WHERE kind = \(bind: kind) AND year = \(bind: year)").run()
            if let row = try await SequenceModel.query(on: db).filter(\.$kind == kind).filter(\.$year == year).first() {
                return row.lastValue
            }
            let row = SequenceModel()
            row.id = UUID()
            row.kind = kind
            row.year = year
            row.lastValue = 1
            do {
                try await row.create(on: db)
                return 1
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // Another node created the row first; take the next number from it.
                continue
            }
        }
        throw NaraError(.unavailable, code: .unavailable, "Could not allocate a number for \(kind); try again.")
    }

    /// `PREFIX-2026-000042`.
    public static func format(prefix: String, year: Int, number: Int64, width: Int = 6) -> String {
        let digits = String(number)
        return "\(prefix)-\(year)-" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
