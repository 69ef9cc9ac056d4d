import Foundation

public struct DutyArithmeticError: Error, Sendable, Equatable {
    public let message: String
}

/// One goods item as the calculator needs it.
public struct DutyLineInput: Sendable, Equatable {
    public var sequence: Int
    /// The customs value in the invoice currency, in its minor units (cents, yen).
    public var valueMinor: Int64
    public var currency: String
    /// The tariff quantity in thousandths of the line's unit (1 kg = 1000), for specific duties.
    public var quantityMilli: Int64
    public var line: TariffLine
    /// The agreement claimed, with the proof of origin presented (a certificate number); nil when none is claimed.
    public var preference: String?
    public var origin: String
    public var proofOfOrigin: String?

    public init(sequence: Int, valueMinor: Int64, currency: String, quantityMilli: Int64, line: TariffLine, preference: String? = nil,
                origin: String, proofOfOrigin: String? = nil) {
        self.sequence = sequence
        self.valueMinor = valueMinor
        self.currency = currency
        self.quantityMilli = quantityMilli
        self.line = line
        self.preference = preference
        self.origin = origin
        self.proofOfOrigin = proofOfOrigin
    }
}

public struct AssessedLine: Sendable, Codable, Equatable {
    public let sequence: Int
    public let hsCode: String
    public let customsValueKRW: Int64
    public let dutyKRW: Int64
    /// VAT base of the line: customs value plus duty.
    public let vatBaseKRW: Int64
    public let vatKRW: Int64
    /// The rate applied ("8 %", "KR-EU 0 %"), and the agreement when a preference was granted.
    public let rateText: String
    public let basis: DutyBasis
    public let agreement: String?
}

public struct Assessment: Sendable, Codable, Equatable {
    public let lines: [AssessedLine]
    /// The exchange rate applied, KRW per unit of the invoice currency in hundredths, and its week.
    public let exchangeRateHundredths: Int64
    public let exchangeWeek: String
    public let totalCustomsValueKRW: Int64
    /// Totals per tax, each truncated to the 10 won (국고금 관리법: amounts under 10 won are not collected).
    public let totalDutyKRW: Int64
    public let totalVATKRW: Int64
    /// The VAT rate applied, in basis points (1000 = 10 %); absent on exports (zero-rated) and on
    /// assessments stored before it was recorded.
    public var vatBasisPoints: Int? = nil
    public var totalKRW: Int64 { totalDutyKRW + totalVATKRW }
}

/// Duty and tax of a declaration, in exact integer won.
///
/// - Customs value: the invoice amount (minor units) times the week's customs exchange rate
///   (KRW per unit, to the hundredth), truncated to the won.
/// - Duty per line: ad valorem = value × rate; specific = tariff quantity × won per unit; the
///   higher of both (선택세) or both together (복합세); each truncated to the won. A preference
///   applies when the origin qualifies under the agreement and a proof of origin is presented,
///   and only when it is lower than the general rate.
/// - VAT per line: (value + duty) × the VAT rate (10 %), truncated to the won.
/// - Each tax's total is truncated to the 10 won.
public enum DutyCalculator {
    public static let vatBasisPoints = 1000

    /// ⌊a × b ÷ c⌋ for a, b ≥ 0 and c > 0, exact in 128 bits; throws when the result leaves Int64.
    public static func mulDiv(_ a: Int64, _ b: Int64, _ c: Int64) throws(DutyArithmeticError) -> Int64 {
        guard a >= 0, b >= 0, c > 0 else { throw DutyArithmeticError(message: "amounts are not negative") }
        let product = UInt64(a).multipliedFullWidth(by: UInt64(b))
        guard product.high < UInt64(c) else { throw DutyArithmeticError(message: "the amount is too large") }
        let (quotient, _) = UInt64(c).dividingFullWidth(product)
        guard quotient <= UInt64(Int64.max) else { throw DutyArithmeticError(message: "the amount is too large") }
        return Int64(quotient)
    }

    public static func add(_ a: Int64, _ b: Int64) throws(DutyArithmeticError) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw DutyArithmeticError(message: "the amount is too large") }
        return sum
    }

    /// The customs value in won of an amount in the invoice currency.
    public static func customsValueKRW(valueMinor: Int64, currency: String, rateHundredths: Int64) throws(DutyArithmeticError) -> Int64 {
        guard let digits = CustomsCurrency.minorDigits[currency] else { throw DutyArithmeticError(message: "no exchange rate for \(currency)") }
        if currency == "KRW" { return valueMinor }
        var divisor: Int64 = 100
        for _ in 0..<digits { divisor *= 10 }
        return try mulDiv(valueMinor, rateHundredths, divisor)
    }

    /// The duty of one line at one rate.
    public static func duty(valueKRW: Int64, quantityMilli: Int64, rate: DutyRate) throws(DutyArithmeticError) -> Int64 {
        let adValorem = try mulDiv(valueKRW, Int64(rate.adValoremBasisPoints ?? 0), 10_000)
        let specific = try mulDiv(quantityMilli, rate.specificPerUnitKRW ?? 0, 1000)
        switch rate.basis {
        case .adValorem: return adValorem
        case .specific: return specific
        case .higherOf: return max(adValorem, specific)
        case .compound: return try add(adValorem, specific)
        }
    }

    public static func truncatedToTen(_ amount: Int64) -> Int64 { amount / 10 * 10 }

    /// The rate that applies to a line: the preference claimed when it qualifies and is lower.
    public static func applicableRate(_ input: DutyLineInput, valueKRW: Int64) throws(DutyArithmeticError) -> (DutyRate, String?) {
        guard let claimed = input.preference, input.proofOfOrigin?.isEmpty == false,
              let preferential = input.line.preferential.first(where: { $0.agreement == claimed && $0.origins.contains(input.origin) }) else {
            return (input.line.rate, nil)
        }
        let general = try duty(valueKRW: valueKRW, quantityMilli: input.quantityMilli, rate: input.line.rate)
        let reduced = try duty(valueKRW: valueKRW, quantityMilli: input.quantityMilli, rate: preferential.rate)
        return reduced < general ? (preferential.rate, preferential.agreement) : (input.line.rate, nil)
    }

    /// Assesses every line at the week's rate of the declaration's currency.
    public static func assess(_ inputs: [DutyLineInput], rateHundredths: Int64, week: String,
                              vatBasisPoints: Int = vatBasisPoints) throws(DutyArithmeticError) -> Assessment {
        var lines: [AssessedLine] = []
        var totalValue: Int64 = 0, totalDuty: Int64 = 0, totalVAT: Int64 = 0
        for input in inputs {
            let value = try customsValueKRW(valueMinor: input.valueMinor, currency: input.currency, rateHundredths: rateHundredths)
            let (rate, agreement) = try applicableRate(input, valueKRW: value)
            let lineDuty = try duty(valueKRW: value, quantityMilli: input.quantityMilli, rate: rate)
            let base = try add(value, lineDuty)
            let lineVAT = try mulDiv(base, Int64(vatBasisPoints), 10_000)
            lines.append(AssessedLine(sequence: input.sequence, hsCode: input.line.code, customsValueKRW: value, dutyKRW: lineDuty, vatBaseKRW: base,
                                      vatKRW: lineVAT, rateText: (agreement.map { "\($0) " } ?? "") + rate.text, basis: rate.basis, agreement: agreement))
            totalValue = try add(totalValue, value)
            totalDuty = try add(totalDuty, lineDuty)
            totalVAT = try add(totalVAT, lineVAT)
        }
        return Assessment(lines: lines, exchangeRateHundredths: rateHundredths, exchangeWeek: week, totalCustomsValueKRW: totalValue,
                          totalDutyKRW: truncatedToTen(totalDuty), totalVATKRW: truncatedToTen(totalVAT), vatBasisPoints: vatBasisPoints)
    }
}
