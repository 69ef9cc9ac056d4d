import Foundation
import NaraCore

/// The states of a civil application (Civil Petitions Act; Administrative Procedures Act).
public enum ApplicationState: String, Sendable, Codable, CaseIterable {
    case draft
    case submitted
    case received
    /// The legal clock stops until the applicant answers.
    case supplementRequested = "supplement_requested"
    case underReview = "under_review"
    case transferred
    case approved
    case rejected
    case certificateIssued = "certificate_issued"
    case withdrawn
    case objectionFiled = "objection_filed"
    case objectionDecided = "objection_decided"

    /// States in which the agency's legal clock runs.
    public var clockRuns: Bool {
        switch self {
        case .submitted, .received, .underReview, .transferred: return true
        default: return false
        }
    }

    /// The application is finished from the agency's side (nothing waits in the queue).
    public var isClosed: Bool {
        switch self {
        case .approved, .rejected, .certificateIssued, .withdrawn, .objectionDecided: return true
        default: return false
        }
    }

    /// Waiting for the agency: shown in its queue.
    public var waitsForAgency: Bool {
        switch self {
        case .submitted, .received, .underReview, .transferred, .objectionFiled: return true
        default: return false
        }
    }
}

/// What can happen to an application.
public enum ApplicationEvent: Sendable, Equatable {
    case submit
    case receive
    case requestSupplement(message: String)
    case answerSupplement(message: String)
    case startReview
    case transfer(toAgency: UUID, reason: String)
    case approve(note: String)
    /// Reasons and how to object are mandatory (Administrative Procedures Act arts. 23 and 26).
    case reject(reasons: String, howToObject: String)
    case issueCertificate
    case withdraw(reason: String)
    case fileObjection(grounds: String)
    case decideObjection(accepted: Bool, reasons: String)

    public var name: String {
        switch self {
        case .submit: return "submit"
        case .receive: return "receive"
        case .requestSupplement: return "request_supplement"
        case .answerSupplement: return "answer_supplement"
        case .startReview: return "start_review"
        case .transfer: return "transfer"
        case .approve: return "approve"
        case .reject: return "reject"
        case .issueCertificate: return "issue_certificate"
        case .withdraw: return "withdraw"
        case .fileObjection: return "file_objection"
        case .decideObjection: return "decide_objection"
        }
    }
}

/// Facts about the application the transition rules need besides its state.
public struct ApplicationFacts: Sendable, Equatable {
    public var transfers: Int
    public var maxTransfers: Int
    public var issuesCertificate: Bool
    public var currentAgency: UUID?
    /// When an objection was decided, whether it was accepted (the agency then decides again).
    public var objectionAccepted: Bool?
    /// The decision date (rejection), for the objection period.
    public var decidedAt: Date?
    public var objectionDays: Int
    public var now: Date

    public init(transfers: Int = 0, maxTransfers: Int = 2, issuesCertificate: Bool = false, currentAgency: UUID? = nil,
                objectionAccepted: Bool? = nil, decidedAt: Date? = nil, objectionDays: Int = 90, now: Date = Date()) {
        self.transfers = transfers
        self.maxTransfers = maxTransfers
        self.issuesCertificate = issuesCertificate
        self.currentAgency = currentAgency
        self.objectionAccepted = objectionAccepted
        self.decidedAt = decidedAt
        self.objectionDays = objectionDays
        self.now = now
    }
}

public struct ApplicationTransitionError: Error, Sendable, Equatable {
    public let code: String
    public let message: String
    public let field: String?

    public var naraError: NaraError {
        if let field {
            return NaraError.validation([FieldError(field: field, code: code, message: message)], message: message)
        }
        return NaraError(.conflict, code: .illegalTransition, message)
    }
}

/// The one function that moves an application: the next state, or why not.
public enum ApplicationMachine {
    public static func apply(_ event: ApplicationEvent, to state: ApplicationState, facts: ApplicationFacts) throws(ApplicationTransitionError) -> ApplicationState {
        func illegal() -> ApplicationTransitionError {
            ApplicationTransitionError(code: "illegal_transition", message: "An application that is \(state.rawValue) cannot \(event.name.replacingOccurrences(of: "_", with: " ")).", field: nil)
        }
        func required(_ text: String, _ field: String, _ what: String) throws(ApplicationTransitionError) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { throw ApplicationTransitionError(code: "required", message: "\(what) is required.", field: field) }
            if trimmed.count > 4000 { throw ApplicationTransitionError(code: "too_long", message: "\(what) is longer than 4,000 characters.", field: field) }
        }
        switch (state, event) {
        case (.draft, .submit):
            return .submitted
        case (.submitted, .receive), (.transferred, .receive):
            return .received
        case (.received, .startReview):
            return .underReview
        case (.received, .requestSupplement(let message)), (.underReview, .requestSupplement(let message)):
            try required(message, "message", "What the applicant must supply")
            return .supplementRequested
        case (.supplementRequested, .answerSupplement(let message)):
            try required(message, "message", "The answer")
            return .underReview
        case (.submitted, .transfer(let agency, let reason)), (.received, .transfer(let agency, let reason)), (.underReview, .transfer(let agency, let reason)):
            try required(reason, "reason", "The reason for the transfer")
            if agency == facts.currentAgency {
                throw ApplicationTransitionError(code: "same_agency", message: "Choose another agency than the one handling it now.", field: "agency")
            }
            if facts.transfers >= facts.maxTransfers {
                throw ApplicationTransitionError(code: "transfer_limit",
                                                 message: "This application was already transferred \(facts.transfers) times, the most allowed; decide it or ask the coordinating agency.",
                                                 field: "agency")
            }
            return .transferred
        case (.underReview, .approve):
            return .approved
        case (.objectionDecided, .approve) where facts.objectionAccepted == true:
            return .approved
        case (.received, .reject(let reasons, let howToObject)), (.underReview, .reject(let reasons, let howToObject)):
            try required(reasons, "reasons", "The reasons for the rejection")
            try required(howToObject, "howToObject", "How to object")
            return .rejected
        case (.objectionDecided, .reject(let reasons, let howToObject)) where facts.objectionAccepted == true:
            try required(reasons, "reasons", "The reasons for the rejection")
            try required(howToObject, "howToObject", "How to object")
            return .rejected
        case (.approved, .issueCertificate):
            guard facts.issuesCertificate else {
                throw ApplicationTransitionError(code: "no_certificate", message: "This service issues no certificate.", field: nil)
            }
            return .certificateIssued
        case (.draft, .withdraw), (.submitted, .withdraw), (.received, .withdraw), (.underReview, .withdraw),
             (.supplementRequested, .withdraw), (.transferred, .withdraw):
            return .withdrawn
        case (.rejected, .fileObjection(let grounds)):
            try required(grounds, "grounds", "The grounds of the objection")
            if let decidedAt = facts.decidedAt, facts.now > decidedAt.addingTimeInterval(TimeInterval(facts.objectionDays) * 86_400) {
                throw ApplicationTransitionError(code: "objection_period_over",
                                                 message: "The \(facts.objectionDays)-day period for an objection ended; an administrative appeal remains possible.",
                                                 field: nil)
            }
            return .objectionFiled
        case (.objectionFiled, .decideObjection(_, let reasons)):
            try required(reasons, "reasons", "The reasons for the decision")
            return .objectionDecided
        default:
            throw illegal()
        }
    }
}
