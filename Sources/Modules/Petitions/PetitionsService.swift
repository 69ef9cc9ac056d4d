import Crypto
import FluentKit
import Foundation
import NaraCore

/// What a complainant files.
public struct NewComplaint: Sendable, Codable, Equatable {
    public var type: String
    public var category: String?
    public var title: String
    public var body: String
    public var location: String?
    public var latitude: Double?
    public var longitude: Double?
    /// Publish the request (title, text and place; never the complainant).
    public var `public`: Bool?

    public init(type: String, category: String? = nil, title: String, body: String, location: String? = nil, latitude: Double? = nil,
                longitude: Double? = nil, public isPublic: Bool? = nil) {
        self.type = type
        self.category = category
        self.title = title
        self.body = body
        self.location = location
        self.latitude = latitude
        self.longitude = longitude
        self.public = isPublic
    }
}

public struct ComplaintHistoryEntry: Sendable, Codable, Equatable {
    public let at: Date
    public let event: String
    public let from: ComplaintState
    public let to: ComplaintState
    public let agencyCode: String
    public let agencyName: String
    public let actor: String
    public let note: String
}

public struct ComplaintView: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let type: String
    public let typeName: String
    public let category: String?
    public let title: String
    public let body: String
    public let location: String?
    public let latitude: Double?
    public let longitude: Double?
    public let filerKind: String
    public let `public`: Bool
    public let agencyCode: String
    public let agencyName: String
    /// Officials only: where routing sent it first and why.
    public let routing: RoutingSuggestion?
    public let state: ComplaintState
    public let submittedAt: Date
    public let dueAt: Date
    public let overdue: Bool
    public let receivedAt: Date?
    public let transfers: Int
    public let escalated: Bool
    public let extended: Bool
    public let extensionReason: String?
    /// Officials only: the answer waiting for approval, and its fingerprint, which an approval must name.
    public let draft: String?
    public let draftHash: String?
    public let answer: String?
    public let answeredAt: Date?
    public let closedAt: Date?
    public let rating: Int?
    public let objection: String?
    public let history: [ComplaintHistoryEntry]
    /// The complaint it was merged with, which is answered for both.
    public let mergedInto: String?
    /// Officials only: the complaints merged with this one.
    public let mergedWith: [String]
    /// Filed, with those merged into it, by the collective threshold's number of people or more.
    public let collective: Bool
    /// The different people of a collective complaint.
    public let people: Int?
    /// The files the complainant attached.
    public let attachments: [ComplaintAttachmentView]
    /// Given once, when an anonymous complaint is filed: with the number it opens the complaint.
    public var accessCode: String?
}

/// One line of an agency's queue.
public struct ComplaintQueueItem: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let title: String
    public let type: String
    public let state: ComplaintState
    public let submittedAt: Date
    public let dueAt: Date
    public let overdue: Bool
    public let escalated: Bool
    /// The people of a collective complaint (nil for others).
    public var collectivePeople: Int?
}

/// Deadline compliance of one agency.
public struct AgencyCompliance: Sendable, Codable, Equatable {
    public let agencyCode: String
    public let agencyName: String
    public let answered: Int
    public let answeredOnTime: Int
    /// Answered on time out of answered, in per cent (nil before any answer).
    public let onTimeRate: Double?
    public let open: Int
    public let overdueOpen: Int
}

/// Who acts on a complaint.
enum ComplaintRole {
    case complainant
    /// An official of the agency that has it (or of the coordinating agency).
    case agency(coordinator: Bool)
}

/// e-People: civil complaints routed to the agency that answers them, within the legal periods.
public final class PetitionsService: Sendable {
    let platform: Platform
    static let module = "petitions"
    /// Working days the agency has to answer again after an objection.
    static let reanswerWorkingDays = 10

    /// Filings queue here and commit in groups: a burst of complaints costs a few durable commits,
    /// and each complainant is answered once the transaction holding theirs is on disk.
    let filing: GroupCommit<Filing, Void>

    /// A validated complaint waiting for its number and its commit. `make` builds the row afresh,
    /// so that a batch that failed is retried item by item with clean models.
    struct Filing: Sendable {
        let make: @Sendable () -> ComplaintModel
        let audit: AuditActor
        let note: String
        let detail: String
        let year: Int
    }

    /// The service the group commit's writer works for (weak: the service owns the group commit).
    final class Owner: @unchecked Sendable {
        weak var service: PetitionsService?
    }

    init(platform: Platform) {
        self.platform = platform
        let owner = Owner()
        let db = platform.db
        filing = GroupCommit(batchLimit: 128) { batch in
            guard let service = owner.service else { return batch.map { _ in .failure(GroupCommitError.unanswered) } }
            do {
                try await db.transaction { tx in
                    for item in batch { try await service.insert(item, on: tx) }
                }
                return batch.map { _ in .success(()) }
            } catch {
                // One filing's failure must not fail the others': each again, alone.
                var results: [Result<Void, any Error>] = []
                for item in batch {
                    do {
                        try await db.transaction { tx in try await service.insert(item, on: tx) }
                        results.append(.success(()))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                return results
            }
        }
        owner.service = self
    }

    /// Writes one filing: its number from the year's sequence, the row, the history entry and the audit record.
    func insert(_ item: Filing, on tx: any Database) async throws {
        let serial = try await platform.sequences.next("petitions-complaint", year: item.year, on: tx)
        let m = item.make()
        m.number = SequenceService.format(prefix: "EP", year: item.year, number: serial, width: 7)
        try await m.create(on: tx)
        try await record(m, event: "submit", from: .submitted, note: item.note, by: item.audit, on: tx, detail: item.detail)
    }

    var db: any Database { platform.db }
    var clock: any NaraClock { platform.clock }

    // MARK: Types and settings

    public func types(on database: (any Database)? = nil) async throws -> [ComplaintType] {
        try await ComplaintTypeModel.query(on: database ?? db).sort(\.$id).all().map(\.type)
    }

    public func settings(on database: (any Database)? = nil) async throws -> ComplaintSettings {
        guard let m = try await PetitionsSettingModel.find("complaints", on: database ?? db) else { return ComplaintSettings() }
        return try JSONDecoder().decode(ComplaintSettings.self, from: Data(m.value.utf8))
    }

    /// Creates or replaces a complaint type (complaint administrators; audited). A new period
    /// applies to complaints filed afterwards.
    public func saveType(_ t: ComplaintType, by actor: Actor, requestID: String?) async throws -> ComplaintType {
        try AccessPolicy.require(actor, PetitionsModule.adminPermission, on: .platform)
        try t.validate()
        return try await db.transaction { tx in
            let m = try await ComplaintTypeModel.find(t.code, on: tx) ?? { let m = ComplaintTypeModel(); m.id = t.code; return m }()
            let isNew = m.$updatedAt.value == nil
            m.update(from: t, at: self.clock.now())
            if isNew { try await m.create(on: tx) } else { try await m.save(on: tx) }
            try await self.platform.audit.append(AuditRecord(action: "petitions.type.save", objectType: "complaint_type", objectID: t.code,
                                                             detail: "\(t.periodWorkingDays) working days, anonymous \(t.anonymousAllowed)"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
            return m.type
        }
    }

    public func saveSettings(_ s: ComplaintSettings, by actor: Actor, requestID: String?) async throws -> ComplaintSettings {
        try AccessPolicy.require(actor, PetitionsModule.adminPermission, on: .platform)
        var errors: [FieldError] = []
        if case .failure(let refusal) = Result(catching: { () throws(NaraError) in try s.validate() }) { errors = refusal.fieldErrors }
        if try await platform.identity.agency(code: s.coordinatorCode, on: db) == nil {
            errors.append(FieldError(field: "coordinatorCode", code: "unknown", message: "No agency has the code \(s.coordinatorCode)."))
        }
        if !errors.isEmpty { throw NaraError.validation(errors) }
        try await db.transaction { tx in
            let m = try await PetitionsSettingModel.find("complaints", on: tx) ?? { let m = PetitionsSettingModel(); m.id = "complaints"; return m }()
            m.value = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
            try await m.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.settings.save", objectType: "petitions_settings", objectID: "complaints",
                                                             detail: m.value), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return s
    }

    // MARK: Filing

    /// Files a complaint: checked field by field (nothing stored on any problem), numbered, given
    /// its due date and sent to the agency routing suggests. Anonymous filing (no actor) only for
    /// types that allow it; the answer then carries the access code, shown once.
    public func file(_ input: NewComplaint, by actor: Actor?, requestID: String?, on database: (any Database)? = nil,
                     channel: String? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        let typeModel = try await ComplaintTypeModel.find(input.type, on: db)
        var v = Validator()
        if typeModel == nil || typeModel?.active == false {
            v.add("type", "unknown", "Choose a type of complaint (\(try await types(on: db).filter(\.active).map(\.code).joined(separator: ", "))).")
        }
        if let actor {
            guard actor.accountKind == .citizen || actor.accountKind == .business else {
                throw NaraError.forbidden("Complaints are filed by citizens and businesses; sign in with your own account.")
            }
        } else if let t = typeModel, !t.anonymousAllowed {
            throw NaraError(.unauthorized, code: .unauthenticated, "Sign in to file a \(t.nameEN.lowercased()); only \(try await types(on: db).filter(\.anonymousAllowed).map(\.nameEN).joined(separator: ", ")) may be filed anonymously.")
        }
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = input.body.trimmingCharacters(in: .whitespacesAndNewlines)
        v.require(title, "title", maxLength: 200)
        if !title.isEmpty, title.count < 5 { v.add("title", "too_short", "Use at least 5 characters.") }
        v.require(body, "body", maxLength: 10_000)
        if !body.isEmpty, body.count < 10 { v.add("body", "too_short", "Describe the matter in at least 10 characters.") }
        let location = Self.text(input.location)
        if let location { v.require(location, "location", maxLength: 200) }
        let category = Self.text(input.category)
        if let category, !ComplaintCatalogue.categories.contains(where: { $0.code == category }) {
            v.add("category", "unknown", "Choose a subject (\(ComplaintCatalogue.categories.map(\.code).joined(separator: ", "))).")
        }
        if (input.latitude == nil) != (input.longitude == nil) { v.add("latitude", "pair", "Give both latitude and longitude, or neither.") }
        if let lat = input.latitude, !(lat.isFinite && (-90...90).contains(lat)) { v.add("latitude", "range", "The latitude is -90 to 90 degrees.") }
        if let lon = input.longitude, !(lon.isFinite && (-180...180).contains(lon)) { v.add("longitude", "range", "The longitude is -180 to 180 degrees.") }
        try v.check()
        guard let typeModel else { throw NaraError.validation(v.errors) }
        let type = typeModel.type
        let settings = try await settings(on: db)
        let suggestion = ComplaintRouting.suggest(category: category, title: title, body: body, location: location, categories: ComplaintCatalogue.categories,
                                                  areas: ComplaintCatalogue.areas, coordinator: settings.coordinatorCode)
        let suggested = try await platform.identity.agency(code: suggestion.agencyCode, on: db)
        let fallback = suggested == nil ? try await platform.identity.agency(code: settings.coordinatorCode, on: db) : nil
        guard let agency = suggested ?? fallback else {
            throw NaraError(.unavailable, code: .unavailable, "No agency can receive complaints yet.")
        }
        let now = clock.now()
        let calendar = try await platform.calendar.calendar(on: db)
        let due = calendar.dueDate(for: type.period, from: now)
        let accessCode = actor == nil ? Self.newAccessCode() : nil
        let id = UUID()
        let audit = actor.map { AuditActor($0, requestID: requestID) } ?? AuditActor(name: channel ?? "anonymous", agencyID: nil, requestID: requestID)
        let year = platform.calendar.localDay(of: now).components.year
        let accessCodeHash = accessCode.map { self.hash($0) }
        let routing = String(decoding: try JSONEncoder().encode(suggestion), as: UTF8.self)
        let filerKind = actor?.accountKind?.rawValue ?? "anonymous", filerAccountID = actor?.accountID
        let latitudeMicro = input.latitude.map { Int64(($0 * 1_000_000).rounded()) }, longitudeMicro = input.longitude.map { Int64(($0 * 1_000_000).rounded()) }
        let isPublic = input.public ?? false, chosenCategory = suggestion.category ?? category, agencyID = agency.id
        let item = Filing(make: {
            let m = ComplaintModel()
            m.id = id
            m.typeCode = type.code
            m.periodWorkingDays = type.periodWorkingDays
            m.objectionDays = type.objectionDays
            m.category = chosenCategory
            m.title = title
            m.body = body
            m.location = location
            m.latitudeMicro = latitudeMicro
            m.longitudeMicro = longitudeMicro
            m.filerKind = filerKind
            m.filerAccountID = filerAccountID
            m.accessCodeHash = accessCodeHash
            m.isPublic = isPublic
            m.agencyID = agencyID
            m.suggestedAgencyID = agencyID
            m.routing = routing
            m.state = ComplaintState.submitted.rawValue
            m.submittedAt = now
            m.arrivedAt = now
            m.dueAt = due
            m.transfers = 0
            m.escalated = false
            m.extended = false
            m.updatedAt = now
            m.version = 1
            return m
        }, audit: audit, note: "Filed; due \(Timestamp.iso8601Millis(due)).",
           detail: "\(type.code) to \(agency.code): \(suggestion.reasons.joined(separator: "; "))", year: year)
        if let database {
            // Inside the caller's transaction (the demo seed): written there, not queued.
            try await database.transaction { tx in try await self.insert(item, on: tx) }
        } else {
            try await filing.submit(item)
        }
        var view = try await self.view(id: id, for: .complainant, on: db)
        view.accessCode = accessCode
        return view
    }

    /// The text trimmed, or nil when nothing is left.
    static func text(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    static func newAccessCode() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// The access code as stored: an HMAC under a key of this platform, so that a copy of the
    /// database does not give the codes away by brute force.
    func hash(_ code: String) -> String {
        let key = platform.masterKey.derive("petitions-access-code")
        return HMAC<SHA256>.authenticationCode(for: Data(code.trimmingCharacters(in: .whitespaces).uppercased().utf8), using: key)
            .map { String(format: "%02x", $0) }.joined()
    }

    /// What an approval names: the draft it approves (the first 16 hex digits of its SHA-256).
    static func fingerprint(_ draft: String) -> String {
        String(SHA256.hash(data: Data(draft.utf8)).map { String(format: "%02x", $0) }.joined().prefix(16))
    }

    // MARK: Reading

    /// The role of the actor (or the holder of the access code) on this complaint, or not found.
    func role(_ actor: Actor?, accessCode: String? = nil, on m: ComplaintModel, on db: any Database) async throws -> ComplaintRole {
        if let actor {
            if let owner = m.filerAccountID, actor.accountID == owner { return .complainant }
            if AccessPolicy.decide(actor, PetitionsModule.handlePermission, on: .agency(m.agencyID)).isAllowed { return .agency(coordinator: false) }
            if let agency = actor.agencyID, AccessPolicy.decide(actor, PetitionsModule.handlePermission, on: .agency(agency)).isAllowed {
                let code = try await platform.identity.agency(id: agency, on: db)?.code
                let coordinator = try await settings(on: db).coordinatorCode
                if code == coordinator { return .agency(coordinator: true) }
            }
        }
        if let accessCode, let stored = m.accessCodeHash, constantTimeEquals(hash(accessCode), stored) { return .complainant }
        throw NaraError.notFound("The complaint")
    }

    public func complaint(id: UUID, by actor: Actor?) async throws -> ComplaintView {
        guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        return try await view(m, for: try await role(actor, on: m, on: db), on: db)
    }

    /// An anonymous complaint by its number and access code.
    public func complaint(number: String, accessCode: String) async throws -> ComplaintView {
        guard let m = try await ComplaintModel.query(on: db).filter(\.$number == number.uppercased()).first() else { throw NaraError.notFound("The complaint") }
        return try await view(m, for: try await role(nil, accessCode: accessCode, on: m, on: db), on: db)
    }

    /// An anonymous complaint by its id and access code (the complainant's page after a step).
    public func complaint(id: UUID, accessCode: String) async throws -> ComplaintView {
        guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        return try await view(m, for: try await role(nil, accessCode: accessCode, on: m, on: db), on: db)
    }

    func view(id: UUID, for role: ComplaintRole, on db: any Database) async throws -> ComplaintView {
        guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        return try await view(m, for: role, on: db)
    }

    func view(_ m: ComplaintModel, for role: ComplaintRole, on db: any Database) async throws -> ComplaintView {
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        let type = try await ComplaintTypeModel.find(m.typeCode, on: db)
        let official: Bool = { if case .agency = role { return true }; return false }()
        let history = try await ComplaintEventModel.query(on: db).filter(\.$complaintID == m.id!).sort(\.$at).all().map { e in
            ComplaintHistoryEntry(at: e.at, event: e.event, from: ComplaintState(rawValue: e.fromState) ?? .submitted, to: ComplaintState(rawValue: e.toState) ?? .submitted,
                                  agencyCode: agencies[e.agencyID]?.code ?? "", agencyName: agencies[e.agencyID]?.nameEN ?? "",
                                  actor: official || !e.actor.hasPrefix("citizen:") ? e.actor : "you", note: e.note)
        }
        let state = ComplaintState(rawValue: m.state) ?? .submitted
        let merging = try await mergeFacts(m, on: db)
        return ComplaintView(
            id: m.id!, number: m.number, type: m.typeCode, typeName: type?.nameEN ?? m.typeCode, category: m.category, title: m.title, body: m.body,
            location: m.location, latitude: m.latitudeMicro.map { Double($0) / 1_000_000 }, longitude: m.longitudeMicro.map { Double($0) / 1_000_000 },
            filerKind: m.filerKind, public: m.isPublic, agencyCode: agencies[m.agencyID]?.code ?? "", agencyName: agencies[m.agencyID]?.nameEN ?? "",
            routing: official ? try JSONDecoder().decode(RoutingSuggestion.self, from: Data(m.routing.utf8)) : nil,
            state: state, submittedAt: m.submittedAt, dueAt: m.dueAt, overdue: state.waitsForAgency && clock.now() > m.dueAt, receivedAt: m.receivedAt,
            transfers: m.transfers, escalated: m.escalated, extended: m.extended, extensionReason: m.extensionReason, draft: official ? m.draft : nil,
            draftHash: official ? m.draft.map(Self.fingerprint) : nil,
            answer: m.answer, answeredAt: m.answeredAt, closedAt: m.closedAt, rating: m.rating, objection: m.objection, history: history,
            mergedInto: merging.mergedInto, mergedWith: official ? merging.merged : [], collective: merging.collectivePeople != nil, people: merging.collectivePeople,
            attachments: try await attachments(of: m, on: db), accessCode: nil)
    }

    /// The complainant's own complaints, newest first.
    public func complaints(of actor: Actor) async throws -> [ComplaintQueueItem] {
        guard let account = actor.accountID else { return [] }
        return try await ComplaintModel.query(on: db).filter(\.$filerAccountID == account).sort(\.$submittedAt, .descending).limit(500).all().map(queueItem)
    }

    /// What waits for the actor's agency, by due date (overdue first by nature of the sort).
    public func queue(for actor: Actor) async throws -> [ComplaintQueueItem] {
        guard let agency = actor.agencyID else { throw NaraError.forbidden() }
        try AccessPolicy.require(actor, PetitionsModule.handlePermission, on: .agency(agency))
        let waiting = ComplaintState.allCases.filter(\.waitsForAgency).map(\.rawValue)
        var items = try await ComplaintModel.query(on: db).filter(\.$agencyID == agency).filter(\.$state ~~ waiting).sort(\.$dueAt).limit(500).all().map(queueItem)
        guard !items.isEmpty else { return items }
        // Collective complaints first (their own handling), then by due date.
        let flags = Dictionary(try await CollectiveComplaintModel.query(on: db).filter(\.$complaintID ~~ items.map(\.id)).all().map { ($0.complaintID, $0.people) },
                               uniquingKeysWith: { a, _ in a })
        for i in items.indices { items[i].collectivePeople = flags[items[i].id] }
        let collective = items.filter { $0.collectivePeople != nil }
        return collective + items.filter { $0.collectivePeople == nil }
    }

    func queueItem(_ m: ComplaintModel) -> ComplaintQueueItem {
        let state = ComplaintState(rawValue: m.state) ?? .submitted
        return ComplaintQueueItem(id: m.id!, number: m.number, title: m.title, type: m.typeCode, state: state, submittedAt: m.submittedAt, dueAt: m.dueAt,
                                  overdue: state.waitsForAgency && clock.now() > m.dueAt, escalated: m.escalated, collectivePeople: nil)
    }

    // MARK: Steps

    /// An official's step on a complaint of the agency: receive, transfer, start the review, extend,
    /// draft the answer, approve it (another official), close.
    public enum OfficialStep: Sendable {
        case receive
        case transfer(agencyCode: String, reason: String)
        case startReview
        case extend(reason: String, dueAt: Date)
        case draft(text: String)
        /// Names the draft approved (its `draftHash`), so that a draft changed meanwhile is not sent.
        case approve(draft: String)
        case close
    }

    public func act(_ id: UUID, _ step: OfficialStep, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        let settings = try await settings(on: db)
        var found: AgencySummary?
        if case .transfer(let code, _) = step {
            found = try await platform.identity.agency(code: code, on: db)
            guard found != nil else { throw NaraError.validation([FieldError(field: "agency", code: "unknown", message: "No agency has the code \(code).")]) }
        }
        let target = found
        let audit = AuditActor(actor, requestID: requestID)
        return try await change(id, by: actor, on: db) { m, role, tx in
            guard case .agency(let fromCoordinator) = role, fromCoordinator == false || m.agencyID == actor.agencyID else {
                throw NaraError.forbidden("Only the agency that has the complaint acts on it.")
            }
            let calendar = try await self.platform.calendar.calendar(on: tx)
            let coordinator = try await self.platform.identity.agency(code: settings.coordinatorCode, on: tx)
            var facts = self.facts(m, settings: settings, calendar: calendar, coordinator: coordinator?.id)
            let coordinatorHasIt = coordinator?.id == m.agencyID
            if coordinatorHasIt { facts.maxTransfers = Int.max }
            let now = self.clock.now()
            switch step {
            case .receive:
                let from = try self.apply(.receive, to: m, facts: facts)
                m.receivedAt = now
                try await self.record(m, event: "receive", from: from, note: "Received by the agency.", by: audit, on: tx, notify: true)
                try await self.propagate(m, event: "receive", note: "Received by the agency.", by: audit, on: tx)
            case .transfer(_, let reason):
                let from = try self.apply(.transfer(toAgency: target!.id, reason: reason), to: m, facts: facts)
                if !coordinatorHasIt { m.transfers += 1 }
                m.agencyID = target!.id
                m.arrivedAt = now
                m.receivedAt = nil
                m.draft = nil
                m.draftBy = nil
                let note = "Transferred to \(target!.nameEN): \(reason.trimmingCharacters(in: .whitespacesAndNewlines))"
                try await self.record(m, event: "transfer", from: from, note: note, by: audit, on: tx, notify: true, agency: facts.currentAgency)
                try await self.propagate(m, event: "transfer", note: note, by: audit, on: tx, from: facts.currentAgency)
            case .startReview:
                let from = try self.apply(.startReview, to: m, facts: facts)
                try await self.record(m, event: "start_review", from: from, note: "", by: audit, on: tx)
            case .extend(let reason, let due):
                let from = try self.apply(.extend(reason: reason, dueAt: due), to: m, facts: facts)
                m.extended = true
                m.extensionReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
                m.dueAt = due
                let note = "Extended to \(Timestamp.iso8601Millis(due)): \(m.extensionReason!)"
                try await self.record(m, event: "extend", from: from, note: note, by: audit, on: tx, notify: true)
                try await self.propagate(m, event: "extend", note: note, by: audit, on: tx)
            case .draft(let text):
                guard ComplaintState(rawValue: m.state)?.waitsForAgency == true, !(ComplaintState(rawValue: m.state)?.awaitsAcceptance ?? true) else {
                    throw NaraError(.conflict, code: .illegalTransition, "Receive the complaint before drafting its answer.")
                }
                guard let drafter = actor.accountID else { throw NaraError.forbidden("Answers are drafted by an official, not by a system.") }
                var v = Validator()
                v.require(text, "text", maxLength: 20_000)
                try v.check()
                m.draft = text.trimmingCharacters(in: .whitespacesAndNewlines)
                m.draftBy = drafter
                try await self.platform.audit.append(AuditRecord(action: "petitions.complaint.draft", objectType: "complaint", objectID: m.number), by: audit, on: tx)
            case .approve(let fingerprint):
                try AccessPolicy.require(actor, PetitionsModule.approvePermission, on: .agency(m.agencyID))
                guard let approver = actor.accountID else { throw NaraError.forbidden("Answers are approved by an official, not by a system.") }
                if m.draftBy == nil || m.draftBy == approver {
                    throw NaraError(.conflict, code: .illegalTransition, "Another official approves the answer you drafted.")
                }
                if let draft = m.draft, fingerprint != Self.fingerprint(draft) {
                    throw NaraError(.conflict, code: .conflict, "The draft was changed after you read it: read it again before approving.")
                }
                let from = try self.apply(.answer, to: m, facts: facts)
                m.answer = m.draft
                m.answeredBy = approver
                m.answeredAt = now
                if m.firstAnsweredAt == nil {
                    m.firstAnsweredAt = now
                    m.firstAnswerOnTime = now <= m.dueAt
                }
                m.draft = nil
                m.draftBy = nil
                try await self.record(m, event: "answer", from: from, note: m.answer ?? "", by: audit, on: tx, notify: true)
                try await self.propagate(m, event: "answer", note: m.answer ?? "", by: audit, on: tx)
            case .close:
                let from = try self.apply(.close, to: m, facts: facts)
                m.closedAt = now
                try await self.record(m, event: "close", from: from, note: "Closed by the agency.", by: audit, on: tx)
            }
        }
    }

    /// The complainant's steps: accept the answer (closed), rate it, object once in time.
    public enum ComplainantStep: Sendable {
        case close
        case rate(score: Int, comment: String?)
        case object(grounds: String)
    }

    public func complainantAct(_ id: UUID, _ step: ComplainantStep, by actor: Actor?, accessCode: String?, requestID: String?,
                               on database: (any Database)? = nil) async throws -> ComplaintView {
        let db = database ?? self.db
        let settings = try await settings(on: db)
        let audit = actor.map { AuditActor($0, requestID: requestID) } ?? AuditActor(name: "anonymous", agencyID: nil, requestID: requestID)
        return try await change(id, by: actor, accessCode: accessCode, on: db) { m, role, tx in
            guard case .complainant = role else { throw NaraError.forbidden("Only the complainant does this.") }
            let calendar = try await self.platform.calendar.calendar(on: tx)
            let facts = self.facts(m, settings: settings, calendar: calendar, coordinator: nil)
            let now = self.clock.now()
            switch step {
            case .close:
                let from = try self.apply(.close, to: m, facts: facts)
                m.closedAt = now
                try await self.record(m, event: "close", from: from, note: "Closed by the complainant.", by: audit, on: tx)
            case .rate(let score, let comment):
                guard [ComplaintState.answered.rawValue, ComplaintState.closed.rawValue].contains(m.state) else {
                    throw NaraError(.conflict, code: .illegalTransition, "Rate the answer once it is given.")
                }
                guard (1...5).contains(score) else { throw NaraError.validation([FieldError(field: "score", code: "range", message: "Rate from 1 to 5.")]) }
                if let comment, comment.count > 1000 {
                    throw NaraError.validation([FieldError(field: "comment", code: "too_long", message: "Use at most 1,000 characters.")])
                }
                if let comment, Validator.hasControlCharacters(comment) {
                    throw NaraError.validation([FieldError(field: "comment", code: "control_characters", message: "Remove the control characters.")])
                }
                guard m.rating == nil else { throw NaraError(.conflict, code: .illegalTransition, "You rated this answer already.") }
                m.rating = score
                m.ratingComment = Self.text(comment)
                try await self.platform.audit.append(AuditRecord(action: "petitions.complaint.rate", objectType: "complaint", objectID: m.number, detail: "\(score)"),
                                                     by: audit, on: tx)
            case .object(let grounds):
                let from = try self.apply(.object(grounds: grounds), to: m, facts: facts)
                m.objection = grounds.trimmingCharacters(in: .whitespacesAndNewlines)
                m.objectedAt = now
                m.closedAt = nil
                m.dueAt = calendar.dueDate(for: .workingDays(Self.reanswerWorkingDays), from: now)
                try await self.record(m, event: "object", from: from, note: "Objection: \(m.objection!)", by: audit, on: tx)
            }
        }
    }

    /// Complaints nobody accepted in time go to the coordinating agency (the job, every minute).
    @discardableResult
    public func escalateUnaccepted(on database: (any Database)? = nil) async throws -> Int {
        let db = database ?? self.db
        let settings = try await settings(on: db)
        guard let coordinator = try await platform.identity.agency(code: settings.coordinatorCode, on: db) else { return 0 }
        let calendar = try await platform.calendar.calendar(on: db)
        let now = clock.now()
        let waiting = try await ComplaintModel.query(on: db).filter(\.$state ~~ [ComplaintState.submitted.rawValue, ComplaintState.transferred.rawValue])
            .filter(\.$agencyID != coordinator.id).all()
        var escalated = 0
        for candidate in waiting where now > calendar.deadline(for: .workingDays(settings.acceptanceWorkingDays), from: candidate.arrivedAt) {
            let moved = try await db.transaction { tx -> Bool in
                try await tx.lockRow(ComplaintModel.schema, id: candidate.id!)
                guard let m = try await ComplaintModel.find(candidate.id!, on: tx), ComplaintState(rawValue: m.state)?.awaitsAcceptance == true,
                      m.agencyID == candidate.agencyID, m.arrivedAt == candidate.arrivedAt else { return false }
                let facts = self.facts(m, settings: settings, calendar: calendar, coordinator: coordinator.id)
                let from = try self.apply(.escalate(toAgency: coordinator.id), to: m, facts: facts)
                m.agencyID = coordinator.id
                m.arrivedAt = now
                m.escalated = true
                m.updatedAt = now
                try await m.save(on: tx)
                let note = "Not accepted within \(settings.acceptanceWorkingDays) working day(s): sent to \(coordinator.nameEN), which assigns it."
                try await self.record(m, event: "escalate", from: from, note: note, by: .system("petitions-escalation"), on: tx, notify: true, agency: facts.currentAgency)
                try await self.propagate(m, event: "escalate", note: note, by: .system("petitions-escalation"), on: tx, from: facts.currentAgency)
                return true
            }
            if moved { escalated += 1 }
        }
        return escalated
    }

    /// Deadline compliance by agency: first answers by the due date then in force (the filing's, or
    /// the one extension's), and the open complaints past due.
    public func compliance(on database: (any Database)? = nil) async throws -> [AgencyCompliance] {
        let db = database ?? self.db
        let now = clock.now()
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        var rows: [UUID: (answered: Int, onTime: Int, open: Int, overdue: Int)] = [:]
        for m in try await ComplaintModel.query(on: db).all() {
            let state = ComplaintState(rawValue: m.state) ?? .submitted
            var row = rows[m.agencyID] ?? (0, 0, 0, 0)
            if m.firstAnsweredAt != nil {
                row.answered += 1
                if m.firstAnswerOnTime == true { row.onTime += 1 }
            }
            if state.waitsForAgency {
                row.open += 1
                if now > m.dueAt { row.overdue += 1 }
            }
            rows[m.agencyID] = row
        }
        return rows.compactMap { id, r in
            guard let a = agencies[id] else { return nil }
            return AgencyCompliance(agencyCode: a.code, agencyName: a.nameEN, answered: r.answered, answeredOnTime: r.onTime,
                                    onTimeRate: r.answered == 0 ? nil : (Double(r.onTime) * 1000 / Double(r.answered)).rounded() / 10,
                                    open: r.open, overdueOpen: r.overdue)
        }.sorted { $0.agencyCode < $1.agencyCode }
    }

    // MARK: Internals

    func facts(_ m: ComplaintModel, settings: ComplaintSettings, calendar: BusinessCalendar, coordinator: UUID?) -> ComplaintFacts {
        ComplaintFacts(currentAgency: m.agencyID, transfers: m.transfers, maxTransfers: settings.maxTransfers, extended: m.extended, dueAt: m.dueAt,
                       latestExtension: calendar.dueDate(for: .workingDays(m.periodWorkingDays), from: m.dueAt), hasDraft: m.draft != nil,
                       answeredAt: m.answeredAt, objected: m.objectedAt != nil, objectionDays: m.objectionDays, coordinator: coordinator, now: clock.now())
    }

    /// Moves the locked row to the machine's next state; returns the state it left.
    @discardableResult
    func apply(_ event: ComplaintEvent, to m: ComplaintModel, facts: ComplaintFacts) throws -> ComplaintState {
        let from = ComplaintState(rawValue: m.state) ?? .submitted
        let result = Result { () throws(ComplaintTransitionError) in try ComplaintMachine.apply(event, to: from, facts: facts) }
        switch result {
        case .success(let next): m.state = next.rawValue
        case .failure(let refusal): throw refusal.naraError
        }
        return from
    }

    /// Takes the row lock, checks who acts, lets `body` change the row and saves it.
    func change(_ id: UUID, by actor: Actor?, accessCode: String? = nil, on db: any Database,
                _ body: @escaping @Sendable (ComplaintModel, ComplaintRole, any Database) async throws -> Void) async throws -> ComplaintView {
        try await db.transaction { tx in
            try await tx.lockRow(ComplaintModel.schema, id: id)
            guard let m = try await ComplaintModel.find(id, on: tx) else { throw NaraError.notFound("The complaint") }
            let role = try await self.role(actor, accessCode: accessCode, on: m, on: tx)
            try await body(m, role, tx)
            m.updatedAt = self.clock.now()
            try await m.save(on: tx)
            return try await self.view(m, for: role, on: tx)
        }
    }

    /// One history entry (what the complainant reads) and, for steps they should know of, a notice.
    func record(_ m: ComplaintModel, event: String, from: ComplaintState, note: String, by audit: AuditActor, on tx: any Database, notify: Bool = false,
                agency: UUID? = nil, detail: String? = nil) async throws {
        let e = ComplaintEventModel()
        e.id = UUID()
        e.complaintID = m.id!
        e.at = clock.now()
        e.event = event
        e.fromState = from.rawValue
        e.toState = m.state
        e.agencyID = agency ?? m.agencyID
        e.actor = audit.name
        e.note = note
        try await e.create(on: tx)
        try await platform.audit.append(AuditRecord(action: "petitions.complaint.\(event)", objectType: "complaint", objectID: m.number,
                                                    detail: String((detail ?? "\(from.rawValue) → \(m.state)").prefix(500))), by: audit, on: tx)
        if notify, let account = m.filerAccountID {
            let state = ComplaintState(rawValue: m.state) ?? .submitted
            try await platform.notifications.notify(accountID: account, module: Self.module, title: "[\(m.number)] \(state.title.en) / \(state.title.ko)",
                                                    body: note.isEmpty ? m.title : note, link: "/petitions/complaints/\(m.id!.uuidString.lowercased())", on: tx)
        }
    }
}
