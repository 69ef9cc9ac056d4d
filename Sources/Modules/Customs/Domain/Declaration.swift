import Foundation

public enum DeclarationKind: String, Sendable, Codable, CaseIterable {
    case `import`
    case export
}

/// Selectivity lanes, in precedence order: red > yellow > blue > green.
public enum Lane: String, Sendable, Codable, CaseIterable, Comparable {
    /// Immediate release, nothing checked.
    case green
    /// Release, then a post-clearance audit.
    case blue
    /// Documents are checked before release.
    case yellow
    /// Physical inspection before release.
    case red

    var rank: Int {
        switch self {
        case .green: return 0
        case .blue: return 1
        case .yellow: return 2
        case .red: return 3
        }
    }

    public static func < (lhs: Lane, rhs: Lane) -> Bool { lhs.rank < rhs.rank }
}

public enum DeclarationState: String, Sendable, Codable, CaseIterable {
    case submitted
    case rejected
    case accepted
    case laneAssigned = "lane_assigned"
    case documentsRequested = "documents_requested"
    case underInspection = "under_inspection"
    case assessed
    case paid
    case guaranteed
    case released
    case cleared
    case exited
    case invalidated

    public var isFinal: Bool { self == .rejected || self == .cleared || self == .exited || self == .invalidated }
}

public enum DeclarationEvent: Sendable, Equatable {
    case accept
    case reject(reason: String)
    case assignLane(Lane)
    case requestDocuments
    case startInspection
    /// The officer re-routes to another lane, with the reason.
    case reroute(Lane, reason: String)
    /// Assessed as declared, with no officer's check (green and blue lanes).
    case assess
    /// The officer found the documents in order (yellow lane).
    case checkDocuments
    /// The officer recorded the inspection, with or without findings (documents or goods).
    case recordInspection
    case pay
    case guarantee
    case release
    case clear
    case exit
    case amend(reason: String)
    case invalidate(reason: String)
}

public struct DeclarationTransitionError: Error, Sendable, Equatable {
    public let message: String
}

/// The one place that says which step follows which.
///
/// submitted → accepted; accepted → lane_assigned; an officer may reject it until it is assessed; by lane: red → under_inspection,
/// yellow → documents_requested, blue and green → assessed (as declared); documents_requested →
/// assessed when the documents are checked or an inspection is recorded, under_inspection → assessed
/// only when the inspection is recorded; → assessed → paid | guaranteed (or
/// released when nothing is due) → released → cleared (import) or → exited (export, when the goods
/// leave). An amendment before release sends the declaration back to `accepted` to be laned
/// again; an invalidation before release ends it.
public enum DeclarationMachine {
    public static func apply(_ event: DeclarationEvent, to state: DeclarationState, kind: DeclarationKind,
                             amountDue: Int64 = 0) throws(DeclarationTransitionError) -> DeclarationState {
        switch (state, event) {
        case (.submitted, .accept): return .accepted
        case (.submitted, .reject(let reason)), (.accepted, .reject(let reason)), (.laneAssigned, .reject(let reason)),
             (.documentsRequested, .reject(let reason)), (.underInspection, .reject(let reason)):
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw DeclarationTransitionError(message: "A rejection needs its reason.") }
            return .rejected
        case (.accepted, .assignLane): return .laneAssigned
        case (.laneAssigned, .requestDocuments): return .documentsRequested
        case (.laneAssigned, .startInspection), (.documentsRequested, .startInspection): return .underInspection
        case (.laneAssigned, .reroute(_, let reason)), (.documentsRequested, .reroute(_, let reason)), (.underInspection, .reroute(_, let reason)):
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw DeclarationTransitionError(message: "A re-routing needs its reason.") }
            return .laneAssigned
        case (.laneAssigned, .assess), (.documentsRequested, .checkDocuments), (.documentsRequested, .recordInspection),
             (.underInspection, .recordInspection): return .assessed
        case (.underInspection, .checkDocuments):
            throw DeclarationTransitionError(message: "Goods held for inspection are assessed when you record the inspection, with or without findings.")
        case (.assessed, .pay) where amountDue > 0: return .paid
        case (.assessed, .guarantee) where amountDue > 0: return .guaranteed
        case (.assessed, .release) where amountDue == 0, (.paid, .release), (.guaranteed, .release): return .released
        case (.released, .clear) where kind == .import: return .cleared
        case (.released, .exit) where kind == .export: return .exited
        case (.accepted, .amend(let reason)), (.laneAssigned, .amend(let reason)), (.documentsRequested, .amend(let reason)),
             (.underInspection, .amend(let reason)), (.assessed, .amend(let reason)):
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw DeclarationTransitionError(message: "An amendment needs its reason.") }
            return .accepted
        case (.submitted, .invalidate(let reason)), (.accepted, .invalidate(let reason)), (.laneAssigned, .invalidate(let reason)),
             (.documentsRequested, .invalidate(let reason)), (.underInspection, .invalidate(let reason)), (.assessed, .invalidate(let reason)):
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw DeclarationTransitionError(message: "An invalidation needs its reason.") }
            return .invalidated
        default:
            throw DeclarationTransitionError(message: "A declaration that is \(state.rawValue) cannot \(String(describing: event).prefix(while: { $0 != "(" })).")
        }
    }
}

/// The timestamps of the WCO Time Release Study, kept for every declaration.
public struct ReleaseTimes: Sendable, Codable, Equatable {
    public var lodgedAt: Date
    public var acceptedAt: Date?
    public var lanedAt: Date?
    public var assessedAt: Date?
    public var paidAt: Date?
    public var releasedAt: Date?
    public var clearedAt: Date?
    public var exitedAt: Date?

    public init(lodgedAt: Date) { self.lodgedAt = lodgedAt }
}
