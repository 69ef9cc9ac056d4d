import FluentKit
import Foundation
import NaraCore
import SQLKit

/// A declaration checked, laned and assessed in its request, waiting for its durable write.
struct PreparedDeclaration: Sendable {
    let id: UUID
    let kind: DeclarationKind
    let year: Int
    let traderReference: String
    let trader: TraderView
    let traderAccountID: UUID?
    let declarant: TraderView
    let officeCode: String
    let transportMode: Int
    let cargoID: UUID?
    let cargoNumber: String?
    let currency: String
    let invoiceMinor: Int64
    let invoiceNumber: String
    let incoterm: String
    let counterpartName: String
    let counterpartCountry: String
    let items: [DeclarationItem]
    let state: DeclarationState
    let decision: LaneDecision
    let assessment: Assessment?
    let amountDue: Int64
    /// An import whose duty and tax are due before release: charged on the ledger in the batch.
    let charge: Bool
    let times: ReleaseTimes
    let events: [DeclarationHistoryEntry]
    let actor: AuditActor
}

/// Checking a declaration and what happens at once on acceptance: the lane, the assessment and,
/// on the green and blue lanes, the release.
extension CustomsService {
    static let incoterms = ["EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"]
    static let packageTypes = ["CT", "PK", "PX", "BX", "CS", "BG", "DR", "BE", "CR", "RO", "NE", "VL"]
    static let transportModes = [1, 2, 3, 4, 5]
    static let maximumItems = 99
    static let maximumAmount: Int64 = 1_000_000_000_000_000

    /// Thousandths of a decimal with at most 3 decimals, or nil.
    static func milli(_ value: Decimal) -> Int64? {
        var scaled = value * 1000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, value > 0, value < 1_000_000_000_000 else { return nil }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// Lodges a declaration: checks every field (all problems at once; nothing is stored when
    /// any is found), assigns the lane and, on the green and blue lanes, assesses and releases it
    /// at once. `lodgedAt` is when the request arrived.
    func declare(_ input: NewDeclaration, lodgedAt: Date, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> DeclarationView {
        let db = database ?? self.db
        guard let declarant = try await trader(of: actor, on: db), declarant.status == "active" else {
            throw NaraError.forbidden("Register your business as a trader before declaring.")
        }
        let ref = try await referenceData(on: db)
        var v = Validator()
        let kind = DeclarationKind(rawValue: input.kind)
        if kind == nil { v.add("kind", "unknown", "Choose import or export.") }
        let reference = input.traderReference.trimmingCharacters(in: .whitespaces)
        if reference.isEmpty || reference.count > 35 || !reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_/.".contains($0)) }) {
            v.add("traderReference", "format", "Give your own reference: 1 to 35 letters, digits, - _ / or .")
        }
        // The importer or exporter: the declarant itself, or a trader it holds a delegation for.
        var principal = declarant
        if let raw = input.trader, !raw.isEmpty, (try? BusinessNumber(raw).digits) != declarant.businessNumber {
            if let digits = try? BusinessNumber(raw).digits, let other = try await TraderModel.query(on: db).filter(\.$businessNumber == digits).first() {
                let now = clock.now()
                let delegated = try await DelegationModel.query(on: db).filter(\.$brokerID == declarant.id!).filter(\.$principalID == other.id!)
                    .filter(\.$validFrom <= now).filter(\.$validUntil > now).filter(\.$revokedAt == nil).count() > 0
                if delegated { principal = other } else { v.add("trader", "not_delegated", "You hold no delegation in force from this trader.") }
            } else {
                v.add("trader", "unknown", "Give the business registration number of a registered trader.")
            }
        }
        if ref.offices[input.officeCode] == nil { v.add("officeCode", "unknown", "Choose a customs office (\(ref.offices.keys.sorted().joined(separator: ", "))).") }
        if !Self.transportModes.contains(input.transportMode) { v.add("transportMode", "unknown", "The transport mode is 1 sea, 2 rail, 3 road, 4 air or 5 post.") }
        let week = rateWeek(of: lodgedAt)
        let rate: Int64?
        if input.currency == "KRW" { rate = 100 } else { rate = ref.rates[input.currency]?[week] }
        if CustomsCurrency.minorDigits[input.currency] == nil {
            v.add("currency", "unknown", "Declare in a currency with a customs exchange rate (\(CustomsCurrency.minorDigits.keys.sorted().joined(separator: ", "))).")
        } else if rate == nil {
            v.add("currency", "no_rate", "No customs exchange rate of \(input.currency) is published for the week of \(week).")
        }
        if !(1...Self.maximumAmount).contains(input.invoiceAmountMinor) { v.add("invoiceAmountMinor", "range", "The invoice amount is positive, in the currency's minor units.") }
        v.require(input.invoiceNumber, "invoiceNumber", maxLength: 35)
        if !Self.incoterms.contains(input.incoterm) { v.add("incoterm", "unknown", "Give the Incoterms 2020 rule (\(Self.incoterms.joined(separator: ", "))).") }
        v.require(input.counterpartName, "counterpartName", maxLength: 70)
        if !CustomsCountry.isValid(input.counterpartCountry) || input.counterpartCountry == "KR" {
            v.add("counterpartCountry", "unknown", "Give the ISO country code of the consignor or consignee abroad.")
        }
        // The cargo: an import covers goods on a manifest that arrived here.
        var cargo: CargoModel?
        if let number = input.cargo?.trimmingCharacters(in: .whitespaces), !number.isEmpty {
            cargo = try await CargoModel.query(on: db).filter(\.$trackingNumber == number).first()
            if let found = cargo {
                // The cargo is manifested in the declaration's direction and no live declaration covers it yet.
                let manifest = try await ManifestModel.find(found.manifestID, on: db)
                if let kind, manifest?.kind != kind.rawValue {
                    v.add("cargo", "direction", "\(number) is on an \(manifest?.kind ?? "unknown") manifest; an \(kind.rawValue) declaration covers cargo manifested for \(kind.rawValue).")
                } else if let live = try await Self.liveCover(of: [found.id!], on: db)[found.id!] {
                    let refusal = Self.covered(number, by: live)
                    v.add(refusal.field, refusal.code, refusal.message)
                }
            } else {
                v.add("cargo", "unknown", "No manifested cargo has the tracking number \(number).")
            }
        } else if kind == .import {
            v.add("cargo", "required", "An import declaration names its cargo's tracking number (화물관리번호).")
        }
        // Goods items.
        let (items, lines) = Self.checkItems(input.items, kind: kind, ref: ref, into: &v)
        // Totals: the items' values add up to the invoice.
        let (sum, overflow) = items.reduce((Int64(0), false)) { acc, item in
            let (s, o) = acc.0.addingReportingOverflow(item.valueMinor)
            return (s, acc.1 || o)
        }
        if !items.isEmpty, overflow || sum != input.invoiceAmountMinor {
            v.add("invoiceAmountMinor", "total", "The items' values add up to \(sum), not the invoice amount \(input.invoiceAmountMinor).")
        }
        try v.check()
        guard let kind, let rate else { throw NaraError.validation(v.errors) }

        // Accepted: from here on every step is recorded with its time.
        let system = "system:uni-pass"
        var times = ReleaseTimes(lodgedAt: lodgedAt)
        var events: [DeclarationHistoryEntry] = []
        var state = DeclarationState.submitted
        func step(_ event: DeclarationEvent, note: String, actor name: String = system, due: Int64 = 0) throws {
            let next = try DeclarationMachine.apply(event, to: state, kind: kind, amountDue: due)
            events.append(DeclarationHistoryEntry(at: clock.now(), from: state, to: next, actor: name, note: note))
            state = next
        }
        let principalView = Self.view(principal)
        try step(.accept, note: "Accepted: every field checked.", actor: "\(declarant.name) (\(declarant.businessNumber))")
        times.acceptedAt = clock.now()
        let id = UUID()
        let assessment: Assessment
        do {
            assessment = try Self.assessment(kind: kind, items: items, lines: lines, currency: input.currency, rate: rate, week: week,
                                             vatBasisPoints: ref.vatBasisPoints)
        } catch {
            throw NaraError.validation([FieldError(field: "invoiceAmountMinor", code: "range", message: "The duty cannot be computed: \(error.message).")])
        }
        let decision = await laneDecision(kind: kind, trader: principal, items: items, assessment: assessment, key: id.uuidString.lowercased(), on: db)
        try step(.assignLane(decision.lane), note: Self.describe(decision))
        times.lanedAt = clock.now()
        var charge = false
        switch decision.lane {
        case .red: try step(.startInspection, note: "Physical inspection before release.")
        case .yellow: try step(.requestDocuments, note: "The documents are checked before release.")
        case .green, .blue:
            try step(.assess, note: "Assessed automatically: \(assessment.totalKRW) KRW due.")
            times.assessedAt = clock.now()
            if assessment.totalKRW == 0 {
                try step(.release, note: decision.lane == .blue ? "Released; a post-clearance audit follows." : "Released at once (green lane).")
                times.releasedAt = clock.now()
            } else if principal.aeo {
                try step(.guarantee, note: "Covered by the AEO's comprehensive guarantee (monthly payment).", due: assessment.totalKRW)
                times.paidAt = clock.now()
                try step(.release, note: decision.lane == .blue ? "Released; a post-clearance audit follows." : "Released at once (green lane).", due: assessment.totalKRW)
                times.releasedAt = clock.now()
            } else {
                charge = true
            }
        }
        let prepared = PreparedDeclaration(
            id: id, kind: kind, year: platform.calendar.localDay(of: lodgedAt).components.year, traderReference: reference, trader: principalView,
            traderAccountID: principal.accountID, declarant: Self.view(declarant), officeCode: input.officeCode, transportMode: input.transportMode,
            cargoID: cargo?.id, cargoNumber: cargo?.trackingNumber, currency: input.currency, invoiceMinor: input.invoiceAmountMinor,
            invoiceNumber: input.invoiceNumber.trimmingCharacters(in: .whitespaces), incoterm: input.incoterm,
            counterpartName: input.counterpartName.trimmingCharacters(in: .whitespacesAndNewlines), counterpartCountry: input.counterpartCountry,
            items: items, state: state, decision: decision, assessment: assessment, amountDue: kind == .import ? assessment.totalKRW : 0, charge: charge,
            times: times, events: events, actor: AuditActor(actor, requestID: requestID))
        // Inside a caller's transaction (the demo seed) it is written there; otherwise the group
        // commit writes it with the declarations that arrived meanwhile.
        if let database, database.inTransaction { return try await writeBatch([prepared], on: database)[0].get() }
        return try await writer.submit(prepared)
    }

    /// Checks the goods items (every problem into `v`, fields `items/N/...`) and returns them as
    /// stored, with their tariff lines (a line for every item when `v` holds no error).
    static func checkItems(_ inputs: [DeclarationItemInput], kind: DeclarationKind?, ref: CustomsReference,
                           into v: inout Validator) -> ([DeclarationItem], [TariffLine]) {
        if inputs.isEmpty || inputs.count > Self.maximumItems { v.add("items", "count", "A declaration has 1 to \(Self.maximumItems) goods items.") }
        var items: [DeclarationItem] = []
        var lines: [TariffLine] = []
        for (index, item) in inputs.enumerated() {
            let f = "items/\(index)/"
            let line = ref.tariff[item.hsCode]
            if !TariffLine.isValidCode(item.hsCode) {
                v.add(f + "hsCode", "format", "The HS code is the 10-digit national tariff line (HSK).")
            } else if line == nil {
                v.add(f + "hsCode", "unknown", "\(item.hsCode) is not a line of the tariff.")
            }
            let description = item.description.trimmingCharacters(in: .whitespacesAndNewlines)
            if description.count < 3 || description.count > 256 { v.add(f + "description", "length", "Describe the goods in 3 to 256 characters.") }
            else if Validator.hasControlCharacters(description) { v.add(f + "description", "control_characters", "Remove the control characters from the description.") }
            if !CustomsCountry.isValid(item.origin) { v.add(f + "origin", "unknown", "Give the ISO country code of the origin.") }
            let quantity = Self.milli(item.quantity), gross = Self.milli(item.grossMassKg), net = Self.milli(item.netMassKg)
            if quantity == nil { v.add(f + "quantity", "format", "The quantity is positive, with at most 3 decimals.") }
            if let line, item.quantityUnit != line.quantityUnit {
                v.add(f + "quantityUnit", "mismatch", "The tariff line \(line.code) is declared in \(line.quantityUnit), not \(item.quantityUnit).")
            }
            if gross == nil { v.add(f + "grossMassKg", "format", "The gross mass is positive kilograms, with at most 3 decimals.") }
            if net == nil { v.add(f + "netMassKg", "format", "The net mass is positive kilograms, with at most 3 decimals.") }
            if let gross, let net, net > gross { v.add(f + "netMassKg", "range", "The net mass cannot exceed the gross mass.") }
            if !(1...1_000_000).contains(item.packages) { v.add(f + "packages", "range", "The number of packages is 1 to 1,000,000.") }
            if !Self.packageTypes.contains(item.packageType) { v.add(f + "packageType", "unknown", "Give the UN/ECE Rec. 21 package type (\(Self.packageTypes.joined(separator: ", "))).") }
            if !(1...Self.maximumAmount).contains(item.valueMinor) { v.add(f + "valueMinor", "range", "The value is positive, in the currency's minor units.") }
            if !(1...6).contains(item.valuationMethod ?? 1) { v.add(f + "valuationMethod", "range", "The valuation method is 1 to 6 (1: the transaction value).") }
            if let line {
                if line.prohibited && kind == .import { v.add(f + "hsCode", "prohibited", "Goods of \(line.code) may not be imported.") }
                if let licence = kind == .import ? line.importLicence : line.exportLicence,
                   (item.licenceNumber ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    v.add(f + "licenceNumber", "required", "These goods need a licence: \(licence). Give its number.")
                }
                if let claimed = item.preference, !claimed.isEmpty {
                    if kind != .import {
                        v.add(f + "preference", "import_only", "A preferential rate is claimed on import.")
                    } else if let preferential = line.preferential.first(where: { $0.agreement == claimed }) {
                        if !preferential.origins.contains(item.origin) {
                            v.add(f + "preference", "origin", "Goods of \(item.origin) origin do not qualify under \(claimed).")
                        }
                        if (item.proofOfOrigin ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                            v.add(f + "proofOfOrigin", "required", "A preferential rate needs the proof of origin (certificate number).")
                        }
                    } else {
                        v.add(f + "preference", "unknown", "The tariff line has no preferential rate under \(claimed).")
                    }
                }
                lines.append(line)
            }
            items.append(DeclarationItem(sequence: index + 1, hsCode: item.hsCode, description: description, origin: item.origin,
                                         quantityMilli: quantity ?? 0, quantityUnit: item.quantityUnit, grossMassMilli: gross ?? 0, netMassMilli: net ?? 0,
                                         packages: item.packages, packageType: item.packageType, valueMinor: item.valueMinor,
                                         valuationMethod: item.valuationMethod ?? 1, preference: item.preference.flatMap { $0.isEmpty ? nil : $0 },
                                         proofOfOrigin: item.proofOfOrigin.flatMap { $0.isEmpty ? nil : $0 },
                                         licenceNumber: item.licenceNumber.flatMap { $0.isEmpty ? nil : $0 }))
        }
        return (items, lines)
    }

    static func assessment(kind: DeclarationKind, items: [DeclarationItem], lines: [TariffLine], currency: String, rate: Int64, week: String,
                           vatBasisPoints: Int) throws(DutyArithmeticError) -> Assessment {
        let inputs = zip(items, lines).map { item, line in
            DutyLineInput(sequence: item.sequence, valueMinor: item.valueMinor, currency: currency, quantityMilli: item.quantityMilli, line: line,
                          preference: item.preference, origin: item.origin, proofOfOrigin: item.proofOfOrigin)
        }
        guard kind == .import else {
            // Exports carry no duty or VAT (zero-rated); their customs value is still recorded.
            var lines: [AssessedLine] = []
            var total: Int64 = 0
            for input in inputs {
                let value = try DutyCalculator.customsValueKRW(valueMinor: input.valueMinor, currency: currency, rateHundredths: rate)
                lines.append(AssessedLine(sequence: input.sequence, hsCode: input.line.code, customsValueKRW: value, dutyKRW: 0, vatBaseKRW: 0, vatKRW: 0,
                                          rateText: "export", basis: .adValorem, agreement: nil))
                total = try DutyCalculator.add(total, value)
            }
            return Assessment(lines: lines, exchangeRateHundredths: rate, exchangeWeek: week, totalCustomsValueKRW: total, totalDutyKRW: 0, totalVATKRW: 0)
        }
        return try DutyCalculator.assess(inputs, rateHundredths: rate, week: week, vatBasisPoints: vatBasisPoints)
    }

    /// The selectivity decision; when the criteria or the trader's history cannot be read, the
    /// documents lane (never green).
    func laneDecision(kind: DeclarationKind, trader: TraderModel, items: [DeclarationItem], assessment: Assessment, key: String,
                      on db: any Database) async -> LaneDecision {
        do {
            let risk = try await riskData(on: db)
            let facts = RiskFacts(kind: kind, trader: trader.businessNumber, aeo: trader.aeo, findingsLastYear: risk.findings[trader.id!] ?? 0,
                                  items: zip(items, assessment.lines).map { item, line in
                                      RiskFacts.Item(sequence: item.sequence, hsCode: item.hsCode, origin: item.origin, valueKRW: line.customsValueKRW,
                                                     netMassMilli: item.netMassMilli)
                                  })
            return RiskEngine.decide(facts, criteria: risk.criteria, rates: risk.selectivity, seed: risk.seed, key: key, at: clock.now())
        } catch {
            platform.logger.error("risk engine failed: documents lane", metadata: ["error": .string("\(error)")])
            return RiskEngine.failed()
        }
    }

    static func describe(_ d: LaneDecision) -> String {
        let hits = d.hits.map { "\($0.code) \($0.name) → \($0.lane.rawValue)" + ($0.item.map { " (item \($0))" } ?? "") }
        let draw = d.draw >= 0 ? "random draw \(d.draw)/10000\(d.drawLane.map { " → \($0.rawValue)" } ?? "")\(d.aeoRates ? " (AEO rates)" : "")" : "no draw"
        switch d.reason {
        case "engine_failed": return "Lane yellow: the risk engine could not decide, so the documents are checked."
        case "kept_after_amendment":
            return "Lane \(d.lane.rawValue) kept after the amendment (an amendment never lowers the lane); the amended goods alone: "
                + (hits.isEmpty ? "no criterion hit" : hits.joined(separator: "; ")) + "; " + draw + "."
        default: return "Lane \(d.lane.rawValue): " + (hits.isEmpty ? "no criterion hit" : hits.joined(separator: "; ")) + "; " + draw + "."
        }
    }

    // MARK: The group commit

    /// Writes a batch of prepared declarations in one transaction: numbers in one statement per
    /// kind, one multi-row insert of the declarations and of their history, one audit append.
    /// A trader reference already used (in the table or earlier in the batch) refuses only its
    /// declaration; a batch that fails as a whole is retried declaration by declaration.
    func writeDeclarations(_ batch: [PreparedDeclaration]) async throws -> [Result<DeclarationView, any Error>] {
        do {
            return try await db.transaction { tx in try await self.writeBatch(batch, on: tx) }
        } catch {
            var results: [Result<DeclarationView, any Error>] = []
            for prepared in batch {
                do {
                    results.append(contentsOf: try await db.transaction { tx in try await self.writeBatch([prepared], on: tx) })
                } catch {
                    results.append(.failure(await refusal(of: prepared, for: error)))
                }
            }
            return results
        }
    }

    /// A declaration that a unique index refused (another node or a race won): the field error
    /// the checks before the write would have given, read again after the failed transaction.
    func refusal(of p: PreparedDeclaration, for error: any Error) async -> any Error {
        guard (error as? any DatabaseError)?.isConstraintFailure == true else { return error }
        if let cargoID = p.cargoID, let live = try? await Self.liveCover(of: [cargoID], on: db)[cargoID] {
            return NaraError.validation([Self.covered(p.cargoNumber ?? "", by: live)])
        }
        if let used = try? await DeclarationModel.query(on: db).filter(\.$traderID == p.trader.id).filter(\.$traderReference == p.traderReference).count(), used > 0 {
            return NaraError.validation([Self.duplicateReference(p.traderReference)])
        }
        return error
    }

    /// The live declaration (neither rejected nor invalidated) covering each of these cargo, by number.
    static func liveCover(of cargoIDs: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !cargoIDs.isEmpty else { return [:] }
        var cover: [UUID: String] = [:]
        for m in try await DeclarationModel.query(on: db).filter(\.$cargoID ~~ cargoIDs)
            .filter(\.$state !~ [DeclarationState.rejected.rawValue, DeclarationState.invalidated.rawValue]).all() {
            if let cargoID = m.cargoID { cover[cargoID] = m.number }
        }
        return cover
    }

    /// `number` empty: the other declaration was lodged at the same moment and has no number yet.
    static func covered(_ cargoNumber: String, by number: String) -> FieldError {
        let other = number.isEmpty ? "another declaration lodged at the same moment" : "declaration \(number)"
        return FieldError(field: "cargo", code: "covered",
                          message: "\(cargoNumber) is already covered by \(other); amend or invalidate it instead of declaring the goods twice.")
    }

    static func duplicateReference(_ reference: String) -> FieldError {
        FieldError(field: "traderReference", code: "duplicate", message: "You already used the reference \(reference).")
    }

    func writeBatch(_ batch: [PreparedDeclaration], on tx: any Database) async throws -> [Result<DeclarationView, any Error>] {
        var results = [Result<DeclarationView, any Error>?](repeating: nil, count: batch.count)
        let traderIDs = Array(Set(batch.map(\.trader.id)))
        var used = Set(try await DeclarationModel.query(on: tx).filter(\.$traderID ~~ traderIDs)
            .filter(\.$traderReference ~~ Array(Set(batch.map(\.traderReference)))).all().map { "\($0.traderID)|\($0.traderReference)" })
        // A cargo is covered by one live declaration: checked again here, where the batch is
        // written, because two declarations of one cargo can be prepared at the same moment.
        var cover = try await Self.liveCover(of: Array(Set(batch.compactMap(\.cargoID))), on: tx)
        var accepted: [(index: Int, prepared: PreparedDeclaration)] = []
        for (index, prepared) in batch.enumerated() {
            let key = "\(prepared.trader.id)|\(prepared.traderReference)"
            if used.contains(key) {
                results[index] = .failure(NaraError.validation([Self.duplicateReference(prepared.traderReference)]))
                continue
            }
            if let cargoID = prepared.cargoID, let live = cover[cargoID] {
                results[index] = .failure(NaraError.validation([Self.covered(prepared.cargoNumber ?? "", by: live)]))
                continue
            }
            used.insert(key)
            if let cargoID = prepared.cargoID { cover[cargoID] = "" }
            accepted.append((index, prepared))
        }
        guard !accepted.isEmpty else { return results.map { $0! } }
        // Numbers: one statement per kind and year.
        var numbers: [UUID: String] = [:]
        for group in Dictionary(grouping: accepted.map(\.prepared), by: { "\($0.kind.rawValue)|\($0.year)" }).values {
            let kind = group[0].kind, year = group[0].year
            let range = try await self.platform.sequences.reserve("customs-\(kind.rawValue)", year: year, count: group.count, on: tx)
            for (prepared, number) in zip(group, range) {
                numbers[prepared.id] = SequenceService.format(prefix: kind == .import ? "IM" : "EX", year: year, number: number, width: 7)
            }
        }
        let kcs = try await self.platform.identity.agency(code: Self.agencyCode, on: tx)
        let encoder = JSONEncoder()
        var payments: [UUID: PaymentSummary] = [:]
        // Plain multi-row inserts: Fluent's create reflects over every model's properties, which
        // cost more CPU than the rest of a green declaration together (see Benchmarks/README.md).
        guard let sql = tx as? any SQLDatabase else { throw NaraError(.internalError, code: .internalError, "Customs needs an SQL database.") }
        var declarations = sql.insert(into: DeclarationModel.schema).columns(Self.declarationColumns)
        var history = sql.insert(into: DeclarationEventModel.schema).columns(["id", "declaration_id", "at", "from_state", "to_state", "actor", "note"])
        for (_, p) in accepted {
            let number = numbers[p.id]!
            if p.charge, let assessment = p.assessment {
                payments[p.id] = try await self.platform.payments.charge(
                    accountID: p.traderAccountID, agencyID: kcs?.id, module: Self.module, purpose: "Duty and VAT of \(number)",
                    amount: try Money(minorUnits: assessment.totalKRW, currency: "KRW"), dueAt: self.clock.now().addingTimeInterval(15 * 86_400),
                    by: p.actor, on: tx)
            }
            declarations = declarations.values(try Self.row(p, number: number, paymentID: payments[p.id]?.id, encoder: encoder))
            for e in p.events {
                history = history.values([UUID(), p.id, e.at, e.from.rawValue, e.to.rawValue, e.actor, e.note] as [any Encodable & Sendable])
            }
        }
        try await declarations.run()
        try await history.run()
        try await self.platform.audit.append(accepted.map { _, p in
            (AuditRecord(action: "customs.declaration.submit", objectType: "declaration", objectID: numbers[p.id]!,
                         detail: "\(p.kind.rawValue) \(p.trader.businessNumber) lane \(p.decision.lane.rawValue) → \(p.state.rawValue)"), p.actor)
        }, on: tx)
        try await self.recordCargo(accepted.map(\.prepared), numbers: numbers, on: tx)
        for (index, p) in accepted {
            results[index] = .success(Self.view(p, number: numbers[p.id]!, paymentReference: payments[p.id]?.reference))
        }
        return results.map { $0! }
    }

    /// The columns of `customs_declarations` that a lodged declaration fills, in the order of `row`.
    static let declarationColumns = [
        "id", "number", "kind", "trader_reference", "trader_id", "declarant_id", "office_code", "cargo_id", "transport_mode", "currency",
        "invoice_minor", "incoterm", "counterpart_name", "counterpart_country", "items", "state", "lane", "lane_decision", "assessment",
        "amount_due", "payment_id", "aeo", "audit_required", "lodged_at", "accepted_at", "laned_at", "assessed_at", "paid_at", "released_at", "version",
    ]

    /// A lodged declaration's row, column by column as `declarationColumns` lists them.
    static func row(_ p: PreparedDeclaration, number: String, paymentID: UUID?, encoder: JSONEncoder) throws -> [any Encodable & Sendable] {
        let items = String(decoding: try encoder.encode(ItemsEnvelope(invoiceNumber: p.invoiceNumber, items: p.items)), as: UTF8.self)
        let decision = String(decoding: try encoder.encode(p.decision), as: UTF8.self)
        let assessment = try p.assessment.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        return [
            p.id, number, p.kind.rawValue, p.traderReference, p.trader.id, p.declarant.id, p.officeCode, p.cargoID, p.transportMode, p.currency,
            p.invoiceMinor, p.incoterm, p.counterpartName, p.counterpartCountry, items, p.state.rawValue, p.decision.lane.rawValue, decision, assessment,
            p.amountDue, paymentID, p.trader.aeo, p.decision.lane == .blue, p.times.lodgedAt, p.times.acceptedAt, p.times.lanedAt, p.times.assessedAt,
            p.times.paidAt, p.times.releasedAt, 1,
        ]
    }

    static func view(_ p: PreparedDeclaration, number: String, paymentReference: String?) -> DeclarationView {
        DeclarationView(id: p.id, number: number, kind: p.kind, traderReference: p.traderReference, trader: p.trader.businessNumber, traderName: p.trader.name,
                        declarant: p.declarant.businessNumber, declarantName: p.declarant.name, aeo: p.trader.aeo, officeCode: p.officeCode,
                        transportMode: p.transportMode, cargo: p.cargoNumber, currency: p.currency, invoiceAmountMinor: p.invoiceMinor,
                        invoiceNumber: p.invoiceNumber, incoterm: p.incoterm, counterpartName: p.counterpartName, counterpartCountry: p.counterpartCountry,
                        items: p.items, state: p.state, lane: p.decision.lane, laneDecision: nil, assessment: p.assessment, amountDueKRW: p.amountDue,
                        paymentReference: paymentReference, auditRequired: p.decision.lane == .blue, times: p.times, reason: nil,
                        history: p.events.map { DeclarationHistoryEntry(at: $0.at, from: $0.from, to: $0.to, actor: $0.actor, note: partyNote(to: $0.to, note: $0.note)) },
                        inspections: [], documentID: nil)
    }

    /// The cargo a declaration covers learns of it (and of its release) on the tracking page.
    func recordCargo(_ declarations: [PreparedDeclaration], numbers: [UUID: String], on tx: any Database) async throws {
        let withCargo = declarations.filter { $0.cargoID != nil }
        guard !withCargo.isEmpty else { return }
        let cargo = Dictionary(uniqueKeysWithValues: try await CargoModel.query(on: tx).filter(\.$id ~~ withCargo.compactMap(\.cargoID)).all().map { ($0.id!, $0) })
        let decoder = JSONDecoder(), encoder = JSONEncoder()
        for d in withCargo {
            guard let c = cargo[d.cargoID!] else { continue }
            var events = try decoder.decode([CargoEvent].self, from: Data(c.events.utf8))
            let office = d.officeCode
            events.append(CargoEvent(at: d.times.lodgedAt, status: "declared", place: office, note: "\(numbers[d.id]!) lodged"))
            c.status = "declared"
            if let released = d.times.releasedAt {
                events.append(CargoEvent(at: released, status: "released", place: office, note: "\(numbers[d.id]!) released"))
                c.status = "released"
            }
            c.events = String(decoding: try encoder.encode(events), as: UTF8.self)
            try await c.save(on: tx)
        }
    }
}

/// What the declaration row keeps of the items: the invoice number and the goods items.
struct ItemsEnvelope: Codable {
    let invoiceNumber: String
    let items: [DeclarationItem]
}
