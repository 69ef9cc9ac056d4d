import FluentKit
import Foundation
import NaraCore
import SQLKit
import Synchronization

public struct NewTender: Sendable, Codable {
    public var title: String
    public var description: String
    public var procedure: String
    /// goods, works or services.
    public var category: String
    public var lots: [Lot]
    public var items: [TenderItem]
    public var documents: [TenderDocument]?
    public var eligibility: String
    public var evaluation: EvaluationRules?
    /// ISO 8601 date-time of the bid deadline.
    public var deadline: String
    /// ISO 8601 date-time until which questions are taken; 3 days before the deadline when left out.
    public var enquiryDeadline: String?
    /// Restricted procedure: the business registration numbers of the qualified suppliers.
    public var qualifiedSuppliers: [String]?
    public var planBudgetMinor: Int64?
    public var planRationale: String?

    public init(title: String, description: String, procedure: String, category: String = "goods", lots: [Lot], items: [TenderItem],
                documents: [TenderDocument]? = nil, eligibility: String = "Suppliers registered on the platform whose business is active.",
                evaluation: EvaluationRules? = nil, deadline: String, enquiryDeadline: String? = nil, qualifiedSuppliers: [String]? = nil,
                planBudgetMinor: Int64? = nil, planRationale: String? = nil) {
        self.title = title
        self.description = description
        self.procedure = procedure
        self.category = category
        self.lots = lots
        self.items = items
        self.documents = documents
        self.eligibility = eligibility
        self.evaluation = evaluation
        self.deadline = deadline
        self.enquiryDeadline = enquiryDeadline
        self.qualifiedSuppliers = qualifiedSuppliers
        self.planBudgetMinor = planBudgetMinor
        self.planRationale = planRationale
    }
}

public struct LotteryView: Sendable, Codable, Equatable {
    public let rangeBasisPoints: Int
    public let picks: Int
    /// SHA-256 of the seed, published with the tender.
    public let commitment: String
    /// The seed (hex), published at the opening: anyone can redraw the prices from it.
    public let seed: String?
    public let prices: [Int64]?
    public let chosen: [Int]?
}

public struct TenderView: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let ocid: String
    public let title: String
    public let description: String
    public let agencyCode: String
    public let agencyName: String
    public let procedure: Procedure
    public let category: String
    public let lots: [Lot]
    public let items: [TenderItem]
    public let documents: [TenderDocument]
    public let eligibility: String
    public let evaluation: EvaluationRules
    public let currency: String
    public let state: TenderState
    public let planBudgetMinor: Int64?
    public let planRationale: String?
    public let plannedAt: Date?
    public let publishedAt: Date?
    public let enquiryDeadline: Date?
    public let deadline: Date
    public let qualifiedSuppliers: [String]?
    public let amendments: [TenderAmendment]
    public let openedAt: Date?
    public let cancelReason: String?
    /// Known only after the opening; nil before, for everyone.
    public let bids: [OpenedBid]?
    public let lottery: LotteryView?
    public let reservePriceMinor: Int64?
    public let floorPriceMinor: Int64?
    public let qualityScores: [String: Int]?
    public let awards: [AwardView]
}

public struct SupplierInfo: Sendable, Codable, Equatable {
    public let id: UUID
    public let businessNumber: String
    public let name: String
    public let status: String
    public let registeredAt: Date
}

/// e-Procurement (KONEPS): one-time supplier registration, tenders, sealed bids and their opening.
public final class ProcurementService: Sendable {
    let platform: Platform
    let keyCipher: FieldCipher
    /// In-flight bids and their group commit.
    let intake: BidIntake
    /// Bidding terms by tender, for two seconds (`biddingTerms`).
    let termsCache = Mutex<[UUID: (terms: BiddingTerms, until: Date)]>([:])
    /// Suppliers by account, for a few seconds (`cachedSupplier(accountID:on:)`).
    let supplierCache = Mutex<[UUID: (supplier: SupplierModel, until: Date)]>([:])
    static let module = "procurement"
    /// The Public Procurement Service keeps the supplier register and checks the business registry.
    static let registryAgencyCode = "1230000"
    /// A deadline inside a declared outage, or within 2 hours after it, moves to at least 48 hours
    /// after recovery (the KONEPS rule).
    static let outageRule = OutageRule.minimumAfterRecovery(minimum: 48 * 3600, grace: 2 * 3600)

    /// The largest amount (KRW) a price, value or invoice may state: sums of up to 50 lots stay far inside Int64.
    static let maximumAmount: Int64 = 1_000_000_000_000_000

    /// `value × numerator / 1,000,000` without overflow for values up to 10¹⁸ and numerators up to 10⁶, rounded down or up.
    static func partsPerMillion(_ value: Int64, _ numerator: Int64, roundUp: Bool = false) -> Int64 {
        let quotient = value / 1_000_000, remainder = value % 1_000_000
        let low = remainder * numerator
        return quotient * numerator + low / 1_000_000 + (roundUp && low % 1_000_000 != 0 ? 1 : 0)
    }

    init(platform: Platform) {
        self.platform = platform
        self.keyCipher = FieldCipher(masterKey: platform.masterKey, purpose: "procurement-tender-keys")
        // The writer calls back into the service, which exists only once this initialiser is done.
        let reference = ServiceReference()
        self.intake = BidIntake(write: { bids in
            guard let service = reference.service else { throw NaraError(.unavailable, code: .unavailable, "The procurement service is shutting down.") }
            return try await service.writeBids(bids, on: service.db)
        })
        reference.service = self
    }

    /// Set once, right after initialisation, before any bid can be written.
    private final class ServiceReference: @unchecked Sendable {
        weak var service: ProcurementService?
    }

    var db: any Database { platform.db }
    var clock: any NaraClock { platform.clock }

    // MARK: Suppliers

    /// Registers the signed-in business once for every agency, after checking the business
    /// registry (active) through the exchange.
    func registerSupplier(by actor: Actor, requestID: String?) async throws -> SupplierInfo {
        guard let accountID = actor.accountID, actor.accountKind == .business,
              let account = try await platform.identity.account(id: accountID, on: db), let raw = account.businessNumber else {
            throw NaraError.forbidden("Suppliers register with a business account.")
        }
        if let existing = try await SupplierModel.query(on: db).filter(\.$accountID == accountID).first() { return Self.info(existing) }
        let number = try BusinessNumber(raw)
        guard let exchange = platform.contracts.first((any EvidenceService).self),
              let registry = try await platform.identity.agency(code: Self.registryAgencyCode, on: db) else {
            throw NaraError(.unavailable, code: .unavailable, "The business registry cannot be consulted on this platform.")
        }
        let evidence = try await exchange.evidence(EvidenceRequest(
            requester: EvidenceRequester(agencyID: registry.id, actorName: "system:procurement", displayName: "KONEPS supplier registration", systemID: nil),
            informationType: "business.status", subject: ExchangeSubject(.business(number)), purpose: "Supplier registration for public procurement",
            legalBasis: LegalBasis.sharedUseByStatute.code, consentReference: nil, correlationID: requestID))
        guard evidence.data["status"] == "active" else {
            throw NaraError.validation([FieldError(field: "businessNumber", code: "not_active",
                                                   message: "The business registry lists this business as \(evidence.data["status"] ?? "unknown"); only active businesses can bid.")])
        }
        return try await db.transaction { tx in
            let model = SupplierModel()
            model.id = UUID()
            model.accountID = accountID
            model.businessNumber = number.digits
            model.name = evidence.data["name"] ?? account.businessName ?? account.displayName
            model.status = "active"
            model.registeredAt = self.clock.now()
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.supplier.register", objectType: "supplier", objectID: number.formatted,
                                                             subjectRef: self.platform.audit.subjectRef(businessNumber: number.digits)),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            return Self.info(model)
        }
    }

    static func info(_ m: SupplierModel) -> SupplierInfo {
        SupplierInfo(id: m.id!, businessNumber: (try? BusinessNumber(m.businessNumber).formatted) ?? m.businessNumber, name: m.name, status: m.status,
                     registeredAt: m.registeredAt)
    }

    // MARK: Tenders

    func officerAgency(_ actor: Actor) throws -> UUID {
        guard let agencyID = actor.agencyID else { throw NaraError.forbidden("Tenders are run by procurement officers of an agency.") }
        try AccessPolicy.require(actor, ProcurementModule.managePermission, on: .agency(agencyID))
        return agencyID
    }

    func createTender(_ input: NewTender, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let now = clock.now()
        var v = Validator()
        v.require(input.title, "title", maxLength: 300)
        v.require(input.description, "description", maxLength: 4000)
        v.require(input.eligibility, "eligibility", maxLength: 4000)
        let procedure = Procedure(rawValue: input.procedure)
        if procedure == nil { v.add("procedure", "unknown", "Choose open, restricted or quotation.") }
        if !["goods", "works", "services"].contains(input.category) { v.add("category", "unknown", "Choose goods, works or services.") }
        Self.validateLots(input.lots, items: input.items, into: &v)
        let documents = Self.validateDocuments(input.documents ?? [], at: now, into: &v)
        let evaluation = input.evaluation ?? EvaluationRules(method: .lowestPrice)
        Self.validateEvaluation(evaluation, lots: input.lots, into: &v)
        let deadline = Timestamp.parseISO8601(input.deadline)
        if deadline == nil { v.add("deadline", "format", "Give the deadline as an ISO 8601 date-time.") }
        var enquiryDeadline: Date?
        if let raw = input.enquiryDeadline {
            enquiryDeadline = Timestamp.parseISO8601(raw)
            if enquiryDeadline == nil { v.add("enquiryDeadline", "format", "Give the enquiry deadline as an ISO 8601 date-time.") }
        }
        if let deadline, let enquiryDeadline, !(enquiryDeadline > now && enquiryDeadline < deadline) {
            v.add("enquiryDeadline", "range", "Questions close after now and before the bid deadline.")
        }
        var qualified: [String]?
        if procedure == .restricted {
            let numbers = (input.qualifiedSuppliers ?? []).compactMap { try? BusinessNumber($0).digits }
            if numbers.isEmpty || numbers.count != (input.qualifiedSuppliers ?? []).count {
                v.add("qualifiedSuppliers", "required", "A restricted tender lists the business registration numbers of its qualified suppliers.")
            } else {
                let registered = try await SupplierModel.query(on: db).filter(\.$businessNumber ~~ numbers).filter(\.$status == "active").all()
                let unknown = Set(numbers).subtracting(registered.map(\.businessNumber))
                if !unknown.isEmpty { v.add("qualifiedSuppliers", "unknown", "Not registered active suppliers: \(unknown.sorted().joined(separator: ", ")).") }
                qualified = Array(Set(numbers)).sorted()
            }
        } else if !(input.qualifiedSuppliers ?? []).isEmpty {
            v.add("qualifiedSuppliers", "not_restricted", "Only a restricted tender lists qualified suppliers.")
        }
        if let budget = input.planBudgetMinor, budget <= 0 { v.add("planBudgetMinor", "range", "The budget is a positive amount in KRW.") }
        if let rationale = input.planRationale, rationale.count > 4000 { v.add("planRationale", "length", "At most 4,000 characters.") }
        try v.check()
        guard let procedure, let deadline else { throw NaraError.validation(v.errors) }
        try await checkPeriod(procedure, deadline: deadline, from: now, on: db)
        let year = platform.calendar.localDay(of: now).components.year
        let id = UUID()
        let encoder = JSONEncoder()
        let enquiryUntil = enquiryDeadline ?? max(now, deadline.addingTimeInterval(-3 * 86_400))
        let qualifiedList = qualified
        try await db.transaction { tx in
            let number = try await self.platform.sequences.next("procurement-tender", year: year, on: tx)
            let model = TenderModel()
            model.id = id
            model.reference = String(format: "TN-%d-%06d", year, number)
            model.agencyID = agencyID
            model.officerID = actor.accountID!
            model.title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            model.descriptionText = input.description.trimmingCharacters(in: .whitespacesAndNewlines)
            model.procedure = procedure.rawValue
            model.category = input.category
            model.lots = String(decoding: try encoder.encode(input.lots.sorted { $0.number < $1.number }), as: UTF8.self)
            model.items = String(decoding: try encoder.encode(Self.numbered(input.items)), as: UTF8.self)
            model.documents = String(decoding: try encoder.encode(documents), as: UTF8.self)
            model.eligibility = input.eligibility.trimmingCharacters(in: .whitespacesAndNewlines)
            model.evaluation = String(decoding: try encoder.encode(evaluation), as: UTF8.self)
            model.enquiryDeadline = enquiryUntil
            model.qualified = try qualifiedList.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            model.amendments = "[]"
            model.planBudget = input.planBudgetMinor
            model.planRationale = input.planRationale?.trimmingCharacters(in: .whitespacesAndNewlines)
            model.currency = "KRW"
            model.state = TenderState.draft.rawValue
            model.createdAt = now
            model.deadline = deadline
            model.version = 1
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.create", objectType: "tender", objectID: model.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await tender(id: id, on: db)
    }

    static func numbered(_ items: [TenderItem]) -> [TenderItem] {
        items.enumerated().map { index, item in
            var item = item
            item.id = String(index + 1)
            return item
        }
    }

    static func validateLots(_ lots: [Lot], items: [TenderItem], into v: inout Validator) {
        if lots.isEmpty || lots.count > 50 { v.add("lots", "count", "A tender has 1 to 50 lots.") }
        if Set(lots.map(\.number)).count != lots.count { v.add("lots", "duplicate", "Lot numbers are unique.") }
        for (i, lot) in lots.enumerated() {
            if lot.number < 1 { v.add("lots/\(i)/number", "range", "Lots are numbered from 1.") }
            if lot.title.isEmpty || lot.title.count > 300 { v.add("lots/\(i)/title", "required", "Give the lot a title.") }
            if lot.estimatedValueMinor <= 0 || lot.estimatedValueMinor > Self.maximumAmount {
                v.add("lots/\(i)/estimatedValueMinor", "range", "The estimated value is positive and at most 10¹⁵ KRW.")
            }
        }
        if items.isEmpty || items.count > 500 { v.add("items", "count", "A tender lists 1 to 500 items.") }
        for lot in lots where !items.contains(where: { $0.lot == lot.number }) {
            v.add("items", "lot_without_items", "Lot \(lot.number) has no items.")
        }
        for (i, item) in items.enumerated() {
            if !lots.contains(where: { $0.number == item.lot }) { v.add("items/\(i)/lot", "unknown", "The tender has no lot \(item.lot).") }
            if item.description.trimmingCharacters(in: .whitespaces).isEmpty || item.description.count > 1000 {
                v.add("items/\(i)/description", "required", "Describe the item (at most 1,000 characters).")
            }
            if !ItemClassification.isValid(scheme: item.scheme, code: item.classification) {
                v.add("items/\(i)/classification", "format", "Classify the item with UNSPSC (8 digits) or CPV (8 digits, a hyphen and the check digit).")
            }
            if !(item.quantity > 0 && item.quantity < 1e12) { v.add("items/\(i)/quantity", "range", "The quantity is positive.") }
            if item.unitCode.isEmpty || item.unitCode.count > 3 || !item.unitCode.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                v.add("items/\(i)/unitCode", "format", "Give the UN/ECE Recommendation 20 unit code, such as EA, SET, MON or KGM.")
            }
        }
    }

    static func validateDocuments(_ documents: [TenderDocument], at now: Date, into v: inout Validator) -> [TenderDocument] {
        if documents.count > 30 { v.add("documents", "count", "At most 30 documents.") }
        return documents.enumerated().map { index, document in
            if document.title.trimmingCharacters(in: .whitespaces).isEmpty || document.title.count > 300 {
                v.add("documents/\(index)/title", "required", "Give the document a title.")
            }
            let lower = document.url.lowercased()
            if !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || document.url.count > 1000 || URL(string: document.url) == nil {
                v.add("documents/\(index)/url", "format", "Give the document's http(s) address.")
            }
            if document.documentType.isEmpty || document.documentType.count > 60 || !document.documentType.allSatisfy({ $0.isASCII && $0.isLetter }) {
                v.add("documents/\(index)/documentType", "format", "Use an OCDS document type such as technicalSpecifications or biddingDocuments.")
            }
            var document = document
            document.id = "doc-\(index + 1)"  // ours, unique, and never the notice's own id
            document.datePublished = document.datePublished ?? now
            return document
        }
    }

    static func validateEvaluation(_ rules: EvaluationRules, lots: [Lot], into v: inout Validator) {
        switch rules.method {
        case .lowestPrice:
            if rules.floorRatePPM != nil || rules.lottery != nil || rules.priceWeight != nil || rules.qualityWeight != nil {
                v.add("evaluation", "unused", "Lowest price takes no floor, lottery or weights.")
            }
        case .floorPrice:
            if lots.count != 1 { v.add("evaluation/method", "lots", "A floor from the reserve price applies to a tender of one lot.") }
            if !(500_000...1_000_000).contains(rules.floorRatePPM ?? 0) {
                v.add("evaluation/floorRatePPM", "range", "Give the floor as parts per million of the reserve price, from 500000 to 1000000 (87.745 % is 877450).")
            }
            if let lottery = rules.lottery {
                if !(1...1000).contains(lottery.rangeBasisPoints) { v.add("evaluation/lottery/rangeBasisPoints", "range", "The range is 1 to 1,000 basis points (200 is ±2 %).") }
                if !(1...ReserveLottery.averaged).contains(lottery.picks) { v.add("evaluation/lottery/picks", "range", "Each bidder picks 1 to 4 numbers.") }
            }
            if rules.priceWeight != nil || rules.qualityWeight != nil { v.add("evaluation", "unused", "A price floor takes no weights.") }
        case .priceQuality:
            let price = rules.priceWeight ?? 0, quality = rules.qualityWeight ?? 0
            if price <= 0 || quality <= 0 || price + quality != 100 { v.add("evaluation/priceWeight", "range", "Price and quality weights are positive and add up to 100.") }
            if rules.lottery != nil || rules.floorRatePPM != nil { v.add("evaluation", "unused", "Price and quality take no floor or lottery.") }
        }
        if let base = rules.baseAmountMinor, base <= 0 || base > maximumAmount { v.add("evaluation/baseAmountMinor", "range", "The base amount is positive and at most 10¹⁵ KRW.") }
    }

    /// The deadline must leave at least the procedure's minimum tendering period.
    func checkPeriod(_ procedure: Procedure, deadline: Date, from now: Date, on db: any Database) async throws {
        let calendar = try await platform.calendar.calendar(on: db)
        let period = procedure.minimumPeriod(platform.configuration)
        let earliest = calendar.deadline(for: period, from: now)
        guard deadline >= earliest else {
            throw NaraError.validation([FieldError(field: "deadline", code: "too_soon",
                                                   message: "A \(procedure.rawValue) tender stays open at least \(period): the earliest deadline is \(Timestamp.iso8601Millis(earliest)).")])
        }
    }

    /// Publishes a draft as a procurement plan: the intention and budget become public, the notice follows.
    func plan(id: UUID, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            guard model.planBudget != nil, !(model.planRationale ?? "").isEmpty else {
                throw NaraError.validation([FieldError(field: "planBudgetMinor", code: "required", message: "A procurement plan states its budget and rationale.")])
            }
            model.state = try Self.next(.plan, model).rawValue
            model.plannedAt = self.clock.now()
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.plan", objectType: "tender", objectID: model.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.release(model, tags: ["planning"], on: tx)
        }
        return try await tender(id: id, on: db)
    }

    /// Publishes the notice: creates the tender's key pair (the private key sealed under the master
    /// key until the opening) and, with a reserve-price lottery, its seed (sealed too; its SHA-256 published).
    func publish(id: UUID, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let keys = try SealedEnvelope.newKeyPair(cipher: keyCipher)
        let seed = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            try await self.checkPeriod(Procedure(rawValue: model.procedure) ?? .open, deadline: model.deadline, from: self.clock.now(), on: tx)
            model.state = try Self.next(.publish, model).rawValue
            model.publishedAt = self.clock.now()
            model.publicKey = keys.publicKey
            model.sealedPrivateKey = keys.sealedPrivateKey
            if try Self.rules(model).lottery != nil {
                model.lotterySeed = try self.keyCipher.sealString(seed.base64EncodedString())
                model.lotteryCommitment = Digest.sha256Hex(seed)
            }
            if let enquiry = model.enquiryDeadline, enquiry < self.clock.now() { model.enquiryDeadline = self.clock.now() }
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.publish", objectType: "tender", objectID: model.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.release(model, tags: ["tender"], on: tx)
        }
        forgetTerms(id)
        return try await tender(id: id, on: db)
    }

    static func rules(_ model: TenderModel) throws -> EvaluationRules {
        guard let raw = model.evaluation else { return EvaluationRules(method: .lowestPrice) }
        return try JSONDecoder().decode(EvaluationRules.self, from: Data(raw.utf8))
    }

    func cancel(id: UUID, reason: String, by actor: Actor, requestID: String?) async throws -> TenderView {
        try await cancelOnSeed(id: id, reason: reason, by: actor, requestID: requestID, on: db)
    }

    func cancelOnSeed(id: UUID, reason: String, by actor: Actor, requestID: String? = nil, on db: any Database) async throws -> TenderView {
        let agencyID = try officerAgency(actor)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            let wasPublic = model.state != TenderState.draft.rawValue
            if try await ContractModel.query(on: tx).filter(\.$tenderID == id).count() > 0 {
                throw NaraError(.conflict, code: .illegalTransition, "The tender has contracts: terminate them instead of cancelling the tender.")
            }
            model.state = try Self.next(.cancel(reason: reason), model).rawValue
            model.cancelReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            model.completedAt = self.clock.now()
            try await model.save(on: tx)
            let liveAwards = try await AwardModel.query(on: tx).filter(\.$tenderID == id).filter(\.$status ~~ ["pending", "active"]).all()
            for award in liveAwards {
                award.status = "cancelled"
                award.reason = "The tender was cancelled."
                award.decidedAt = self.clock.now()
                try await award.save(on: tx)
            }
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.cancel", objectType: "tender", objectID: model.reference, detail: reason),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            if wasPublic { try await self.release(model, tags: liveAwards.isEmpty ? ["tenderCancellation"] : ["tenderCancellation", "awardCancellation"], on: tx) }
        }
        forgetTerms(id)
        return try await tender(id: id, on: db)
    }

    static func next(_ event: TenderEvent, _ model: TenderModel) throws -> TenderState {
        do { return try TenderMachine.apply(event, to: TenderState(rawValue: model.state) ?? .draft) } catch {
            if case .cancel = event { throw NaraError.validation([FieldError(field: "reason", code: "required", message: error.message)]) }
            throw NaraError(.conflict, code: .illegalTransition, error.message)
        }
    }

    // MARK: Bids

    /// Seals and stores a bid. `receivedAt` is when the request arrived; a bid that arrived before
    /// the deadline is accepted even if it is processed after it, one that arrived at or after it is
    /// refused. The same idempotency key again returns the first receipt and stores nothing.
    func submitBid(tenderID: UUID, content: BidContent, idempotencyKey: String, receivedAt: Date, by actor: Actor, requestID: String?,
                   on database: (any Database)? = nil) async throws -> BidReceipt {
        let db = database ?? self.db
        guard let accountID = actor.accountID, let supplier = try await self.cachedSupplier(accountID: accountID, on: db), supplier.status == "active" else {
            throw NaraError.forbidden("Register as a supplier before bidding.")
        }
        let key = idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 100 else {
            throw NaraError.validation([FieldError(field: "idempotencyKey", code: "required", message: "Send an Idempotency-Key of at most 100 characters.")])
        }
        // The tender's bidding terms from a short-lived cache; a refusal is only ever given on fresh
        // terms, and never to a repeat of a submission that was already stored.
        let tender: BiddingTerms
        do {
            tender = try await checkTerms(try await biddingTerms(tenderID, fresh: false, on: db), supplier: supplier, receivedAt: receivedAt, on: db)
        } catch {
            if let earlier = try await BidModel.query(on: db).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplier.id!)
                .filter(\.$idempotencyKey == key).first() {
                return try JSONDecoder().decode(BidReceipt.self, from: Data(earlier.receipt.utf8))
            }
            tender = try await checkTerms(try await biddingTerms(tenderID, fresh: true, on: db), supplier: supplier, receivedAt: receivedAt, on: db)
        }
        let publicKey = tender.publicKey
        let lots = tender.lots
        let rules = tender.rules
        var v = Validator()
        if let lottery = rules.lottery {
            let picks = content.lotteryPicks ?? []
            if picks.count != lottery.picks || Set(picks).count != picks.count || !picks.allSatisfy({ (1...ReserveLottery.count).contains($0) }) {
                v.add("lotteryPicks", "count", "Pick \(lottery.picks) different numbers from 1 to \(ReserveLottery.count) for the reserve-price lottery.")
            }
        } else if !(content.lotteryPicks ?? []).isEmpty {
            v.add("lotteryPicks", "unused", "This tender has no reserve-price lottery.")
        }
        if content.prices.isEmpty { v.add("prices", "required", "Bid a price for at least one lot.") }
        for (lot, price) in content.prices.sorted(by: { $0.key < $1.key }) {
            if !lots.contains(where: { String($0.number) == lot }) { v.add("prices/\(lot)", "unknown", "The tender has no lot \(lot).") }
            if price <= 0 || price > Self.maximumAmount { v.add("prices/\(lot)", "range", "A price is a positive amount in KRW, at most 10¹⁵.") }
        }
        if content.declarations.count > 20 { v.add("declarations", "count", "At most 20 declarations.") }
        let content = Self.checkedDocuments(content, maxBytes: platform.files.maxBytes, into: &v)
        try v.check()
        let plaintext = try CanonicalJSON.encode(content)
        let envelope = try SealedEnvelope.seal(plaintext, to: publicKey, context: Self.context(tender: tenderID, supplier: supplier.id!))
        let bidID = UUID()
        let platformKey = try await platform.pki.identity(purpose: .platform, agencyID: nil, on: db)
        let canonical = CanonicalJSON.object([("bid", .string(bidID.uuidString.lowercased())), ("tender", .string(tender.reference)),
                                              ("bidder", .string(supplier.businessNumber)), ("sealedDigest", .string(envelope.digest)),
                                              ("receivedAt", .string(Timestamp.iso8601Millis(receivedAt)))])
        let receipt = BidReceipt(bidID: bidID, tender: tender.reference, bidder: supplier.businessNumber, sealedDigest: envelope.digest,
                                 receivedAt: Timestamp.iso8601Millis(receivedAt), signature: try platform.pki.sign(canonical, with: platformKey))
        let prepared = PreparedBid(bidID: bidID, tenderID: tenderID, tenderReference: tender.reference, supplierID: supplier.id!, envelope: envelope,
                                   receivedAt: receivedAt, idempotencyKey: key, receipt: receipt,
                                   receiptJSON: String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self),
                                   actor: AuditActor(actor, requestID: requestID))
        // Inside a caller's transaction (the demo seed) the bid is written there; otherwise the
        // group commit writes it with the other bids that arrived meanwhile.
        if let database, database.inTransaction {
            return try await writeBids([prepared], on: database)[0].get()
        }
        return try await intake.writer.submit(prepared)
    }

    /// The bid's documents checked as uploads are (allow-listed types sniffed from the bytes,
    /// sizes within the upload limit together), with safe file names.
    static func checkedDocuments(_ content: BidContent, maxBytes: Int, into v: inout Validator) -> BidContent {
        guard let documents = content.documents, !documents.isEmpty else { return content }
        if documents.count > 10 { v.add("documents", "count", "A bid carries at most 10 documents.") }
        if documents.map(\.content.count).reduce(0, +) > maxBytes {
            v.add("documents", "size", "The bid's documents together may be at most \(maxBytes / 1024 / 1024) MiB.")
        }
        let checked = documents.enumerated().map { index, document in
            let title = document.title.trimmingCharacters(in: .whitespacesAndNewlines)
            if title.isEmpty || title.count > 300 { v.add("documents/\(index)/title", "required", "Give each document a title (at most 300 characters).") }
            guard !document.content.isEmpty, let type = FileService.sniff(document.content, declared: document.contentType) else {
                v.add("documents/\(index)/content", "type", "Documents are PDF, PNG, JPEG or plain-text files.")
                return document
            }
            return BidDocument(title: title, fileName: FileService.sanitisedName(document.fileName, contentType: type), contentType: type, content: document.content)
        }
        return BidContent(prices: content.prices, declarations: content.declarations, lotteryPicks: content.lotteryPicks, documents: checked)
    }

    /// What a bid is checked against, read once and kept for two seconds (`termsCache`); every
    /// change of a tender's state or deadline on this node forgets it at once.
    struct BiddingTerms: Sendable {
        let reference: String
        let state: String
        let publicKey: Data
        let deadline: Date
        let lots: [Lot]
        let rules: EvaluationRules
        let qualified: [String]?
    }

    func biddingTerms(_ id: UUID, fresh: Bool, on db: any Database) async throws -> BiddingTerms? {
        let now = Date()
        if !fresh, let cached = termsCache.withLock({ $0[id] }), now < cached.until { return cached.terms }
        guard let tender = try await TenderModel.find(id, on: db), tender.state != TenderState.draft.rawValue else {
            forgetTerms(id)
            return nil
        }
        let terms = BiddingTerms(reference: tender.reference, state: tender.state, publicKey: tender.publicKey ?? Data(), deadline: tender.deadline,
                                 lots: try JSONDecoder().decode([Lot].self, from: Data(tender.lots.utf8)), rules: try Self.rules(tender),
                                 qualified: try tender.qualified.map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) })
        termsCache.withLock { cache in
            if cache.count > 20_000 { cache.removeAll() }
            cache[id] = (terms, now.addingTimeInterval(2))
        }
        return terms
    }

    func forgetTerms(_ id: UUID) { termsCache.withLock { _ = $0.removeValue(forKey: id) } }

    /// Throws the refusal a bid gets against these terms.
    func checkTerms(_ terms: BiddingTerms?, supplier: SupplierModel, receivedAt: Date, on db: any Database) async throws -> BiddingTerms {
        guard let terms else { throw NaraError.notFound("The tender") }
        guard terms.state == TenderState.open.rawValue, !terms.publicKey.isEmpty else {
            throw NaraError(.conflict, code: "tender_not_open", "This tender does not take bids (\(terms.state)).")
        }
        let deadline = try await effectiveDeadline(terms.deadline, on: db)
        guard receivedAt < deadline else {
            throw NaraError(.conflict, code: "bid_late",
                            "The bid arrived at \(Timestamp.iso8601Millis(receivedAt)), at or after the deadline \(Timestamp.iso8601Millis(deadline)).")
        }
        if let qualified = terms.qualified, !qualified.contains(supplier.businessNumber) {
            throw NaraError.forbidden("This restricted tender takes bids only from its qualified suppliers.")
        }
        return terms
    }

    /// Writes a batch of prepared bids in one transaction, in a handful of statements whatever its
    /// size. Each bid gets its own outcome: a bid for a tender that stopped taking bids is refused
    /// without failing the others; the same idempotency key again (in the table or earlier in the
    /// batch) answers with the first receipt; of a supplier's bids for one tender the latest stands.
    func writeBids(_ bids: [PreparedBid], on db: any Database) async throws -> [Result<BidReceipt, any Error>] {
        let body: @Sendable (any Database) async throws -> [Result<BidReceipt, any Error>] = { tx in
            let sql = tx as! any SQLDatabase
            let tenderIDs = Array(Set(bids.map(\.tenderID)))
            // The tenders' states, share-locked (PostgreSQL) against an opening in another transaction.
            let rows = try await sql.select().columns("id", "state").from(TenderModel.schema)
                .where(SQLIdentifier("id"), .in, SQLBind.group(tenderIDs)).for(.share).all()
            var states: [UUID: String] = [:]
            for row in rows { states[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "state", as: String.self) }
            // Receipts already stored under these keys.
            var stored: [String: BidReceipt] = [:]
            for earlier in try await BidModel.query(on: tx).filter(\.$tenderID ~~ tenderIDs).filter(\.$idempotencyKey ~~ Array(Set(bids.map(\.idempotencyKey)))).all() {
                stored["\(earlier.tenderID)|\(earlier.supplierID)|\(earlier.idempotencyKey)"] = try JSONDecoder().decode(BidReceipt.self, from: Data(earlier.receipt.utf8))
            }
            var results = [Result<BidReceipt, any Error>?](repeating: nil, count: bids.count)
            var accepted: [PreparedBid] = []
            for (index, bid) in bids.enumerated().sorted(by: { $0.element.receivedAt < $1.element.receivedAt }) {
                let key = "\(bid.tenderID)|\(bid.supplierID)|\(bid.idempotencyKey)"
                if let earlier = stored[key] { results[index] = .success(earlier); continue }
                guard states[bid.tenderID] == TenderState.open.rawValue else {
                    results[index] = .failure(NaraError(.conflict, code: "tender_not_open", "This tender no longer takes bids."))
                    continue
                }
                stored[key] = bid.receipt
                accepted.append(bid)
                results[index] = .success(bid.receipt)
            }
            guard !accepted.isEmpty else { return results.map { $0! } }
            // Earlier bids of the same suppliers for the same tenders are replaced.
            let pairs = Set(accepted.map { "\($0.tenderID)|\($0.supplierID)" })
            try await BidModel.query(on: tx).filter(\.$status ~~ ["submitted", "needs_reconfirmation"]).group(.or) { group in
                for bid in accepted where pairs.contains("\(bid.tenderID)|\(bid.supplierID)") {
                    group.group(.and) { $0.filter(\.$tenderID == bid.tenderID).filter(\.$supplierID == bid.supplierID) }
                }
            }.set(\.$status, to: "replaced").update()
            let latest = Dictionary(accepted.map { ("\($0.tenderID)|\($0.supplierID)", $0.bidID) }, uniquingKeysWith: { $1 })
            let models = accepted.map { bid in
                let model = BidModel()
                model.id = bid.bidID
                model.tenderID = bid.tenderID
                model.supplierID = bid.supplierID
                model.encapsulatedKey = bid.envelope.encapsulatedKey
                model.ciphertext = bid.envelope.ciphertext
                model.sealedDigest = bid.envelope.digest
                model.receivedAt = bid.receivedAt
                model.status = latest["\(bid.tenderID)|\(bid.supplierID)"] == bid.bidID ? "submitted" : "replaced"
                model.idempotencyKey = bid.idempotencyKey
                model.receipt = bid.receiptJSON
                return model
            }
            try await models.create(on: tx)
            try await self.platform.audit.append(accepted.map {
                (AuditRecord(action: "procurement.bid.submit", objectType: "tender", objectID: $0.tenderReference,
                             detail: "sealed \($0.envelope.digest.prefix(16))"), $0.actor)
            }, on: tx)
            return results.map { $0! }
        }
        if db.inTransaction { return try await body(db) }
        do {
            return try await db.transaction(body)
        } catch {
            // A batch that failed as a whole (a race on another node, a constraint): each bid alone.
            guard bids.count > 1 else { throw error }
            var results: [Result<BidReceipt, any Error>] = []
            for bid in bids {
                do { results.append(contentsOf: try await db.transaction { tx in try await self.writeBids([bid], on: tx) }) } catch { results.append(.failure(error)) }
            }
            return results
        }
    }

    /// The caller's supplier registration, if any.
    func supplier(of actor: Actor, on db: any Database) async throws -> SupplierModel? {
        guard let accountID = actor.accountID else { return nil }
        return try await SupplierModel.query(on: db).filter(\.$accountID == accountID).first()
    }

    /// The supplier of an account, kept for a few seconds: every bid of the rush asks for it.
    func cachedSupplier(accountID: UUID, on db: any Database) async throws -> SupplierModel? {
        let now = Date()
        if let cached = supplierCache.withLock({ $0[accountID] }), now < cached.until { return cached.supplier }
        guard let supplier = try await SupplierModel.query(on: db).filter(\.$accountID == accountID).first() else { return nil }
        supplierCache.withLock { cache in
            if cache.count > 50_000 { cache.removeAll() }
            cache[accountID] = (supplier, now.addingTimeInterval(10))
        }
        return supplier
    }

    /// Withdraws one's bid before the deadline.
    func withdrawBid(tenderID: UUID, bidID: UUID, at now: Date, by actor: Actor, requestID: String?) async throws {
        guard let supplier = try await self.supplier(of: actor, on: db) else {
            throw NaraError.notFound("The bid")
        }
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard let bid = try await BidModel.find(bidID, on: tx), bid.tenderID == tenderID, bid.supplierID == supplier.id else {
                throw NaraError.notFound("The bid")
            }
            guard tender.state == TenderState.open.rawValue, now < tender.deadline else {
                throw NaraError(.conflict, code: "bid_late", "Bids can be withdrawn only before the deadline.")
            }
            guard bid.status == "submitted" || bid.status == "needs_reconfirmation" else {
                throw NaraError(.conflict, code: .illegalTransition, "This bid is \(bid.status).")
            }
            bid.status = "withdrawn"
            try await bid.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.bid.withdraw", objectType: "tender", objectID: tender.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
    }

    // MARK: Opening

    /// Opens a tender whose deadline has passed: unseals the tender key, opens every bid, checks
    /// each against its receipt, publishes bidders and prices, and fails the tender when fewer valid
    /// bids than the procedure's minimum arrived. A bid that cannot be opened is listed with its
    /// problem; a bid not re-confirmed after an amendment is listed without its price. With a
    /// reserve-price lottery the seed is revealed and the reserve computed from the bidders' picks.
    func open(tenderID: UUID, by actor: AuditActor, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        // Bids that arrived before the deadline may still be sealing or waiting for their commit.
        if !db.inTransaction { await intake.settle(tenderID) }
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.state == TenderState.open.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "This tender is \(tender.state).") }
            guard self.clock.now() >= (try await self.effectiveDeadline(tender, on: tx)) else {
                throw NaraError(.conflict, code: "before_deadline", "A tender opens at its deadline, \(Timestamp.iso8601Millis(tender.deadline)), not before.")
            }
            guard let sealedKey = tender.sealedPrivateKey else { throw NaraError(.internalError, code: .internalError, "The tender has no key.") }
            let bids = try await BidModel.query(on: tx).filter(\.$tenderID == tenderID).filter(\.$status ~~ ["submitted", "needs_reconfirmation"])
                .sort(\.$receivedAt).all()
            var opened: [OpenedBid] = []
            for bid in bids {
                let supplier = try await SupplierModel.find(bid.supplierID, on: tx)
                let bidder = supplier?.businessNumber ?? "?"
                let name = supplier?.name ?? ""
                func problem(_ text: String) -> OpenedBid {
                    OpenedBid(bidder: bidder, bidderName: name, receivedAt: bid.receivedAt, prices: nil, total: nil, problem: text, lotteryPicks: nil, declarations: nil)
                }
                if bid.status == "needs_reconfirmation" {
                    opened.append(problem("The bid was not re-confirmed after the tender was amended."))
                    continue
                }
                let envelope = SealedEnvelope(encapsulatedKey: bid.encapsulatedKey, ciphertext: bid.ciphertext)
                let receipt = try? JSONDecoder().decode(BidReceipt.self, from: Data(bid.receipt.utf8))
                guard envelope.digest == bid.sealedDigest, receipt?.sealedDigest == envelope.digest else {
                    opened.append(problem("The sealed bid does not match its receipt."))
                    continue
                }
                let content: BidContent
                do {
                    let plaintext = try envelope.open(sealedPrivateKey: sealedKey, cipher: self.keyCipher,
                                                      context: Self.context(tender: tenderID, supplier: bid.supplierID))
                    content = try JSONDecoder().decode(BidContent.self, from: plaintext)
                } catch {
                    opened.append(problem("The sealed bid could not be opened."))
                    continue
                }
                // The documents leave the envelope as platform files, readable by the parties only;
                // a storage failure stops the opening (it is retried), it never drops a bid.
                var documents: [OpenedBidDocument] = []
                for document in content.documents ?? [] {
                    let file = try await self.platform.files.store(document.content, name: document.fileName, declaredType: document.contentType,
                                                                    ownerAccountID: supplier?.accountID, by: actor, on: tx)
                    documents.append(OpenedBidDocument(title: document.title, fileID: file.id, name: file.name, contentType: file.contentType,
                                                       size: file.size, sha256: file.sha256))
                }
                opened.append(OpenedBid(bidder: bidder, bidderName: name, receivedAt: bid.receivedAt, prices: content.prices,
                                        total: content.prices.values.reduce(0, +), problem: nil, lotteryPicks: content.lotteryPicks,
                                        declarations: content.declarations, documents: documents.isEmpty ? nil : documents))
            }
            opened.sort { ($0.total ?? .max, $0.receivedAt) < ($1.total ?? .max, $1.receivedAt) }
            let valid = opened.filter { $0.problem == nil }
            let rules = try Self.rules(tender)
            if rules.method == .floorPrice {
                let lots = try JSONDecoder().decode([Lot].self, from: Data(tender.lots.utf8))
                let base = rules.baseAmountMinor ?? lots.map(\.estimatedValueMinor).reduce(0, +)
                var reserve = base
                if let lottery = rules.lottery {
                    guard let sealedSeed = tender.lotterySeed, let seed = Data(base64Encoded: try self.keyCipher.openString(sealedSeed)) else {
                        throw NaraError(.internalError, code: .internalError, "The lottery seed of \(tender.reference) cannot be unsealed; the opening stops.")
                    }
                    let prices = ReserveLottery.prices(seed: seed, base: base, rangeBasisPoints: lottery.rangeBasisPoints)
                    let draw = ReserveLottery.reserve(prices: prices, picks: valid.map { $0.lotteryPicks ?? [] })
                    reserve = draw.reserve
                    tender.lotteryRevealed = seed.map { String(format: "%02x", $0) }.joined()
                }
                tender.reservePrice = reserve
                tender.floorPrice = Self.partsPerMillion(reserve, Int64(rules.floorRatePPM ?? 1_000_000), roundUp: true)
            }
            let minimum = (Procedure(rawValue: tender.procedure) ?? .open).minimumBids
            tender.state = try Self.next(.open(validBids: valid.count, minimum: minimum), tender).rawValue
            tender.openedAt = self.clock.now()
            tender.result = String(decoding: try JSONEncoder().encode(opened), as: UTF8.self)
            if tender.state == TenderState.unsuccessful.rawValue { tender.completedAt = self.clock.now() }
            try await tender.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.open", objectType: "tender", objectID: tender.reference,
                                                             detail: "\(valid.count) valid of \(opened.count) bids; \(tender.state)"), by: actor, on: tx)
            var tags = ["tenderUpdate"]
            if tender.state == TenderState.opened.rawValue, rules.method != .priceQuality,
               try await self.advanceAwards(tender, by: actor, on: tx) {
                tags.append("award")
            }
            try await self.release(tender, tags: tags, on: tx)
        }
        forgetTerms(tenderID)
        return try await tender(id: tenderID, on: db)
    }

    /// The deadline after declared outages: the job records moved deadlines on the tender, but
    /// bids and the opening use the moved one at once, even before it has.
    func effectiveDeadline(_ tender: TenderModel, on db: any Database) async throws -> Date {
        try await effectiveDeadline(tender.deadline, on: db)
    }

    func effectiveDeadline(_ deadline: Date, on db: any Database) async throws -> Date {
        try await platform.calendar.calendar(on: db).extend(deadline, rule: Self.outageRule)
    }

    /// Moves the deadlines of open tenders that a declared outage touches, and tells everyone who
    /// bid on them.
    func moveDeadlinesForOutages() async throws {
        let calendar = try await platform.calendar.calendar(on: db)
        guard !calendar.outages.isEmpty else { return }
        for tender in try await TenderModel.query(on: db).filter(\.$state == TenderState.open.rawValue).all() {
            let moved = calendar.extend(tender.deadline, rule: Self.outageRule)
            guard moved > tender.deadline else { continue }
            try await db.transaction { tx in
                let locked = try await self.lock(tender.id!, on: tx)
                guard locked.state == TenderState.open.rawValue, locked.deadline < moved else { return }
                let old = locked.deadline
                locked.deadline = moved
                try await locked.save(on: tx)
                try await self.platform.audit.append(AuditRecord(action: "procurement.tender.deadline_moved", objectType: "tender", objectID: locked.reference,
                                                                 detail: "\(Timestamp.iso8601Millis(old)) → \(Timestamp.iso8601Millis(moved)) (declared outage)"),
                                                     by: .system("procurement-calendar"), on: tx)
                try await self.release(locked, tags: ["tenderUpdate"], on: tx)
                self.forgetTerms(locked.id!)
                try await self.notifyBidders(locked, title: "[\(locked.reference)] 입찰 마감 연장 / Bid deadline moved",
                                             body: "\(locked.title): the deadline moved from \(Timestamp.iso8601Millis(old)) to \(Timestamp.iso8601Millis(moved)) because of a declared outage of the platform. Your bid stands; you may replace or withdraw it until the new deadline.",
                                             on: tx)
            }
        }
    }

    /// Opens every tender whose deadline has passed (the clock's job), after moving the
    /// deadlines that declared outages touch.
    func openDue() async throws {
        try await moveDeadlinesForOutages()
        let due = try await TenderModel.query(on: db).filter(\.$state == TenderState.open.rawValue).filter(\.$deadline <= clock.now()).all()
        for tender in due {
            do { _ = try await open(tenderID: tender.id!, by: .system("procurement-opening")) } catch {
                platform.logger.error("tender not opened", metadata: ["tender": .string(tender.reference), "error": .string("\(error)")])
            }
        }
    }

    // MARK: Reading

    func tender(id: UUID, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        guard let model = try await TenderModel.find(id, on: db) else { throw NaraError.notFound("The tender") }
        return try await view(model, on: db)
    }

    func tenders(publicOnly: Bool, agencyID: UUID? = nil) async throws -> [TenderView] {
        var query = TenderModel.query(on: db)
        if publicOnly { query = query.filter(\.$state != TenderState.draft.rawValue) }
        if let agencyID { query = query.filter(\.$agencyID == agencyID) }
        var views: [TenderView] = []
        for model in try await query.sort(\.$deadline, .descending).limit(200).all() { views.append(try await view(model, on: db)) }
        return views
    }

    func view(_ m: TenderModel, on db: any Database) async throws -> TenderView {
        let agency = try await platform.identity.agency(id: m.agencyID, on: db)
        let state = TenderState(rawValue: m.state) ?? .draft
        let decoder = JSONDecoder()
        // Nothing about bids leaves the service before the opening.
        let isOpened = m.openedAt != nil
        // Bid documents are for the parties (`bidDocuments`), not the public view.
        let bids: [OpenedBid]? = isOpened ? try m.result.map { try decoder.decode([OpenedBid].self, from: Data($0.utf8)) }?.map { bid in
            var bid = bid
            bid.documents = nil
            return bid
        } : nil
        let rules = try Self.rules(m)
        var lottery: LotteryView?
        if let rulesLottery = rules.lottery, let commitment = m.lotteryCommitment {
            var prices: [Int64]?, chosen: [Int]?
            if isOpened, let hex = m.lotteryRevealed, let seed = Data(hex: hex) {
                let lots = try decoder.decode([Lot].self, from: Data(m.lots.utf8))
                let drawn = ReserveLottery.prices(seed: seed, base: rules.baseAmountMinor ?? lots.map(\.estimatedValueMinor).reduce(0, +),
                                                  rangeBasisPoints: rulesLottery.rangeBasisPoints)
                prices = drawn
                chosen = ReserveLottery.reserve(prices: drawn, picks: (bids ?? []).filter { $0.problem == nil }.map { $0.lotteryPicks ?? [] }).chosen
            }
            lottery = LotteryView(rangeBasisPoints: rulesLottery.rangeBasisPoints, picks: rulesLottery.picks, commitment: commitment,
                                  seed: isOpened ? m.lotteryRevealed : nil, prices: prices, chosen: chosen)
        }
        let awards = try await AwardModel.query(on: db).filter(\.$tenderID == m.id!).sort(\.$createdAt).all()
        var awardViews: [AwardView] = []
        for award in awards { awardViews.append(try await awardView(award, on: db)) }
        return TenderView(
            id: m.id!, reference: m.reference, ocid: ocid(m.reference), title: m.title, description: m.descriptionText, agencyCode: agency?.code ?? "",
            agencyName: agency?.nameEN ?? "", procedure: Procedure(rawValue: m.procedure) ?? .open, category: m.category ?? "goods",
            lots: try decoder.decode([Lot].self, from: Data(m.lots.utf8)),
            items: try m.items.map { try decoder.decode([TenderItem].self, from: Data($0.utf8)) } ?? [],
            documents: try m.documents.map { try decoder.decode([TenderDocument].self, from: Data($0.utf8)) } ?? [],
            eligibility: m.eligibility ?? "", evaluation: rules, currency: m.currency, state: state,
            planBudgetMinor: m.planBudget, planRationale: m.planRationale, plannedAt: m.plannedAt, publishedAt: m.publishedAt,
            enquiryDeadline: m.enquiryDeadline, deadline: m.deadline,
            qualifiedSuppliers: try m.qualified.map { try decoder.decode([String].self, from: Data($0.utf8)) },
            amendments: try m.amendments.map { try decoder.decode([TenderAmendment].self, from: Data($0.utf8)) } ?? [],
            openedAt: m.openedAt, cancelReason: m.cancelReason, bids: bids, lottery: lottery,
            reservePriceMinor: isOpened ? m.reservePrice : nil, floorPriceMinor: isOpened ? m.floorPrice : nil,
            qualityScores: try m.qualityScores.map { try decoder.decode([String: Int].self, from: Data($0.utf8)) }, awards: awardViews)
    }

    func ocid(_ reference: String) -> String { "\(platform.configuration.ocdsPrefix)-\(reference)" }

    // MARK: Internals

    static func context(tender: UUID, supplier: UUID) -> Data {
        Data("nara-bid-v1|\(tender.uuidString.lowercased())|\(supplier.uuidString.lowercased())".utf8)
    }

    func lock(_ id: UUID, on tx: any Database) async throws -> TenderModel {
        try await tx.lockRow(TenderModel.schema, id: id)
        guard let model = try await TenderModel.find(id, on: tx) else { throw NaraError.notFound("The tender") }
        return model
    }
}
