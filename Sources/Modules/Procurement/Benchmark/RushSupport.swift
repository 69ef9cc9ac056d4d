import FluentKit
import Foundation
import NaraCore
import SQLKit

/// Set-up and counting for the deadline-rush benchmark (`Benchmarks/rush.sh`): not used by the
/// portal. Suppliers are registered without the registry look-up (the benchmark measures bids,
/// not the exchange), tenders are published through the service.
public enum RushSupport {
    public struct Supplier: Sendable {
        public let accountID: UUID
        public let businessNumber: String
        public let name: String
        public init(accountID: UUID, businessNumber: String, name: String) {
            self.accountID = accountID
            self.businessNumber = businessNumber
            self.name = name
        }
    }

    public static func registerSuppliers(_ suppliers: [Supplier], platform: Platform, on db: any Database) async throws {
        for supplier in suppliers {
            let model = SupplierModel()
            model.id = UUID()
            model.accountID = supplier.accountID
            model.businessNumber = supplier.businessNumber
            model.name = supplier.name
            model.status = "active"
            model.registeredAt = platform.clock.now()
            try await model.create(on: db)
        }
    }

    /// Publishes `count` open tenders of one lot; returns their ids.
    public static func publishTenders(_ count: Int, title: String, officer: Actor, deadline: Date, platform: Platform, on db: any Database) async throws -> [UUID] {
        let service = ProcurementModule.service(platform)
        var ids: [UUID] = []
        for n in 1...count {
            let tender = try await service.createTender(NewTender(
                title: "\(title) \(n)", description: "Benchmark tender", procedure: Procedure.open.rawValue, category: "goods",
                lots: [Lot(number: 1, title: "Supply", estimatedValueMinor: 100_000_000)],
                items: [TenderItem(id: nil, lot: 1, description: "Notebook computer", scheme: "UNSPSC", classification: "43211503",
                                   classificationDescription: "Notebook computers", quantity: 10, unitCode: "EA", unitName: "each")],
                deadline: Timestamp.iso8601Millis(deadline)), by: officer, requestID: nil, on: db)
            _ = try await service.publish(id: tender.id, by: officer, requestID: nil, on: db)
            ids.append(tender.id)
        }
        return ids
    }

    static func chunks(_ ids: [UUID]) -> [[UUID]] {
        stride(from: 0, to: ids.count, by: 500).map { Array(ids[$0..<min($0 + 500, ids.count)]) }
    }

    /// Moves the deadlines of the given tenders (after set-up, to a moment relative to the real clock).
    public static func setDeadline(_ deadline: Date, tenders: [UUID], on db: any Database) async throws {
        for chunk in chunks(tenders) {
            try await TenderModel.query(on: db).filter(\.$id ~~ chunk).set(\.$deadline, to: deadline).update()
        }
    }

    /// Every stored bid id (any status) of the given tenders.
    public static func storedBids(tenders: [UUID], on db: any Database) async throws -> Set<UUID> {
        var ids = Set<UUID>()
        for chunk in chunks(tenders) {
            for bid in try await BidModel.query(on: db).filter(\.$tenderID ~~ chunk).all() { ids.insert(bid.id!) }
        }
        return ids
    }

    /// How many of the tenders are still open, and the first and last opening times of the others.
    public static func openingProgress(tenders: [UUID], on db: any Database) async throws -> (open: Int, first: Date?, last: Date?) {
        var open = 0
        var times: [Date] = []
        for chunk in chunks(tenders) {
            for tender in try await TenderModel.query(on: db).filter(\.$id ~~ chunk).all() {
                if let opened = tender.openedAt { times.append(opened) } else { open += 1 }
            }
        }
        return (open, times.min(), times.max())
    }

    /// Single-row transactions per second on this database (a scratch table), for `seconds`: the
    /// machine's durable commit rate with the platform's settings (SQLite: WAL, synchronous=FULL).
    public static func singleRowCommitRate(seconds: Double, on db: any Database) async throws -> Double {
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE TABLE IF NOT EXISTS bench_commits (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)").run()
        let start = Date()
        var count = 0
        while Date().timeIntervalSince(start) < seconds {
            let id = count + 1
            try await db.transaction { tx in
                try await (tx as! any SQLDatabase).raw("INSERT INTO bench_commits (id, payload) VALUES (\(bind: id), \(bind: String(repeating: "x", count: 200)))").run()
            }
            count += 1
        }
        let rate = Double(count) / Date().timeIntervalSince(start)
        try await sql.raw("DROP TABLE bench_commits").run()
        return rate
    }
}
