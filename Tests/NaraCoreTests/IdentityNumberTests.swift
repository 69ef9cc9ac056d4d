import NaraCore
import Testing

@Suite("Identity numbers")
struct IdentityNumberTests {
    @Test("resident registration numbers: format, real birth date, century digit, masking")
    func nationalIDs() throws {
        let id = try NationalID("900101-2345678")
        #expect(id.masked == "900101-2******")
        #expect(id.formatted == "900101-2345678")
        #expect(id.birthDate.year == 1990)
        #expect(try NationalID("0503153123456").birthDate.year == 2005)
        #expect(try NationalID("900101-5123456").isForeignResident)
        // A legacy number whose check digit holds, and one issued after 2020 that need not.
        #expect(try NationalID("900101-2345670").hasValidLegacyCheckDigit)
        #expect(try !NationalID("900101-2345678").hasValidLegacyCheckDigit)
    }

    @Test("malformed resident registration numbers are refused", arguments: [
        "", "900101", "900101-234567", "900101-23456789", "9001O1-2345678", "901301-2345678", "900230-1234567", "010229-3234567", "900101-+234567",
    ])
    func badNationalIDs(_ text: String) {
        #expect(throws: NaraError.self) { try NationalID(text) }
    }

    @Test("2000-02-29 exists, 2001-02-29 does not")
    func leapDays() {
        #expect(throws: Never.self) { try NationalID("000229-3234567") }
        #expect(throws: NaraError.self) { try NationalID("010229-3234567") }
    }

    @Test("business numbers: check digit over weights 1,3,7,1,3,7,1,3,5")
    func businessNumbers() throws {
        // 1*1+2*3+3*7+4*1+5*3+6*7+7*1+8*3+9*5 = 165; + (9*5)/10 = 4 → 169; (10 - 9) % 10 = 1
        #expect(BusinessNumber.checkDigit("123456789") == 1)
        #expect(try BusinessNumber("123-45-67891").formatted == "123-45-67891")
        #expect(throws: NaraError.self) { try BusinessNumber("123-45-67890") }
        #expect(throws: NaraError.self) { try BusinessNumber("123-45-6789") }
        #expect(throws: NaraError.self) { try BusinessNumber("abc-de-fghij") }
        // Every last digit but the right one is refused.
        for digit in 0...9 where digit != 1 {
            #expect(throws: NaraError.self) { try BusinessNumber("12345678\(9)\(digit)") }
        }
    }
}
