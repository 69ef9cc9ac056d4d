import FluentKit
import Foundation
import NaraCore
import SQLKit

public struct LaneClearance: Sendable, Codable, Equatable {
    public let lane: Lane
    public let released: Int
    /// Seconds from lodgement to release.
    public let medianSeconds: Double?
    public let p95Seconds: Double?
}

public struct CustomsDashboard: Sendable, Codable, Equatable {
    public let declarations: Int
    public let released: Int
    public let clearance: [LaneClearance]
    /// Per lane: the share of laned declarations (percent), beside the configured random rates.
    public let laneShares: [DashboardCount]
    public let configuredRates: SelectivityRates
    public let inspections: Int
    public let inspectionsWithFindings: Int
    /// Percent of finished inspections that found a discrepancy.
    public let inspectionHitRate: Double?
    /// KRW assessed on imports, by duty type: ad valorem, specific (and compound), preferential (FTA), VAT.
    public let revenue: [DashboardCount]
    public let generatedAt: Date
}

/// The figures of the clearance dashboard, computed on request from the newest 20,000 declarations.
extension CustomsService {
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count - 1)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    func dashboard() async throws -> CustomsDashboard {
        let sql = db as! any SQLDatabase
        let rows = try await sql.select().columns("lane", "kind", "lodged_at", "released_at", "assessment").from(DeclarationModel.schema)
            .where(SQLIdentifier("lane"), .isNot, SQLLiteral.null).orderBy("lodged_at", .descending).limit(20_000).all()
        var times: [Lane: [Double]] = [:]
        var laned: [Lane: Int] = [:]
        var released = 0
        var revenue: [String: Int64] = ["adValorem": 0, "specific": 0, "preferential": 0, "vat": 0]
        let decoder = JSONDecoder()
        for row in rows {
            guard let lane = Lane(rawValue: try row.decode(column: "lane", as: String.self)) else { continue }
            laned[lane, default: 0] += 1
            let lodged = try row.decode(column: "lodged_at", as: Date.self)
            if let release = try row.decodeNil(column: "released_at") ? nil : row.decode(column: "released_at", as: Date.self) {
                released += 1
                times[lane, default: []].append(release.timeIntervalSince(lodged))
            }
            guard try row.decode(column: "kind", as: String.self) == DeclarationKind.import.rawValue,
                  let raw = try row.decodeNil(column: "assessment") ? nil : row.decode(column: "assessment", as: String.self),
                  let assessment = try? decoder.decode(Assessment.self, from: Data(raw.utf8)) else { continue }
            for line in assessment.lines {
                let key = line.agreement != nil ? "preferential" : (line.basis == .adValorem ? "adValorem" : "specific")
                revenue[key, default: 0] += line.dutyKRW
                revenue["vat", default: 0] += line.vatKRW
            }
        }
        let total = max(1, laned.values.reduce(0, +))
        let inspections = try await InspectionModel.query(on: db).filter(\.$finishedAt != nil).count()
        let findings = try await InspectionModel.query(on: db).filter(\.$finishedAt != nil).filter(\.$discrepancy == true).count()
        let rates = (try? await riskData().selectivity) ?? .standard
        return CustomsDashboard(
            declarations: rows.count, released: released,
            clearance: Lane.allCases.map { lane in
                let sorted = (times[lane] ?? []).sorted()
                return LaneClearance(lane: lane, released: sorted.count, medianSeconds: Self.percentile(sorted, 0.5), p95Seconds: Self.percentile(sorted, 0.95))
            },
            laneShares: Lane.allCases.map { DashboardCount(label: $0.rawValue, value: Double(laned[$0] ?? 0) * 100 / Double(total)) },
            configuredRates: rates, inspections: inspections, inspectionsWithFindings: findings,
            inspectionHitRate: inspections == 0 ? nil : Double(findings) * 100 / Double(inspections),
            revenue: ["adValorem", "specific", "preferential", "vat"].map { DashboardCount(label: $0, value: Double(revenue[$0] ?? 0)) },
            generatedAt: clock.now())
    }

    /// The declaration in the WCO Data Model 3.6 DEC-DMS XML format, for its parties and officers.
    func wcoXML(id: UUID, by actor: Actor) async throws -> String {
        let view = try await declaration(id: id, by: actor)
        let ref = try await referenceData()
        var vessel: String?, bill: String?
        if let number = view.cargo, let cargo = try await CargoModel.query(on: db).filter(\.$trackingNumber == number).first() {
            vessel = try await ManifestModel.find(cargo.manifestID, on: db)?.vessel
            bill = cargo.billOfLading
        }
        return WCODeclarationXML.render(view, context: WCODeclarationXML.Context(locode: ref.offices[view.officeCode]?.locode ?? "KRSEL", vessel: vessel,
                                                                                billOfLading: bill))
    }
}
