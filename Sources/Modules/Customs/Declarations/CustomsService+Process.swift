import FluentKit
import Foundation
import NaraCore

/// Reading declarations, and the steps after the lane: documents, inspection with corrections
/// and reassessment, re-routing, payment, release, clearance and exit; amendment and invalidation.
extension CustomsService {
    /// Who may see a declaration and how much of it.
    enum Reader {
        /// Customs officers: everything, the lane decision included.
        case officer
        /// The trader or its declarant: everything but the criteria that hit and the draw.
        case party
    }

    func reader(_ actor: Actor, of m: DeclarationModel, on database: (any Database)? = nil) async throws -> Reader {
        if try await isOfficer(actor, on: database) { return .officer }
        if let trader = try await trader(of: actor, on: database), trader.id == m.traderID || trader.id == m.declarantID { return .party }
        throw NaraError.notFound("The declaration")
    }

    func declaration(id: UUID, by actor: Actor) async throws -> DeclarationView {
        guard let m = try await DeclarationModel.find(id, on: db) else { throw NaraError.notFound("The declaration") }
        return try await view(m, for: try await reader(actor, of: m))
    }

    func view(_ m: DeclarationModel, for reader: Reader, on database: (any Database)? = nil) async throws -> DeclarationView {
        let db = database ?? self.db
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        let trader = try await TraderModel.find(m.traderID, on: db)
        let declarant = m.declarantID == m.traderID ? trader : try await TraderModel.find(m.declarantID, on: db)
        let envelope = try decoder.decode(ItemsEnvelope.self, from: Data(m.items.utf8))
        let cargo = try await m.cargoID.asyncMap { try await CargoModel.find($0, on: db) } ?? nil
        let payment = try await m.paymentID.asyncMap { try await PaymentModel.find($0, on: db) } ?? nil
        let history = try await DeclarationEventModel.query(on: db).filter(\.$declarationID == m.id!).sort(\.$at).all().map {
            let to = DeclarationState(rawValue: $0.toState) ?? .submitted
            return DeclarationHistoryEntry(at: $0.at, from: DeclarationState(rawValue: $0.fromState) ?? .submitted, to: to,
                                           actor: $0.actor, note: reader == .officer ? $0.note : Self.partyNote(to: to, note: $0.note))
        }
        var inspections: [InspectionView] = []
        for i in try await InspectionModel.query(on: db).filter(\.$declarationID == m.id!).sort(\.$startedAt).all() {
            let officer = try await platform.identity.account(id: i.officerID, on: db)
            inspections.append(InspectionView(id: i.id!, kind: i.kind, officer: officer?.displayName ?? "", startedAt: i.startedAt, finishedAt: i.finishedAt,
                                              findings: i.findings, discrepancy: i.discrepancy,
                                              corrections: try decoder.decode([ItemCorrection].self, from: Data(i.corrections.utf8)),
                                              dutyBeforeKRW: i.dutyBefore, dutyAfterKRW: i.dutyAfter))
        }
        var times = ReleaseTimes(lodgedAt: m.lodgedAt)
        times.acceptedAt = m.acceptedAt
        times.lanedAt = m.lanedAt
        times.assessedAt = m.assessedAt
        times.paidAt = m.paidAt
        times.releasedAt = m.releasedAt
        times.clearedAt = m.clearedAt
        times.exitedAt = m.exitedAt
        return DeclarationView(
            id: m.id!, number: m.number, kind: DeclarationKind(rawValue: m.kind) ?? .import, traderReference: m.traderReference,
            trader: trader?.businessNumber ?? "", traderName: trader?.name ?? "", declarant: declarant?.businessNumber ?? "", declarantName: declarant?.name ?? "",
            aeo: m.aeo, officeCode: m.officeCode, transportMode: m.transportMode, cargo: cargo?.trackingNumber, currency: m.currency,
            invoiceAmountMinor: m.invoiceMinor, invoiceNumber: envelope.invoiceNumber, incoterm: m.incoterm, counterpartName: m.counterpartName,
            counterpartCountry: m.counterpartCountry, items: envelope.items, state: DeclarationState(rawValue: m.state) ?? .submitted,
            lane: m.lane.flatMap(Lane.init(rawValue:)),
            laneDecision: reader == .officer ? try m.laneDecision.map { try decoder.decode(LaneDecision.self, from: Data($0.utf8)) } : nil,
            assessment: try m.assessment.map { try decoder.decode(Assessment.self, from: Data($0.utf8)) }, amountDueKRW: m.amountDue,
            paymentReference: payment?.reference, auditRequired: m.auditRequired, times: times, reason: m.reason, history: history,
            inspections: inspections, documentID: m.documentID)
    }

    /// A trader's declarations, newest first.
    func declarations(of actor: Actor, limit: Int = 200) async throws -> [DeclarationModel] {
        guard let trader = try await trader(of: actor) else { return [] }
        return try await DeclarationModel.query(on: db).group(.or) { $0.filter(\.$traderID == trader.id!).filter(\.$declarantID == trader.id!) }
            .sort(\.$lodgedAt, .descending).limit(limit).all()
    }

    /// The officers' queue: declarations waiting for them, by lane, oldest first.
    func queue(lane: Lane?) async throws -> [DeclarationModel] {
        var query = DeclarationModel.query(on: db).filter(\.$state ~~ [DeclarationState.documentsRequested.rawValue, DeclarationState.underInspection.rawValue,
                                                                        DeclarationState.laneAssigned.rawValue])
        if let lane { query = query.filter(\.$lane == lane.rawValue) }
        return try await query.sort(\.$lodgedAt).limit(500).all()
    }

    // MARK: Steps

    /// Applies one event to a declaration under its row lock, records the history and the audit
    /// entry; `change` may alter the row (items, assessment) before it is saved. With `settle`, an
    /// assessment is settled in the same transaction: released when nothing is due, guaranteed and
    /// released for an AEO, or charged on the ledger (the release then waits for the payment), so
    /// that no failure can leave a declaration assessed but neither charged nor released.
    @discardableResult
    func step(_ id: UUID, _ event: DeclarationEvent, note: String, by who: StepActor, on database: (any Database)? = nil, settle: Bool = false,
              change: @escaping @Sendable (DeclarationModel, any Database) async throws -> Void = { _, _ in }) async throws -> DeclarationModel {
        try await steps(id, [(event, note)], by: who, on: database, settle: settle, change: change)
    }

    /// Several events in one transaction (pay and release; guarantee and release).
    @discardableResult
    func steps(_ id: UUID, _ events: [(DeclarationEvent, String)], by who: StepActor, on database: (any Database)? = nil, settle: Bool = false,
               change: @escaping @Sendable (DeclarationModel, any Database) async throws -> Void = { _, _ in }) async throws -> DeclarationModel {
        let target: any Database = database ?? self.db
        return try await target.transaction { tx in
            // Locks in one order everywhere: the cargo (a declaration's cargo never changes), then
            // the declaration; a cargo movement takes them in the same order.
            if let cargoID = try await DeclarationModel.query(on: tx).filter(\.$id == id).field(\.$cargoID).first()?.cargoID {
                try await tx.lockRow(CargoModel.schema, id: cargoID)
            }
            try await tx.lockRow(DeclarationModel.schema, id: id)
            guard let m = try await DeclarationModel.find(id, on: tx) else { throw NaraError.notFound("The declaration") }
            try await change(m, tx)
            for (event, note) in events {
                try await self.apply(event, note: note, to: m, by: who, on: tx)
            }
            if settle { try await self.settle(m, by: who, on: tx) }
            return m
        }
    }

    /// Settles an assessed declaration on its locked row: released when nothing is due, guaranteed
    /// and released for an AEO, otherwise charged on the ledger (the release waits for the payment).
    private func settle(_ m: DeclarationModel, by who: StepActor, on tx: any Database) async throws {
        guard m.state == DeclarationState.assessed.rawValue else { return }
        let released = m.auditRequired ? "Released; a post-clearance audit follows." : "Released."
        if m.amountDue == 0 {
            try await apply(.release, note: released, to: m, by: who, on: tx)
        } else if m.aeo {
            try await apply(.guarantee, note: "Covered by the AEO's comprehensive guarantee (monthly payment).", to: m, by: who, on: tx)
            try await apply(.release, note: released, to: m, by: who, on: tx)
        } else if m.paymentID == nil {
            let kcs = try await platform.identity.agency(code: Self.agencyCode, on: tx)
            let trader = try await TraderModel.find(m.traderID, on: tx)
            let payment = try await platform.payments.charge(
                accountID: trader?.accountID, agencyID: kcs?.id, module: Self.module, purpose: "Duty and VAT of \(m.number)",
                amount: try Money(minorUnits: m.amountDue, currency: "KRW"), dueAt: clock.now().addingTimeInterval(15 * 86_400), by: who.audit, on: tx)
            m.paymentID = payment.id
            try await m.save(on: tx)
        }
    }

    /// One event on a locked row: the state, its time, the history entry, the audit entry and the trader's notice.
    private func apply(_ event: DeclarationEvent, note: String, to m: DeclarationModel, by who: StepActor, on tx: any Database) async throws {
        let from = DeclarationState(rawValue: m.state) ?? .submitted
        let to = try Self.transition(event, from: from, kind: DeclarationKind(rawValue: m.kind) ?? .import, amountDue: m.amountDue)
        let now = clock.now()
        m.state = to.rawValue
        switch to {
        case .assessed: m.assessedAt = now
        case .paid, .guaranteed: m.paidAt = now
        case .released: m.releasedAt = now
        case .cleared: m.clearedAt = now
        case .exited: m.exitedAt = now
        case .laneAssigned: m.lanedAt = now
        default: break
        }
        try await m.save(on: tx)
        let entry = DeclarationEventModel()
        entry.id = UUID()
        entry.declarationID = m.id!
        entry.at = now
        entry.fromState = from.rawValue
        entry.toState = to.rawValue
        entry.actor = who.name
        entry.note = note
        try await entry.create(on: tx)
        if to == .released {
            // The cargo's public history learns of the release in the same transaction.
            try await cargoEvent(cargoID: m.cargoID, status: "released", place: m.officeCode, note: "\(m.number) released", on: tx)
        }
        try await platform.audit.append(AuditRecord(action: "customs.declaration.\(to.rawValue)", objectType: "declaration", objectID: m.number, detail: note),
                                        by: who.audit, on: tx)
        if let trader = try await TraderModel.find(m.traderID, on: tx), let account = trader.accountID, [.released, .documentsRequested, .underInspection, .rejected].contains(to) {
            try await platform.notifications.notify(accountID: account, module: Self.module, title: "[\(m.number)] \(Self.stateTitle(to))",
                                                    body: Self.partyNote(to: to, note: note), link: "/customs/declarations/\(m.id!.uuidString.lowercased())", on: tx)
        }
    }

    /// The machine's answer as the platform's error: a step that needs a reason and got none is bad
    /// input; any other refusal is the wrong moment.
    static func transition(_ event: DeclarationEvent, from: DeclarationState, kind: DeclarationKind, amountDue: Int64) throws -> DeclarationState {
        let result = Result { try DeclarationMachine.apply(event, to: from, kind: kind, amountDue: amountDue) }
        switch result {
        case .success(let state): return state
        case .failure(let failure):
            let message = (failure as? DeclarationTransitionError)?.message ?? "\(failure)"
            if reason(of: event).map({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) == true {
                throw NaraError.validation([FieldError(field: "reason", code: "required", message: message)])
            }
            throw NaraError(.conflict, code: .illegalTransition, message)
        }
    }

    /// What the trader reads of a step: the notes of lane assignments (the criteria that hit, the
    /// draw, an officer's re-routing reason) are for officers only.
    static func partyNote(to state: DeclarationState, note: String) -> String {
        state == .laneAssigned ? "Lane assigned." : note
    }

    static func reason(of event: DeclarationEvent) -> String? {
        switch event {
        case .reroute(_, let reason), .reject(let reason), .invalidate(let reason), .amend(let reason): return reason
        default: return nil
        }
    }

    static func stateTitle(_ state: DeclarationState) -> String {
        switch state {
        case .released: return "수리 / Released"
        case .documentsRequested: return "서류 제출 요구 / Documents requested"
        case .underInspection: return "검사 대상 / Selected for inspection"
        case .rejected: return "각하 / Rejected"
        default: return state.rawValue
        }
    }

    /// An officer of the customs service.
    func officer(_ actor: Actor, on database: (any Database)? = nil) async throws {
        _ = try await officerAgency(actor, CustomsPermission.process, on: database)
    }

    /// The documents checked (yellow lane): assessed as declared. Goods held for inspection are
    /// assessed by recording the inspection (with or without findings), never by this step.
    func documentsChecked(id: UUID, note: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> DeclarationView {
        try await officer(actor, on: database)
        let m = try await step(id, .checkDocuments, note: note.isEmpty ? "Documents checked; assessed as declared." : note, by: StepActor(actor, requestID),
                               on: database, settle: true)
        return try await view(m, for: .officer, on: database)
    }

    /// Re-routes to another lane with a reason (audited); the new lane's step follows at once.
    func reroute(id: UUID, to lane: Lane, reason: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> DeclarationView {
        try await officer(actor, on: database)
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var m = try await step(id, .reroute(lane, reason: text), note: "Re-routed to \(lane.rawValue): \(text)", by: StepActor(actor, requestID), on: database) { m, _ in
            m.lane = lane.rawValue
            m.auditRequired = lane == .blue
        }
        switch lane {
        case .red: m = try await step(id, .startInspection, note: "Physical inspection before release.", by: StepActor(actor, requestID), on: database)
        case .yellow: m = try await step(id, .requestDocuments, note: "The documents are checked before release.", by: StepActor(actor, requestID), on: database)
        case .green, .blue:
            m = try await step(id, .assess, note: "Assessed as declared.", by: StepActor(actor, requestID), on: database, settle: true)
        }
        return try await view(m, for: .officer, on: database)
    }

    /// Records an inspection: findings, whether they differ from the declaration, corrections to
    /// items; the duty is reassessed from the corrected items and the declaration is assessed.
    func recordInspection(id: UUID, findings: String, corrections: [ItemCorrection], by actor: Actor, requestID: String?,
                          on database: (any Database)? = nil) async throws -> DeclarationView {
        let db = database ?? self.db
        try await officer(actor, on: database)
        var v = Validator()
        v.require(findings, "findings", maxLength: 4000)
        guard let current = try await DeclarationModel.find(id, on: db) else { throw NaraError.notFound("The declaration") }
        let envelope = try JSONDecoder().decode(ItemsEnvelope.self, from: Data(current.items.utf8))
        let ref = try await referenceData(on: db)
        var items = envelope.items
        for (index, c) in corrections.enumerated() {
            let f = "corrections/\(index)/"
            guard let position = items.firstIndex(where: { $0.sequence == c.sequence }) else {
                v.add(f + "sequence", "unknown", "The declaration has no item \(c.sequence).")
                continue
            }
            if let hs = c.hsCode {
                if let line = ref.tariff[hs] {
                    items[position].hsCode = hs
                    items[position].quantityUnit = line.quantityUnit
                } else { v.add(f + "hsCode", "unknown", "\(hs) is not a line of the tariff.") }
            }
            if let origin = c.origin {
                if CustomsCountry.isValid(origin) { items[position].origin = origin } else { v.add(f + "origin", "unknown", "Give an ISO country code.") }
            }
            if let value = c.valueMinor {
                if (1...Self.maximumAmount).contains(value) { items[position].valueMinor = value } else { v.add(f + "valueMinor", "range", "The value is positive.") }
            }
            if let quantity = c.quantity {
                if let milli = Self.milli(quantity) { items[position].quantityMilli = milli } else { v.add(f + "quantity", "format", "At most 3 decimals.") }
            }
            if let net = c.netMassKg {
                if let milli = Self.milli(net) { items[position].netMassMilli = milli } else { v.add(f + "netMassKg", "format", "At most 3 decimals.") }
            }
        }
        try v.check()
        let kind = DeclarationKind(rawValue: current.kind) ?? .import
        let before = try current.assessment.map { try JSONDecoder().decode(Assessment.self, from: Data($0.utf8)) }
        let lines = items.compactMap { ref.tariff[$0.hsCode] }
        let rate = before?.exchangeRateHundredths ?? 100
        let reassessed: Assessment
        do {
            reassessed = try Self.assessment(kind: kind, items: items, lines: lines, currency: current.currency, rate: rate,
                                             week: before?.exchangeWeek ?? rateWeek(of: current.lodgedAt), vatBasisPoints: ref.vatBasisPoints)
        } catch {
            throw NaraError.validation([FieldError(field: "corrections", code: "range", message: "The corrected items cannot be assessed: \(error.message).")])
        }
        let discrepancy = !corrections.isEmpty
        let officerID = actor.accountID!
        let correctedItems = items
        let itemsRead = current.items
        let text = findings.trimmingCharacters(in: .whitespacesAndNewlines)
        let m = try await step(id, .recordInspection, note: "Inspected: \(text)" + (discrepancy ? " Duty and tax reassessed: \(reassessed.totalKRW) KRW." : ""),
                               by: StepActor(actor, requestID), on: db, settle: true) { m, tx in
            // The corrections were checked against the items read before the lock.
            guard m.items == itemsRead else {
                throw NaraError(.conflict, code: .conflict, "\(m.number) was amended meanwhile: read it again before recording the inspection.")
            }
            let inspection = InspectionModel()
            inspection.id = UUID()
            inspection.declarationID = id
            inspection.traderID = m.traderID
            inspection.officerID = officerID
            inspection.kind = m.lane == Lane.red.rawValue ? "physical" : "documentary"
            inspection.startedAt = m.lanedAt ?? self.clock.now()
            inspection.finishedAt = self.clock.now()
            inspection.findings = text
            inspection.discrepancy = discrepancy
            inspection.corrections = String(decoding: try JSONEncoder().encode(corrections), as: UTF8.self)
            inspection.dutyBefore = before?.totalKRW
            inspection.dutyAfter = reassessed.totalKRW
            try await inspection.create(on: tx)
            m.items = String(decoding: try JSONEncoder().encode(ItemsEnvelope(invoiceNumber: envelope.invoiceNumber, items: correctedItems)), as: UTF8.self)
            m.assessment = String(decoding: try JSONEncoder().encode(reassessed), as: UTF8.self)
            m.amountDue = kind == .import ? reassessed.totalKRW : 0
        }
        // The trader's next declaration is laned with this finding in its history.
        if discrepancy { risk.invalidate() }
        return try await view(m, for: .officer, on: db)
    }

    /// The trader amends its declaration before the release (before any duty is charged): new
    /// goods items with the reason. They are checked as on lodgement, assessed at the rate of the
    /// lodgement week, and the declaration is laned again from the start.
    func amend(id: UUID, reason: String, items input: [DeclarationItemInput], invoiceAmountMinor: Int64, by actor: Actor,
               requestID: String?) async throws -> DeclarationView {
        guard let current = try await DeclarationModel.find(id, on: db) else { throw NaraError.notFound("The declaration") }
        guard try await reader(actor, of: current) == .party else { throw NaraError.notFound("The declaration") }
        guard current.paymentID == nil else {
            throw NaraError(.conflict, code: .illegalTransition, "The duty of \(current.number) is already charged: ask the customs office to reassess it.")
        }
        let kind = DeclarationKind(rawValue: current.kind) ?? .import
        let ref = try await referenceData()
        var v = Validator()
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text.count > 1000 { v.add("reason", "required", "Give the reason of the amendment (at most 1,000 characters).") }
        let (items, lines) = Self.checkItems(input, kind: kind, ref: ref, into: &v)
        if items.map(\.valueMinor).reduce(0, { $0.addingReportingOverflow($1).partialValue }) != invoiceAmountMinor {
            v.add("invoiceAmountMinor", "total", "The items' values add up to a different amount than the invoice.")
        }
        try v.check()
        let before = try current.assessment.map { try JSONDecoder().decode(Assessment.self, from: Data($0.utf8)) }
        let assessment: Assessment
        do {
            assessment = try Self.assessment(kind: kind, items: items, lines: lines, currency: current.currency, rate: before?.exchangeRateHundredths ?? 100,
                                             week: before?.exchangeWeek ?? rateWeek(of: current.lodgedAt), vatBasisPoints: ref.vatBasisPoints)
        } catch {
            throw NaraError.validation([FieldError(field: "invoiceAmountMinor", code: "range", message: "The duty cannot be computed: \(error.message).")])
        }
        guard let trader = try await TraderModel.find(current.traderID, on: db) else { throw NaraError.notFound("The trader") }
        // The same draw as on lodgement (keyed by the declaration), and never a lower lane than the
        // one it had: amending cannot be used to draw again until the goods go green.
        let drawn = await laneDecision(kind: kind, trader: trader, items: items, assessment: assessment, key: id.uuidString.lowercased(), on: db)
        let held = current.lane.flatMap(Lane.init(rawValue:)) ?? .green
        let decision = drawn.lane >= held ? drawn
            : LaneDecision(lane: held, hits: drawn.hits, draw: drawn.draw, drawLane: drawn.drawLane, aeoRates: drawn.aeoRates, reason: "kept_after_amendment")
        let who = StepActor(actor, requestID)
        let envelope = try JSONDecoder().decode(ItemsEnvelope.self, from: Data(current.items.utf8))
        let encoded = String(decoding: try JSONEncoder().encode(ItemsEnvelope(invoiceNumber: envelope.invoiceNumber, items: items)), as: UTF8.self)
        let assessed = String(decoding: try JSONEncoder().encode(assessment), as: UTF8.self)
        let decided = String(decoding: try JSONEncoder().encode(decision), as: UTF8.self)
        let next: (DeclarationEvent, String)
        switch decision.lane {
        case .red: next = (.startInspection, "Physical inspection before release.")
        case .yellow: next = (.requestDocuments, "The documents are checked before release.")
        case .green, .blue: next = (.assess, "Assessed automatically: \(assessment.totalKRW) KRW due.")
        }
        // One transaction: the new items, the lane and the next step land together or not at all.
        let m = try await steps(id, [(.amend(reason: text), "Amended: \(text)"), (.assignLane(decision.lane), Self.describe(decision)), next], by: who,
                                settle: decision.lane == .green || decision.lane == .blue) { m, _ in
            guard m.paymentID == nil else {
                throw NaraError(.conflict, code: .illegalTransition, "The duty of \(m.number) is already charged: ask the customs office to reassess it.")
            }
            m.items = encoded
            m.invoiceMinor = invoiceAmountMinor
            m.assessment = assessed
            m.amountDue = kind == .import ? assessment.totalKRW : 0
            m.assessedAt = nil
            m.reason = text
            m.lane = decision.lane.rawValue
            m.laneDecision = decided
            m.auditRequired = decision.lane == .blue
        }
        return try await view(m, for: .party)
    }

    func reject(id: UUID, reason: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> DeclarationView {
        try await officer(actor, on: database)
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let m = try await step(id, .reject(reason: text), note: "Rejected: \(text)", by: StepActor(actor, requestID), on: database) { m, _ in m.reason = text }
        return try await view(m, for: .officer, on: database)
    }

    /// The trader (or an officer) invalidates a declaration before its release, with the reason.
    func invalidate(id: UUID, reason: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> DeclarationView {
        let db = database ?? self.db
        guard let current = try await DeclarationModel.find(id, on: db) else { throw NaraError.notFound("The declaration") }
        let reader = try await reader(actor, of: current, on: db)
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw NaraError.validation([FieldError(field: "reason", code: "required", message: "Say why the declaration is invalidated.")])
        }
        let who = StepActor(actor, requestID)
        let m = try await step(id, .invalidate(reason: text), note: "Invalidated: \(text)", by: who, on: db) { m, tx in
            // A trader cannot withdraw goods the office has stopped for documents or inspection (the
            // office can). An unpaid charge is cancelled with the declaration; paid duty is never
            // dropped with it (a paid declaration is released, which nobody invalidates).
            if reader == .party, [DeclarationState.documentsRequested.rawValue, DeclarationState.underInspection.rawValue].contains(m.state) {
                throw NaraError(.conflict, code: .illegalTransition, "\(m.number) is being checked by the customs office: ask the office to invalidate it.")
            }
            if let paymentID = m.paymentID {
                guard m.state == DeclarationState.assessed.rawValue else {
                    throw NaraError(.conflict, code: .illegalTransition, "\(m.number) is \(m.state); only an assessed declaration is invalidated with its charge.")
                }
                _ = try await self.platform.payments.cancel(paymentID: paymentID, reason: "\(m.number) invalidated: \(text)", by: who.audit, on: tx)
            }
            m.reason = text
        }
        return try await view(m, for: reader, on: db)
    }

    /// Records paid duty: declarations whose ledger payment arrived are paid and released (the job).
    func recordPayments(on database: (any Database)? = nil) async throws {
        let db = database ?? self.db
        let waiting = try await DeclarationModel.query(on: db).filter(\.$state == DeclarationState.assessed.rawValue).filter(\.$paymentID != nil).all()
        guard !waiting.isEmpty else { return }
        let paid = Set(try await PaymentModel.query(on: db).filter(\.$id ~~ waiting.compactMap(\.paymentID)).filter(\.$status == PaymentStatus.paid.rawValue).all()
            .compactMap(\.id))
        let system = StepActor.system("customs-payments")
        for m in waiting where paid.contains(m.paymentID!) {
            try await steps(m.id!, [(.pay, "Duty and tax paid."), (.release, "Released after payment.")], by: system, on: db)
        }
    }

    /// Adds one event to a cargo's public history.
    func cargoEvent(cargoID: UUID?, status: String, place: String, note: String, on database: (any Database)? = nil) async throws {
        guard let cargoID else { return }
        let db = database ?? self.db
        try await db.transaction { tx in
            try await tx.lockRow(CargoModel.schema, id: cargoID)
            guard let cargo = try await CargoModel.find(cargoID, on: tx) else { return }
            var events = try JSONDecoder().decode([CargoEvent].self, from: Data(cargo.events.utf8))
            events.append(CargoEvent(at: self.clock.now(), status: status, place: place, note: note))
            cargo.events = String(decoding: try JSONEncoder().encode(events), as: UTF8.self)
            cargo.status = status
            try await cargo.save(on: tx)
        }
    }
}

/// Who takes a step: the audit identity and the name written into the declaration's history.
struct StepActor: Sendable {
    let audit: AuditActor
    let name: String

    init(_ actor: Actor, _ requestID: String?) {
        audit = AuditActor(actor, requestID: requestID)
        name = actor.displayName
    }

    init(audit: AuditActor, name: String) {
        self.audit = audit
        self.name = name
    }

    static func system(_ name: String) -> StepActor { StepActor(audit: .system(name), name: "system:\(name)") }
}

