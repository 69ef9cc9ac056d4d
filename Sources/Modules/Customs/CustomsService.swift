import FluentKit
import Foundation
import NaraCore
import SQLKit
import Synchronization

public struct CustomsOffice: Sendable, Codable, Equatable {
    public let code: String
    public let nameEN: String
    public let nameKO: String
    public let locode: String
}

/// The reference data a declaration is checked and assessed against, read once and kept for a
/// few seconds (every change on this node forgets it at once; other nodes see it within
/// `CustomsService.referenceTTL`).
struct CustomsReference: Sendable {
    let tariff: [String: TariffLine]
    let offices: [String: CustomsOffice]
    /// currency → week start (YYYY-MM-DD) → KRW per unit in hundredths.
    let rates: [String: [String: Int64]]
    let vatBasisPoints: Int
    /// The Korea Customs Service and the agencies that run its customs offices: their officers act for customs.
    let customsAgencies: Set<UUID>
    let loadedAt: Date
}

/// The risk criteria and selectivity settings, cached apart from the tariff: when they cannot be
/// read, declarations still lodge and go to the documents lane.
struct RiskReference: Sendable {
    let criteria: [RiskCriterion]
    let selectivity: SelectivityRates
    /// The selection seed: kept by customs (officers and auditors replay draws with it), never
    /// published to traders, who could otherwise foresee which declarations are drawn.
    let seed: Data
    /// Inspections that found a discrepancy in the last 365 days, by trader (a criterion's
    /// history condition): counted once per refresh, not once per declaration.
    let findings: [UUID: Int]
    let loadedAt: Date
}

/// e-Customs (UNI-PASS): traders, reference data, declarations with risk-based lanes, duty and
/// tax, inspection and release, manifests and cargo tracking.
public final class CustomsService: Sendable {
    let platform: Platform
    let reference = RefreshingValue<CustomsReference>(ttl: CustomsService.referenceTTL)
    let risk = RefreshingValue<RiskReference>(ttl: CustomsService.referenceTTL)
    /// Traders by account, for a few seconds: every declaration asks for its declarant.
    let traderCache = Mutex<[UUID: (trader: TraderModel, until: Date)]>([:])
    let writer: GroupCommit<PreparedDeclaration, DeclarationView>
    static let module = "customs"
    /// The Korea Customs Service keeps the trader register and checks the business registry.
    static let agencyCode = "1220000"
    static let referenceTTL: TimeInterval = 5

    init(platform: Platform) {
        self.platform = platform
        let box = WriterBox()
        writer = GroupCommit(batchLimit: 256) { batch in try await box.service!.writeDeclarations(batch) }
        box.service = self
    }

    /// Lets the writer call back into the service it belongs to.
    private final class WriterBox: @unchecked Sendable {
        weak var service: CustomsService?
    }

    var db: any Database { platform.db }
    var clock: any NaraClock { platform.clock }

    // MARK: Reference data

    func referenceData(fresh: Bool = false, on database: (any Database)? = nil) async throws -> CustomsReference {
        let db = database ?? self.db
        return try await reference.get(fresh: fresh, keep: !db.inTransaction) { try await self.loadReference(on: db) }
    }

    private func loadReference(on db: any Database) async throws -> CustomsReference {
        let now = Date()
        let decoder = JSONDecoder()
        var tariff: [String: TariffLine] = [:]
        for m in try await TariffLineModel.query(on: db).all() {
            tariff[m.code] = TariffLine(code: m.code, descriptionEN: m.descriptionEN, descriptionKO: m.descriptionKO, quantityUnit: m.quantityUnit,
                                        rate: try decoder.decode(DutyRate.self, from: Data(m.rate.utf8)),
                                        preferential: try decoder.decode([PreferentialRate].self, from: Data(m.preferential.utf8)),
                                        importLicence: m.importLicence, exportLicence: m.exportLicence, prohibited: m.prohibited)
        }
        let officeModels = try await CustomsOfficeModel.query(on: db).all()
        let offices = Dictionary(uniqueKeysWithValues: officeModels.map {
            ($0.code, CustomsOffice(code: $0.code, nameEN: $0.nameEN, nameKO: $0.nameKO, locode: $0.locode))
        })
        var rates: [String: [String: Int64]] = [:]
        for m in try await ExchangeRateModel.query(on: db).all() { rates[m.currency, default: [:]][m.weekStart] = m.rateHundredths }
        let settings = Dictionary(uniqueKeysWithValues: try await CustomsSettingModel.query(on: db).all().map { ($0.id!, $0.value) })
        var agencies = Set(officeModels.compactMap(\.agencyID))
        if let kcs = try await platform.identity.agency(code: Self.agencyCode, on: db) { agencies.insert(kcs.id) }
        let loaded = CustomsReference(tariff: tariff, offices: offices, rates: rates,
                                      vatBasisPoints: settings["vat_basis_points"].flatMap(Int.init) ?? DutyCalculator.vatBasisPoints,
                                      customsAgencies: agencies, loadedAt: now)
        return loaded
    }

    func riskData(fresh: Bool = false, on database: (any Database)? = nil) async throws -> RiskReference {
        let db = database ?? self.db
        return try await risk.get(fresh: fresh, keep: !db.inTransaction) { try await self.loadRisk(on: db) }
    }

    private func loadRisk(on db: any Database) async throws -> RiskReference {
        let now = Date()
        let decoder = JSONDecoder()
        let criteria = try await RiskCriterionModel.query(on: db).all().map { m in
            guard let lane = Lane(rawValue: m.lane) else { throw NaraError(.internalError, code: .internalError, "Criterion \(m.code) has no valid lane.") }
            return RiskCriterion(code: m.code, name: m.name, lane: lane, conditions: try decoder.decode([RiskCondition].self, from: Data(m.conditions.utf8)),
                                 validFrom: m.validFrom, validUntil: m.validUntil, active: m.active)
        }
        let settings = Dictionary(uniqueKeysWithValues: try await CustomsSettingModel.query(on: db).all().map { ($0.id!, $0.value) })
        let selectivity = try settings["selectivity"].map { try decoder.decode(SelectivityRates.self, from: Data($0.utf8)) } ?? .standard
        guard let seed = settings["selectivity_seed"].flatMap({ Data(hex: $0) }), seed.count == 32 else {
            throw NaraError(.internalError, code: .internalError, "The selectivity seed is not set.")
        }
        let loaded = RiskReference(criteria: criteria, selectivity: selectivity, seed: seed,
                                   findings: try await findingsLastYear(on: db), loadedAt: now)
        return loaded
    }

    func forgetReference() {
        reference.invalidate()
        risk.invalidate()
    }

    /// Inspections that found a discrepancy in the last 365 days, by trader: one grouped count.
    func findingsLastYear(on db: any Database) async throws -> [UUID: Int] {
        let since = clock.now().addingTimeInterval(-365 * 86_400)
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT trader_id, COUNT(*) AS n FROM customs_inspections
            WHERE discrepancy = \(bind: true) AND finished_at >= \(bind: since) GROUP BY trader_id
            """).all()
        var findings: [UUID: Int] = [:]
        for row in rows { findings[try row.decode(column: "trader_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        return findings
    }

    /// The Sunday that starts the customs-rate week of an instant, in the platform time zone.
    func rateWeek(of date: Date) -> String {
        let day = platform.calendar.localDay(of: date)
        return day.adding(days: -(day.isoWeekday % 7)).description
    }

    func setting(_ key: String, _ value: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO customs_settings (key, value) VALUES (\(bind: key), \(bind: value))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """).run()
    }

    // MARK: Traders

    /// Registers the signed-in business as a trader once, after checking the business registry
    /// (active) through the exchange: importer and exporter, and declarant of its own goods.
    func registerTrader(by actor: Actor, roles requested: [String], requestID: String?) async throws -> TraderView {
        guard let accountID = actor.accountID, actor.accountKind == .business,
              let account = try await platform.identity.account(id: accountID, on: db), let raw = account.businessNumber else {
            throw NaraError.forbidden("Traders register with a business account.")
        }
        let roles = requested.isEmpty ? Self.ownRoles : requested
        if let unknown = Self.unknownRole(in: roles) { throw NaraError.validation([unknown]) }
        if let licensed = roles.first(where: { !Self.ownRoles.contains($0) }) {
            throw NaraError.validation([FieldError(field: "roles", code: "licensed", message:
                "\(licensed) is a licensed role: register as importer, exporter or declarant, and the customs office grants it after checking the licence.")])
        }
        if let existing = try await TraderModel.query(on: db).filter(\.$businessNumber == (try BusinessNumber(raw)).digits).first() {
            guard existing.accountID == accountID else { throw NaraError(.conflict, code: .illegalTransition, "This business is registered with another account.") }
            return Self.view(existing)
        }
        let number = try BusinessNumber(raw)
        guard let exchange = platform.contracts.first((any EvidenceService).self),
              let kcs = try await platform.identity.agency(code: Self.agencyCode, on: db) else {
            throw NaraError(.unavailable, code: .unavailable, "The business registry cannot be consulted on this platform.")
        }
        let evidence = try await exchange.evidence(EvidenceRequest(
            requester: EvidenceRequester(agencyID: kcs.id, actorName: "system:customs", displayName: "UNI-PASS trader registration", systemID: nil),
            informationType: "business.status", subject: ExchangeSubject(.business(number)), purpose: "Trader registration for customs clearance",
            legalBasis: LegalBasis.sharedUseByStatute.code, consentReference: nil, correlationID: requestID))
        guard evidence.data["status"] == "active" else {
            throw NaraError.validation([FieldError(field: "businessNumber", code: "not_active",
                                                   message: "The business registry lists this business as \(evidence.data["status"] ?? "unknown"); only an active business can declare.")])
        }
        return try await db.transaction { tx in
            let model = TraderModel()
            model.id = UUID()
            model.accountID = accountID
            model.businessNumber = number.digits
            model.name = evidence.data["name"] ?? account.businessName ?? account.displayName
            model.roles = String(decoding: try JSONEncoder().encode(roles), as: UTF8.self)
            model.aeo = false
            model.status = "active"
            model.registeredAt = self.clock.now()
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "customs.trader.register", objectType: "trader", objectID: number.formatted,
                                                             subjectRef: self.platform.audit.subjectRef(businessNumber: number.digits)),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            return Self.view(model)
        }
    }

    /// Roles a business takes by registering; brokers (licensed customs brokers) and carriers
    /// (registered shipping and air lines, bonded-area operators) are granted by the office.
    static let ownRoles = ["importer", "exporter", "declarant"]
    static let traderRoles = ownRoles + ["broker", "carrier"]

    static func unknownRole(in roles: [String]) -> FieldError? {
        roles.first(where: { !traderRoles.contains($0) }).map {
            FieldError(field: "roles", code: "unknown", message: "\($0) is not a trader role (\(traderRoles.joined(separator: ", "))).")
        }
    }

    /// A KCS officer sets a registered trader's roles, licensed ones included (audited).
    func setTraderRoles(businessNumber: String, roles: [String], by actor: Actor, requestID: String?) async throws -> TraderView {
        try await officer(actor)
        var v = Validator()
        if roles.isEmpty { v.add("roles", "required", "Give at least one role.") }
        try v.check()
        if let unknown = Self.unknownRole(in: roles) { throw NaraError.validation([unknown]) }
        guard let digits = try? BusinessNumber(businessNumber).digits,
              let trader = try await TraderModel.query(on: db).filter(\.$businessNumber == digits).first() else { throw NaraError.notFound("The trader") }
        let ordered = Self.traderRoles.filter(roles.contains)
        try await db.transaction { tx in
            trader.roles = String(decoding: try JSONEncoder().encode(ordered), as: UTF8.self)
            try await trader.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "customs.trader.roles", objectType: "trader", objectID: digits, detail: ordered.joined(separator: ",")),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        traderCache.withLock { $0.removeAll() }
        return Self.view(trader)
    }

    static func view(_ m: TraderModel) -> TraderView {
        TraderView(id: m.id!, businessNumber: m.businessNumber, name: m.name,
                   roles: (try? JSONDecoder().decode([String].self, from: Data(m.roles.utf8))) ?? [], aeo: m.aeo, aeoGrade: m.aeoGrade, status: m.status)
    }

    /// The trader of an account, kept for a few seconds.
    func trader(of actor: Actor, fresh: Bool = false, on database: (any Database)? = nil) async throws -> TraderModel? {
        let db = database ?? self.db
        guard let accountID = actor.accountID else { return nil }
        let now = Date()
        if !fresh, let cached = traderCache.withLock({ $0[accountID] }), now < cached.until { return cached.trader }
        guard let trader = try await TraderModel.query(on: db).filter(\.$accountID == accountID).first() else { return nil }
        traderCache.withLock { cache in
            if cache.count > 50_000 { cache.removeAll() }
            cache[accountID] = (trader, now.addingTimeInterval(5))
        }
        return trader
    }

    /// Grants or withdraws authorised-economic-operator status (risk analysts).
    func setAEO(businessNumber: String, grade: String?, by actor: Actor, requestID: String?) async throws -> TraderView {
        _ = try await officerAgency(actor, CustomsPermission.risk)
        if let grade, !["AAA", "AA", "A"].contains(grade) {
            throw NaraError.validation([FieldError(field: "grade", code: "unknown", message: "The AEO grade is AAA, AA or A (or none to withdraw it).")])
        }
        guard let digits = try? BusinessNumber(businessNumber).digits,
              let trader = try await TraderModel.query(on: db).filter(\.$businessNumber == digits).first() else { throw NaraError.notFound("The trader") }
        try await db.transaction { tx in
            trader.aeo = grade != nil
            trader.aeoGrade = grade
            try await trader.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "customs.trader.aeo", objectType: "trader", objectID: digits, detail: grade ?? "withdrawn"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        traderCache.withLock { $0.removeAll() }
        return Self.view(trader)
    }

    /// A broker declares for a trader under a delegation in force.
    func delegate(brokerNumber: String, until: Date, by actor: Actor, requestID: String?) async throws {
        guard let principal = try await trader(of: actor, fresh: true) else { throw NaraError.forbidden("Register as a trader first.") }
        guard let digits = try? BusinessNumber(brokerNumber).digits,
              let broker = try await TraderModel.query(on: db).filter(\.$businessNumber == digits).first(), Self.view(broker).roles.contains("broker") else {
            throw NaraError.validation([FieldError(field: "broker", code: "unknown", message: "Give the business registration number of a registered customs broker.")])
        }
        guard until > clock.now() else { throw NaraError.validation([FieldError(field: "validUntil", code: "range", message: "The delegation ends in the future.")]) }
        try await db.transaction { tx in
            let model = DelegationModel()
            model.id = UUID()
            model.brokerID = broker.id!
            model.principalID = principal.id!
            model.validFrom = self.clock.now()
            model.validUntil = until
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "customs.delegation.grant", objectType: "trader", objectID: principal.businessNumber,
                                                             detail: "broker \(broker.businessNumber) until \(Timestamp.iso8601Millis(until))"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
    }

    /// Whether the actor acts for customs with the permission: it holds it in its agency, and
    /// that agency is the Korea Customs Service or runs a customs office.
    func isOfficer(_ actor: Actor, _ permission: Permission = CustomsPermission.process, on database: (any Database)? = nil) async throws -> Bool {
        guard let agencyID = actor.agencyID, AccessPolicy.decide(actor, permission, on: .agency(agencyID)).isAllowed else { return false }
        return try await referenceData(on: database).customsAgencies.contains(agencyID)
    }

    /// The officer's agency: the Korea Customs Service or an agency that runs a customs office,
    /// where the officer holds the permission (an official of another agency never acts for
    /// customs, whatever role it was given there).
    func officerAgency(_ actor: Actor, _ permission: Permission, on database: (any Database)? = nil) async throws -> UUID {
        guard let agencyID = actor.agencyID, try await referenceData(on: database).customsAgencies.contains(agencyID) else {
            throw NaraError.forbidden("Customs officers of the Korea Customs Service do this.")
        }
        try AccessPolicy.require(actor, permission, on: .agency(agencyID))
        return agencyID
    }
}

/// The module's permissions, by the work they allow.
enum CustomsPermission {
    static let process = CustomsModule.processPermission
    static let risk = CustomsModule.riskPermission
    static let reference = CustomsModule.referencePermission
}
