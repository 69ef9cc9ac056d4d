import FluentKit
import Foundation
import NaraCore

public struct TenderAmendmentInput: Sendable, Codable {
    public var rationale: String
    public var description: String?
    public var deadline: String?
    public var items: [TenderItem]?
    public var documents: [TenderDocument]?
    public var eligibility: String?

    public init(rationale: String, description: String? = nil, deadline: String? = nil, items: [TenderItem]? = nil,
                documents: [TenderDocument]? = nil, eligibility: String? = nil) {
        self.rationale = rationale
        self.description = description
        self.deadline = deadline
        self.items = items
        self.documents = documents
        self.eligibility = eligibility
    }
}

public struct EnquiryView: Sendable, Codable, Equatable {
    public let id: UUID
    public let question: String
    public let askedAt: Date
    public let answer: String?
    public let answeredAt: Date?
}

public struct MyBid: Sendable, Codable, Equatable {
    public let receipt: BidReceipt
    /// submitted, or needs_reconfirmation after an amendment.
    public let status: String
}

/// Amendments, public enquiries and re-confirmation of bids.
extension ProcurementService {
    /// The shortest time left to bid after an amendment.
    static let amendmentMinimum: TimeInterval = 7 * 86_400

    /// Amends an open tender. With fewer than 7 days left the deadline moves to at least 7 days
    /// from now; every bid already in must be re-confirmed (or replaced), and its bidder is told.
    func amend(id: UUID, _ input: TenderAmendmentInput, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let now = clock.now()
        var v = Validator()
        v.require(input.rationale, "rationale", maxLength: 2000)
        if let description = input.description { v.require(description, "description", maxLength: 4000) }
        if let eligibility = input.eligibility { v.require(eligibility, "eligibility", maxLength: 4000) }
        var requested: Date?
        if let raw = input.deadline {
            requested = Timestamp.parseISO8601(raw)
            if requested == nil { v.add("deadline", "format", "Give the deadline as an ISO 8601 date-time.") }
        }
        let documents = input.documents.map { Self.validateDocuments($0, at: now, into: &v) }
        try v.check()
        let requestedDeadline = requested
        let encoder = JSONEncoder()
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            guard model.state == TenderState.open.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Only an open tender can be amended; this one is \(model.state).")
            }
            let current = try await self.effectiveDeadline(model, on: tx)
            guard now < current else { throw NaraError(.conflict, code: "bid_late", "The deadline has passed; the tender awaits its opening.") }
            if let requestedDeadline, requestedDeadline < current {
                throw NaraError.validation([FieldError(field: "deadline", code: "earlier", message: "An amendment cannot bring the deadline forward.")])
            }
            var changes: [String] = []
            if let items = input.items {
                var iv = Validator()
                let lots = try JSONDecoder().decode([Lot].self, from: Data(model.lots.utf8))
                Self.validateLots(lots, items: items, into: &iv)
                try iv.check()
                model.items = String(decoding: try encoder.encode(Self.numbered(items)), as: UTF8.self)
                changes.append("items")
            }
            if let documents {
                let existing = try model.documents.map { try JSONDecoder().decode([TenderDocument].self, from: Data($0.utf8)) } ?? []
                model.documents = String(decoding: try encoder.encode(documents.map { document in
                    var document = document
                    if existing.contains(where: { $0.id == document.id }) { document.id = "\(document.id ?? "doc")-a\(now.timeIntervalSince1970.rounded())" }
                    return document
                }), as: UTF8.self)
                changes.append("documents")
            }
            if let description = input.description { model.descriptionText = description.trimmingCharacters(in: .whitespacesAndNewlines); changes.append("description") }
            if let eligibility = input.eligibility { model.eligibility = eligibility.trimmingCharacters(in: .whitespacesAndNewlines); changes.append("eligibility") }
            var deadline = max(requestedDeadline ?? current, current)
            if deadline.timeIntervalSince(now) < Self.amendmentMinimum { deadline = now.addingTimeInterval(Self.amendmentMinimum) }
            if deadline != model.deadline { changes.append("deadline \(Timestamp.iso8601Millis(model.deadline)) → \(Timestamp.iso8601Millis(deadline))") }
            model.deadline = deadline
            var amendments = try model.amendments.map { try JSONDecoder().decode([TenderAmendment].self, from: Data($0.utf8)) } ?? []
            let amendment = TenderAmendment(id: "amendment-\(amendments.count + 1)", date: now,
                                            rationale: input.rationale.trimmingCharacters(in: .whitespacesAndNewlines),
                                            description: changes.isEmpty ? "No change to the terms." : "Changed: " + changes.joined(separator: "; "))
            amendments.append(amendment)
            model.amendments = String(decoding: try encoder.encode(amendments), as: UTF8.self)
            model.version += 1
            try await model.save(on: tx)
            let bids = try await BidModel.query(on: tx).filter(\.$tenderID == id).filter(\.$status == "submitted").all()
            for bid in bids {
                bid.status = "needs_reconfirmation"
                try await bid.save(on: tx)
                guard let supplier = try await SupplierModel.find(bid.supplierID, on: tx) else { continue }
                try await self.platform.notifications.notify(
                    accountID: supplier.accountID, module: Self.module,
                    title: "[\(model.reference)] 공고 정정, 입찰 재확인 필요 / Tender amended: confirm your bid",
                    body: "\(model.title) was amended (\(amendment.rationale)). \(amendment.description). Confirm your bid or replace it before \(Timestamp.iso8601Millis(deadline)); a bid not confirmed is not evaluated.",
                    link: "/procurement/tenders/\(id.uuidString.lowercased())", on: tx)
            }
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.amend", objectType: "tender", objectID: model.reference,
                                                             detail: "\(amendment.description); \(bids.count) bids to re-confirm"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.release(model, tags: ["tenderAmendment"], on: tx)
        }
        forgetTerms(id)
        return try await tender(id: id, on: db)
    }

    /// The bidder confirms a bid after an amendment, before the deadline.
    func reconfirmBid(tenderID: UUID, bidID: UUID, at now: Date, by actor: Actor, requestID: String?) async throws -> MyBid {
        guard let supplier = try await self.supplier(of: actor, on: db) else {
            throw NaraError.notFound("The bid")
        }
        return try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard let bid = try await BidModel.find(bidID, on: tx), bid.tenderID == tenderID, bid.supplierID == supplier.id else {
                throw NaraError.notFound("The bid")
            }
            guard tender.state == TenderState.open.rawValue, now < (try await self.effectiveDeadline(tender, on: tx)) else {
                throw NaraError(.conflict, code: "bid_late", "Bids can be confirmed only before the deadline.")
            }
            guard bid.status == "needs_reconfirmation" else {
                throw NaraError(.conflict, code: .illegalTransition, "This bid is \(bid.status); only a bid awaiting re-confirmation can be confirmed.")
            }
            bid.status = "submitted"
            try await bid.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.bid.reconfirm", objectType: "tender", objectID: tender.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            return MyBid(receipt: try JSONDecoder().decode(BidReceipt.self, from: Data(bid.receipt.utf8)), status: bid.status)
        }
    }

    func myBids(tenderID: UUID, by actor: Actor) async throws -> [MyBid] {
        guard let supplier = try await self.supplier(of: actor, on: db) else { return [] }
        return try await BidModel.query(on: db).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplier.id!)
            .filter(\.$status ~~ ["submitted", "needs_reconfirmation"]).all()
            .map { MyBid(receipt: try JSONDecoder().decode(BidReceipt.self, from: Data($0.receipt.utf8)), status: $0.status) }
    }

    // MARK: Enquiries

    /// A registered supplier asks a question during the enquiry period. Questions and answers are
    /// public; who asked is not.
    func ask(tenderID: UUID, question: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> EnquiryView {
        let db = database ?? self.db
        guard let supplier = try await self.supplier(of: actor, on: db),
              supplier.status == "active" else {
            throw NaraError.forbidden("Register as a supplier to ask questions about a tender.")
        }
        var v = Validator()
        v.require(question, "question", maxLength: 4000)
        try v.check()
        guard let tender = try await TenderModel.find(tenderID, on: db), tender.state != TenderState.draft.rawValue else { throw NaraError.notFound("The tender") }
        guard tender.state == TenderState.open.rawValue, let until = tender.enquiryDeadline, clock.now() < until else {
            throw NaraError(.conflict, code: "enquiries_closed", "Questions about this tender closed at \(tender.enquiryDeadline.map(Timestamp.iso8601Millis) ?? "its publication").")
        }
        if let qualified = tender.qualified, let list = try? JSONDecoder().decode([String].self, from: Data(qualified.utf8)),
           !list.contains(supplier.businessNumber) {
            throw NaraError.forbidden("Only the qualified suppliers of this restricted tender may ask about it.")
        }
        let model = EnquiryModel()
        model.id = UUID()
        model.tenderID = tenderID
        model.supplierID = supplier.id!
        model.question = question.trimmingCharacters(in: .whitespacesAndNewlines)
        model.askedAt = clock.now()
        try await db.transaction { tx in
            let locked = try await self.lock(tenderID, on: tx)
            try await model.create(on: tx)
            try await self.release(locked, tags: ["tenderUpdate"], on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.enquiry.ask", objectType: "tender", objectID: tender.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.platform.notifications.notify(accountID: tender.officerID, module: Self.module,
                                                         title: "[\(tender.reference)] 질의 접수 / New question",
                                                         body: "A supplier asked about \(tender.title): \(model.question.prefix(200))",
                                                         link: "/procurement/tenders/\(tenderID.uuidString.lowercased())", on: tx)
        }
        return Self.enquiryView(model)
    }

    /// The tender's officer answers; the answer is public at once and the asker is told.
    func answer(tenderID: UUID, enquiryID: UUID, answer: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> EnquiryView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        var v = Validator()
        v.require(answer, "answer", maxLength: 8000)
        try v.check()
        return try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.agencyID == agencyID, let enquiry = try await EnquiryModel.find(enquiryID, on: tx), enquiry.tenderID == tenderID else {
                throw NaraError.notFound("The question")
            }
            guard enquiry.answer == nil else { throw NaraError(.conflict, code: .illegalTransition, "This question is already answered.") }
            guard tender.state == TenderState.open.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "The tender is \(tender.state).") }
            enquiry.answer = answer.trimmingCharacters(in: .whitespacesAndNewlines)
            enquiry.answeredAt = self.clock.now()
            try await enquiry.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.enquiry.answer", objectType: "tender", objectID: tender.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            if let supplier = try await SupplierModel.find(enquiry.supplierID, on: tx) {
                try await self.platform.notifications.notify(accountID: supplier.accountID, module: Self.module,
                                                             title: "[\(tender.reference)] 질의 답변 / Your question was answered",
                                                             body: "\(tender.title): \(enquiry.answer!.prefix(300))",
                                                             link: "/procurement/tenders/\(tenderID.uuidString.lowercased())", on: tx)
            }
            try await self.release(tender, tags: ["tenderUpdate"], on: tx)
            return Self.enquiryView(enquiry)
        }
    }

    func enquiries(tenderID: UUID, on database: (any Database)? = nil) async throws -> [EnquiryView] {
        try await EnquiryModel.query(on: database ?? db).filter(\.$tenderID == tenderID).sort(\.$askedAt).all().map(Self.enquiryView)
    }

    static func enquiryView(_ m: EnquiryModel) -> EnquiryView {
        EnquiryView(id: m.id!, question: m.question, askedAt: m.askedAt, answer: m.answer, answeredAt: m.answeredAt)
    }
}
