import Foundation
import NaraCore

/// A kind of petition: how many signatures it needs, how long it may collect them and how soon the
/// agency must answer once it has them (the National Assembly's e-petition: 50,000 in 30 days).
public struct PetitionType: Sendable, Codable, Equatable {
    public var code: String
    public var nameEN: String
    public var nameKO: String
    /// Signatures of different verified people after which an official answer is due.
    public var threshold: Int
    /// Calendar days the signing window stays open from publication.
    public var signingDays: Int
    /// Working days the agency has to answer once the threshold is reached.
    public var answerWorkingDays: Int
    public var active: Bool

    public init(code: String, nameEN: String, nameKO: String, threshold: Int, signingDays: Int, answerWorkingDays: Int, active: Bool = true) {
        self.code = code
        self.nameEN = nameEN
        self.nameKO = nameKO
        self.threshold = threshold
        self.signingDays = signingDays
        self.answerWorkingDays = answerWorkingDays
        self.active = active
    }

    public func validate() throws(NaraError) {
        var v = Validator()
        if code.isEmpty || code.count > 40 || !code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            v.add("code", "format", "Use 1 to 40 lower-case letters, digits or hyphens.")
        }
        v.require(nameEN, "nameEN", maxLength: 100)
        v.require(nameKO, "nameKO", maxLength: 100)
        if !(1...10_000_000).contains(threshold) { v.add("threshold", "range", "The threshold is 1 to 10,000,000 signatures.") }
        if !(1...180).contains(signingDays) { v.add("signingDays", "range", "A signing window is 1 to 180 days.") }
        if !(1...90).contains(answerWorkingDays) { v.add("answerWorkingDays", "range", "The answer is due in 1 to 90 working days.") }
        try v.check()
    }

    /// The types a new database starts with.
    public static let standard: [PetitionType] = [
        PetitionType(code: "national", nameEN: "National petition", nameKO: "국민청원", threshold: 50_000, signingDays: 30, answerWorkingDays: 20),
        PetitionType(code: "local", nameEN: "Local petition", nameKO: "지역 청원", threshold: 1_000, signingDays: 30, answerWorkingDays: 15),
    ]
}

/// Where a petition stands. Signing is open while the window lasts and no answer was given.
public enum PetitionState: String, Sendable, Codable, CaseIterable {
    /// Collecting signatures, under the threshold.
    case open
    /// The threshold was reached: the agency's answer is due (signing goes on until the window closes).
    case awaitingAnswer = "awaiting_answer"
    case answered
    /// The window closed under the threshold: no answer is due.
    case expired

    public var title: LocalizedText {
        switch self {
        case .open: LocalizedText(en: "Collecting signatures", ko: "동의 진행 중")
        case .awaitingAnswer: LocalizedText(en: "Threshold reached, answer due", ko: "답변 대기")
        case .answered: LocalizedText(en: "Answered", ko: "답변 완료")
        case .expired: LocalizedText(en: "Closed under the threshold", ko: "기간 만료")
        }
    }
}

/// The petition's rules, without storage: when a signature counts, when the threshold makes an
/// answer due, when the window closes.
public enum PetitionRules {
    /// Why a signature cannot be taken now, or nil when it can.
    public static func signingRefusal(state: PetitionState, now: Date, closesAt: Date) -> NaraError? {
        if state == .answered { return NaraError(.conflict, code: .illegalTransition, "The petition was answered: signing has ended.") }
        if state == .expired || now >= closesAt { return NaraError(.conflict, code: .illegalTransition, "The signing window of this petition has closed.") }
        return nil
    }

    /// The state after the count changed: the threshold reached turns an open petition to awaiting an answer.
    public static func state(after count: Int, threshold: Int, from state: PetitionState) -> PetitionState {
        state == .open && count >= threshold ? .awaitingAnswer : state
    }

    /// The state when the window has closed: under the threshold it expires; reached, the answer stays due.
    public static func closing(_ state: PetitionState) -> PetitionState {
        state == .open ? .expired : state
    }

    public static func answerRefusal(state: PetitionState) -> NaraError? {
        switch state {
        case .awaitingAnswer: nil
        case .open: NaraError(.conflict, code: .illegalTransition, "The petition has not reached its threshold: no answer is due yet.")
        case .answered: NaraError(.conflict, code: .illegalTransition, "The petition was answered already.")
        case .expired: NaraError(.conflict, code: .illegalTransition, "The petition closed under its threshold: no answer is due.")
        }
    }
}

/// Where a policy proposal stands; the agency's answer gives one of the last four with reasons.
public enum ProposalState: String, Sendable, Codable, CaseIterable {
    case open
    case underEvaluation = "under_evaluation"
    case accepted
    case partiallyAccepted = "partially_accepted"
    case rejected

    public var isFinal: Bool { [.accepted, .partiallyAccepted, .rejected].contains(self) }

    public var title: LocalizedText {
        switch self {
        case .open: LocalizedText(en: "Open for support", ko: "공감 진행 중")
        case .underEvaluation: LocalizedText(en: "Under evaluation", ko: "검토 중")
        case .accepted: LocalizedText(en: "Accepted", ko: "채택")
        case .partiallyAccepted: LocalizedText(en: "Partially accepted", ko: "일부 채택")
        case .rejected: LocalizedText(en: "Rejected", ko: "불채택")
        }
    }
}

public enum ProposalRules {
    /// Why the agency cannot give this answer now, or nil when it can.
    public static func answerRefusal(from: ProposalState, to: ProposalState) -> NaraError? {
        if to == .open { return NaraError.validation([FieldError(field: "state", code: "unknown", message: "Answer with under_evaluation, accepted, partially_accepted or rejected.")]) }
        if from.isFinal { return NaraError(.conflict, code: .illegalTransition, "The proposal was answered (\(from.rawValue)); the answer stands.") }
        if from == .underEvaluation && to == .underEvaluation { return NaraError(.conflict, code: .illegalTransition, "The proposal is under evaluation already.") }
        return nil
    }

    public static func supportRefusal(_ state: ProposalState) -> NaraError? {
        state == .open || state == .underEvaluation ? nil : NaraError(.conflict, code: .illegalTransition, "The agency answered this proposal: support has ended.")
    }

    public static func editRefusal(_ state: ProposalState) -> NaraError? {
        state == .open ? nil : NaraError(.conflict, code: .illegalTransition, "A proposal is edited only while it is open, before the agency takes it up.")
    }
}

/// Why a contribution is reported to the moderators.
public enum ReportReason: String, Sendable, Codable, CaseIterable {
    case spam
    case abuse
    case personalData = "personal_data"
    case offTopic = "off_topic"
    case other
}

public enum DiscussionRules {
    /// Replies nest at most this deep (a reply to a reply at the limit joins its parent's thread).
    public static let maxDepth = 4
    /// A comment with this many reports waits for the moderators first.
    public static let reportsForReview = 1

    /// How the public sees a person's name: the first and last letters of the first word (김*지).
    public static func maskedName(_ displayName: String) -> String {
        let first = displayName.split(separator: " ").first.map(String.init) ?? ""
        let letters = Array(first)
        switch letters.count {
        case 0: return "*"
        case 1: return "*"
        case 2: return String(letters[0]) + "*"
        default: return String(letters[0]) + String(repeating: "*", count: letters.count - 2) + String(letters[letters.count - 1])
        }
    }
}
