import FluentKit
import Foundation
import NaraCore

/// The next step a tender, contract or order waits for from one of its parties.
enum ProcurementTask: String, Sendable, CaseIterable {
    case publish, answer, open, score, qualify, contract, sign, invoice, deliver, review, countersign, reconfirm
}

/// One tender as its procuring entity's office lists it.
struct OfficeTender: Sendable {
    let id: UUID
    let reference: String
    let title: String
    let state: TenderState
    let deadline: Date
    let tasks: [ProcurementTask]
    /// When the most urgent task is due (the enquiry deadline, the bid deadline, the standstill's end).
    let dueAt: Date?
}

struct OfficeContract: Sendable {
    let id: UUID
    let reference: String
    let title: String
    let party: String
    let status: ContractStatus
    let valueMinor: Int64
    let tasks: [ProcurementTask]
}

/// A supplier's bid as its own page lists it: never its price before the opening (the supplier
/// keeps its receipt; the platform cannot read the envelope either).
struct SupplierBid: Sendable {
    let tenderID: UUID
    let tenderReference: String
    let tenderTitle: String
    let tenderState: TenderState
    let deadline: Date
    let status: String
    let receivedAt: Date
    let sealedDigest: String
}

struct SupplierAward: Sendable {
    let tenderID: UUID
    let tender: String
    let award: AwardView
}

struct SupplierDesk: Sendable {
    let supplier: SupplierInfo?
    let bids: [SupplierBid]
    let awards: [SupplierAward]
    let contracts: [OfficeContract]
    let complaints: [ComplaintView]
}

/// A published tender as the public list shows it.
struct TenderSummary: Sendable {
    let id: UUID
    let reference: String
    let title: String
    let agencyName: String
    let procedure: Procedure
    let state: TenderState
    let deadline: Date
    /// After the opening: the bids that opened without a problem.
    let validBids: Int?
}

/// Reading for the officers', suppliers' and review body's pages, and the workspace queue.
extension ProcurementService {
    /// Published tenders for the public list, newest deadline first: filtered by state and
    /// procedure in the database, by words of the title, reference or agency here (at most 500).
    func publicTenders(query: String, state: TenderState?, procedure: Procedure?) async throws -> [TenderSummary] {
        var q = TenderModel.query(on: db).filter(\.$state != TenderState.draft.rawValue)
        if let state { q = q.filter(\.$state == state.rawValue) }
        if let procedure { q = q.filter(\.$procedure == procedure.rawValue) }
        let models = try await q.sort(\.$deadline, .descending).limit(500).all()
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        let words = query.lowercased().split(separator: " ").map(String.init)
        let decoder = JSONDecoder()
        return models.compactMap { m in
            let agency = agencies[m.agencyID]
            let haystack = "\(m.reference) \(m.title) \(agency?.nameEN ?? "") \(agency?.nameKO ?? "")".lowercased()
            guard words.allSatisfy({ haystack.contains($0) }) else { return nil }
            var valid: Int?
            if m.openedAt != nil, let result = m.result, let bids = try? decoder.decode([OpenedBid].self, from: Data(result.utf8)) {
                valid = bids.filter { $0.problem == nil }.count
            }
            return TenderSummary(id: m.id!, reference: m.reference, title: m.title, agencyName: agency?.nameEN ?? "", procedure: Procedure(rawValue: m.procedure) ?? .open,
                                 state: TenderState(rawValue: m.state) ?? .open, deadline: m.deadline, validBids: valid)
        }
    }

    /// The agency's tenders (drafts included), newest deadline first, each with what it waits for
    /// from the agency's procurement officers. A handful of queries whatever the number of tenders.
    func officeTenders(agencyID: UUID, on database: (any Database)? = nil) async throws -> [OfficeTender] {
        let db = database ?? self.db
        let tenders = try await TenderModel.query(on: db).filter(\.$agencyID == agencyID).sort(\.$deadline, .descending).limit(300).all()
        let ids = tenders.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let unanswered = Set(try await EnquiryModel.query(on: db).filter(\.$tenderID ~~ ids).filter(\.$answer == nil).all().map(\.tenderID))
        let awards = Dictionary(grouping: try await AwardModel.query(on: db).filter(\.$tenderID ~~ ids).filter(\.$status ~~ ["pending", "active"]).all(),
                                by: \.tenderID)
        let contracted = Set(try await ContractModel.query(on: db).filter(\.$tenderID ~~ ids).all().map(\.awardID))
        let complained = Set(try await ComplaintModel.query(on: db).filter(\.$tenderID ~~ ids).filter(\.$status ~~ ["submitted", "accepted"]).all()
            .map(\.tenderID))
        let now = clock.now()
        return try tenders.map { t in
            let state = TenderState(rawValue: t.state) ?? .draft
            var tasks: [ProcurementTask] = []
            var due: Date?
            switch state {
            case .draft, .planned: tasks.append(.publish)
            case .open:
                if unanswered.contains(t.id!) {
                    tasks.append(.answer)
                    due = t.enquiryDeadline
                }
                if now >= t.deadline { tasks.append(.open) }
                due = due ?? t.deadline
            case .opened, .awarded:
                let live = awards[t.id!] ?? []
                if state == .opened, try Self.rules(t).method == .priceQuality, t.qualityScores == nil, live.isEmpty { tasks.append(.score) }
                if live.contains(where: { $0.status == AwardStatus.pending.rawValue }) { tasks.append(.qualify) }
                let ready = live.filter { $0.status == AwardStatus.active.rawValue && !contracted.contains($0.id!) }
                if !ready.isEmpty {
                    let end = ready.compactMap(\.standstillEnd).min()
                    if (end ?? now) <= now, !complained.contains(t.id!) { tasks.append(.contract) }
                    due = end
                }
            case .contracted, .unsuccessful, .cancelled: break
            }
            return OfficeTender(id: t.id!, reference: t.reference, title: t.title, state: state, deadline: t.deadline, tasks: tasks, dueAt: due)
        }
    }

    /// The agency's contracts (or a supplier's), with what each waits for from that party.
    func officeContracts(agencyID: UUID? = nil, supplierID: UUID? = nil, on database: (any Database)? = nil) async throws -> [OfficeContract] {
        let db = database ?? self.db
        var query = ContractModel.query(on: db)
        if let agencyID { query = query.filter(\.$agencyID == agencyID) }
        if let supplierID { query = query.filter(\.$supplierID == supplierID) }
        let contracts = try await query.sort(\.$createdAt, .descending).limit(300).all()
        let ids = contracts.compactMap(\.id)
        let invoicing = ids.isEmpty ? Set<UUID>() : Set(try await InvoiceModel.query(on: db).filter(\.$contractID ~~ ids)
            .filter(\.$status == InvoiceStatus.submitted.rawValue).all().map(\.contractID))
        let suppliers = Dictionary(uniqueKeysWithValues: try await SupplierModel.query(on: db).filter(\.$id ~~ Array(Set(contracts.map(\.supplierID)))).all()
            .map { ($0.id!, $0.name) })
        var agencies: [UUID: String] = [:]
        for id in Set(contracts.map(\.agencyID)) { agencies[id] = try await platform.identity.agency(id: id, on: db)?.nameEN }
        let decoder = JSONDecoder()
        return try contracts.map { c in
            let status = ContractStatus(rawValue: c.status) ?? .pending
            let proposed = try decoder.decode([ContractAmendment].self, from: Data(c.amendments.utf8)).contains { $0.status == "proposed" }
            var tasks: [ProcurementTask] = []
            if agencyID != nil {
                if status == .pending && c.agencySignedAt == nil { tasks.append(.sign) }
                if invoicing.contains(c.id!) { tasks.append(.invoice) }
            } else {
                if status == .pending && c.supplierSignedAt == nil { tasks.append(.sign) }
                if proposed { tasks.append(.countersign) }
            }
            return OfficeContract(id: c.id!, reference: c.reference, title: c.title,
                                  party: agencyID != nil ? suppliers[c.supplierID] ?? "" : agencies[c.agencyID] ?? "",
                                  status: status, valueMinor: c.value, tasks: tasks)
        }
    }

    /// A business's desk: its registration, bids, awards, contracts and complaints.
    func supplierDesk(by actor: Actor) async throws -> SupplierDesk {
        guard let supplier = try await self.supplier(of: actor, on: db) else {
            return SupplierDesk(supplier: nil, bids: [], awards: [], contracts: [], complaints: [])
        }
        let bids = try await BidModel.query(on: db).filter(\.$supplierID == supplier.id!).filter(\.$status ~~ ["submitted", "needs_reconfirmation"])
            .sort(\.$receivedAt, .descending).limit(300).all()
        let awards = try await AwardModel.query(on: db).filter(\.$supplierID == supplier.id!).sort(\.$createdAt, .descending).limit(300).all()
        let tenderIDs = Array(Set(bids.map(\.tenderID) + awards.map(\.tenderID)))
        let tenders = tenderIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await TenderModel.query(on: db).filter(\.$id ~~ tenderIDs).all().map { ($0.id!, $0) })
        let rows = bids.compactMap { bid -> SupplierBid? in
            guard let t = tenders[bid.tenderID] else { return nil }
            return SupplierBid(tenderID: bid.tenderID, tenderReference: t.reference, tenderTitle: t.title, tenderState: TenderState(rawValue: t.state) ?? .open,
                               deadline: t.deadline, status: bid.status, receivedAt: bid.receivedAt, sealedDigest: bid.sealedDigest)
        }
        var awardViews: [SupplierAward] = []
        for award in awards {
            let tender = tenders[award.tenderID].map { "\($0.reference) \($0.title)" } ?? ""
            awardViews.append(SupplierAward(tenderID: award.tenderID, tender: tender, award: try await awardView(award, on: db)))
        }
        var complaints: [ComplaintView] = []
        for m in try await ComplaintModel.query(on: db).filter(\.$supplierID == supplier.id!).sort(\.$lodgedAt, .descending).limit(100).all() {
            complaints.append(try await complaintView(m, on: db))
        }
        return SupplierDesk(supplier: Self.info(supplier), bids: rows, awards: awardViews,
                            contracts: try await officeContracts(supplierID: supplier.id!), complaints: complaints)
    }

    /// Who the actor is to a tender: one of its procuring entity's officers, the review body, or a
    /// supplier (and whether it bid).
    struct TenderRoles: Sendable {
        let officer: Bool
        let reviewer: Bool
        let supplier: SupplierInfo?
        let bidder: Bool
    }

    func roles(_ actor: Actor?, agencyID: UUID, tenderID: UUID) async throws -> TenderRoles {
        guard let actor else { return TenderRoles(officer: false, reviewer: false, supplier: nil, bidder: false) }
        let officer = AccessPolicy.decide(actor, ProcurementModule.managePermission, on: .agency(agencyID)).isAllowed
        let reviewer = AccessPolicy.decide(actor, ProcurementModule.reviewPermission, on: .platform).isAllowed
        let supplier = try await self.supplier(of: actor, on: db)
        let bidder = try await supplier.asyncMap { s in
            try await BidModel.query(on: self.db).filter(\.$tenderID == tenderID).filter(\.$supplierID == s.id!).count() > 0
        } ?? false
        return TenderRoles(officer: officer, reviewer: reviewer, supplier: supplier.map(Self.info), bidder: bidder)
    }

    /// Whether the actor signs a contract for its agency or for its supplier.
    func contractParties(id: UUID, actor: Actor) async throws -> (agency: Bool, supplier: Bool) {
        guard let contract = try await ContractModel.find(id, on: db) else { throw NaraError.notFound("The contract") }
        let agency = AccessPolicy.decide(actor, ProcurementModule.managePermission, on: .agency(contract.agencyID)).isAllowed
        let supplier = (try await self.supplier(of: actor, on: db))?.id == contract.supplierID
        return (agency, supplier)
    }

    /// The complaints the actor's business lodged about a tender.
    func complaintIDs(tenderID: UUID, by actor: Actor) async throws -> Set<UUID> {
        guard let supplier = try await self.supplier(of: actor, on: db) else { return [] }
        return Set(try await ComplaintModel.query(on: db).filter(\.$tenderID == tenderID).filter(\.$supplierID == supplier.id!).all().compactMap(\.id))
    }

    /// The opened bids with their documents: every bid for the procuring entity and the review
    /// body, a bidder's own bid for the bidder, nothing for anyone else or before the opening.
    func bidDocuments(tenderID: UUID, by actor: Actor) async throws -> [OpenedBid] {
        guard let tender = try await TenderModel.find(tenderID, on: db), tender.openedAt != nil, let result = tender.result else { return [] }
        let bids = try JSONDecoder().decode([OpenedBid].self, from: Data(result.utf8))
        let roles = try await roles(actor, agencyID: tender.agencyID, tenderID: tenderID)
        if roles.officer || roles.reviewer { return bids }
        guard let supplier = roles.supplier, let own = try? BusinessNumber(supplier.businessNumber).digits else { return [] }
        return bids.filter { $0.bidder == own }
    }

    /// One document of an opened bid, for those `bidDocuments` shows it to.
    func bidDocument(tenderID: UUID, fileID: UUID, by actor: Actor) async throws -> StoredFile {
        guard try await bidDocuments(tenderID: tenderID, by: actor).contains(where: { ($0.documents ?? []).contains { $0.fileID == fileID } }),
              let file = try await platform.files.file(id: fileID, on: db) else {
            throw NaraError.notFound("The document")
        }
        return file
    }

    /// The procurement work waiting for an agency: tender steps of its officers, contracts to sign
    /// and invoices to approve; for the review body's agency, the open complaints.
    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem] {
        func title(_ task: ProcurementTask, _ text: String) -> String {
            let verb: LocalizedText
            switch task {
            case .publish: verb = LocalizedText(en: "Publish", ko: "공고")
            case .answer: verb = LocalizedText(en: "Answer questions", ko: "질의 답변")
            case .open: verb = LocalizedText(en: "Open the bids", ko: "개찰")
            case .score: verb = LocalizedText(en: "Record quality scores", ko: "기술 평가 점수 입력")
            case .qualify: verb = LocalizedText(en: "Check the qualification", ko: "적격 심사")
            case .contract: verb = LocalizedText(en: "Generate the contract", ko: "계약 생성")
            case .sign: verb = LocalizedText(en: "Sign the contract", ko: "계약 서명")
            case .invoice: verb = LocalizedText(en: "Decide the invoice", ko: "대금 청구 처리")
            case .deliver: verb = LocalizedText(en: "Confirm the delivery", ko: "납품 확인")
            case .review: verb = LocalizedText(en: "Decide the complaint", ko: "이의신청 심사")
            case .countersign: verb = LocalizedText(en: "Counter-sign the amendment", ko: "변경 계약 서명")
            case .reconfirm: verb = LocalizedText(en: "Re-confirm the bid", ko: "입찰 재확인")
            }
            return "\(verb.text(language)): \(text)"
        }
        var items: [WorkItem] = []
        for t in try await officeTenders(agencyID: agencyID, on: db) {
            for task in t.tasks {
                items.append(WorkItem(module: Self.module, title: title(task, t.title), reference: t.reference, dueAt: t.dueAt,
                                      link: "/procurement/tenders/\(t.id.uuidString.lowercased())"))
            }
        }
        for c in try await officeContracts(agencyID: agencyID, on: db) {
            for task in c.tasks {
                items.append(WorkItem(module: Self.module, title: title(task, c.title), reference: c.reference, dueAt: nil,
                                      link: "/procurement/contracts/\(c.id.uuidString.lowercased())"))
            }
        }
        for o in try await OrderModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$status == OrderStatus.placed.rawValue).all() {
            items.append(WorkItem(module: Self.module, title: title(.deliver, o.reference), reference: o.reference, dueAt: o.dueAt,
                                  link: "/procurement/orders/\(o.id!.uuidString.lowercased())"))
        }
        // The review body sits in one agency; its members see the complaints there.
        let reviewers = try await platform.identity.accounts(agencyID: agencyID, on: db)
            .filter { $0.roles.contains("procurement-review-body") }
        if !reviewers.isEmpty {
            for c in try await complaints(openOnly: true, on: db) {
                items.append(WorkItem(module: Self.module, title: title(.review, c.title), reference: c.reference, dueAt: nil, link: "/procurement/review"))
            }
        }
        return items.sorted { ($0.dueAt ?? .distantFuture) < ($1.dueAt ?? .distantFuture) }
    }
}

/// Procurement work in the shared agency workspace.
struct ProcurementWorkQueue: WorkQueueProvider {
    let service: ProcurementService

    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem] {
        try await service.workItems(agencyID: agencyID, language: language, on: db)
    }
}
