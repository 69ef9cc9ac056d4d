import Foundation

/// A small reproducible generator (SplitMix64): the same seed gives the same declarations.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public struct SimulatedTrader: Sendable, Equatable {
    public let businessNumber: String
    public let aeo: Bool
    public let findingsLastYear: Int

    public init(businessNumber: String, aeo: Bool, findingsLastYear: Int) {
        self.businessNumber = businessNumber
        self.aeo = aeo
        self.findingsLastYear = findingsLastYear
    }
}

public struct SimulationReport: Sendable, Codable, Equatable {
    public struct Share: Sendable, Codable, Equatable {
        public let lane: Lane
        public let count: Int
        /// Basis points of the declarations simulated.
        public let basisPoints: Int
        /// What the random selection alone is configured to give for this lane (traders / AEOs).
        public let configuredBasisPoints: Int
        public let configuredAEOBasisPoints: Int
    }

    public let declarations: Int
    public let aeoDeclarations: Int
    public let shares: [Share]
    /// How often each criterion hit.
    public let hits: [String: Int]
    public let seed: UInt64
}

/// Replays generated declarations against criteria and rates, so that analysts see the lane
/// shares before they activate a criterion. Declarations are drawn from the tariff lines, origins
/// and traders given, with values per kilogram spread around each line's typical value.
public enum LaneSimulator {
    public static func run(count: Int, seed: UInt64, kinds: [DeclarationKind], lines: [String], origins: [String], traders: [SimulatedTrader],
                           typicalValuePerKg: (String) -> Int64, criteria: [RiskCriterion], rates: SelectivityRates, selectionSeed: Data,
                           at date: Date) -> SimulationReport {
        var rng = SplitMix64(seed: seed)
        var counts: [Lane: Int] = [:]
        var hits: [String: Int] = [:]
        var aeo = 0
        for index in 0..<count {
            guard let trader = traders.randomElement(using: &rng), let kind = kinds.randomElement(using: &rng) else { break }
            if trader.aeo { aeo += 1 }
            let itemCount = Int.random(in: 1...5, using: &rng)
            let items = (0..<itemCount).compactMap { sequence -> RiskFacts.Item? in
                guard let hs = lines.randomElement(using: &rng), let origin = origins.randomElement(using: &rng) else { return nil }
                let massMilli = Int64.random(in: 10_000...5_000_000, using: &rng)
                // Most values near the typical value per kilogram; one in ten far below it.
                let typical = max(1, typicalValuePerKg(hs))
                let factor = Int.random(in: 0..<10, using: &rng) == 0 ? Double.random(in: 0.1...0.5, using: &rng) : Double.random(in: 0.7...1.4, using: &rng)
                let value = Int64(Double(typical) * factor) * massMilli / 1000
                return RiskFacts.Item(sequence: sequence + 1, hsCode: hs, origin: origin, valueKRW: max(1, value), netMassMilli: massMilli)
            }
            let facts = RiskFacts(kind: kind, trader: trader.businessNumber, aeo: trader.aeo, findingsLastYear: trader.findingsLastYear, items: items)
            let decision = RiskEngine.decide(facts, criteria: criteria, rates: rates, seed: selectionSeed, key: "simulation-\(seed)-\(index)", at: date)
            counts[decision.lane, default: 0] += 1
            for hit in decision.hits { hits[hit.code, default: 0] += 1 }
        }
        let total = max(1, counts.values.reduce(0, +))
        let shares = Lane.allCases.map { lane -> SimulationReport.Share in
            let configured: (Int, Int)
            switch lane {
            case .red: configured = (rates.red, rates.aeoRed)
            case .yellow: configured = (rates.yellow, rates.aeoYellow)
            case .blue: configured = (rates.blue, rates.aeoBlue)
            case .green: configured = (10_000 - rates.red - rates.yellow - rates.blue, 10_000 - rates.aeoRed - rates.aeoYellow - rates.aeoBlue)
            }
            return SimulationReport.Share(lane: lane, count: counts[lane] ?? 0, basisPoints: (counts[lane] ?? 0) * 10_000 / total,
                                          configuredBasisPoints: configured.0, configuredAEOBasisPoints: configured.1)
        }
        return SimulationReport(declarations: counts.values.reduce(0, +), aeoDeclarations: aeo, shares: shares, hits: hits, seed: seed)
    }
}
