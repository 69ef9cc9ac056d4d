import FluentKit
import Foundation
import NaraCore
import SQLKit

public struct NewRiskCriterion: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var lane: String
    public var conditions: [RiskCondition]
    public var validFrom: String?
    public var validUntil: String
    public var active: Bool?
}

public struct CriterionView: Sendable, Codable, Equatable {
    public let code: String
    public let name: String
    public let lane: Lane
    public let conditions: [RiskCondition]
    public let validFrom: Date
    public let validUntil: Date
    public let active: Bool
    public let createdBy: String
}

/// Reference data that officers maintain (tariff lines and rates, exchange rates, risk criteria,
/// selection rates) and the lane simulator.
extension CustomsService {
    // MARK: Tariff

    func tariff() async throws -> [TariffLine] {
        try await referenceData().tariff.values.sorted { $0.code < $1.code }
    }

    /// Adds or changes a tariff line; every problem is reported at once.
    func saveTariffLine(_ line: TariffLine, by actor: Actor, requestID: String?) async throws -> TariffLine {
        _ = try await officerAgency(actor, CustomsPermission.reference)
        var v = Validator()
        if !TariffLine.isValidCode(line.code) { v.add("code", "format", "The national tariff line has 10 digits (HSK).") }
        v.require(line.descriptionEN, "descriptionEN", maxLength: 300)
        v.require(line.descriptionKO, "descriptionKO", maxLength: 300)
        if !UnitCode.isValid(line.quantityUnit) { v.add("quantityUnit", "format", "Give the UN/ECE Rec. 20 unit (KGM, NAR, LTR...).") }
        for problem in line.rate.problems(prefix: "rate/") { v.add(problem.field, "range", problem.message) }
        for (i, p) in line.preferential.enumerated() {
            if !(2...12).contains(p.agreement.count) || !p.agreement.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-") }) {
                v.add("preferential/\(i)/agreement", "format", "Agreements are 2 to 12 upper-case letters, digits or hyphens (KORUS, KR-EU).")
            }
            if p.origins.isEmpty || !p.origins.allSatisfy(CustomsCountry.isValid) { v.add("preferential/\(i)/origins", "unknown", "List the ISO codes of the qualifying origins.") }
            for problem in p.rate.problems(prefix: "preferential/\(i)/rate/") { v.add(problem.field, "range", problem.message) }
        }
        try v.check()
        let encoder = JSONEncoder()
        try await db.transaction { tx in
            let model = try await TariffLineModel.query(on: tx).filter(\.$code == line.code).first() ?? TariffLineModel()
            let isNew = model.id == nil
            if isNew { model.id = UUID() }
            model.code = line.code
            model.descriptionEN = line.descriptionEN
            model.descriptionKO = line.descriptionKO
            model.quantityUnit = line.quantityUnit
            model.rate = String(decoding: try encoder.encode(line.rate), as: UTF8.self)
            model.preferential = String(decoding: try encoder.encode(line.preferential), as: UTF8.self)
            model.importLicence = line.importLicence
            model.exportLicence = line.exportLicence
            model.prohibited = line.prohibited
            model.updatedAt = self.clock.now()
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: isNew ? "customs.tariff.create" : "customs.tariff.change", objectType: "tariff_line",
                                                             objectID: line.code, detail: line.rate.text), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        forgetReference()
        return line
    }

    // MARK: Exchange rates

    /// Sets the customs exchange rate of a currency for the week starting on a Sunday.
    func setExchangeRate(currency: String, weekStart: String, rateHundredths: Int64, by actor: Actor, requestID: String?,
                         on database: (any Database)? = nil) async throws {
        let db = database ?? self.db
        _ = try await officerAgency(actor, CustomsPermission.reference, on: db)
        var v = Validator()
        if CustomsCurrency.minorDigits[currency] == nil || currency == "KRW" { v.add("currency", "unknown", "Give a foreign currency with customs rates.") }
        if let day = LocalDay(weekStart) {
            if day.isoWeekday != 7 { v.add("weekStart", "weekday", "A customs-rate week starts on a Sunday.") }
        } else {
            v.add("weekStart", "format", "Give the week's Sunday as YYYY-MM-DD.")
        }
        if !(1...100_000_000).contains(rateHundredths) { v.add("rateHundredths", "range", "Give the rate in hundredths of a won per unit (1385.20 KRW is 138520).") }
        try v.check()
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("""
                INSERT INTO customs_exchange_rates (id, currency, week_start, rate_hundredths) VALUES (\(bind: UUID()), \(bind: currency), \(bind: weekStart), \(bind: rateHundredths))
                ON CONFLICT (currency, week_start) DO UPDATE SET rate_hundredths = excluded.rate_hundredths
                """).run()
            try await self.platform.audit.append(AuditRecord(action: "customs.rate.set", objectType: "exchange_rate", objectID: "\(currency) \(weekStart)",
                                                             detail: String(rateHundredths)), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        forgetReference()
    }

    func exchangeRates(week: String) async throws -> [String: Int64] {
        try await referenceData().rates.compactMapValues { $0[week] }
    }

    // MARK: Risk criteria and selection rates

    func criteria(on database: (any Database)? = nil) async throws -> [CriterionView] {
        let db = database ?? self.db
        return try await RiskCriterionModel.query(on: db).sort(\.$code).all().map { m in
            CriterionView(code: m.code, name: m.name, lane: Lane(rawValue: m.lane) ?? .yellow,
                          conditions: (try? JSONDecoder().decode([RiskCondition].self, from: Data(m.conditions.utf8))) ?? [], validFrom: m.validFrom,
                          validUntil: m.validUntil, active: m.active, createdBy: m.createdBy)
        }
    }

    static func checkCriterion(_ input: NewRiskCriterion, now: Date) throws -> RiskCriterion {
        var v = Validator()
        if !(3...20).contains(input.code.count) || !input.code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-") }) {
            v.add("code", "format", "The code is 3 to 20 upper-case letters, digits or hyphens (RC-0001).")
        }
        v.require(input.name, "name", maxLength: 200)
        let lane = Lane(rawValue: input.lane)
        if lane == nil || lane == .green { v.add("lane", "unknown", "A criterion sends declarations to red, yellow or blue.") }
        if input.conditions.isEmpty || input.conditions.count > 10 { v.add("conditions", "count", "A criterion has 1 to 10 conditions.") }
        for (i, condition) in input.conditions.enumerated() {
            if let problem = condition.problem { v.add("conditions/\(i)", "format", problem) }
        }
        let from = input.validFrom.map(Timestamp.parseISO8601) ?? now
        let until = Timestamp.parseISO8601(input.validUntil)
        if from == nil { v.add("validFrom", "format", "Give the start as an ISO 8601 date-time.") }
        if until == nil || (from.map { until! <= $0 } ?? false) { v.add("validUntil", "range", "Give the end as an ISO 8601 date-time after the start.") }
        try v.check()
        return RiskCriterion(code: input.code, name: input.name.trimmingCharacters(in: .whitespacesAndNewlines), lane: lane!, conditions: input.conditions,
                             validFrom: from!, validUntil: until!, active: input.active ?? true)
    }

    /// Adds a criterion or replaces the one with the same code (risk analysts; audited).
    func saveCriterion(_ input: NewRiskCriterion, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> CriterionView {
        let db = database ?? self.db
        _ = try await officerAgency(actor, CustomsPermission.risk, on: db)
        let criterion = try Self.checkCriterion(input, now: clock.now())
        let conditions = String(decoding: try JSONEncoder().encode(criterion.conditions), as: UTF8.self)
        try await db.transaction { tx in
            let model = try await RiskCriterionModel.query(on: tx).filter(\.$code == criterion.code).first() ?? RiskCriterionModel()
            let isNew = model.id == nil
            if isNew {
                model.id = UUID()
                model.createdAt = self.clock.now()
            }
            model.code = criterion.code
            model.name = criterion.name
            model.lane = criterion.lane.rawValue
            model.conditions = conditions
            model.validFrom = criterion.validFrom
            model.validUntil = criterion.validUntil
            model.active = criterion.active
            model.createdBy = actor.displayName
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: isNew ? "customs.criterion.create" : "customs.criterion.change", objectType: "risk_criterion",
                                                             objectID: criterion.code, detail: "\(criterion.lane.rawValue) \(conditions)"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        forgetReference()
        return try await criteria(on: db).first { $0.code == criterion.code }!
    }

    func setSelectivity(_ rates: SelectivityRates, by actor: Actor, requestID: String?) async throws {
        _ = try await officerAgency(actor, CustomsPermission.risk)
        if let problem = rates.problem { throw NaraError.validation([FieldError(field: "rates", code: "range", message: problem)]) }
        try await db.transaction { tx in
            try await self.setting("selectivity", String(decoding: try JSONEncoder().encode(rates), as: UTF8.self), on: tx)
            try await self.platform.audit.append(AuditRecord(action: "customs.selectivity.set", objectType: "selectivity", objectID: "rates",
                                                             detail: "red \(rates.red) yellow \(rates.yellow) blue \(rates.blue); AEO \(rates.aeoRed)/\(rates.aeoYellow)/\(rates.aeoBlue) bp"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        forgetReference()
    }

    /// Replays `count` generated declarations against the criteria in force (plus a draft one, if
    /// given) and the current rates: the lane shares the analysts can expect.
    func simulate(count: Int, seed: UInt64, draft: NewRiskCriterion?, by actor: Actor) async throws -> SimulationReport {
        _ = try await officerAgency(actor, CustomsPermission.risk)
        guard (1...100_000).contains(count) else {
            throw NaraError.validation([FieldError(field: "count", code: "range", message: "Simulate 1 to 100,000 declarations.")])
        }
        let now = clock.now()
        let risk = try await riskData(fresh: true)
        let ref = try await referenceData()
        var criteria = risk.criteria
        if let draft {
            let checked = try Self.checkCriterion(draft, now: now)
            criteria.removeAll { $0.code == checked.code }
            criteria.append(RiskCriterion(code: checked.code, name: checked.name, lane: checked.lane, conditions: checked.conditions,
                                          validFrom: now.addingTimeInterval(-1), validUntil: checked.validUntil, active: true))
        }
        let findings = risk.findings
        let traders = try await TraderModel.query(on: db).filter(\.$status == "active").all()
            .filter { !Set(Self.view($0).roles).isDisjoint(with: ["importer", "exporter"]) }
            .map { SimulatedTrader(businessNumber: $0.businessNumber, aeo: $0.aeo, findingsLastYear: findings[$0.id!] ?? 0) }
        guard !traders.isEmpty, !ref.tariff.isEmpty else {
            throw NaraError(.conflict, code: "no_reference_data", "The simulator needs registered traders and a tariff.")
        }
        let typical = Self.typicalValuePerKg
        return LaneSimulator.run(count: count, seed: seed, kinds: [.import, .import, .export], lines: ref.tariff.keys.sorted(),
                                 origins: ["CN", "US", "JP", "VN", "DE", "KR", "TW", "TH"], traders: traders,
                                 typicalValuePerKg: { typical[String($0.prefix(2))] ?? 20_000 }, criteria: criteria, rates: risk.selectivity,
                                 selectionSeed: risk.seed, at: now)
    }

    /// Typical declared values per kilogram by HS chapter (KRW), for the simulator's generated goods.
    static let typicalValuePerKg: [String: Int64] = [
        "03": 12_000, "08": 4_000, "09": 15_000, "22": 6_000, "30": 180_000, "33": 60_000, "39": 5_000, "40": 7_000, "42": 90_000, "61": 45_000,
        "62": 50_000, "64": 40_000, "71": 40_000_000, "72": 1_200, "84": 60_000, "85": 120_000, "87": 25_000, "90": 300_000, "94": 9_000, "95": 20_000,
    ]
}
