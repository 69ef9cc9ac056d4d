import Crypto
import Foundation
import NaraCore

/// How a tender is run (Act on Contracts to Which the State Is a Party, Enforcement Decree).
public enum Procedure: String, Sendable, Codable, CaseIterable {
    case open
    /// Only suppliers qualified for the tender may bid.
    case restricted
    /// Small-value quotation.
    case quotation

    /// The shortest tendering period from publication to the deadline, from the platform's table
    /// (`NARA_PROCUREMENT_PERIODS`; by default 7 days for an open tender, Enforcement Decree art. 35).
    public func minimumPeriod(_ configuration: NaraConfiguration) -> LegalPeriod {
        configuration.procurementPeriods[rawValue] ?? .calendarDays(7)
    }

    /// How long bidders may complain after an award before the contract (`NARA_PROCUREMENT_STANDSTILL`).
    public func standstill(_ configuration: NaraConfiguration) -> LegalPeriod {
        configuration.procurementStandstill[rawValue] ?? .calendarDays(7)
    }

    /// OCDS procurementMethod (closed codelist) and its details.
    public var ocdsMethod: (method: String, details: String) {
        switch self {
        case .open: return ("open", "Open competitive tender (일반경쟁입찰)")
        case .restricted: return ("selective", "Restricted tender among qualified suppliers (제한경쟁입찰)")
        case .quotation: return ("open", "Small-value electronic quotation (소액 전자견적)")
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
    /// A published procurement plan: the tender notice is still to come.
    case planned
    /// Published: enquiries and bids are taken until their deadlines.
    case open
    /// Opened after the deadline: bidders and prices are public; the bids are being evaluated.
    case opened
    /// Every lot's award is decided; the standstill runs before the contracts.
    case awarded
    /// Every award has a signed contract.
    case contracted
    /// Fewer bids than the procedure's minimum arrived, or no bid qualified.
    case unsuccessful
    case cancelled

    /// The OCDS 1.1.5 tender status (closed codelist).
    public var ocdsStatus: String {
        switch self {
        case .draft, .planned: return "planned"
        case .open, .opened, .awarded: return "active"
        case .contracted: return "complete"
        case .unsuccessful: return "unsuccessful"
        case .cancelled: return "cancelled"
        }
    }
}

public enum TenderEvent: Sendable, Equatable {
    case plan
    case publish
    case open(validBids: Int, minimum: Int)
    /// Every lot has its award decided, at least one of them to a bidder.
    case award
    /// A complaint upheld or a disqualification reopened an award.
    case reopen
    /// No bid qualified for any lot.
    case noQualifiedBid
    /// Every award has its signed contract.
    case contract
    case cancel(reason: String)
}

public struct TenderTransitionError: Error, Sendable, Equatable {
    public let message: String
}

public enum TenderMachine {
    public static func apply(_ event: TenderEvent, to state: TenderState) throws(TenderTransitionError) -> TenderState {
        switch (state, event) {
        case (.draft, .plan): return .planned
        case (.draft, .publish), (.planned, .publish): return .open
        case (.open, .open(let valid, let minimum)): return valid >= minimum ? .opened : .unsuccessful
        case (.opened, .award): return .awarded
        case (.awarded, .reopen): return .opened
        case (.opened, .noQualifiedBid): return .unsuccessful
        case (.awarded, .contract): return .contracted
        case (.draft, .cancel(let reason)), (.planned, .cancel(let reason)), (.open, .cancel(let reason)),
             (.opened, .cancel(let reason)), (.awarded, .cancel(let reason)):
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw TenderTransitionError(message: "A cancellation needs its reason.")
            }
            return .cancelled
        default:
            throw TenderTransitionError(message: "A tender that is \(state.rawValue) cannot \(String(describing: event).prefix(while: { $0 != "(" })).")
        }
    }
}

/// How the winning bid is chosen.
public enum EvaluationMethod: String, Sendable, Codable, CaseIterable {
    /// The lowest valid price wins.
    case lowestPrice
    /// The lowest price at or above a floor, computed from the reserve price (KONEPS 적격심사 floor).
    case floorPrice
    /// A score of price and quality (the quality scores given by the evaluation committee after the opening).
    case priceQuality

    /// OCDS awardCriteria (open codelist).
    public var ocdsAwardCriteria: String {
        switch self {
        case .lowestPrice, .floorPrice: return "priceOnly"
        case .priceQuality: return "ratedCriteria"
        }
    }
}

/// The evaluation rules published with the tender.
public struct EvaluationRules: Sendable, Codable, Equatable {
    public var method: EvaluationMethod
    /// Floor as parts per million of the reserve price (877450 = 87.745 %); floorPrice only.
    public var floorRatePPM: Int?
    /// Weights in percent (they add up to 100); priceQuality only.
    public var priceWeight: Int?
    public var qualityWeight: Int?
    /// The base amount the reserve price derives from (KRW); defaults to the lots' estimated values.
    public var baseAmountMinor: Int64?
    /// The KONEPS reserve-price lottery; floorPrice only.
    public var lottery: LotteryRules?

    public init(method: EvaluationMethod, floorRatePPM: Int? = nil, priceWeight: Int? = nil, qualityWeight: Int? = nil,
                baseAmountMinor: Int64? = nil, lottery: LotteryRules? = nil) {
        self.method = method
        self.floorRatePPM = floorRatePPM
        self.priceWeight = priceWeight
        self.qualityWeight = qualityWeight
        self.baseAmountMinor = baseAmountMinor
        self.lottery = lottery
    }
}

public struct LotteryRules: Sendable, Codable, Equatable {
    /// Preliminary prices are drawn within ± this many basis points of the base amount (200 = 2 %).
    public var rangeBasisPoints: Int
    /// How many of the 15 preliminary prices each bidder picks.
    public var picks: Int

    public init(rangeBasisPoints: Int = 200, picks: Int = 2) {
        self.rangeBasisPoints = rangeBasisPoints
        self.picks = picks
    }
}

/// The KONEPS reserve-price lottery (복수예비가격): 15 preliminary prices drawn from a seed within a
/// range of the base amount; each bidder picks some; the 4 most picked are averaged into the reserve
/// price. The seed's SHA-256 is published with the tender and the seed itself at the opening, so
/// that anyone can redraw the prices and recompute the reserve.
public enum ReserveLottery {
    public static let count = 15
    public static let averaged = 4

    public static func prices(seed: Data, base: Int64, rangeBasisPoints: Int) -> [Int64] {
        let range = Int64(rangeBasisPoints) * 100  // in parts per million
        let key = SymmetricKey(data: seed)
        return (1...count).map { index in
            let mac = HMAC<SHA256>.authenticationCode(for: Data("nara-reserve-lottery-v1|\(index)".utf8), using: key)
            let word = Array(mac).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let offset = Int64(word % UInt64(2 * range + 1)) - range
            // base × offset / 10⁶ without overflow (base ≤ 10¹⁵, |offset| ≤ 10⁵).
            let magnitude = (base / 1_000_000) * abs(offset) + (base % 1_000_000) * abs(offset) / 1_000_000
            return base + (offset < 0 ? -magnitude : magnitude)
        }
    }

    /// The 4 most picked prices (ties to the lower number; unpicked numbers fill up in order) and their average, rounded down.
    public static func reserve(prices: [Int64], picks: [[Int]]) -> (chosen: [Int], reserve: Int64) {
        var counts = [Int](repeating: 0, count: prices.count + 1)
        for bid in picks { for number in Set(bid) where (1...prices.count).contains(number) { counts[number] += 1 } }
        let chosen = (1...prices.count).sorted { (counts[$0], -$0) > (counts[$1], -$1) }.prefix(averaged).sorted()
        let reserve = chosen.map { prices[$0 - 1] }.reduce(0, +) / Int64(chosen.count)
        return (Array(chosen), reserve)
    }
}

/// What a tender buys: one line of a lot, classified.
public struct TenderItem: Sendable, Codable, Equatable {
    /// Numbered by the platform.
    public var id: String?
    public var lot: Int
    public var description: String
    /// UNSPSC (8 digits, the basis of the KONEPS goods classification) or CPV (8 digits and a check digit).
    public var scheme: String
    public var classification: String
    public var classificationDescription: String
    public var quantity: Double
    /// UN/ECE Recommendation 20 unit code (EA, SET, MON, HUR, KGM...) and its name.
    public var unitCode: String
    public var unitName: String
}

public enum ItemClassification {
    /// UNSPSC: 8 digits (segment, family, class, commodity); CPV: 8 digits, a hyphen and a check digit.
    public static func isValid(scheme: String, code: String) -> Bool {
        let digits: (Substring) -> Bool = { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        switch scheme {
        case "UNSPSC": return code.count == 8 && digits(Substring(code)) && !code.hasPrefix("00")
        case "CPV":
            let parts = code.split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0].count == 8 && parts[1].count == 1 && digits(parts[0]) && digits(parts[1])
        default: return false
        }
    }
}

/// A published tender document (specification, terms, drawings): title and where it is.
public struct TenderDocument: Sendable, Codable, Equatable {
    public var id: String?
    public var documentType: String
    public var title: String
    public var url: String
    public var datePublished: Date?
}

public struct TenderAmendment: Sendable, Codable, Equatable {
    public var id: String
    public var date: Date
    public var rationale: String
    public var description: String
}

public struct Lot: Sendable, Codable, Equatable {
    public let number: Int
    public let title: String
    /// Estimated value in minor units (KRW).
    public let estimatedValueMinor: Int64
}

/// What a bidder offers: a price per lot (a lot left out is not bid for), declarations and the
/// bid's documents (price breakdown, technical proposal, certificates), all sealed together.
public struct BidContent: Sendable, Codable, Equatable {
    public let prices: [String: Int64]
    public let declarations: [String]
    /// The numbers (1-15) picked in the reserve-price lottery, when the tender has one.
    public let lotteryPicks: [Int]?
    /// Files of the bid; sealed with the prices and readable only after the opening.
    public let documents: [BidDocument]?

    public init(prices: [String: Int64], declarations: [String], lotteryPicks: [Int]? = nil, documents: [BidDocument]? = nil) {
        self.prices = prices
        self.declarations = declarations
        self.lotteryPicks = lotteryPicks
        self.documents = documents
    }
}

/// One file of a bid, inside its sealed envelope (`content` is base64 in JSON).
public struct BidDocument: Sendable, Codable, Equatable {
    public let title: String
    public let fileName: String
    public let contentType: String
    public let content: Data

    public init(title: String, fileName: String, contentType: String, content: Data) {
        self.title = title
        self.fileName = fileName
        self.contentType = contentType
        self.content = content
    }
}

/// A bid document after the opening: stored as a platform file, shown to the procuring entity,
/// the review body and the bidder (not to the public).
public struct OpenedBidDocument: Sendable, Codable, Equatable {
    public let title: String
    public let fileID: UUID
    public let name: String
    public let contentType: String
    public let size: Int64
    public let sha256: String
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
    /// Set when the envelope could not be opened, did not match its receipt, or was not re-confirmed after an amendment.
    public let problem: String?
    public let lotteryPicks: [Int]?
    public let declarations: [String]?
    public var documents: [OpenedBidDocument]? = nil
}
