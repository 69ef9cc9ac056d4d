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
        // Summed as doubles: 20,000 declarations of the largest amounts would overflow 64-bit integers.
        var revenue: [String: Double] = ["adValorem": 0, "specific": 0, "preferential": 0, "vat": 0]
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
                revenue[key, default: 0] += Double(line.dutyKRW)
                revenue["vat", default: 0] += Double(line.vatKRW)
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
            revenue: ["adValorem", "specific", "preferential", "vat"].map { DashboardCount(label: $0, value: revenue[$0] ?? 0) },
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
                                                                                billOfLading: bill, vatBasisPoints: ref.vatBasisPoints))
    }

    /// The export clearance certificate (수출신고필증) of a released export, issued once through
    /// the platform's issuance service (a signed PDF anyone can verify) to the exporter's account.
    func exportCertificate(id: UUID, by actor: Actor) async throws -> UUID {
        guard let m = try await DeclarationModel.find(id, on: db) else { throw NaraError.notFound("The declaration") }
        guard try await reader(actor, of: m) == .party else { throw NaraError.notFound("The declaration") }
        if let existing = m.documentID { return existing }
        guard m.kind == DeclarationKind.export.rawValue, m.state == DeclarationState.released.rawValue || m.state == DeclarationState.exited.rawValue,
              let released = m.releasedAt else {
            throw NaraError(.conflict, code: .illegalTransition, "The export clearance certificate is issued for a released export.")
        }
        let view = try await self.view(m, for: .party)
        guard let trader = try await TraderModel.find(m.traderID, on: db), let account = trader.accountID,
              let kcs = try await platform.identity.agency(code: Self.agencyCode, on: db) else {
            throw NaraError(.conflict, code: "no_holder", "The exporter has no account to hold the certificate.")
        }
        let display = { (date: Date) in Timestamp.iso8601Millis(date).prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC" }
        let goods = view.items.map { "\($0.hsCode) \($0.description) × \(Self.kilograms($0.quantityMilli)) \($0.quantityUnit)" }.joined(separator: "; ")
        let masked = String(trader.businessNumber.prefix(3)) + "-" + String(trader.businessNumber.dropFirst(3).prefix(2)) + "-*****"
        let facts = [
            DocumentFact(key: "declaration", labelEN: "Export declaration", labelKO: "수출신고번호", value: m.number, disclosedByDefault: true),
            DocumentFact(key: "released", labelEN: "Released (accepted by customs)", labelKO: "수리일시", value: display(released), disclosedByDefault: true),
            DocumentFact(key: "exporter", labelEN: "Exporter", labelKO: "수출자", value: "\(trader.name) (\(masked))", disclosedByDefault: true),
            DocumentFact(key: "consignee", labelEN: "Consignee", labelKO: "구매자", value: "\(m.counterpartName) (\(m.counterpartCountry))"),
            DocumentFact(key: "office", labelEN: "Customs office", labelKO: "세관", value: m.officeCode, disclosedByDefault: true),
            DocumentFact(key: "goods", labelEN: "Goods", labelKO: "품명", value: String(goods.prefix(500))),
            DocumentFact(key: "value", labelEN: "Invoice value (FOB)", labelKO: "결제금액", value: Money.format(m.invoiceMinor, currency: m.currency)),
            DocumentFact(key: "customsValue", labelEN: "Customs value", labelKO: "신고가격(원화)",
                         value: Money.format(view.assessment?.totalCustomsValueKRW ?? 0, currency: "KRW")),
        ]
        let request = DocumentIssueRequest(module: Self.module, documentType: "customs.export-clearance", titleEN: "Export Declaration Certificate",
                                           titleKO: "수출신고필증", agencyID: kcs.id, holderAccountID: account,
                                           subjectRef: platform.audit.subjectRef(businessNumber: trader.businessNumber), subjectName: trader.name,
                                           subjectIdentifier: masked, facts: facts, validDays: 365 * 5, sourceReference: m.number)
        // Rendering and signing happen before the write; the record and the declaration's link commit together.
        let prepared = try await platform.documents.prepare(request, on: db)
        return try await db.transaction { tx in
            try await tx.lockRow(DeclarationModel.schema, id: id)
            guard let current = try await DeclarationModel.find(id, on: tx) else { throw NaraError.notFound("The declaration") }
            if let existing = current.documentID { return existing }
            let document = try await self.platform.documents.record(prepared, by: AuditActor(actor, requestID: nil), on: tx)
            current.documentID = document.id
            try await current.save(on: tx)
            return document.id
        }
    }
}

