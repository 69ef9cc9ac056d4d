import Foundation

/// A Korean resident registration number (주민등록번호), `YYMMDD-GNNNNNN`.
///
/// The seventh digit gives the century and sex (9/0: 1800s, 1/2 and 5/6: 1900s, 3/4 and 7/8:
/// 2000s; 5-8 are registered foreigners). Numbers issued before October 2020 end in a check digit;
/// numbers issued since end in random digits, so the check digit is reported, not required.
public struct NationalID: Sendable, Hashable, CustomStringConvertible {
    /// 13 digits, no hyphen.
    public let digits: String

    public init(_ text: String) throws(NaraError) {
        let compact = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "")
        guard compact.count == 13, compact.allSatisfy(\.isASCII), compact.allSatisfy(\.isNumber) else {
            throw NaraError.validation([FieldError(field: "nationalId", code: "format", message: "Enter 13 digits as YYMMDD-NNNNNNN.")])
        }
        let d = compact.compactMap { $0.wholeNumberValue }
        guard Self.birthDate(d) != nil else {
            throw NaraError.validation([FieldError(field: "nationalId", code: "birth_date", message: "The first six digits must be a real birth date (YYMMDD).")])
        }
        self.digits = compact
    }

    /// The birth date as calendar components (year, month, day).
    public var birthDate: DateComponents { Self.birthDate(digits.compactMap { $0.wholeNumberValue })! }

    public var isForeignResident: Bool { [5, 6, 7, 8].contains(digits.compactMap { $0.wholeNumberValue }[6]) }

    /// Whether the legacy check digit (weights 2,3,4,5,6,7,8,9,2,3,4,5) holds.
    public var hasValidLegacyCheckDigit: Bool {
        Self.legacyCheckDigit(String(digits.prefix(12))) == digits.last?.wholeNumberValue
    }

    /// `900101-1******`: the only form shown on screens and in logs.
    public var masked: String {
        String(digits.prefix(6)) + "-" + String(digits.dropFirst(6).prefix(1)) + "******"
    }

    public var formatted: String { String(digits.prefix(6)) + "-" + String(digits.dropFirst(6)) }

    public var description: String { masked }

    public static func legacyCheckDigit(_ firstTwelve: String) -> Int? {
        let d = firstTwelve.compactMap { $0.wholeNumberValue }
        guard d.count == 12 else { return nil }
        let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
        let sum = zip(d, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return (11 - sum % 11) % 10
    }

    private static func birthDate(_ d: [Int]) -> DateComponents? {
        let yy = d[0] * 10 + d[1], mm = d[2] * 10 + d[3], dd = d[4] * 10 + d[5]
        let century: Int
        switch d[6] {
        case 9, 0: century = 1800
        case 1, 2, 5, 6: century = 1900
        case 3, 4, 7, 8: century = 2000
        default: return nil
        }
        let year = century + yy
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Seoul")!
        let components = DateComponents(year: year, month: mm, day: dd)
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: mm, day: dd)
        else { return nil }
        return components
    }
}

/// A Korean business registration number (사업자등록번호), `NNN-NN-NNNNN`, whose last digit is a
/// check digit over weights 1,3,7,1,3,7,1,3,5 (plus the tens of the ninth digit times five).
public struct BusinessNumber: Sendable, Hashable, CustomStringConvertible {
    public let digits: String

    public init(_ text: String) throws(NaraError) {
        let compact = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "")
        guard compact.count == 10, compact.allSatisfy(\.isASCII), compact.allSatisfy(\.isNumber) else {
            throw NaraError.validation([FieldError(field: "businessNumber", code: "format", message: "Enter 10 digits as NNN-NN-NNNNN.")])
        }
        guard Self.checkDigit(String(compact.prefix(9))) == compact.last?.wholeNumberValue else {
            throw NaraError.validation([FieldError(field: "businessNumber", code: "check_digit", message: "This business registration number is not valid (check digit).")])
        }
        self.digits = compact
    }

    public static func checkDigit(_ firstNine: String) -> Int? {
        let d = firstNine.compactMap { $0.wholeNumberValue }
        guard d.count == 9 else { return nil }
        let weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
        var sum = zip(d, weights).reduce(0) { $0 + $1.0 * $1.1 }
        sum += (d[8] * 5) / 10
        return (10 - sum % 10) % 10
    }

    public var formatted: String {
        let c = Array(digits)
        return String(c[0..<3]) + "-" + String(c[3..<5]) + "-" + String(c[5..<10])
    }

    public var description: String { formatted }
}
