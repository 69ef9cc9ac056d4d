import Foundation
import NaraCore

/// The states of a civil complaint (민원) on e-People (Civil Petitions Treatment Act).
public enum ComplaintState: String, Sendable, Codable, CaseIterable {
    case submitted
    case received
    case transferred
    case underReview = "under_review"
    /// The period was extended once, with a reason and a new due date.
    case extended
    case answered
    case closed
    /// The complainant objected to the answer: the agency answers again.
    case reopened
    /// Joined to a like complaint of the same agency, which is answered for both: the complainant
    /// gets the same notices and the same answer.
    case merged

    /// Waiting for an agency: in its queue, and overdue after the due date.
    public var waitsForAgency: Bool {
        switch self {
        case .submitted, .received, .transferred, .underReview, .extended, .reopened: return true
        case .answered, .closed, .merged: return false
        }
    }

    /// Not yet accepted by the agency it was sent to (escalated when nobody accepts it).
    public var awaitsAcceptance: Bool { self == .submitted || self == .transferred }

    public var title: LocalizedText {
        switch self {
        case .submitted: return LocalizedText(en: "Submitted", ko: "신청")
        case .received: return LocalizedText(en: "Received", ko: "접수")
        case .transferred: return LocalizedText(en: "Transferred", ko: "이송")
        case .underReview: return LocalizedText(en: "Under review", ko: "처리 중")
        case .extended: return LocalizedText(en: "Extended", ko: "기간 연장")
        case .answered: return LocalizedText(en: "Answered", ko: "답변 완료")
        case .closed: return LocalizedText(en: "Closed", ko: "종결")
        case .reopened: return LocalizedText(en: "Reopened after an objection", ko: "이의신청 재처리")
        case .merged: return LocalizedText(en: "Merged with a like complaint", ko: "병합 처리")
        }
    }
}

/// What can happen to a complaint.
public enum ComplaintEvent: Sendable, Equatable {
    /// The agency the complaint was sent to accepts it as its own.
    case receive
    case transfer(toAgency: UUID, reason: String)
    /// Nobody accepted it in time: the coordinating agency takes it (not counted as a transfer).
    case escalate(toAgency: UUID)
    case startReview
    case extend(reason: String, dueAt: Date)
    /// A drafted answer approved by another official: the complainant gets it.
    case answer
    case close
    case object(grounds: String)
    /// Joined to a like complaint of the agency, which is answered for both.
    case merge
    /// The complaint it was merged with was answered: the same answer reaches this complainant.
    case answerWithPrimary
    /// Taken out of a merge it did not belong in: the agency handles it on its own again.
    case separate(reason: String)

    public var name: String {
        switch self {
        case .receive: return "receive"
        case .transfer: return "transfer"
        case .escalate: return "escalate"
        case .startReview: return "start_review"
        case .extend: return "extend"
        case .answer: return "answer"
        case .close: return "close"
        case .object: return "object"
        case .merge: return "merge"
        case .answerWithPrimary: return "answer"
        case .separate: return "separate"
        }
    }
}

/// What the rules need to know besides the state.
public struct ComplaintFacts: Sendable, Equatable {
    public var currentAgency: UUID
    public var transfers: Int
    public var maxTransfers: Int
    public var extended: Bool
    public var dueAt: Date
    /// The latest due date an extension may set (the period once more after the due date).
    public var latestExtension: Date
    public var hasDraft: Bool
    public var answeredAt: Date?
    public var objected: Bool
    public var objectionDays: Int
    /// The coordinating agency: a transfer to it is allowed beyond the cap (it assigns the complaint).
    public var coordinator: UUID?
    public var now: Date

    public init(currentAgency: UUID, transfers: Int = 0, maxTransfers: Int = 3, extended: Bool = false, dueAt: Date, latestExtension: Date,
                hasDraft: Bool = false, answeredAt: Date? = nil, objected: Bool = false, objectionDays: Int = 30, coordinator: UUID? = nil, now: Date) {
        self.coordinator = coordinator
        self.currentAgency = currentAgency
        self.transfers = transfers
        self.maxTransfers = maxTransfers
        self.extended = extended
        self.dueAt = dueAt
        self.latestExtension = latestExtension
        self.hasDraft = hasDraft
        self.answeredAt = answeredAt
        self.objected = objected
        self.objectionDays = objectionDays
        self.now = now
    }
}

public struct ComplaintTransitionError: Error, Sendable, Equatable {
    public let code: String
    public let message: String
    /// Set when the refusal is about a field of the request (bad input, 422), nil for the wrong moment (409).
    public let field: String?

    public var naraError: NaraError {
        if let field { return NaraError.validation([FieldError(field: field, code: code, message: message)], message: message) }
        return NaraError(.conflict, code: .illegalTransition, message)
    }
}

/// The one function that moves a complaint: the next state, or why not.
public enum ComplaintMachine {
    public static func apply(_ event: ComplaintEvent, to state: ComplaintState, facts: ComplaintFacts) throws(ComplaintTransitionError) -> ComplaintState {
        func refuse(_ code: String, _ message: String, field: String? = nil) -> ComplaintTransitionError {
            ComplaintTransitionError(code: code, message: message, field: field)
        }
        func from(_ allowed: [ComplaintState]) throws(ComplaintTransitionError) {
            guard allowed.contains(state) else {
                throw refuse("illegal_transition", "A complaint that is \(state.rawValue) cannot \(event.name.replacingOccurrences(of: "_", with: " ")).")
            }
        }
        switch event {
        case .receive:
            try from([.submitted, .transferred])
            return .received
        case .transfer(let agency, let reason):
            try from([.submitted, .transferred, .received])
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw refuse("required", "Say why the complaint belongs to another agency.", field: "reason")
            }
            if agency == facts.currentAgency { throw refuse("same_agency", "The complaint is already with this agency.", field: "agency") }
            if facts.transfers >= facts.maxTransfers, agency != facts.coordinator {
                throw refuse("transfer_limit", "This complaint was transferred \(facts.transfers) times, the most allowed: answer it, or send it to the coordinating agency, which assigns it.")
            }
            return .transferred
        case .escalate(let agency):
            try from([.submitted, .transferred])
            if agency == facts.currentAgency { throw refuse("same_agency", "The complaint is already with the coordinating agency.") }
            return .transferred
        case .startReview:
            try from([.received, .reopened])
            return .underReview
        case .extend(let reason, let dueAt):
            try from([.received, .underReview])
            if facts.extended { throw refuse("extended_once", "The period of a complaint is extended once only.") }
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw refuse("required", "Give the complainant the reason for the extension.", field: "reason")
            }
            if dueAt <= facts.dueAt || dueAt > facts.latestExtension {
                throw refuse("range", "The new due date is after the current one and at most the period once more after it.", field: "dueAt")
            }
            return .extended
        case .answer:
            try from([.received, .underReview, .extended, .reopened])
            if !facts.hasDraft { throw refuse("no_draft", "Draft the answer first; another official approves it.") }
            return .answered
        case .close:
            try from([.answered])
            return .closed
        case .object(let grounds):
            try from([.answered, .closed])
            if facts.objected { throw refuse("objected_once", "An answer can be objected to once.") }
            if grounds.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw refuse("required", "Say what the answer got wrong.", field: "grounds")
            }
            if let answered = facts.answeredAt, facts.now > answered.addingTimeInterval(TimeInterval(facts.objectionDays) * 86_400) {
                throw refuse("objection_period", "Objections are made within \(facts.objectionDays) days of the answer.")
            }
            return .reopened
        case .merge:
            try from([.submitted, .received, .transferred, .underReview, .extended])
            return .merged
        case .answerWithPrimary:
            try from([.merged])
            return .answered
        case .separate(let reason):
            try from([.merged])
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw refuse("required", "Say why the complaint does not belong with the other.", field: "reason")
            }
            return .received
        }
    }
}
