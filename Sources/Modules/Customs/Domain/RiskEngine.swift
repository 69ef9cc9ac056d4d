import Crypto
import Foundation

public enum RiskConditionType: String, Sendable, Codable, CaseIterable {
    /// The importer or exporter is one of `values` (business registration numbers).
    case trader
    /// An item's HS code starts with one of `values`.
    case hsPrefix
    /// An item's origin is one of `values` (ISO 3166-1 alpha-2).
    case origin
    /// The declaration is of kind `values[0]` (import or export).
    case kind
    /// An item's declared value per kilogram of net mass is below `amountKRW`.
    case valuePerKgBelow
    /// An item's declared value per kilogram is above `amountKRW`.
    case valuePerKgAbove
    /// An item's declared value per kilogram is below `percent` % of the expected `amountKRW` per kilogram (undervaluation).
    case belowExpectedValue
    /// The trader's inspections found discrepancies at least `count` times in the last 365 days.
    case findingsAtLeast

    /// Conditions about one goods item: a criterion's item conditions must all hold for the same item.
    public var isItemCondition: Bool {
        switch self {
        case .hsPrefix, .origin, .valuePerKgBelow, .valuePerKgAbove, .belowExpectedValue: return true
        case .trader, .kind, .findingsAtLeast: return false
        }
    }
}

public struct RiskCondition: Sendable, Codable, Equatable {
    public var type: RiskConditionType
    public var values: [String]?
    public var amountKRW: Int64?
    public var percent: Int?
    public var count: Int?

    public init(_ type: RiskConditionType, values: [String]? = nil, amountKRW: Int64? = nil, percent: Int? = nil, count: Int? = nil) {
        self.type = type
        self.values = values
        self.amountKRW = amountKRW
        self.percent = percent
        self.count = count
    }

    /// What is wrong with the condition's parameters, if anything.
    public var problem: String? {
        switch type {
        case .trader, .hsPrefix, .origin:
            guard let values, !values.isEmpty, values.count <= 500 else { return "List 1 to 500 values." }
            if type == .hsPrefix, !values.allSatisfy({ (2...10).contains($0.count) && $0.allSatisfy(\.isNumber) }) { return "HS prefixes are 2 to 10 digits." }
            if type == .origin, !values.allSatisfy(CustomsCountry.isValid) { return "Origins are ISO 3166-1 alpha-2 codes." }
            if type == .trader, !values.allSatisfy({ $0.count == 10 && $0.allSatisfy(\.isNumber) }) { return "Traders are 10-digit business registration numbers." }
        case .kind:
            guard let values, values.count == 1, DeclarationKind(rawValue: values[0]) != nil else { return "Give the kind: import or export." }
        case .valuePerKgBelow, .valuePerKgAbove:
            guard let amount = amountKRW, amount > 0 else { return "Give the value per kilogram in won." }
        case .belowExpectedValue:
            guard let amount = amountKRW, amount > 0, let percent, (1...99).contains(percent) else {
                return "Give the expected value per kilogram in won and the percentage (1-99) below which it hits."
            }
        case .findingsAtLeast:
            guard let count, count >= 1 else { return "Give the number of findings (1 or more)." }
        }
        return nil
    }
}

/// A risk criterion maintained by risk analysts: when all its conditions hold, the declaration
/// goes at least to its lane, during its validity period.
public struct RiskCriterion: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var lane: Lane
    public var conditions: [RiskCondition]
    public var validFrom: Date
    public var validUntil: Date
    public var active: Bool

    public init(code: String, name: String, lane: Lane, conditions: [RiskCondition], validFrom: Date, validUntil: Date, active: Bool = true) {
        self.code = code
        self.name = name
        self.lane = lane
        self.conditions = conditions
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.active = active
    }

    public func inForce(at date: Date) -> Bool { active && validFrom <= date && date < validUntil }
}

/// The random selection rates, in basis points of declarations (100 = 1 %), for traders and for
/// authorised economic operators.
public struct SelectivityRates: Sendable, Codable, Equatable {
    public var red: Int
    public var yellow: Int
    public var blue: Int
    public var aeoRed: Int
    public var aeoYellow: Int
    public var aeoBlue: Int

    public init(red: Int, yellow: Int, blue: Int, aeoRed: Int, aeoYellow: Int, aeoBlue: Int) {
        self.red = red
        self.yellow = yellow
        self.blue = blue
        self.aeoRed = aeoRed
        self.aeoYellow = aeoYellow
        self.aeoBlue = aeoBlue
    }

    public static let standard = SelectivityRates(red: 100, yellow: 200, blue: 300, aeoRed: 10, aeoYellow: 50, aeoBlue: 100)

    public var problem: String? {
        let all = [red, yellow, blue, aeoRed, aeoYellow, aeoBlue]
        guard all.allSatisfy({ (0...10_000).contains($0) }), red + yellow + blue <= 10_000, aeoRed + aeoYellow + aeoBlue <= 10_000 else {
            return "Rates are basis points (0-10000) that add up to at most 10000 per group."
        }
        return nil
    }
}

/// What the risk engine looks at.
public struct RiskFacts: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var sequence: Int
        public var hsCode: String
        public var origin: String
        public var valueKRW: Int64
        public var netMassMilli: Int64

        public init(sequence: Int, hsCode: String, origin: String, valueKRW: Int64, netMassMilli: Int64) {
            self.sequence = sequence
            self.hsCode = hsCode
            self.origin = origin
            self.valueKRW = valueKRW
            self.netMassMilli = netMassMilli
        }

        /// Won per kilogram of net mass (nil without a mass).
        var valuePerKg: Int64? { netMassMilli > 0 ? (try? DutyCalculator.mulDiv(valueKRW, 1000, netMassMilli)) : nil }
    }

    public var kind: DeclarationKind
    public var trader: String
    public var aeo: Bool
    public var findingsLastYear: Int
    public var items: [Item]

    public init(kind: DeclarationKind, trader: String, aeo: Bool, findingsLastYear: Int, items: [Item]) {
        self.kind = kind
        self.trader = trader
        self.aeo = aeo
        self.findingsLastYear = findingsLastYear
        self.items = items
    }
}

public struct CriterionHit: Sendable, Codable, Equatable {
    public let code: String
    public let name: String
    public let lane: Lane
    /// The goods item that made an item condition hold.
    public let item: Int?
}

/// The lane and why: the criteria that hit and the random draw, shown to officers.
public struct LaneDecision: Sendable, Codable, Equatable {
    public let lane: Lane
    public let hits: [CriterionHit]
    /// The draw in basis points (0-9999) and the lane it selected, if any.
    public let draw: Int
    public let drawLane: Lane?
    public let aeoRates: Bool
    /// "criteria", "random", "none", or "engine_failed" (documents lane, never green).
    public let reason: String
}

/// Selectivity: every criterion in force is checked; the highest lane among the hits and the
/// random selection wins (red > yellow > blue > green). The random draw is HMAC-SHA256 of the
/// declaration's id under the customs service's secret selection seed: traders cannot predict it,
/// and an auditor given the seed can replay every draw.
public enum RiskEngine {
    public static func draw(seed: Data, key: String) -> Int {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("nara-selectivity-v1|\(key)".utf8), using: SymmetricKey(data: seed))
        let word = Array(mac).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(word % 10_000)
    }

    static func holds(_ condition: RiskCondition, facts: RiskFacts, item: RiskFacts.Item?) -> Bool {
        let values = condition.values ?? []
        switch condition.type {
        case .trader: return values.contains(facts.trader)
        case .kind: return values.first == facts.kind.rawValue
        case .findingsAtLeast: return facts.findingsLastYear >= (condition.count ?? Int.max)
        case .hsPrefix: return item.map { i in values.contains { i.hsCode.hasPrefix($0) } } ?? false
        case .origin: return item.map { values.contains($0.origin) } ?? false
        case .valuePerKgBelow: return item?.valuePerKg.map { $0 < (condition.amountKRW ?? 0) } ?? false
        case .valuePerKgAbove: return item?.valuePerKg.map { $0 > (condition.amountKRW ?? .max) } ?? false
        case .belowExpectedValue:
            guard let perKg = item?.valuePerKg, let expected = condition.amountKRW, let percent = condition.percent,
                  let threshold = try? DutyCalculator.mulDiv(expected, Int64(percent), 100) else { return false }
            return perKg < threshold
        }
    }

    /// Whether a criterion hits, and on which item (the first whose item conditions all hold).
    public static func evaluate(_ criterion: RiskCriterion, facts: RiskFacts) -> CriterionHit? {
        let declarationLevel = criterion.conditions.filter { !$0.type.isItemCondition }
        let itemLevel = criterion.conditions.filter(\.type.isItemCondition)
        guard !criterion.conditions.isEmpty, declarationLevel.allSatisfy({ holds($0, facts: facts, item: nil) }) else { return nil }
        if itemLevel.isEmpty { return CriterionHit(code: criterion.code, name: criterion.name, lane: criterion.lane, item: nil) }
        guard let item = facts.items.first(where: { item in itemLevel.allSatisfy { holds($0, facts: facts, item: item) } }) else { return nil }
        return CriterionHit(code: criterion.code, name: criterion.name, lane: criterion.lane, item: item.sequence)
    }

    public static func decide(_ facts: RiskFacts, criteria: [RiskCriterion], rates: SelectivityRates, seed: Data, key: String, at date: Date) -> LaneDecision {
        let hits = criteria.filter { $0.inForce(at: date) }.compactMap { evaluate($0, facts: facts) }
        let value = draw(seed: seed, key: key)
        let (red, yellow, blue) = facts.aeo ? (rates.aeoRed, rates.aeoYellow, rates.aeoBlue) : (rates.red, rates.yellow, rates.blue)
        let drawLane: Lane? = value < red ? .red : value < red + yellow ? .yellow : value < red + yellow + blue ? .blue : nil
        let criteriaLane = hits.map(\.lane).max()
        let lane = max(criteriaLane ?? .green, drawLane ?? .green)
        let reason = lane == .green ? "none" : (criteriaLane.map { $0 >= (drawLane ?? .green) } ?? false) ? "criteria" : "random"
        return LaneDecision(lane: lane, hits: hits, draw: value, drawLane: drawLane, aeoRates: facts.aeo, reason: reason)
    }

    /// When the engine cannot decide (its data unreadable, an error): documents, never green.
    public static func failed() -> LaneDecision {
        LaneDecision(lane: .yellow, hits: [], draw: -1, drawLane: nil, aeoRates: false, reason: "engine_failed")
    }
}
