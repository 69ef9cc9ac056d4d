import FluentKit
import Foundation
import NaraCore

public enum AwardStatus: String, Sendable, Codable, CaseIterable {
    /// The first bid in order, awaiting the officer's qualification check.
    case pending
    /// Qualified: the standstill runs, then the contract.
    case active
    /// Disqualified: the next bid in order becomes the pending award.
    case unsuccessful
    /// Withdrawn by an upheld complaint or the cancellation of the tender.
    case cancelled
}

public struct AwardView: Sendable, Codable, Equatable {
    public let id: UUID
    public let lot: Int
    public let bidder: String
    public let bidderName: String
    public let amountMinor: Int64
    public let status: AwardStatus
    public let reason: String?
    public let createdAt: Date
    public let decidedAt: Date?
    /// Complaints are taken until then; the contract may be signed after it.
    public let standstillEnd: Date?
}

/// A bid's place in a lot's evaluation.
public struct RankedBid: Sendable, Codable, Equatable {
    public let lot: Int
    public let bidder: String
    public let bidderName: String
    public let priceMinor: Int64
    /// priceQuality: the weighted score (0-100).
    public let score: Double?
    public let eligible: Bool
    public let note: String?
}

public enum ComplaintStatus: String, Sendable, Codable, CaseIterable {
    case submitted
    case accepted
    case satisfied
    case declined
    case withdrawn

    var isOpen: Bool { self == .submitted || self == .accepted }
}

public struct ComplaintView: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let tenderID: UUID
    public let tenderReference: String
    public let awardID: UUID?
    public let complainant: String
    public let title: String
    public let description: String
    public let status: ComplaintStatus
    public let lodgedAt: Date
    public let decision: String?
    public let decidedAt: Date?
}

public struct NewComplaint: Sendable, Codable {
    public var awardID: UUID?
    public var title: String
    public var description: String
}

/// Evaluation, awards in order with qualification, the standstill and complaints.
extension ProcurementService {
    // MARK: Evaluation

    /// Each lot's bids in the order the tender's method gives; the eligible ones first.
    func ranking(_ tender: TenderModel) throws -> [Int: [RankedBid]] {
        guard let raw = tender.result else { return [:] }
        let opened = try JSONDecoder().decode([OpenedBid].self, from: Data(raw.utf8)).filter { $0.problem == nil }
        let lots = try JSONDecoder().decode([Lot].self, from: Data(tender.lots.utf8))
        let rules = try Self.rules(tender)
        let scores = try tender.qualityScores.map { try JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) } ?? [:]
        var result: [Int: [RankedBid]] = [:]
        for lot in lots {
            let priced = opened.compactMap { bid in bid.prices?[String(lot.number)].map { (bid, $0) } }
            let lowest = priced.map(\.1).min() ?? 1
            var ranked: [(RankedBid, Date)] = priced.map { bid, price in
                switch rules.method {
                case .lowestPrice:
                    return (RankedBid(lot: lot.number, bidder: bid.bidder, bidderName: bid.bidderName, priceMinor: price, score: nil, eligible: true, note: nil),
                            bid.receivedAt)
                case .floorPrice:
                    let floor = tender.floorPrice ?? 0
                    let ok = price >= floor
                    return (RankedBid(lot: lot.number, bidder: bid.bidder, bidderName: bid.bidderName, priceMinor: price, score: nil, eligible: ok,
                                      note: ok ? nil : "Below the floor price of \(Money.format(floor, currency: tender.currency))."), bid.receivedAt)
                case .priceQuality:
                    guard let quality = scores[bid.bidder] else {
                        return (RankedBid(lot: lot.number, bidder: bid.bidder, bidderName: bid.bidderName, priceMinor: price, score: nil, eligible: false,
                                          note: "No quality score."), bid.receivedAt)
                    }
                    let score = Double(rules.qualityWeight ?? 0) * Double(quality) / 100 + Double(rules.priceWeight ?? 0) * Double(lowest) / Double(price)
                    return (RankedBid(lot: lot.number, bidder: bid.bidder, bidderName: bid.bidderName, priceMinor: price,
                                      score: (score * 1000).rounded() / 1000, eligible: true, note: nil), bid.receivedAt)
                }
            }
            ranked.sort { a, b in
                if a.0.eligible != b.0.eligible { return a.0.eligible }
                if let sa = a.0.score, let sb = b.0.score, sa != sb { return sa > sb }
                if a.0.priceMinor != b.0.priceMinor { return a.0.priceMinor < b.0.priceMinor }
                return a.1 < b.1
            }
            result[lot.number] = ranked.map(\.0)
        }
        return result
    }

    /// Gives every lot without a pending or active award the next eligible bid in order, then moves
    /// the tender: awarded when no award is pending and one is active; unsuccessful when none is
    /// left. Returns whether a new award was made.
    @discardableResult
    func advanceAwards(_ tender: TenderModel, by actor: AuditActor, on tx: any Database) async throws -> Bool {
        let ranking = try ranking(tender)
        let awards = try await AwardModel.query(on: tx).filter(\.$tenderID == tender.id!).all()
        var created = false
        for (lot, bids) in ranking.sorted(by: { $0.key < $1.key }) {
            let lotAwards = awards.filter { $0.lot == lot }
            if lotAwards.contains(where: { $0.status == AwardStatus.pending.rawValue || $0.status == AwardStatus.active.rawValue }) { continue }
            var excluded: Set<UUID> = Set(lotAwards.map(\.supplierID))
            for bid in bids where bid.eligible {
                guard let supplier = try await SupplierModel.query(on: tx).filter(\.$businessNumber == bid.bidder).first(),
                      !excluded.contains(supplier.id!) else { continue }
                excluded.insert(supplier.id!)
                let award = AwardModel()
                award.id = UUID()
                award.tenderID = tender.id!
                award.lot = lot
                award.supplierID = supplier.id!
                award.amount = bid.priceMinor
                award.status = AwardStatus.pending.rawValue
                award.createdAt = clock.now()
                try await award.create(on: tx)
                created = true
                try await platform.audit.append(AuditRecord(action: "procurement.award.pending", objectType: "tender", objectID: tender.reference,
                                                            detail: "lot \(lot): \(supplier.name) \(Money.format(bid.priceMinor, currency: tender.currency))"),
                                                by: actor, on: tx)
                try await platform.notifications.notify(
                    accountID: supplier.accountID, module: Self.module, title: "[\(tender.reference)] 낙찰 예정 / You are first in order",
                    body: "\(tender.title), lot \(lot): your bid is first in order. The procurement officer checks your qualification before the award.",
                    link: "/procurement/tenders/\(tender.id!.uuidString.lowercased())", on: tx)
                break
            }
        }
        let now = try await AwardModel.query(on: tx).filter(\.$tenderID == tender.id!).all()
        let pending = now.contains { $0.status == AwardStatus.pending.rawValue }
        let active = now.contains { $0.status == AwardStatus.active.rawValue }
        let state = TenderState(rawValue: tender.state)
        if !pending {
            if active, state == .opened {
                tender.state = try Self.next(.award, tender).rawValue
                try await tender.save(on: tx)
                // Every active award may already have its signed contract (a lot decided late).
                try await completeIfContracted(tender, on: tx)
            } else if !active, state == .opened {
                tender.state = try Self.next(.noQualifiedBid, tender).rawValue
                tender.completedAt = clock.now()
                try await tender.save(on: tx)
                try await platform.audit.append(AuditRecord(action: "procurement.tender.unsuccessful", objectType: "tender", objectID: tender.reference,
                                                            detail: "no qualified bid left"), by: actor, on: tx)
            }
        }
        return created
    }

    /// Moves an awarded tender to contracted when every active award has an active contract.
    @discardableResult
    func completeIfContracted(_ tender: TenderModel, on tx: any Database) async throws -> Bool {
        guard tender.state == TenderState.awarded.rawValue else { return false }
        let active = try await AwardModel.query(on: tx).filter(\.$tenderID == tender.id!).filter(\.$status == AwardStatus.active.rawValue).all()
        let signed = Set(try await ContractModel.query(on: tx).filter(\.$tenderID == tender.id!).filter(\.$status == ContractStatus.active.rawValue).all()
            .map(\.awardID))
        guard !active.isEmpty, active.allSatisfy({ signed.contains($0.id!) }) else { return false }
        tender.state = try Self.next(.contract, tender).rawValue
        tender.completedAt = clock.now()
        try await tender.save(on: tx)
        return true
    }

    /// The evaluation committee's quality scores (0-100) for every valid bidder of a price-and-quality
    /// tender, given once after the opening; the awards follow from them.
    func scoreQuality(tenderID: UUID, scores: [String: Int], by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            guard tender.state == TenderState.opened.rawValue, try Self.rules(tender).method == .priceQuality else {
                throw NaraError(.conflict, code: .illegalTransition, "Quality scores are given after the opening of a price-and-quality tender.")
            }
            guard tender.qualityScores == nil else { throw NaraError(.conflict, code: .illegalTransition, "The quality scores are already recorded.") }
            let valid = try JSONDecoder().decode([OpenedBid].self, from: Data((tender.result ?? "[]").utf8)).filter { $0.problem == nil }
            var normalised: [String: Int] = [:]
            for (key, value) in scores { if let number = try? BusinessNumber(key) { normalised[number.digits] = value } }
            var v = Validator()
            for bid in valid where normalised[bid.bidder] == nil { v.add("scores/\(bid.bidder)", "required", "Score every valid bid: \(bid.bidderName) has no score.") }
            for (bidder, score) in normalised {
                if !valid.contains(where: { $0.bidder == bidder }) { v.add("scores/\(bidder)", "unknown", "\(bidder) has no valid bid.") }
                if !(0...100).contains(score) { v.add("scores/\(bidder)", "range", "A quality score is 0 to 100.") }
            }
            if scores.count != normalised.count { v.add("scores", "format", "Key the scores by business registration number.") }
            try v.check()
            tender.qualityScores = String(decoding: try JSONEncoder().encode(normalised), as: UTF8.self)
            try await tender.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.tender.quality_scores", objectType: "tender", objectID: tender.reference,
                                                             detail: "\(normalised.count) bids scored"), by: AuditActor(actor, requestID: requestID), on: tx)
            let created = try await self.advanceAwards(tender, by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.release(tender, tags: created ? ["tenderUpdate", "award"] : ["tenderUpdate"], on: tx)
        }
        return try await tender(id: tenderID, on: db)
    }

    /// The officer's qualification check of the pending award: qualified (the award becomes active
    /// and the standstill starts) or disqualified with its reason (the next bid in order follows).
    /// An active award can still be disqualified until its contract exists.
    func decideAward(tenderID: UUID, awardID: UUID, qualified: Bool, reason: String?, by actor: Actor, requestID: String?,
                     on database: (any Database)? = nil) async throws -> TenderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let audit = AuditActor(actor, requestID: requestID)
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.agencyID == agencyID, let award = try await AwardModel.find(awardID, on: tx), award.tenderID == tenderID else {
                throw NaraError.notFound("The award")
            }
            guard let supplier = try await SupplierModel.find(award.supplierID, on: tx) else { throw NaraError.notFound("The award") }
            let now = self.clock.now()
            var tags: [String] = ["awardUpdate"]
            if qualified {
                guard award.status == AwardStatus.pending.rawValue else {
                    throw NaraError(.conflict, code: .illegalTransition, "Only a pending award can be qualified; this one is \(award.status).")
                }
                let calendar = try await self.platform.calendar.calendar(on: tx)
                award.status = AwardStatus.active.rawValue
                award.decidedAt = now
                award.standstillEnd = calendar.deadline(for: (Procedure(rawValue: tender.procedure) ?? .open).standstill(self.platform.configuration), from: now)
                try await award.save(on: tx)
                try await self.platform.audit.append(AuditRecord(action: "procurement.award.activate", objectType: "tender", objectID: tender.reference,
                                                                 detail: "lot \(award.lot): \(supplier.name)"), by: audit, on: tx)
                try await self.notifyBidders(tender, title: "[\(tender.reference)] 낙찰자 결정 / Award decided",
                                             body: "\(tender.title), lot \(award.lot): awarded to \(supplier.name) for \(Money.format(award.amount, currency: tender.currency)). Complaints are taken until \(Timestamp.iso8601Millis(award.standstillEnd!)); the contract follows after that.",
                                             on: tx)
            } else {
                let text = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty, text.count <= 2000 else {
                    throw NaraError.validation([FieldError(field: "reason", code: "required", message: "A disqualification states its reason.")])
                }
                guard award.status == AwardStatus.pending.rawValue || award.status == AwardStatus.active.rawValue else {
                    throw NaraError(.conflict, code: .illegalTransition, "This award is \(award.status).")
                }
                if try await ContractModel.query(on: tx).filter(\.$awardID == awardID).first() != nil {
                    throw NaraError(.conflict, code: .illegalTransition, "The award has its contract; terminate the contract instead.")
                }
                award.status = AwardStatus.unsuccessful.rawValue
                award.reason = text
                award.decidedAt = now
                try await award.save(on: tx)
                if tender.state == TenderState.awarded.rawValue {
                    tender.state = try Self.next(.reopen, tender).rawValue
                    try await tender.save(on: tx)
                }
                try await self.platform.audit.append(AuditRecord(action: "procurement.award.disqualify", objectType: "tender", objectID: tender.reference,
                                                                 detail: "lot \(award.lot): \(supplier.name): \(text)"), by: audit, on: tx)
                try await self.platform.notifications.notify(
                    accountID: supplier.accountID, module: Self.module, title: "[\(tender.reference)] 부적격 판정 / Not qualified",
                    body: "\(tender.title), lot \(award.lot): \(text)", link: "/procurement/tenders/\(tenderID.uuidString.lowercased())", on: tx)
            }
            if try await self.advanceAwards(tender, by: audit, on: tx) { tags.append("award") }
            try await self.release(tender, tags: tags, on: tx)
        }
        return try await tender(id: tenderID, on: db)
    }

    func notifyBidders(_ tender: TenderModel, title: String, body: String, on tx: any Database) async throws {
        let supplierIDs = Set(try await BidModel.query(on: tx).filter(\.$tenderID == tender.id!).filter(\.$status != "replaced").all().map(\.supplierID))
        for supplierID in supplierIDs {
            guard let supplier = try await SupplierModel.find(supplierID, on: tx) else { continue }
            try await platform.notifications.notify(accountID: supplier.accountID, module: Self.module, title: title, body: body,
                                                    link: "/procurement/tenders/\(tender.id!.uuidString.lowercased())", on: tx)
        }
    }

    func awardView(_ m: AwardModel, on db: any Database) async throws -> AwardView {
        let supplier = try await SupplierModel.find(m.supplierID, on: db)
        return AwardView(id: m.id!, lot: m.lot, bidder: supplier.map { (try? BusinessNumber($0.businessNumber).formatted) ?? $0.businessNumber } ?? "",
                         bidderName: supplier?.name ?? "", amountMinor: m.amount, status: AwardStatus(rawValue: m.status) ?? .pending, reason: m.reason,
                         createdAt: m.createdAt, decidedAt: m.decidedAt, standstillEnd: m.standstillEnd)
    }

    // MARK: Complaints

    /// A bidder complains about the evaluation or an award: while the bids are evaluated, or
    /// against an active award until its standstill ends. An open complaint blocks the contract.
    func lodgeComplaint(tenderID: UUID, _ input: NewComplaint, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        guard let supplier = try await self.supplier(of: actor, on: db) else {
            throw NaraError.forbidden("Only a bidder of the tender can complain about it.")
        }
        var v = Validator()
        v.require(input.title, "title", maxLength: 300)
        v.require(input.description, "description", maxLength: 8000)
        try v.check()
        let id = UUID()
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.state != TenderState.draft.rawValue else { throw NaraError.notFound("The tender") }
            guard try await BidModel.query(on: tx).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplier.id!)
                .filter(\.$status ~~ ["submitted", "needs_reconfirmation"]).first() != nil else {
                throw NaraError.forbidden("Only a bidder of the tender can complain about it.")
            }
            guard tender.state == TenderState.opened.rawValue || tender.state == TenderState.awarded.rawValue else {
                throw NaraError(.conflict, code: "complaints_closed", "Complaints are taken while the bids are evaluated and during the standstill; this tender is \(tender.state).")
            }
            let now = self.clock.now()
            if let awardID = input.awardID {
                guard let award = try await AwardModel.find(awardID, on: tx), award.tenderID == tenderID else {
                    throw NaraError.validation([FieldError(field: "awardID", code: "unknown", message: "The tender has no such award.")])
                }
                guard award.status == AwardStatus.pending.rawValue || (award.status == AwardStatus.active.rawValue && now < (award.standstillEnd ?? now)) else {
                    throw NaraError(.conflict, code: "complaints_closed", "The standstill of this award has ended.")
                }
            } else if tender.state == TenderState.awarded.rawValue {
                let ends = try await AwardModel.query(on: tx).filter(\.$tenderID == tenderID).filter(\.$status == AwardStatus.active.rawValue).all()
                    .compactMap(\.standstillEnd)
                guard let last = ends.max(), now < last else { throw NaraError(.conflict, code: "complaints_closed", "The standstill has ended.") }
            }
            let year = self.platform.calendar.localDay(of: now).components.year
            let number = try await self.platform.sequences.next("procurement-complaint", year: year, on: tx)
            let model = ComplaintModel()
            model.id = id
            model.reference = String(format: "CP-%d-%06d", year, number)
            model.tenderID = tenderID
            model.awardID = input.awardID
            model.supplierID = supplier.id!
            model.title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            model.descriptionText = input.description.trimmingCharacters(in: .whitespacesAndNewlines)
            model.status = ComplaintStatus.submitted.rawValue
            model.lodgedAt = now
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.complaint.lodge", objectType: "tender", objectID: tender.reference,
                                                             detail: model.reference), by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.platform.notifications.notify(accountID: tender.officerID, module: Self.module,
                                                         title: "[\(tender.reference)] 이의신청 접수 / Complaint lodged",
                                                         body: "\(supplier.name) lodged complaint \(model.reference): \(model.title). The contract waits for the review body's decision.",
                                                         link: "/procurement/tenders/\(tenderID.uuidString.lowercased())", on: tx)
        }
        return try await complaint(id: id, on: db)
    }

    enum ComplaintAction: String, Sendable, Codable { case accept, decline, satisfy }

    /// The review body accepts a complaint for review, declines it, or upholds it (satisfied: the
    /// award it names is cancelled and the next bid in order follows).
    func reviewComplaint(id: UUID, action: ComplaintAction, decision: String?, by actor: Actor, requestID: String?,
                         on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        try AccessPolicy.require(actor, ProcurementModule.reviewPermission, on: .platform)
        guard let found = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        let text = (decision ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if action != .accept, text.isEmpty || text.count > 8000 {
            throw NaraError.validation([FieldError(field: "decision", code: "required", message: "A decision states its reasons.")])
        }
        let audit = AuditActor(actor, requestID: requestID)
        try await db.transaction { tx in
            let tender = try await self.lock(found.tenderID, on: tx)
            // The review body is independent of the buyer: nobody decides a complaint about their own agency's tender.
            if actor.agencyID == tender.agencyID {
                throw NaraError.forbidden("A complaint about a tender of your own agency is decided by another member of the review body.")
            }
            guard let complaint = try await ComplaintModel.find(id, on: tx) else { throw NaraError.notFound("The complaint") }
            let status = ComplaintStatus(rawValue: complaint.status) ?? .submitted
            let next: ComplaintStatus
            switch (status, action) {
            case (.submitted, .accept): next = .accepted
            case (.submitted, .decline), (.accepted, .decline): next = .declined
            case (.accepted, .satisfy): next = .satisfied
            default: throw NaraError(.conflict, code: .illegalTransition, "A complaint that is \(status.rawValue) cannot be \(action.rawValue)ed.")
            }
            complaint.status = next.rawValue
            if action != .accept {
                complaint.decision = text
                complaint.decidedAt = self.clock.now()
            }
            try await complaint.save(on: tx)
            var tags = ["tenderUpdate"]
            if next == .satisfied, let awardID = complaint.awardID, let award = try await AwardModel.find(awardID, on: tx),
               award.status == AwardStatus.pending.rawValue || award.status == AwardStatus.active.rawValue,
               try await ContractModel.query(on: tx).filter(\.$awardID == awardID).first() == nil {
                award.status = AwardStatus.cancelled.rawValue
                award.reason = "Complaint \(complaint.reference) upheld: \(text)"
                award.decidedAt = self.clock.now()
                try await award.save(on: tx)
                if tender.state == TenderState.awarded.rawValue {
                    tender.state = try Self.next(.reopen, tender).rawValue
                    try await tender.save(on: tx)
                }
                tags = ["awardCancellation"]
                if try await self.advanceAwards(tender, by: audit, on: tx) { tags.append("award") }
            }
            try await self.platform.audit.append(AuditRecord(action: "procurement.complaint.\(next.rawValue)", objectType: "tender", objectID: tender.reference,
                                                             detail: complaint.reference), by: audit, on: tx)
            if let supplier = try await SupplierModel.find(complaint.supplierID, on: tx) {
                try await self.platform.notifications.notify(accountID: supplier.accountID, module: Self.module,
                                                             title: "[\(complaint.reference)] 이의신청 \(next.rawValue) / Complaint \(next.rawValue)",
                                                             body: text.isEmpty ? "The review body accepted your complaint for review." : text,
                                                             link: "/procurement/tenders/\(tender.id!.uuidString.lowercased())", on: tx)
            }
            try await self.release(tender, tags: tags, on: tx)
        }
        return try await complaint(id: id, on: db)
    }

    func withdrawComplaint(id: UUID, by actor: Actor, requestID: String?) async throws -> ComplaintView {
        guard let supplier = try await self.supplier(of: actor, on: db),
              let found = try await ComplaintModel.find(id, on: db), found.supplierID == supplier.id else {
            throw NaraError.notFound("The complaint")
        }
        try await db.transaction { tx in
            _ = try await self.lock(found.tenderID, on: tx)
            guard let complaint = try await ComplaintModel.find(id, on: tx), (ComplaintStatus(rawValue: complaint.status) ?? .submitted).isOpen else {
                throw NaraError(.conflict, code: .illegalTransition, "Only an open complaint can be withdrawn.")
            }
            complaint.status = ComplaintStatus.withdrawn.rawValue
            complaint.decidedAt = self.clock.now()
            try await complaint.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.complaint.withdraw", objectType: "complaint", objectID: complaint.reference),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await complaint(id: id, on: db)
    }

    func complaint(id: UUID, on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        return try await complaintView(m, on: db)
    }

    func complaints(tenderID: UUID? = nil, openOnly: Bool = false, on database: (any Database)? = nil) async throws -> [ComplaintView] {
        let db = database ?? self.db
        var query = ComplaintModel.query(on: db)
        if let tenderID { query = query.filter(\.$tenderID == tenderID) }
        if openOnly { query = query.filter(\.$status ~~ ["submitted", "accepted"]) }
        var views: [ComplaintView] = []
        for m in try await query.sort(\.$lodgedAt).limit(500).all() { views.append(try await complaintView(m, on: db)) }
        return views
    }

    func complaintView(_ m: ComplaintModel, on db: any Database) async throws -> ComplaintView {
        let supplier = try await SupplierModel.find(m.supplierID, on: db)
        let tender = try await TenderModel.find(m.tenderID, on: db)
        return ComplaintView(id: m.id!, reference: m.reference, tenderID: m.tenderID, tenderReference: tender?.reference ?? "", awardID: m.awardID,
                             complainant: supplier?.name ?? "", title: m.title, description: m.descriptionText,
                             status: ComplaintStatus(rawValue: m.status) ?? .submitted, lodgedAt: m.lodgedAt, decision: m.decision, decidedAt: m.decidedAt)
    }
}
