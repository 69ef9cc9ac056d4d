import FluentKit
import Foundation
import NaraCore

public struct NewTender: Sendable, Codable {
    public var title: String
    public var description: String
    public var procedure: String
    public var lots: [Lot]
    /// ISO 8601 date-time of the bid deadline.
    public var deadline: String
}

public struct TenderView: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let title: String
    public let description: String
    public let agencyCode: String
    public let agencyName: String
    public let procedure: Procedure
    public let lots: [Lot]
    public let currency: String
    public let state: TenderState
    public let publishedAt: Date?
    public let deadline: Date
    public let openedAt: Date?
    public let cancelReason: String?
    /// Known only after the opening; nil before, for everyone.
    public let bids: [OpenedBid]?
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
    static let module = "procurement"
    /// The Public Procurement Service keeps the supplier register and checks the business registry.
    static let registryAgencyCode = "1230000"
    /// A deadline inside a declared outage, or within 2 hours after it, moves to at least 48 hours
    /// after recovery (the KONEPS rule).
    static let outageRule = OutageRule.minimumAfterRecovery(minimum: 48 * 3600, grace: 2 * 3600)

    init(platform: Platform) {
        self.platform = platform
        self.keyCipher = FieldCipher(masterKey: platform.masterKey, purpose: "procurement-tender-keys")
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
        var v = Validator()
        v.require(input.title, "title", maxLength: 300)
        v.require(input.description, "description", maxLength: 4000)
        let procedure = Procedure(rawValue: input.procedure)
        if procedure == nil { v.add("procedure", "unknown", "Choose open, restricted or quotation.") }
        if input.lots.isEmpty || input.lots.count > 50 { v.add("lots", "count", "A tender has 1 to 50 lots.") }
        if Set(input.lots.map(\.number)).count != input.lots.count { v.add("lots", "duplicate", "Lot numbers are unique.") }
        for (i, lot) in input.lots.enumerated() {
            if lot.number < 1 { v.add("lots/\(i)/number", "range", "Lots are numbered from 1.") }
            if lot.title.isEmpty || lot.title.count > 300 { v.add("lots/\(i)/title", "required", "Give the lot a title.") }
            if lot.estimatedValueMinor <= 0 { v.add("lots/\(i)/estimatedValueMinor", "range", "The estimated value is positive.") }
        }
        let deadline = Timestamp.parseISO8601(input.deadline)
        if deadline == nil { v.add("deadline", "format", "Give the deadline as an ISO 8601 date-time.") }
        try v.check()
        guard let procedure, let deadline else { throw NaraError.validation(v.errors) }
        try await checkPeriod(procedure, deadline: deadline, from: clock.now(), on: db)
        let year = platform.calendar.localDay(of: clock.now()).components.year
        let id = UUID()
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
            model.lots = String(decoding: try JSONEncoder().encode(input.lots.sorted { $0.number < $1.number }), as: UTF8.self)
            model.currency = "KRW"
            model.state = TenderState.draft.rawValue
            model.createdAt = self.clock.now()
            model.deadline = deadline
            model.version = 1
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.create", objectType: "tender", objectID: model.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await tender(id: id, on: db)
    }

    /// The deadline must leave at least the procedure's minimum tendering period.
    func checkPeriod(_ procedure: Procedure, deadline: Date, from now: Date, on db: any Database) async throws {
        let calendar = try await platform.calendar.calendar(on: db)
        let earliest = calendar.deadline(for: procedure.minimumPeriod, from: now)
        guard deadline >= earliest else {
            throw NaraError.validation([FieldError(field: "deadline", code: "too_soon",
                                                   message: "A \(procedure.rawValue) tender stays open at least \(procedure.minimumPeriod): the earliest deadline is \(Timestamp.iso8601Millis(earliest)).")])
        }
    }

    /// Publishes: creates the tender's key pair (the private key sealed under the master key until the opening).
    func publish(id: UUID, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let keys = try SealedEnvelope.newKeyPair(cipher: keyCipher)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            try await self.checkPeriod(Procedure(rawValue: model.procedure) ?? .open, deadline: model.deadline, from: self.clock.now(), on: tx)
            model.state = try Self.next(.publish, model).rawValue
            model.publishedAt = self.clock.now()
            model.publicKey = keys.publicKey
            model.sealedPrivateKey = keys.sealedPrivateKey
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.publish", objectType: "tender", objectID: model.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await tender(id: id, on: db)
    }

    func cancel(id: UUID, reason: String, by actor: Actor, requestID: String?) async throws -> TenderView {
        try await cancelOnSeed(id: id, reason: reason, by: actor, requestID: requestID, on: db)
    }

    func cancelOnSeed(id: UUID, reason: String, by actor: Actor, requestID: String? = nil, on db: any Database) async throws -> TenderView {
        let agencyID = try officerAgency(actor)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            model.state = try Self.next(.cancel(reason: reason), model).rawValue
            model.cancelReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.cancel", objectType: "tender", objectID: model.reference, detail: reason),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
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
        guard let accountID = actor.accountID,
              let supplier = try await SupplierModel.query(on: db).filter(\.$accountID == accountID).first(), supplier.status == "active" else {
            throw NaraError.forbidden("Register as a supplier before bidding.")
        }
        let key = idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 100 else {
            throw NaraError.validation([FieldError(field: "idempotencyKey", code: "required", message: "Send an Idempotency-Key of at most 100 characters.")])
        }
        if let earlier = try await BidModel.query(on: db).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplier.id!)
            .filter(\.$idempotencyKey == key).first() {
            return try JSONDecoder().decode(BidReceipt.self, from: Data(earlier.receipt.utf8))
        }
        guard let tender = try await TenderModel.find(tenderID, on: db), tender.state != TenderState.draft.rawValue else {
            throw NaraError.notFound("The tender")
        }
        guard tender.state == TenderState.open.rawValue, let publicKey = tender.publicKey else {
            throw NaraError(.conflict, code: "tender_not_open", "This tender does not take bids (\(tender.state)).")
        }
        let deadline = try await effectiveDeadline(tender, on: db)
        guard receivedAt < deadline else {
            throw NaraError(.conflict, code: "bid_late",
                            "The bid arrived at \(Timestamp.iso8601Millis(receivedAt)), at or after the deadline \(Timestamp.iso8601Millis(deadline)).")
        }
        let lots = try JSONDecoder().decode([Lot].self, from: Data(tender.lots.utf8))
        var v = Validator()
        if content.prices.isEmpty { v.add("prices", "required", "Bid a price for at least one lot.") }
        for (lot, price) in content.prices.sorted(by: { $0.key < $1.key }) {
            if !lots.contains(where: { String($0.number) == lot }) { v.add("prices/\(lot)", "unknown", "The tender has no lot \(lot).") }
            if price <= 0 || price > 1_000_000_000_000_000 { v.add("prices/\(lot)", "range", "A price is a positive amount in KRW.") }
        }
        if content.declarations.count > 20 { v.add("declarations", "count", "At most 20 declarations.") }
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
        let receiptJSON = String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self)
        let supplierID = supplier.id!
        try await db.transaction { tx in
            // The tender's row lock orders bids against the opening.
            let locked = try await self.lock(tenderID, on: tx)
            guard locked.state == TenderState.open.rawValue else { throw NaraError(.conflict, code: "tender_not_open", "This tender no longer takes bids.") }
            let previous = try await BidModel.query(on: tx).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplierID)
                .filter(\.$status == "submitted").all()
            for bid in previous { bid.status = "replaced"; try await bid.save(on: tx) }
            let bid = BidModel()
            bid.id = bidID
            bid.tenderID = tenderID
            bid.supplierID = supplierID
            bid.encapsulatedKey = envelope.encapsulatedKey
            bid.ciphertext = envelope.ciphertext
            bid.sealedDigest = envelope.digest
            bid.receivedAt = receivedAt
            bid.status = "submitted"
            bid.idempotencyKey = key
            bid.receipt = receiptJSON
            try await bid.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.bid.submit", objectType: "tender", objectID: tender.reference,
                                                             detail: "sealed \(envelope.digest.prefix(16))"), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return receipt
    }

    /// Withdraws one's bid before the deadline.
    func withdrawBid(tenderID: UUID, bidID: UUID, at now: Date, by actor: Actor, requestID: String?) async throws {
        guard let accountID = actor.accountID, let supplier = try await SupplierModel.query(on: db).filter(\.$accountID == accountID).first() else {
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
            guard bid.status == "submitted" else { throw NaraError(.conflict, code: .illegalTransition, "This bid is \(bid.status).") }
            bid.status = "withdrawn"
            try await bid.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.bid.withdraw", objectType: "tender", objectID: tender.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
    }

    func myBids(tenderID: UUID, by actor: Actor) async throws -> [BidReceipt] {
        guard let accountID = actor.accountID, let supplier = try await SupplierModel.query(on: db).filter(\.$accountID == accountID).first() else { return [] }
        return try await BidModel.query(on: db).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplier.id!).filter(\.$status == "submitted").all()
            .map { try JSONDecoder().decode(BidReceipt.self, from: Data($0.receipt.utf8)) }
    }

    // MARK: Opening

    /// Opens a tender whose deadline has passed: unseals the tender key, opens every bid, checks
    /// each against its receipt, publishes bidders and prices, and fails the tender when fewer valid
    /// bids than the procedure's minimum arrived. A bid that cannot be opened is listed with its problem.
    func open(tenderID: UUID, by actor: AuditActor, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.state == TenderState.open.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "This tender is \(tender.state).") }
            guard self.clock.now() >= (try await self.effectiveDeadline(tender, on: tx)) else {
                throw NaraError(.conflict, code: "before_deadline", "A tender opens at its deadline, \(Timestamp.iso8601Millis(tender.deadline)), not before.")
            }
            guard let sealedKey = tender.sealedPrivateKey else { throw NaraError(.internalError, code: .internalError, "The tender has no key.") }
            let bids = try await BidModel.query(on: tx).filter(\.$tenderID == tenderID).filter(\.$status == "submitted").sort(\.$receivedAt).all()
            var opened: [OpenedBid] = []
            for bid in bids {
                let supplier = try await SupplierModel.find(bid.supplierID, on: tx)
                let bidder = supplier?.businessNumber ?? "?"
                let envelope = SealedEnvelope(encapsulatedKey: bid.encapsulatedKey, ciphertext: bid.ciphertext)
                let receipt = try? JSONDecoder().decode(BidReceipt.self, from: Data(bid.receipt.utf8))
                guard envelope.digest == bid.sealedDigest, receipt?.sealedDigest == envelope.digest else {
                    opened.append(OpenedBid(bidder: bidder, bidderName: supplier?.name ?? "", receivedAt: bid.receivedAt, prices: nil, total: nil,
                                            problem: "The sealed bid does not match its receipt."))
                    continue
                }
                do {
                    let plaintext = try envelope.open(sealedPrivateKey: sealedKey, cipher: self.keyCipher,
                                                      context: Self.context(tender: tenderID, supplier: bid.supplierID))
                    let content = try JSONDecoder().decode(BidContent.self, from: plaintext)
                    opened.append(OpenedBid(bidder: bidder, bidderName: supplier?.name ?? "", receivedAt: bid.receivedAt, prices: content.prices,
                                            total: content.prices.values.reduce(0, +), problem: nil))
                } catch {
                    opened.append(OpenedBid(bidder: bidder, bidderName: supplier?.name ?? "", receivedAt: bid.receivedAt, prices: nil, total: nil,
                                            problem: "The sealed bid could not be opened."))
                }
            }
            opened.sort { ($0.total ?? .max, $0.receivedAt) < ($1.total ?? .max, $1.receivedAt) }
            let valid = opened.filter { $0.problem == nil }.count
            let minimum = (Procedure(rawValue: tender.procedure) ?? .open).minimumBids
            tender.state = try Self.next(.open(validBids: valid, minimum: minimum), tender).rawValue
            tender.openedAt = self.clock.now()
            tender.result = String(decoding: try JSONEncoder().encode(opened), as: UTF8.self)
            try await tender.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.open", objectType: "tender", objectID: tender.reference,
                                                             detail: "\(valid) valid of \(opened.count) bids; \(tender.state)"), by: actor, on: tx)
        }
        return try await tender(id: tenderID, on: db)
    }

    /// The deadline after declared outages: the job records moved deadlines on the tender, but
    /// bids and the opening use the moved one at once, even before it has.
    func effectiveDeadline(_ tender: TenderModel, on db: any Database) async throws -> Date {
        try await platform.calendar.calendar(on: db).extend(tender.deadline, rule: Self.outageRule)
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
                let supplierIDs = Set(try await BidModel.query(on: tx).filter(\.$tenderID == locked.id!).all().map(\.supplierID))
                for supplierID in supplierIDs {
                    guard let supplier = try await SupplierModel.find(supplierID, on: tx) else { continue }
                    try await self.platform.notifications.notify(
                        accountID: supplier.accountID, module: Self.module,
                        title: "[\(locked.reference)] 입찰 마감 연장 / Bid deadline moved",
                        body: "\(locked.title): the deadline moved from \(Timestamp.iso8601Millis(old)) to \(Timestamp.iso8601Millis(moved)) because of a declared outage of the platform. Your bid stands; you may replace or withdraw it until the new deadline.",
                        link: "/procurement/tenders/\(locked.id!.uuidString.lowercased())", on: tx)
                }
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
        // Nothing about bids leaves the service before the opening.
        let bids: [OpenedBid]? = (state == .opened || state == .unsuccessful) ? try m.result.map { try JSONDecoder().decode([OpenedBid].self, from: Data($0.utf8)) } : nil
        return TenderView(id: m.id!, reference: m.reference, title: m.title, description: m.descriptionText, agencyCode: agency?.code ?? "",
                          agencyName: agency?.nameEN ?? "", procedure: Procedure(rawValue: m.procedure) ?? .open,
                          lots: try JSONDecoder().decode([Lot].self, from: Data(m.lots.utf8)), currency: m.currency, state: state,
                          publishedAt: m.publishedAt, deadline: m.deadline, openedAt: m.openedAt, cancelReason: m.cancelReason, bids: bids)
    }

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
