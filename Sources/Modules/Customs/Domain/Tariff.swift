import Foundation

/// How a tariff line's duty is computed.
public enum DutyBasis: String, Sendable, Codable, CaseIterable {
    /// A percentage of the customs value (종가세).
    case adValorem
    /// An amount per unit of quantity (종량세).
    case specific
    /// The higher of the ad valorem and the specific amount (선택세).
    case higherOf
    /// The ad valorem and the specific amount together (복합세).
    case compound
}

/// A duty rate: basis points of the customs value (800 = 8 %) and/or won per unit.
public struct DutyRate: Sendable, Codable, Equatable {
    public var basis: DutyBasis
    public var adValoremBasisPoints: Int?
    /// KRW per unit of `specificUnit`.
    public var specificPerUnitKRW: Int64?
    /// UN/ECE Rec. 20 unit the specific amount is per (KGM, LTR, MTK, NAR...).
    public var specificUnit: String?

    public init(basis: DutyBasis, adValoremBasisPoints: Int? = nil, specificPerUnitKRW: Int64? = nil, specificUnit: String? = nil) {
        self.basis = basis
        self.adValoremBasisPoints = adValoremBasisPoints
        self.specificPerUnitKRW = specificPerUnitKRW
        self.specificUnit = specificUnit
    }

    public static func adValorem(_ basisPoints: Int) -> DutyRate { DutyRate(basis: .adValorem, adValoremBasisPoints: basisPoints) }

    /// Problems with the rate's own numbers, field by field.
    public func problems(prefix: String) -> [(field: String, message: String)] {
        var out: [(String, String)] = []
        let needsPercent = basis != .specific, needsSpecific = basis != .adValorem
        if needsPercent, !(0...100_000).contains(adValoremBasisPoints ?? -1) {
            out.append(("\(prefix)adValoremBasisPoints", "Give the ad valorem rate in basis points, 0 to 100000 (800 is 8 %)."))
        }
        if !needsPercent, adValoremBasisPoints != nil { out.append(("\(prefix)adValoremBasisPoints", "A specific duty has no percentage.")) }
        if needsSpecific {
            if !(1...100_000_000).contains(specificPerUnitKRW ?? 0) { out.append(("\(prefix)specificPerUnitKRW", "Give the specific duty in won per unit, 1 to 100,000,000.")) }
            if !UnitCode.isValid(specificUnit ?? "") { out.append(("\(prefix)specificUnit", "Give the unit of the specific duty (UN/ECE Rec. 20, such as KGM or LTR).")) }
        } else if specificPerUnitKRW != nil || specificUnit != nil {
            out.append(("\(prefix)specificPerUnitKRW", "An ad valorem duty has no amount per unit."))
        }
        return out
    }

    /// "8 %", "1,500 KRW/KGM", "the higher of 30 % or 2,000 KRW/KGM".
    public var text: String {
        let percent = adValoremBasisPoints.map { Self.percent($0) } ?? ""
        let specific = specificPerUnitKRW.map { "\(Self.grouped($0)) KRW/\(specificUnit ?? "")" } ?? ""
        switch basis {
        case .adValorem: return percent
        case .specific: return specific
        case .higherOf: return "max(\(percent), \(specific))"
        case .compound: return "\(percent) + \(specific)"
        }
    }

    static func percent(_ basisPoints: Int) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100) %" : String(format: "%.2f %%", Double(basisPoints) / 100)
    }

    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, char) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(char)
        }
        return (value < 0 ? "-" : "") + out
    }
}

/// A preferential rate under a trade agreement, for goods of the listed origins with a proof of origin.
public struct PreferentialRate: Sendable, Codable, Equatable {
    /// The agreement's code (KORUS, KR-EU, RCEP, KR-CN, KR-ASEAN, APTA...).
    public var agreement: String
    /// ISO 3166-1 alpha-2 countries whose goods qualify.
    public var origins: [String]
    public var rate: DutyRate

    public init(agreement: String, origins: [String], rate: DutyRate) {
        self.agreement = agreement
        self.origins = origins
        self.rate = rate
    }
}

/// One national tariff line (HSK, 10 digits) with its rates and controls.
public struct TariffLine: Sendable, Codable, Equatable {
    public var code: String
    public var descriptionEN: String
    public var descriptionKO: String
    /// The unit of the tariff quantity (UN/ECE Rec. 20): KGM, NAR (number of articles), LTR...
    public var quantityUnit: String
    public var rate: DutyRate
    public var preferential: [PreferentialRate]
    /// The licence or approval an import needs (food safety, radio equipment...): nil when none.
    public var importLicence: String?
    public var exportLicence: String?
    /// Goods whose import is prohibited (counterfeit, obscene, security).
    public var prohibited: Bool

    public init(code: String, descriptionEN: String, descriptionKO: String, quantityUnit: String, rate: DutyRate, preferential: [PreferentialRate] = [],
                importLicence: String? = nil, exportLicence: String? = nil, prohibited: Bool = false) {
        self.code = code
        self.descriptionEN = descriptionEN
        self.descriptionKO = descriptionKO
        self.quantityUnit = quantityUnit
        self.rate = rate
        self.preferential = preferential
        self.importLicence = importLicence
        self.exportLicence = exportLicence
        self.prohibited = prohibited
    }

    /// HS chapter (2 digits), heading (4) and subheading (6) of the line.
    public var chapter: String { String(code.prefix(2)) }
    public var heading: String { String(code.prefix(4)) }

    public static func isValidCode(_ code: String) -> Bool {
        code.count == 10 && code.allSatisfy { $0.isASCII && $0.isNumber } && code.prefix(2) != "00" && Int(code.prefix(2))! <= 97
    }
}

public enum UnitCode {
    /// UN/ECE Recommendation 20 codes are 2 or 3 upper-case letters or digits.
    public static func isValid(_ code: String) -> Bool {
        (2...3).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }
}

/// ISO 4217 currencies the customs exchange rates are published for, with their minor digits.
public enum CustomsCurrency {
    public static let minorDigits: [String: Int] = [
        "KRW": 0, "USD": 2, "EUR": 2, "JPY": 0, "CNY": 2, "GBP": 2, "HKD": 2, "SGD": 2, "AUD": 2, "CAD": 2, "CHF": 2, "THB": 2, "TWD": 2,
    ]
}

/// ISO 3166-1 alpha-2 country codes the platform accepts (a realistic trading subset, maintained as data).
public enum CustomsCountry {
    public static let names: [String: String] = [
        "KR": "Korea, Republic of", "US": "United States", "CN": "China", "JP": "Japan", "VN": "Viet Nam", "DE": "Germany", "FR": "France",
        "IT": "Italy", "NL": "Netherlands", "GB": "United Kingdom", "AU": "Australia", "CA": "Canada", "SG": "Singapore", "HK": "Hong Kong",
        "TW": "Taiwan", "TH": "Thailand", "MY": "Malaysia", "ID": "Indonesia", "PH": "Philippines", "IN": "India", "CL": "Chile", "NZ": "New Zealand",
        "MX": "Mexico", "BR": "Brazil", "ES": "Spain", "CH": "Switzerland", "SE": "Sweden", "BE": "Belgium", "PL": "Poland", "TR": "Türkiye",
        "AE": "United Arab Emirates", "SA": "Saudi Arabia", "RU": "Russian Federation", "KP": "Korea, Democratic People's Republic of",
    ]

    public static func isValid(_ code: String) -> Bool { names[code] != nil }
}
