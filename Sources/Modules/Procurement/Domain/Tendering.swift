import Foundation
import NaraCore

/// How a tender is run (Act on Contracts to Which the State Is a Party, Enforcement Decree).
public enum Procedure: String, Sendable, Codable, CaseIterable {
    case open
    /// Only suppliers qualified for the tender may bid.
    case restricted
    /// Small-value quotation.
    case quotation

    /// The shortest tendering period from publication to the deadline (Enforcement Decree art. 35:
    /// 7 days for an open tender; the others as the platform's table says).
    public var minimumPeriod: LegalPeriod {
        switch self {
        case .open: return .calendarDays(7)
        case .restricted: return .calendarDays(10)
        case .quotation: return .workingDays(3)
        }
    }

    /// Fewer valid bids than this make the tender unsuccessful (competition is required).
    public var minimumBids: Int {
        switch self {
        case .open, .restricted: return 2
        case .quotation: return 1
        }
    }
}

public enum TenderState: String, Sendable, Codable, CaseIterable {
    case draft
    /// Published: bids are accepted until the deadline.
    case open
    /// Opened after the deadline: bidders and prices are public.
    case opened
    /// Fewer bids than the procedure's minimum arrived.
    case unsuccessful
    case cancelled
}

public enum TenderEvent: Sendable, Equatable {
    case publish
    case open(validBids: Int, minimum: Int)
    case cancel(reason: String)
}

public struct TenderTransitionError: Error, Sendable, Equatable {
    public let message: String
}

public enum TenderMachine {
    public static func apply(_ event: TenderEvent, to state: TenderState) throws(TenderTransitionError) -> TenderState {
        switch (state, event) {
        case (.draft, .publish): return .open
        case (.open, .open(let valid, let minimum)): return valid >= minimum ? .opened : .unsuccessful
        case (.draft, .cancel(let reason)), (.open, .cancel(let reason)):
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw TenderTransitionError(message: "A cancellation needs its reason.")
            }
            return .cancelled
        default:
            throw TenderTransitionError(message: "A tender that is \(state.rawValue) cannot \(String(describing: event).prefix(while: { $0 != "(" })).")
        }
    }
}

public struct Lot: Sendable, Codable, Equatable {
    public let number: Int
    public let title: String
    /// Estimated value in minor units (KRW).
    public let estimatedValueMinor: Int64
}

/// What a bidder offers: a price per lot (a lot left out is not bid for).
public struct BidContent: Sendable, Codable, Equatable {
    public let prices: [String: Int64]
    public let declarations: [String]
}

/// The platform's receipt for a sealed bid, signed at once: proof of what arrived and when.
public struct BidReceipt: Sendable, Codable, Equatable {
    public let bidID: UUID
    public let tender: String
    public let bidder: String
    /// SHA-256 of the sealed envelope (encapsulated key and ciphertext).
    public let sealedDigest: String
    /// When the request arrived, before any queueing (ISO 8601, milliseconds).
    public let receivedAt: String
    public let signature: DetachedSignature?
}

/// A bid as read after the opening.
public struct OpenedBid: Sendable, Codable, Equatable {
    public let bidder: String
    public let bidderName: String
    public let receivedAt: Date
    public let prices: [String: Int64]?
    public let total: Int64?
    /// Set when the envelope could not be opened or did not match its receipt.
    public let problem: String?
}
