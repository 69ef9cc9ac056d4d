import Foundation
import NaraCore

/// Field rules of the registries, pure and tested without storage.
enum RegistryRules {
    /// A Korean number plate: `12가3456` or `123가4567` (2 or 3 digits, one Hangul syllable, 4 digits),
    /// optionally after a region name for older plates (`서울12가3456`).
    static func isValidPlate(_ plate: String) -> Bool {
        let scalars = Array(plate.replacingOccurrences(of: " ", with: "").unicodeScalars)
        var index = 0
        while index < scalars.count, isHangul(scalars[index]) { index += 1 }
        let region = index
        guard region == 0 || region == 2 else { return false }
        var digits = 0
        while index < scalars.count, CharacterSet.decimalDigits.contains(scalars[index]), scalars[index].isASCII { digits += 1; index += 1 }
        guard digits == 2 || digits == 3, index < scalars.count, isHangul(scalars[index]) else { return false }
        index += 1
        let tail = scalars[index...]
        return tail.count == 4 && tail.allSatisfy { $0.isASCII && CharacterSet.decimalDigits.contains($0) }
    }

    static func isHangul(_ scalar: Unicode.Scalar) -> Bool { (0xAC00...0xD7A3).contains(scalar.value) }

    static func normalisedPlate(_ plate: String) -> String { plate.replacingOccurrences(of: " ", with: "") }

    /// ISO 3779 VIN: 17 characters, digits and capitals without I, O and Q.
    static func isValidVIN(_ vin: String) -> Bool {
        vin.count == 17 && vin.allSatisfy { $0.isASCII && ($0.isNumber || ($0.isUppercase && !"IOQ".contains($0))) }
    }

    /// A five-digit Korean Standard Industrial Classification code.
    static func isValidIndustryCode(_ code: String) -> Bool {
        code.count == 5 && code.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A five-digit Korean postal code.
    static func isValidPostalCode(_ code: String) -> Bool {
        code.count == 5 && code.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A `YYYY-MM-DD` date; `notAfter` refuses dates of past facts (a move, an opening) that lie
    /// in the future, `notBefore` dates before another fact (a birth).
    static func day(_ text: String?, field: String, into validator: inout Validator, required: Bool = true,
                    notAfter: LocalDay? = nil, notBefore: LocalDay? = nil) -> LocalDay? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            if required { validator.add(field, "required", "This field is required.") }
            return nil
        }
        guard let day = LocalDay(text) else {
            validator.add(field, "format", "Enter a date as YYYY-MM-DD.")
            return nil
        }
        if let notAfter, day > notAfter {
            validator.add(field, "future", "This date is in the future (today is \(notAfter)).")
            return nil
        }
        if let notBefore, day < notBefore {
            validator.add(field, "order", "This date is before \(notBefore).")
            return nil
        }
        return day
    }
}
