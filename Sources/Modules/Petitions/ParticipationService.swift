import FluentKit
import Foundation
import NaraCore
import SQLKit

public struct NewPetition: Sendable, Codable, Equatable {
    public var type: String
    public var title: String
    public var body: String
    public var category: String?
    /// The agency addressed; routing from the subject and text when absent.
    public var agency: String?

    public init(type: String, title: String, body: String, category: String? = nil, agency: String? = nil) {
        self.type = type
        self.title = title
        self.body = body
        self.category = category
        self.agency = agency
    }
}

public struct PetitionView: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let type: String
    public let typeName: String
    public let title: String
    public let body: String
    public let category: String?
    public let agencyCode: String
    public let agencyName: String
    /// The petitioner as the public sees them (김*지); signers are never named, only counted.
    public let author: String
    public let state: PetitionState
    public let openedAt: Date
    public let closesAt: Date
    public let signingOpen: Bool
    public let threshold: Int
    public let signatures: Int
    public let reachedAt: Date?
    public let answerDueAt: Date?
    public let answerOverdue: Bool
    public let answer: String?
    public let answeredAt: Date?
    /// Whether the caller signed (nil when nobody is signed in).
    public let signedByYou: Bool?
}

/// The answer to a signature: the count after it and whether this request added to it.
public struct SignatureReceipt: Sendable, Codable, Equatable {
    public let petitionId: UUID
    public let signatures: Int
    /// False when this person had signed already: a signature counts once.
    public let counted: Bool
    public let state: PetitionState
}

public struct NewProposal: Sendable, Codable, Equatable {
    public var title: String
    public var body: String
    public var category: String?
    public var agency: String?

    public init(title: String, body: String, category: String? = nil, agency: String? = nil) {
        self.title = title
        self.body = body
        self.category = category
        self.agency = agency
    }
}

public struct ProposalView: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let title: String
    public let body: String
    public let category: String?
    public let agencyCode: String
    public let agencyName: String
    public let author: String
    public let state: ProposalState
    public let supports: Int
    public let createdAt: Date
    public let editedAt: Date?
    public let answer: String?
    public let answeredAt: Date?
    public let supportedByYou: Bool?
    public let mine: Bool
}

public struct DebateView: Sendable, Codable, Equatable {
    public let id: UUID
    public let title: String
    public let description: String
    public let agencyCode: String
    public let agencyName: String
    public let openedAt: Date
    public let closesAt: Date?
    public let open: Bool
    public let comments: Int
}

public struct CommentView: Sendable, Codable, Equatable {
    public let id: UUID
    public let parentId: UUID?
    public let depth: Int
    public let author: String
    public let official: Bool
    /// Nil when a moderator hid it; the reason is shown instead.
    public let body: String?
    public let hidden: Bool
    public let hiddenReason: String?
    public let createdAt: Date
    /// Moderators only.
    public let reports: Int?
    public let mine: Bool
}

/// A reported comment as the moderators see it.
public struct ReportedComment: Sendable, Codable, Equatable {
    public let comment: CommentView
    public let subjectKind: String
    public let subjectId: UUID
    public let reasons: [String]
    public let text: String
}

/// What the public lists ask for: words to find, an order, a state.
public struct ListQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case newest
        /// Most signatures or supports first.
        case popular
        /// Signing windows that close soonest first (petitions).
        case closing
    }

    public var text: String?
    public var sort: Sort
    public var state: String?
    public var limit: Int

    public init(text: String? = nil, sort: Sort = .newest, state: String? = nil, limit: Int = 50) {
        self.text = text
        self.sort = sort
        self.state = state
        self.limit = limit
    }
}

/// Proposals, petitions and public discussion: citizens propose, support, sign and comment;
/// agencies answer; moderators hide what breaks the rules, with a reason, in the audit trail.
public final class ParticipationService: Sendable {
    let platform: Platform
    static let module = "petitions"
    /// Signatures queue here and commit in groups: a burst costs a few durable commits.
    let signing: GroupCommit<SignRequest, SignatureReceipt>

    struct SignRequest: Sendable {
        let petitionID: UUID
        let accountID: UUID
    }

    init(platform: Platform) {
        self.platform = platform
        let db = platform.db, clock = platform.clock, calendar = platform.calendar, notifications = platform.notifications, audit = platform.audit
        signing = GroupCommit(batchLimit: 256) { batch in
            do {
                return try await Self.writeSignatures(batch, db: db, clock: clock, calendar: calendar, notifications: notifications, audit: audit)
            } catch {
                // One petition's failure must not fail the others' signers: each petition again, alone.
                var results = [Result<SignatureReceipt, any Error>?](repeating: nil, count: batch.count)
                let groups = Dictionary(grouping: batch.indices, by: { batch[$0].petitionID })
                for (_, indices) in groups {
                    do {
                        let alone = try await Self.writeSignatures(indices.map { batch[$0] }, db: db, clock: clock, calendar: calendar,
                                                                   notifications: notifications, audit: audit)
                        for (i, r) in zip(indices, alone) { results[i] = r }
                    } catch {
                        for i in indices { results[i] = .failure(error) }
                    }
                }
                return results.map { $0 ?? .failure(GroupCommitError.unanswered) }
            }
        }
    }

    var db: any Database { platform.db }
    var clock: any NaraClock { platform.clock }

    // MARK: Petition types

    public func petitionTypes(on database: (any Database)? = nil) async throws -> [PetitionType] {
        try await PetitionTypeModel.query(on: database ?? db).sort(\.$id).all().map(\.type)
    }

    /// Creates or replaces a petition type (complaint administrators; audited). A new threshold
    /// applies to petitions published afterwards.
    public func savePetitionType(_ t: PetitionType, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> PetitionType {
        try AccessPolicy.require(actor, PetitionsModule.adminPermission, on: .platform)
        try t.validate()
        return try await (database ?? db).transaction { tx in
            let m = try await PetitionTypeModel.find(t.code, on: tx) ?? { let m = PetitionTypeModel(); m.id = t.code; return m }()
            let isNew = m.$updatedAt.value == nil
            m.update(from: t, at: self.clock.now())
            if isNew { try await m.create(on: tx) } else { try await m.save(on: tx) }
            try await self.platform.audit.append(AuditRecord(action: "petitions.petition_type.save", objectType: "petition_type", objectID: t.code,
                                                             detail: "\(t.threshold) signatures in \(t.signingDays) days, answer in \(t.answerWorkingDays) working days"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            return m.type
        }
    }

    // MARK: Petitions

    /// Publishes a citizen's petition: checked field by field, numbered, addressed, its window
    /// opened; the petitioner's own signature is the first.
    public func publishPetition(_ input: NewPetition, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> PetitionView {
        let db = database ?? self.db
        try Self.requireCitizen(actor, "Petitions are published and signed by citizens, each with their own verified account.")
        let typeModel = try await PetitionTypeModel.find(input.type, on: db)
        var v = Validator()
        if typeModel == nil || typeModel?.active == false {
            v.add("type", "unknown", "Choose a kind of petition (\(try await petitionTypes(on: db).filter(\.active).map(\.code).joined(separator: ", "))).")
        }
        let (title, body, category) = Self.checkText(input.title, input.body, input.category, into: &v)
        let agency = try await addressee(input.agency, category: category, title: title, body: body, into: &v, on: db)
        try v.check()
        guard let type = typeModel?.type, let agency else { throw NaraError.validation(v.errors) }
        let now = clock.now()
        let id = UUID()
        let author = try await authorName(actor, on: db)
        try await db.transaction { tx in
            let year = self.platform.calendar.localDay(of: now).components.year
            let serial = try await self.platform.sequences.next("petitions-petition", year: year, on: tx)
            let m = PetitionModel()
            m.id = id
            m.number = SequenceService.format(prefix: "PT", year: year, number: serial, width: 6)
            m.typeCode = type.code
            m.title = title
            m.body = body
            m.category = category
            m.agencyID = agency.id
            m.authorAccountID = actor.accountID!
            m.authorName = author
            m.state = PetitionState.open.rawValue
            m.openedAt = now
            m.closesAt = now.addingTimeInterval(TimeInterval(type.signingDays) * 86_400)
            m.threshold = type.threshold
            m.answerWorkingDays = type.answerWorkingDays
            m.signatures = 1
            m.version = 1
            m.updatedAt = now
            try await m.create(on: tx)
            let s = PetitionSignatureModel()
            s.id = UUID()
            s.petitionID = id
            s.accountID = actor.accountID!
            s.signedAt = now
            try await s.create(on: tx)
            if type.threshold <= 1 { try await self.reached(m, at: now, on: tx) }
            try await self.platform.audit.append(AuditRecord(action: "petitions.petition.publish", objectType: "petition", objectID: m.number,
                                                             detail: "\(type.code) to \(agency.code), \(type.threshold) signatures by \(Timestamp.iso8601Millis(m.closesAt))"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await petition(id: id, by: actor, on: db)
    }

    public func petition(id: UUID, by actor: Actor?, on database: (any Database)? = nil) async throws -> PetitionView {
        let db = database ?? self.db
        guard let m = try await PetitionModel.find(id, on: db) else { throw NaraError.notFound("The petition") }
        return try await petitionViews([m], for: actor, on: db)[0]
    }

    /// The public list: search in title and text, by state, newest, most signed or closing soonest.
    public func petitions(_ query: ListQuery, by actor: Actor?) async throws -> [PetitionView] {
        if let state = query.state, PetitionState(rawValue: state) == nil {
            throw NaraError.validation([FieldError(field: "state", code: "unknown", message: "Choose one of \(PetitionState.allCases.map(\.rawValue).joined(separator: ", ")).")])
        }
        let order: [(String, SQLDirection)] = switch query.sort {
        case .newest: [("opened_at", .descending)]
        case .popular: [("signatures", .descending), ("opened_at", .descending)]
        case .closing: [("closes_at", .ascending)]
        }
        let ids = try await search(PetitionModel.schema, query, order: order, openOnly: query.sort == .closing ? ("state", [PetitionState.open.rawValue, PetitionState.awaitingAnswer.rawValue]) : nil)
        let models = Dictionary(uniqueKeysWithValues: try await PetitionModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        return try await petitionViews(ids.compactMap { models[$0] }, for: actor, on: db)
    }

    /// Signs a petition as the signed-in citizen. Requests race freely: the signature is committed
    /// in a group with others, and one person counts once however many requests they send.
    public func sign(_ petitionID: UUID, by actor: Actor, on database: (any Database)? = nil) async throws -> SignatureReceipt {
        try Self.requireCitizen(actor, "Petitions are signed by citizens, each with their own verified account.")
        let request = SignRequest(petitionID: petitionID, accountID: actor.accountID!)
        // Inside a caller's transaction (the demo seed) the signature joins it instead of the group.
        if let database {
            return try await Self.writeSignatures([request], db: database, clock: clock, calendar: platform.calendar, notifications: platform.notifications,
                                                  audit: platform.audit)[0].get()
        }
        return try await signing.submit(request)
    }

    static func writeSignatures(_ batch: [SignRequest], db: any Database, clock: any NaraClock, calendar: CalendarService, notifications: NotificationService,
                                audit: AuditChain) async throws -> [Result<SignatureReceipt, any Error>] {
        try await db.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { throw NaraError(.internalError, code: .internalError, "Petitions need an SQL database.") }
            var results = [Result<SignatureReceipt, any Error>?](repeating: nil, count: batch.count)
            let now = clock.now()
            var order: [UUID] = []
            var byPetition: [UUID: [Int]] = [:]
            for (index, request) in batch.enumerated() {
                if byPetition[request.petitionID] == nil { order.append(request.petitionID) }
                byPetition[request.petitionID, default: []].append(index)
            }
            // Rows are locked in one order (by id), so that two writers never wait on each other in a circle.
            for petitionID in order.sorted(by: { $0.uuidString < $1.uuidString }) {
                let indices = byPetition[petitionID]!
                try await tx.lockRow(PetitionModel.schema, id: petitionID)
                guard let p = try await PetitionModel.find(petitionID, on: tx) else {
                    for i in indices { results[i] = .failure(NaraError.notFound("The petition")) }
                    continue
                }
                let state = PetitionState(rawValue: p.state) ?? .open
                if let refusal = PetitionRules.signingRefusal(state: state, now: now, closesAt: p.closesAt) {
                    for i in indices { results[i] = .failure(refusal) }
                    continue
                }
                // The first request of each person in this batch is the one that may count.
                var first: [UUID: Int] = [:]
                for i in indices where first[batch[i].accountID] == nil { first[batch[i].accountID] = i }
                var insert = sql.insert(into: PetitionSignatureModel.schema).columns(["id", "petition_id", "account_id", "signed_at"])
                for account in first.keys { insert = insert.values([UUID(), petitionID, account, now] as [any Encodable & Sendable]) }
                let rows = try await insert.ignoringConflicts(with: ["petition_id", "account_id"]).returning("account_id").all()
                let added = Set(try rows.map { try $0.decode(column: "account_id", as: UUID.self) })
                var next = state
                if !added.isEmpty {
                    p.signatures += added.count
                    p.updatedAt = now
                    next = PetitionRules.state(after: p.signatures, threshold: p.threshold, from: state)
                    if next != state {
                        try await Self.reach(p, at: now, calendar: calendar, notifications: notifications, audit: audit, on: tx)
                    }
                    try await p.save(on: tx)
                }
                for i in indices {
                    let account = batch[i].accountID
                    results[i] = .success(SignatureReceipt(petitionId: petitionID, signatures: p.signatures, counted: added.contains(account) && first[account] == i,
                                                           state: next))
                }
            }
            return results.map { $0! }
        }
    }

    func reached(_ m: PetitionModel, at now: Date, on tx: any Database) async throws {
        try await Self.reach(m, at: now, calendar: platform.calendar, notifications: platform.notifications, audit: platform.audit, on: tx)
        try await m.save(on: tx)
    }

    /// The threshold is reached: the answer is due in the type's working days; the petitioner is told.
    static func reach(_ m: PetitionModel, at now: Date, calendar: CalendarService, notifications: NotificationService, audit: AuditChain,
                      on tx: any Database) async throws {
        let days = try await calendar.calendar(on: tx)
        m.state = PetitionState.awaitingAnswer.rawValue
        m.reachedAt = now
        m.answerDueAt = days.dueDate(for: .workingDays(m.answerWorkingDays), from: now)
        try await audit.append(AuditRecord(action: "petitions.petition.threshold", objectType: "petition", objectID: m.number,
                                           detail: "\(m.signatures) of \(m.threshold); answer due \(Timestamp.iso8601Millis(m.answerDueAt!))"),
                               by: .system("petitions-signing"), on: tx)
        try await notifications.notify(accountID: m.authorAccountID, module: module, title: "[\(m.number)] Threshold reached / 청원 요건 충족",
                                       body: "\(m.signatures) people signed \"\(m.title)\". The agency answers by \(Timestamp.iso8601Millis(m.answerDueAt!)).",
                                       link: "/petitions/e-petitions/\(m.id!.uuidString.lowercased())", on: tx)
    }

    /// The agency's official answer to a petition that reached its threshold (participation officers).
    public func answerPetition(_ id: UUID, text: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> PetitionView {
        let db = database ?? self.db
        var v = Validator()
        v.require(text, "text", maxLength: 20_000)
        if !text.isEmpty, text.trimmingCharacters(in: .whitespacesAndNewlines).count < 20 { v.add("text", "too_short", "An official answer needs at least 20 characters.") }
        try v.check()
        try await db.transaction { tx in
            try await tx.lockRow(PetitionModel.schema, id: id)
            guard let m = try await PetitionModel.find(id, on: tx) else { throw NaraError.notFound("The petition") }
            try AccessPolicy.require(actor, PetitionsModule.participationPermission, on: .agency(m.agencyID))
            guard let official = actor.accountID else { throw NaraError.forbidden("Answers are given by an official, not by a system.") }
            if let refusal = PetitionRules.answerRefusal(state: PetitionState(rawValue: m.state) ?? .open) { throw refusal }
            let now = self.clock.now()
            m.state = PetitionState.answered.rawValue
            m.answer = text.trimmingCharacters(in: .whitespacesAndNewlines)
            m.answeredAt = now
            m.answeredBy = official
            m.updatedAt = now
            try await m.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.petition.answer", objectType: "petition", objectID: m.number,
                                                             detail: "on time \(m.answerDueAt.map { now <= $0 } ?? true)"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.platform.notifications.notify(accountID: m.authorAccountID, module: Self.module, title: "[\(m.number)] Answered / 청원 답변",
                                                         body: String(m.answer!.prefix(500)), link: "/petitions/e-petitions/\(id.uuidString.lowercased())", on: tx)
        }
        return try await petition(id: id, by: actor, on: db)
    }

    /// Petitions whose window closed: under the threshold they expire (the job, every minute).
    @discardableResult
    public func closeSigningWindows(on database: (any Database)? = nil) async throws -> Int {
        let db = database ?? self.db
        let now = clock.now()
        var closed = 0
        for candidate in try await PetitionModel.query(on: db).filter(\.$state == PetitionState.open.rawValue).filter(\.$closesAt <= now).all() {
            let done: Bool
            do {
                done = try await closeWindow(candidate, now: now, on: db)
            } catch {
                // One petition that cannot be closed now must not keep the others open: the next run tries it again.
                platform.logger.error("petitions: could not close the signing window of \(candidate.number): \(String(reflecting: error))")
                continue
            }
            if done { closed += 1 }
        }
        return closed
    }

    func closeWindow(_ candidate: PetitionModel, now: Date, on db: any Database) async throws -> Bool {
        do {
            return try await db.transaction { tx -> Bool in
                try await tx.lockRow(PetitionModel.schema, id: candidate.id!)
                guard let m = try await PetitionModel.find(candidate.id!, on: tx), m.state == PetitionState.open.rawValue, m.closesAt <= now else { return false }
                m.state = PetitionRules.closing(.open).rawValue
                m.updatedAt = now
                try await m.save(on: tx)
                try await self.platform.audit.append(AuditRecord(action: "petitions.petition.expire", objectType: "petition", objectID: m.number,
                                                                 detail: "\(m.signatures) of \(m.threshold)"), by: .system("petitions-signing"), on: tx)
                try await self.platform.notifications.notify(accountID: m.authorAccountID, module: Self.module, title: "[\(m.number)] Signing closed / 청원 기간 만료",
                                                             body: "\(m.signatures) of the \(m.threshold) signatures needed were collected.",
                                                             link: "/petitions/e-petitions/\(m.id!.uuidString.lowercased())", on: tx)
                return true
            }
        }
    }

    func petitionViews(_ models: [PetitionModel], for actor: Actor?, on db: any Database) async throws -> [PetitionView] {
        guard !models.isEmpty else { return [] }
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        let types = Dictionary(uniqueKeysWithValues: try await PetitionTypeModel.query(on: db).all().map { ($0.id ?? "", $0) })
        var signed: Set<UUID> = []
        if let account = actor?.accountID {
            signed = Set(try await PetitionSignatureModel.query(on: db).filter(\.$accountID == account).filter(\.$petitionID ~~ models.map { $0.id! }).all().map(\.petitionID))
        }
        let now = clock.now()
        return models.map { m in
            let state = PetitionState(rawValue: m.state) ?? .open
            return PetitionView(
                id: m.id!, number: m.number, type: m.typeCode, typeName: types[m.typeCode]?.nameEN ?? m.typeCode, title: m.title, body: m.body, category: m.category,
                agencyCode: agencies[m.agencyID]?.code ?? "", agencyName: agencies[m.agencyID]?.nameEN ?? "", author: m.authorName, state: state,
                openedAt: m.openedAt, closesAt: m.closesAt, signingOpen: PetitionRules.signingRefusal(state: state, now: now, closesAt: m.closesAt) == nil,
                threshold: m.threshold, signatures: m.signatures, reachedAt: m.reachedAt, answerDueAt: m.answerDueAt,
                answerOverdue: state == .awaitingAnswer && m.answerDueAt.map { now > $0 } == true, answer: m.answer, answeredAt: m.answeredAt,
                signedByYou: actor?.accountID == nil ? nil : signed.contains(m.id!))
        }
    }

    // MARK: Proposals

    public func propose(_ input: NewProposal, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ProposalView {
        let db = database ?? self.db
        try Self.requireCitizen(actor, "Proposals are made and supported by citizens, each with their own verified account.")
        var v = Validator()
        let (title, body, category) = Self.checkText(input.title, input.body, input.category, into: &v)
        let agency = try await addressee(input.agency, category: category, title: title, body: body, into: &v, on: db)
        try v.check()
        guard let agency else { throw NaraError.validation(v.errors) }
        let now = clock.now()
        let id = UUID()
        let author = try await authorName(actor, on: db)
        try await db.transaction { tx in
            let year = self.platform.calendar.localDay(of: now).components.year
            let serial = try await self.platform.sequences.next("petitions-proposal", year: year, on: tx)
            let m = ProposalModel()
            m.id = id
            m.number = SequenceService.format(prefix: "PR", year: year, number: serial, width: 6)
            m.title = title
            m.body = body
            m.category = category
            m.agencyID = agency.id
            m.authorAccountID = actor.accountID!
            m.authorName = author
            m.state = ProposalState.open.rawValue
            m.supports = 0
            m.version = 1
            m.createdAt = now
            m.updatedAt = now
            try await m.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.proposal.create", objectType: "proposal", objectID: m.number, detail: "to \(agency.code)"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await proposal(id: id, by: actor, on: db)
    }

    public func proposal(id: UUID, by actor: Actor?, on database: (any Database)? = nil) async throws -> ProposalView {
        let db = database ?? self.db
        guard let m = try await ProposalModel.find(id, on: db) else { throw NaraError.notFound("The proposal") }
        return try await proposalViews([m], for: actor, on: db)[0]
    }

    public func proposals(_ query: ListQuery, by actor: Actor?) async throws -> [ProposalView] {
        if let state = query.state, ProposalState(rawValue: state) == nil {
            throw NaraError.validation([FieldError(field: "state", code: "unknown", message: "Choose one of \(ProposalState.allCases.map(\.rawValue).joined(separator: ", ")).")])
        }
        if query.sort == .closing {
            throw NaraError.validation([FieldError(field: "sort", code: "unknown", message: "Proposals sort by newest or popular.")])
        }
        let order: [(String, SQLDirection)] = query.sort == .popular ? [("supports", .descending), ("created_at", .descending)] : [("created_at", .descending)]
        let ids = try await search(ProposalModel.schema, query, order: order, openOnly: nil)
        let models = Dictionary(uniqueKeysWithValues: try await ProposalModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        return try await proposalViews(ids.compactMap { models[$0] }, for: actor, on: db)
    }

    /// One support per verified person; supporting twice is answered with the same count.
    public func support(_ id: UUID, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ProposalView {
        let db = database ?? self.db
        try Self.requireCitizen(actor, "Proposals are supported by citizens, each with their own verified account.")
        let account = actor.accountID!
        try await db.transaction { tx in
            try await tx.lockRow(ProposalModel.schema, id: id)
            guard let m = try await ProposalModel.find(id, on: tx) else { throw NaraError.notFound("The proposal") }
            if let refusal = ProposalRules.supportRefusal(ProposalState(rawValue: m.state) ?? .open) { throw refusal }
            if m.authorAccountID == account { throw NaraError(.conflict, code: .conflict, "You made this proposal; others support it.") }
            guard try await ProposalSupportModel.query(on: tx).filter(\.$proposalID == id).filter(\.$accountID == account).first() == nil else { return }
            let s = ProposalSupportModel()
            s.id = UUID()
            s.proposalID = id
            s.accountID = account
            s.at = self.clock.now()
            try await s.create(on: tx)
            m.supports += 1
            m.updatedAt = s.at
            try await m.save(on: tx)
        }
        return try await proposal(id: id, by: actor, on: db)
    }

    /// The author edits an open proposal; the supporters are told that what they support changed.
    public func editProposal(_ id: UUID, title: String, body: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ProposalView {
        let db = database ?? self.db
        var v = Validator()
        let (title, body, _) = Self.checkText(title, body, nil, into: &v)
        try v.check()
        try await db.transaction { tx in
            try await tx.lockRow(ProposalModel.schema, id: id)
            guard let m = try await ProposalModel.find(id, on: tx) else { throw NaraError.notFound("The proposal") }
            guard m.authorAccountID == actor.accountID else { throw NaraError.forbidden("Only the author edits a proposal.") }
            if let refusal = ProposalRules.editRefusal(ProposalState(rawValue: m.state) ?? .open) { throw refusal }
            guard m.title != title || m.body != body else { return }
            let now = self.clock.now()
            m.title = title
            m.body = body
            m.editedAt = now
            m.updatedAt = now
            try await m.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.proposal.edit", objectType: "proposal", objectID: m.number),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.notifySupporters(m, title: "[\(m.number)] The proposal was edited / 제안 내용 수정",
                                            body: "The proposal you support, \"\(m.title)\", was changed by its author. Read it again.", on: tx)
        }
        return try await proposal(id: id, by: actor, on: db)
    }

    /// The agency's answer: under evaluation, or accepted, partially accepted or rejected with
    /// reasons (participation officers of the agency addressed). Author and supporters are told.
    public func answerProposal(_ id: UUID, state: ProposalState, reasons: String, by actor: Actor, requestID: String?,
                               on database: (any Database)? = nil) async throws -> ProposalView {
        let db = database ?? self.db
        var v = Validator()
        v.require(reasons, "reasons", maxLength: 20_000)
        try v.check()
        try await db.transaction { tx in
            try await tx.lockRow(ProposalModel.schema, id: id)
            guard let m = try await ProposalModel.find(id, on: tx) else { throw NaraError.notFound("The proposal") }
            try AccessPolicy.require(actor, PetitionsModule.participationPermission, on: .agency(m.agencyID))
            guard let official = actor.accountID else { throw NaraError.forbidden("Answers are given by an official, not by a system.") }
            let from = ProposalState(rawValue: m.state) ?? .open
            if let refusal = ProposalRules.answerRefusal(from: from, to: state) { throw refusal }
            let now = self.clock.now()
            m.state = state.rawValue
            m.answer = reasons.trimmingCharacters(in: .whitespacesAndNewlines)
            m.answeredAt = now
            m.answeredBy = official
            m.updatedAt = now
            try await m.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.proposal.answer", objectType: "proposal", objectID: m.number,
                                                             detail: "\(from.rawValue) → \(state.rawValue)"), by: AuditActor(actor, requestID: requestID), on: tx)
            let title = "[\(m.number)] \(state.title.en) / \(state.title.ko)"
            try await self.platform.notifications.notify(accountID: m.authorAccountID, module: Self.module, title: title, body: String(m.answer!.prefix(500)),
                                                         link: "/petitions/proposals/\(id.uuidString.lowercased())", on: tx)
            try await self.notifySupporters(m, title: title, body: String(m.answer!.prefix(500)), on: tx)
        }
        return try await proposal(id: id, by: actor, on: db)
    }

    func notifySupporters(_ m: ProposalModel, title: String, body: String, on tx: any Database) async throws {
        for s in try await ProposalSupportModel.query(on: tx).filter(\.$proposalID == m.id!).all() {
            try await platform.notifications.notify(accountID: s.accountID, module: Self.module, title: title, body: body,
                                                    link: "/petitions/proposals/\(m.id!.uuidString.lowercased())", on: tx)
        }
    }

    func proposalViews(_ models: [ProposalModel], for actor: Actor?, on db: any Database) async throws -> [ProposalView] {
        guard !models.isEmpty else { return [] }
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        var supported: Set<UUID> = []
        if let account = actor?.accountID {
            supported = Set(try await ProposalSupportModel.query(on: db).filter(\.$accountID == account).filter(\.$proposalID ~~ models.map { $0.id! }).all().map(\.proposalID))
        }
        return models.map { m in
            ProposalView(id: m.id!, number: m.number, title: m.title, body: m.body, category: m.category, agencyCode: agencies[m.agencyID]?.code ?? "",
                         agencyName: agencies[m.agencyID]?.nameEN ?? "", author: m.authorName, state: ProposalState(rawValue: m.state) ?? .open, supports: m.supports,
                         createdAt: m.createdAt, editedAt: m.editedAt, answer: m.answer, answeredAt: m.answeredAt,
                         supportedByYou: actor?.accountID == nil ? nil : supported.contains(m.id!), mine: actor?.accountID == m.authorAccountID)
        }
    }

    // MARK: Discussion

    /// Opens a discussion on a topic (participation officers of their agency).
    public func openDebate(title: String, description: String, closesAt: Date?, by actor: Actor, requestID: String?,
                           on database: (any Database)? = nil) async throws -> DebateView {
        let db = database ?? self.db
        guard let agency = actor.agencyID, let account = actor.accountID else { throw NaraError.forbidden("Discussions are opened by an agency's official.") }
        try AccessPolicy.require(actor, PetitionsModule.participationPermission, on: .agency(agency))
        var v = Validator()
        let (title, description, _) = Self.checkText(title, description, nil, into: &v)
        if let closesAt, closesAt <= clock.now() { v.add("closesAt", "past", "The discussion closes after it opens.") }
        try v.check()
        let m = DebateModel()
        m.id = UUID()
        m.title = title
        m.description = description
        m.agencyID = agency
        m.openedBy = account
        m.openedAt = clock.now()
        m.closesAt = closesAt
        m.comments = 0
        m.version = 1
        try await db.transaction { tx in
            try await m.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.debate.open", objectType: "debate", objectID: m.id!.uuidString.lowercased(),
                                                             detail: String(title.prefix(200))), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await debateViews([m], on: db)[0]
    }

    public func debates() async throws -> [DebateView] {
        try await debateViews(try await DebateModel.query(on: db).sort(\.$openedAt, .descending).limit(200).all(), on: db)
    }

    public func debate(id: UUID) async throws -> DebateView {
        guard let m = try await DebateModel.find(id, on: db) else { throw NaraError.notFound("The discussion") }
        return try await debateViews([m], on: db)[0]
    }

    func debateViews(_ models: [DebateModel], on db: any Database) async throws -> [DebateView] {
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        let now = clock.now()
        return models.map { m in
            DebateView(id: m.id!, title: m.title, description: m.description, agencyCode: agencies[m.agencyID]?.code ?? "", agencyName: agencies[m.agencyID]?.nameEN ?? "",
                       openedAt: m.openedAt, closesAt: m.closesAt, open: m.closesAt.map { now < $0 } ?? true, comments: m.comments)
        }
    }

    public enum Subject: String, Sendable, CaseIterable {
        case proposal
        case debate
    }

    /// A comment or a reply on a proposal or in a discussion, by a citizen or an official.
    public func comment(on subject: Subject, _ subjectID: UUID, body: String, parent: UUID?, by actor: Actor, requestID: String?,
                        on database: (any Database)? = nil) async throws -> CommentView {
        let db = database ?? self.db
        guard let account = actor.accountID, actor.accountKind == .citizen || actor.accountKind == .official else {
            throw NaraError.forbidden("Comments are written by citizens and officials with their own accounts.")
        }
        if actor.accountKind == .official {
            guard let agency = actor.agencyID else { throw NaraError.forbidden("An official comments for their agency.") }
            try AccessPolicy.require(actor, .agencyWorkspace, on: .agency(agency))
        } else {
            try AccessPolicy.require(actor, .selfService, on: .platform)
        }
        var v = Validator()
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        v.require(text, "body", maxLength: 5_000)
        if !text.isEmpty, text.count < 2 { v.add("body", "too_short", "Write at least 2 characters.") }
        try v.check()
        let author: String
        if actor.accountKind == .official, let agency = actor.agencyID {
            author = try await platform.identity.agency(id: agency, on: db)?.nameEN ?? "Official"
        } else {
            author = try await authorName(actor, on: db)
        }
        let id = UUID()
        try await db.transaction { tx in
            switch subject {
            case .proposal:
                try await tx.lockRow(ProposalModel.schema, id: subjectID)
                guard try await ProposalModel.find(subjectID, on: tx) != nil else { throw NaraError.notFound("The proposal") }
            case .debate:
                try await tx.lockRow(DebateModel.schema, id: subjectID)
                guard let d = try await DebateModel.find(subjectID, on: tx) else { throw NaraError.notFound("The discussion") }
                if let closes = d.closesAt, self.clock.now() >= closes { throw NaraError(.conflict, code: .illegalTransition, "The discussion has closed.") }
                d.comments += 1
                try await d.save(on: tx)
            }
            var depth = 0
            var parentID = parent
            if let parent {
                guard let p = try await CommentModel.find(parent, on: tx), p.subjectKind == subject.rawValue, p.subjectID == subjectID else {
                    throw NaraError.validation([FieldError(field: "parentId", code: "unknown", message: "Reply to a comment of this page.")])
                }
                // Past the deepest level a reply joins its parent's thread.
                if p.depth + 1 > DiscussionRules.maxDepth { parentID = p.parentID; depth = p.depth } else { depth = p.depth + 1 }
            }
            let m = CommentModel()
            m.id = id
            m.subjectKind = subject.rawValue
            m.subjectID = subjectID
            m.parentID = parentID
            m.depth = depth
            m.authorAccountID = account
            m.authorName = author
            m.official = actor.accountKind == .official
            m.body = text
            m.createdAt = self.clock.now()
            m.hidden = false
            m.reports = 0
            m.version = 1
            try await m.create(on: tx)
        }
        guard let m = try await CommentModel.find(id, on: db) else { throw NaraError.notFound("The comment") }
        return commentView(m, for: actor, moderator: false)
    }

    /// The comments of a page in thread order: each reply right after its parent, oldest first.
    public func comments(on subject: Subject, _ subjectID: UUID, by actor: Actor?) async throws -> [CommentView] {
        let all = try await CommentModel.query(on: db).filter(\.$subjectKind == subject.rawValue).filter(\.$subjectID == subjectID).sort(\.$createdAt).all()
        let moderator = actor.map { AccessPolicy.decide($0, PetitionsModule.moderatePermission, on: .platform).isAllowed } ?? false
        var children: [UUID?: [CommentModel]] = [:]
        for c in all { children[c.parentID, default: []].append(c) }
        var ordered: [CommentView] = []
        func walk(_ parent: UUID?) {
            for c in children[parent] ?? [] {
                ordered.append(commentView(c, for: actor, moderator: moderator))
                walk(c.id)
            }
        }
        walk(nil)
        return ordered
    }

    func commentView(_ m: CommentModel, for actor: Actor?, moderator: Bool) -> CommentView {
        CommentView(id: m.id!, parentId: m.parentID, depth: m.depth, author: m.authorName, official: m.official, body: m.hidden && !moderator ? nil : m.body,
                    hidden: m.hidden, hiddenReason: m.hiddenReason, createdAt: m.createdAt, reports: moderator ? m.reports : nil,
                    mine: actor?.accountID == m.authorAccountID)
    }

    /// Anyone signed in reports a comment once, with a reason; the moderators see it in their queue.
    public func report(_ commentID: UUID, reason: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws {
        let db = database ?? self.db
        guard let account = actor.accountID, actor.accountKind != nil else { throw NaraError.forbidden("Reports come from people with their own accounts.") }
        if actor.accountKind == .citizen { try AccessPolicy.require(actor, .selfService, on: .platform) }
        guard let why = ReportReason(rawValue: reason) else {
            throw NaraError.validation([FieldError(field: "reason", code: "unknown", message: "Choose one of \(ReportReason.allCases.map(\.rawValue).joined(separator: ", ")).")])
        }
        try await db.transaction { tx in
            try await tx.lockRow(CommentModel.schema, id: commentID)
            guard let c = try await CommentModel.find(commentID, on: tx) else { throw NaraError.notFound("The comment") }
            guard try await CommentReportModel.query(on: tx).filter(\.$commentID == commentID).filter(\.$accountID == account).first() == nil else { return }
            let r = CommentReportModel()
            r.id = UUID()
            r.commentID = commentID
            r.accountID = account
            r.reason = why.rawValue
            r.at = self.clock.now()
            try await r.create(on: tx)
            c.reports += 1
            try await c.save(on: tx)
        }
    }

    /// Hides a comment with a reason the public reads, or restores it (moderators; audited).
    public func moderate(_ commentID: UUID, hide: Bool, reason: String, by actor: Actor, requestID: String?,
                         on database: (any Database)? = nil) async throws -> CommentView {
        let db = database ?? self.db
        try AccessPolicy.require(actor, PetitionsModule.moderatePermission, on: .platform)
        var v = Validator()
        v.require(reason, "reason", maxLength: 500)
        try v.check()
        let id = commentID
        try await db.transaction { tx in
            try await tx.lockRow(CommentModel.schema, id: id)
            guard let c = try await CommentModel.find(id, on: tx) else { throw NaraError.notFound("The comment") }
            if c.hidden == hide { throw NaraError(.conflict, code: .illegalTransition, hide ? "The comment is hidden already." : "The comment is not hidden.") }
            let now = self.clock.now()
            c.hidden = hide
            c.hiddenReason = hide ? reason.trimmingCharacters(in: .whitespacesAndNewlines) : nil
            c.hiddenAt = hide ? now : nil
            try await c.save(on: tx)
            for r in try await CommentReportModel.query(on: tx).filter(\.$commentID == id).filter(\.$resolvedAt == nil).all() {
                r.resolvedAt = now
                try await r.save(on: tx)
            }
            try await self.platform.audit.append(AuditRecord(action: hide ? "petitions.comment.hide" : "petitions.comment.restore", objectType: "comment",
                                                             objectID: id.uuidString.lowercased(), detail: reason.trimmingCharacters(in: .whitespacesAndNewlines)),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        guard let c = try await CommentModel.find(id, on: db) else { throw NaraError.notFound("The comment") }
        return commentView(c, for: actor, moderator: true)
    }

    /// Comments with reports not yet decided, most reported first (moderators).
    public func reported(by actor: Actor) async throws -> [ReportedComment] {
        try AccessPolicy.require(actor, PetitionsModule.moderatePermission, on: .platform)
        let open = try await CommentReportModel.query(on: db).filter(\.$resolvedAt == nil).all()
        let reasons = Dictionary(grouping: open, by: \.commentID)
        let comments = try await CommentModel.query(on: db).filter(\.$id ~~ Array(reasons.keys)).all()
        return comments.sorted { ($0.reports, $1.createdAt) > ($1.reports, $0.createdAt) }.map { c in
            ReportedComment(comment: commentView(c, for: actor, moderator: true), subjectKind: c.subjectKind, subjectId: c.subjectID,
                            reasons: Array(Set(reasons[c.id!]?.map(\.reason) ?? [])).sorted(), text: c.body)
        }
    }

    // MARK: Internals

    static func requireCitizen(_ actor: Actor, _ message: String) throws {
        guard actor.accountKind == .citizen, actor.accountID != nil else { throw NaraError.forbidden(message) }
        // A token narrowed to other scopes does not act for the person here.
        try AccessPolicy.require(actor, .selfService, on: .platform)
    }

    /// The title, text and subject, trimmed and checked into `v`.
    static func checkText(_ title: String, _ body: String, _ category: String?, into v: inout Validator) -> (String, String, String?) {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        v.require(title, "title", maxLength: 200)
        if !title.isEmpty, title.count < 5 { v.add("title", "too_short", "Use at least 5 characters.") }
        v.require(body, "body", maxLength: 20_000)
        if !body.isEmpty, body.count < 20 { v.add("body", "too_short", "Explain it in at least 20 characters.") }
        let category = PetitionsService.text(category)
        if let category, !ComplaintCatalogue.categories.contains(where: { $0.code == category }) {
            v.add("category", "unknown", "Choose a subject (\(ComplaintCatalogue.categories.map(\.code).joined(separator: ", "))).")
        }
        return (title, body, category)
    }

    /// The agency named, or the one the subject and text route to.
    func addressee(_ code: String?, category: String?, title: String, body: String, into v: inout Validator, on db: any Database) async throws -> AgencySummary? {
        if let code = PetitionsService.text(code) {
            guard let agency = try await platform.identity.agency(code: code, on: db) else {
                v.add("agency", "unknown", "No agency has the code \(code).")
                return nil
            }
            return agency
        }
        let settings = try await PetitionsModule.service(platform).settings(on: db)
        let suggestion = ComplaintRouting.suggest(category: category, title: title, body: body, location: nil, categories: ComplaintCatalogue.categories,
                                                  areas: ComplaintCatalogue.areas, coordinator: settings.coordinatorCode)
        if let agency = try await platform.identity.agency(code: suggestion.agencyCode, on: db) { return agency }
        if let agency = try await platform.identity.agency(code: settings.coordinatorCode, on: db) { return agency }
        v.add("agency", "required", "Name the agency the request is for.")
        return nil
    }

    func authorName(_ actor: Actor, on db: any Database) async throws -> String {
        DiscussionRules.maskedName(try await platform.identity.account(id: actor.accountID!, on: db)?.displayName ?? actor.displayName)
    }

    /// Ids of a table's rows matching the words (title or text, case-folded), in the order asked.
    func search(_ table: String, _ query: ListQuery, order: [(String, SQLDirection)], openOnly: (String, [String])?) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { throw NaraError(.internalError, code: .internalError, "Petitions need an SQL database.") }
        var select = sql.select().column("id").from(table)
        if let words = PetitionsService.text(query.text) {
            // Only ASCII is folded, as SQLite's LOWER does; PostgreSQL's LOWER folds more, which only widens a match.
            let folded = String(String.UnicodeScalarView(words.unicodeScalars.map { (65...90).contains($0.value) ? Unicode.Scalar($0.value + 32)! : $0 }))
            let escaped = folded.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
            let pattern = "%" + escaped + "%"
            select = select.where(SQLQueryString("(LOWER(title) LIKE \(bind: pattern) ESCAPE '!' OR LOWER(body) LIKE \(bind: pattern) ESCAPE '!')"))
        }
        if let state = query.state { select = select.where("state", .equal, SQLBind(state)) }
        if let (column, values) = openOnly, query.state == nil { select = select.where(SQLColumn(column), .in, SQLBind.group(values)) }
        for (column, direction) in order { select = select.orderBy(SQLColumn(column), direction) }
        return try await select.limit(max(1, min(query.limit, 200))).all().map { try $0.decode(column: "id", as: UUID.self) }
    }
}
