import FluentKit
import Foundation
import NaraCore

/// An open complaint of the same agency that looks like another: proposed for merging.
public struct SimilarComplaint: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let title: String
    public let state: ComplaintState
    public let submittedAt: Date
    /// The same subject at the same place (within 100 m, or the same address).
    public let samePlace: Bool
    /// How alike the texts are, in per cent.
    public let likeness: Int
    /// Different people who filed it and the complaints merged with it.
    public let people: Int
}

/// A collective complaint, for the coordinating agency and the agency that has it.
public struct CollectiveComplaintItem: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let title: String
    public let agencyCode: String
    public let agencyName: String
    public let state: ComplaintState
    public let people: Int
    public let flaggedAt: Date
    public let dueAt: Date
    public let overdue: Bool
}

/// Merging like complaints and collective complaints. A merged complaint waits with the one it
/// was merged with (its primary): every step the primary takes that the complainant should know
/// of reaches it too, and the primary's answer is its answer. A primary filed, with those merged
/// into it, by the collective threshold's number of different people (20 by default) is flagged
/// as a collective complaint: the coordinating agency follows it and the queue puts it first.
extension PetitionsService {
    /// The most complaints merged in one step.
    static let mergeLimit = 100
    /// How far back like complaints are looked for.
    static let similarWindowDays = 90

    /// The open complaints of the agency that look like this one (the agency's officials only).
    public func similar(to id: UUID, by actor: Actor) async throws -> [SimilarComplaint] {
        guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        guard case .agency = try await role(actor, on: m, on: db) else { throw NaraError.notFound("The complaint") }
        return try await similar(m, on: db)
    }

    func similar(_ m: ComplaintModel, on db: any Database) async throws -> [SimilarComplaint] {
        guard ComplaintState(rawValue: m.state)?.waitsForAgency == true else { return [] }
        let waiting = ComplaintState.allCases.filter(\.waitsForAgency).map(\.rawValue)
        let since = m.submittedAt.addingTimeInterval(-Double(Self.similarWindowDays) * 86_400)
        let candidates = try await ComplaintModel.query(on: db).filter(\.$agencyID == m.agencyID).filter(\.$state ~~ waiting)
            .filter(\.$submittedAt >= since).filter(\.$id != m.id!).sort(\.$submittedAt, .descending).limit(500).all()
        let byID = Dictionary(uniqueKeysWithValues: candidates.map { ($0.id!, $0) })
        let matches = ComplaintSimilarity.matches(for: Self.similarityInput(m), among: candidates.map(Self.similarityInput)).prefix(20)
        var result: [SimilarComplaint] = []
        for match in matches {
            guard let c = byID[match.id] else { continue }
            result.append(SimilarComplaint(id: c.id!, number: c.number, title: c.title, state: ComplaintState(rawValue: c.state) ?? .submitted,
                                           submittedAt: c.submittedAt, samePlace: match.samePlace, likeness: Int((match.textLikeness * 100).rounded()),
                                           people: try await people(of: c, on: db)))
        }
        return result
    }

    static func similarityInput(_ m: ComplaintModel) -> SimilarityInput {
        SimilarityInput(id: m.id!, category: m.category, location: m.location, latitudeMicro: m.latitudeMicro, longitudeMicro: m.longitudeMicro,
                        title: m.title, body: m.body)
    }

    /// Different identified people who filed the complaint and those merged with it (anonymous
    /// filings cannot be told apart, so they do not count).
    func people(of m: ComplaintModel, on db: any Database) async throws -> Int {
        let children = try await ComplaintMergeModel.query(on: db).filter(\.$primaryID == m.id!).all().map(\.complaintID)
        var filers = Set<UUID>()
        if let own = m.filerAccountID { filers.insert(own) }
        if !children.isEmpty {
            for c in try await ComplaintModel.query(on: db).filter(\.$id ~~ children).all() {
                if let filer = c.filerAccountID { filers.insert(filer) }
            }
        }
        return filers.count
    }

    /// Merges the named complaints (ids or numbers) into `primaryID`, all of one agency, by one of
    /// its officials. Every problem is reported before anything changes.
    public func merge(_ references: [String], into primaryID: UUID, by actor: Actor, requestID: String?,
                      on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        let settings = try await settings(on: db)
        let cleaned = references.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !cleaned.isEmpty else {
            throw NaraError.validation([FieldError(field: "complaints", code: "required", message: "Choose the complaints to merge with this one.")])
        }
        guard cleaned.count <= Self.mergeLimit else {
            throw NaraError.validation([FieldError(field: "complaints", code: "too_many", message: "Merge at most \(Self.mergeLimit) complaints at a time.")])
        }
        var duplicates: [UUID] = []
        for reference in cleaned {
            let found: ComplaintModel?
            if let id = UUID(uuidString: reference) { found = try await ComplaintModel.find(id, on: db) } else {
                found = try await ComplaintModel.query(on: db).filter(\.$number == reference.uppercased()).first()
            }
            guard let found else {
                throw NaraError.validation([FieldError(field: "complaints", code: "unknown", message: "\(reference) is not a complaint in your agency's queue.")])
            }
            if found.id == primaryID {
                throw NaraError.validation([FieldError(field: "complaints", code: "itself", message: "A complaint is not merged with itself.")])
            }
            if !duplicates.contains(found.id!) { duplicates.append(found.id!) }
        }
        let audit = AuditActor(actor, requestID: requestID)
        let toMerge = duplicates
        return try await db.transaction { tx in
            // Every row in one order, so that two merges of the same complaints cannot deadlock.
            for id in (toMerge + [primaryID]).sorted(by: { $0.uuidString < $1.uuidString }) {
                try await tx.lockRow(ComplaintModel.schema, id: id)
            }
            guard let primary = try await ComplaintModel.find(primaryID, on: tx) else { throw NaraError.notFound("The complaint") }
            let role = try await self.role(actor, on: primary, on: tx)
            guard case .agency(let fromCoordinator) = role, fromCoordinator == false || primary.agencyID == actor.agencyID else {
                throw NaraError.forbidden("Only the agency that has the complaint acts on it.")
            }
            guard ComplaintState(rawValue: primary.state)?.waitsForAgency == true else {
                throw NaraError(.conflict, code: .illegalTransition,
                                "A complaint that is \(primary.state) takes no others: merge them into one the agency still handles.")
            }
            let calendar = try await self.platform.calendar.calendar(on: tx)
            let now = self.clock.now()
            var numbers: [String] = []
            for id in toMerge {
                guard let d = try await ComplaintModel.find(id, on: tx), d.agencyID == primary.agencyID else {
                    let number = try await ComplaintModel.find(id, on: tx)?.number ?? id.uuidString
                    throw NaraError.validation([FieldError(field: "complaints", code: "other_agency",
                                                           message: "\(number) is not in your agency's queue: only complaints of one agency are merged.")])
                }
                let from = try self.apply(.merge, to: d, facts: self.facts(d, settings: settings, calendar: calendar, coordinator: nil))
                d.draft = nil
                d.draftBy = nil
                d.updatedAt = now
                try await d.save(on: tx)
                let link = ComplaintMergeModel()
                link.id = UUID()
                link.complaintID = id
                link.primaryID = primaryID
                link.mergedAt = now
                link.mergedBy = audit.name
                try await link.create(on: tx)
                try await self.record(d, event: "merge", from: from,
                                      note: "Merged with \(primary.number), a like complaint: the agency answers both at once, and the answer reaches you here.",
                                      by: audit, on: tx, notify: true)
                // The complaints merged with it before now wait with the primary.
                for child in try await ComplaintMergeModel.query(on: tx).filter(\.$primaryID == id).all() {
                    child.primaryID = primaryID
                    try await child.save(on: tx)
                }
                numbers.append(d.number)
            }
            let state = ComplaintState(rawValue: primary.state) ?? .submitted
            try await self.record(primary, event: "merge", from: state, note: "Merged with this complaint: \(numbers.joined(separator: ", ")).", by: audit, on: tx)
            try await self.checkCollective(primary, settings: settings, by: audit, on: tx)
            primary.updatedAt = now
            try await primary.save(on: tx)
            return try await self.view(primary, for: role, on: tx)
        }
    }

    /// Takes a merged complaint out of its merge, with a reason: its agency handles it on its own.
    public func separate(_ id: UUID, reason: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        let settings = try await settings(on: db)
        guard let link = try await ComplaintMergeModel.query(on: db).filter(\.$complaintID == id).first() else {
            guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
            guard case .agency = try await role(actor, on: m, on: db) else { throw NaraError.notFound("The complaint") }
            throw NaraError(.conflict, code: .illegalTransition, "A complaint that is \(m.state) cannot separate: it was not merged.")
        }
        let primaryID = link.primaryID
        let audit = AuditActor(actor, requestID: requestID)
        return try await db.transaction { tx in
            // The primary before its merged complaints, as every step of the primary takes them.
            try await tx.lockRow(ComplaintModel.schema, id: primaryID)
            try await tx.lockRow(ComplaintModel.schema, id: id)
            guard let m = try await ComplaintModel.find(id, on: tx), let primary = try await ComplaintModel.find(primaryID, on: tx),
                  let link = try await ComplaintMergeModel.query(on: tx).filter(\.$complaintID == id).filter(\.$primaryID == primaryID).first() else {
                throw NaraError(.conflict, code: .conflict, "The complaint changed meanwhile: read it again.")
            }
            let role = try await self.role(actor, on: m, on: tx)
            guard case .agency(let fromCoordinator) = role, fromCoordinator == false || m.agencyID == actor.agencyID else {
                throw NaraError.forbidden("Only the agency that has the complaint acts on it.")
            }
            let calendar = try await self.platform.calendar.calendar(on: tx)
            let from = try self.apply(.separate(reason: reason), to: m, facts: self.facts(m, settings: settings, calendar: calendar, coordinator: nil))
            let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            m.receivedAt = m.receivedAt ?? self.clock.now()
            try await link.delete(on: tx)
            try await self.record(m, event: "separate", from: from, note: "Taken out of the merge with \(primary.number): \(why) The agency answers it on its own.",
                                  by: audit, on: tx, notify: true)
            let state = ComplaintState(rawValue: primary.state) ?? .submitted
            try await self.record(primary, event: "separate", from: state, note: "\(m.number) taken out of this complaint: \(why)", by: audit, on: tx)
            try await self.checkCollective(primary, settings: settings, by: audit, on: tx)
            m.updatedAt = self.clock.now()
            try await m.save(on: tx)
            return try await self.view(m, for: role, on: tx)
        }
    }

    /// Flags the complaint as collective when its people reach the threshold, keeps the count of a
    /// flagged one, and lifts the flag of one that falls below it after a separation.
    func checkCollective(_ primary: ComplaintModel, settings: ComplaintSettings, by audit: AuditActor, on tx: any Database) async throws {
        let people = try await people(of: primary, on: tx)
        let state = ComplaintState(rawValue: primary.state) ?? .submitted
        if let flag = try await CollectiveComplaintModel.query(on: tx).filter(\.$complaintID == primary.id!).first() {
            if people >= settings.collectiveThreshold {
                flag.people = people
                try await flag.save(on: tx)
            } else {
                try await flag.delete(on: tx)
                try await record(primary, event: "collective_lifted", from: state,
                                 note: "Now filed by \(people) people, fewer than \(settings.collectiveThreshold): no longer a collective complaint.", by: audit, on: tx)
            }
            return
        }
        guard people >= settings.collectiveThreshold else { return }
        let flag = CollectiveComplaintModel()
        flag.id = UUID()
        flag.complaintID = primary.id!
        flag.flaggedAt = clock.now()
        flag.people = people
        try await flag.create(on: tx)
        let note = "Filed by \(people) people: a collective complaint. The coordinating agency follows it, and every complainant receives each notice and the answer."
        try await record(primary, event: "collective", from: state, note: note, by: audit, on: tx, notify: true)
        try await propagate(primary, event: "collective", note: note, by: audit, on: tx)
    }

    /// A step of the primary reaches the complaints merged with it: a receipt, a transfer or an
    /// escalation (they move with it), an extension (their due date moves with it), the collective
    /// flag, and the answer, which becomes theirs.
    func propagate(_ primary: ComplaintModel, event: String, note: String, by audit: AuditActor, on tx: any Database, from agency: UUID? = nil) async throws {
        let links = try await ComplaintMergeModel.query(on: tx).filter(\.$primaryID == primary.id!).all()
        guard !links.isEmpty else { return }
        let settings = try await settings(on: tx)
        let calendar = try await platform.calendar.calendar(on: tx)
        let now = clock.now()
        for link in links {
            guard let child = try await ComplaintModel.find(link.complaintID, on: tx), child.state == ComplaintState.merged.rawValue else { continue }
            switch event {
            case "answer":
                let from = try apply(.answerWithPrimary, to: child, facts: facts(child, settings: settings, calendar: calendar, coordinator: nil))
                child.answer = primary.answer
                child.answeredBy = primary.answeredBy
                child.answeredAt = now
                if child.firstAnsweredAt == nil {
                    child.firstAnsweredAt = now
                    child.firstAnswerOnTime = now <= max(child.dueAt, primary.dueAt)
                }
                try await record(child, event: "answer", from: from, note: "Answered with \(primary.number): \(primary.answer ?? "")", by: audit, on: tx, notify: true)
            case "transfer", "escalate":
                child.agencyID = primary.agencyID
                child.arrivedAt = now
                try await record(child, event: event, from: .merged, note: "With \(primary.number): \(note)", by: audit, on: tx, notify: true, agency: agency)
            default:
                if event == "extend" { child.dueAt = max(child.dueAt, primary.dueAt) }
                if event == "receive" { child.receivedAt = child.receivedAt ?? now }
                try await record(child, event: event, from: .merged, note: "With \(primary.number): \(note)", by: audit, on: tx, notify: true)
            }
            child.updatedAt = now
            try await child.save(on: tx)
        }
    }

    /// Collective complaints: every agency's for the coordinating agency, otherwise the caller's agency's.
    public func collective(for actor: Actor) async throws -> [CollectiveComplaintItem] {
        guard let agency = actor.agencyID else { throw NaraError.forbidden() }
        try AccessPolicy.require(actor, PetitionsModule.handlePermission, on: .agency(agency))
        let settings = try await settings(on: db)
        let coordinator = try await platform.identity.agency(code: settings.coordinatorCode, on: db)
        let flags = try await CollectiveComplaintModel.query(on: db).sort(\.$flaggedAt, .descending).limit(500).all()
        guard !flags.isEmpty else { return [] }
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        var query = ComplaintModel.query(on: db).filter(\.$id ~~ flags.map(\.complaintID))
        if coordinator?.id != agency { query = query.filter(\.$agencyID == agency) }
        let complaints = Dictionary(uniqueKeysWithValues: try await query.all().map { ($0.id!, $0) })
        let now = clock.now()
        return flags.compactMap { flag in
            guard let m = complaints[flag.complaintID] else { return nil }
            let state = ComplaintState(rawValue: m.state) ?? .submitted
            return CollectiveComplaintItem(id: m.id!, number: m.number, title: m.title, agencyCode: agencies[m.agencyID]?.code ?? "",
                                           agencyName: agencies[m.agencyID]?.nameEN ?? "", state: state, people: flag.people, flaggedAt: flag.flaggedAt,
                                           dueAt: m.dueAt, overdue: state.waitsForAgency && now > m.dueAt)
        }
    }

    /// For the view: the primary's number, the numbers merged into it, and the collective count.
    func mergeFacts(_ m: ComplaintModel, on db: any Database) async throws -> (mergedInto: String?, merged: [String], collectivePeople: Int?) {
        var into: String?
        if let link = try await ComplaintMergeModel.query(on: db).filter(\.$complaintID == m.id!).first() {
            into = try await ComplaintModel.find(link.primaryID, on: db)?.number
        }
        let children = try await ComplaintMergeModel.query(on: db).filter(\.$primaryID == m.id!).all().map(\.complaintID)
        let numbers = children.isEmpty ? [] : try await ComplaintModel.query(on: db).filter(\.$id ~~ children).sort(\.$number).all().map(\.number)
        let people = try await CollectiveComplaintModel.query(on: db).filter(\.$complaintID == m.id!).first()?.people
        return (into, numbers, people)
    }
}
