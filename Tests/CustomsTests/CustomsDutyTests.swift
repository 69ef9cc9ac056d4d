import Foundation
import Testing
@testable import Customs

/// Duty and tax, exact to the won: a golden table computed by hand from the rules (customs value
/// truncated to the won at the week's rate; duty ad valorem, specific, higher-of or compound,
/// truncated to the won; VAT 10 % of value plus duty; preferences only with a qualifying origin,
/// a proof and a lower rate).
@Suite("Customs duty and tax")
struct CustomsDutyTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        let name: String
        let currency: String
        let valueMinor: Int64
        let rate: Int64
        let quantityMilli: Int64
        let general: DutyRate
        let preferential: [PreferentialRate]
        let claim: String?
        let origin: String
        let proof: String?
        let value: Int64
        let duty: Int64
        let vat: Int64
        let agreement: String?

        init(_ name: String, _ currency: String, _ valueMinor: Int64, rate: Int64, quantity: Int64, _ general: DutyRate, preferential: [PreferentialRate],
             claim: String?, origin: String, proof: String?, value: Int64, duty: Int64, vat: Int64, agreement: String?) {
            self.name = name
            self.currency = currency
            self.valueMinor = valueMinor
            self.rate = rate
            self.quantityMilli = quantity
            self.general = general
            self.preferential = preferential
            self.claim = claim
            self.origin = origin
            self.proof = proof
            self.value = value
            self.duty = duty
            self.vat = vat
            self.agreement = agreement
        }

        var testDescription: String { name }
    }

    static let table: [Golden] = [
        Golden("USD ad valorem 8%", "USD", 1000000, rate: 138520, quantity: 100000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "CN", proof: nil, value: 13852000, duty: 1108160, vat: 1496016, agreement: nil),
        Golden("USD cents truncated to the won", "USD", 1234567, rate: 138523, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "CN", proof: nil, value: 17101592, duty: 1368127, vat: 1846971, agreement: nil),
        Golden("JPY has no minor unit", "JPY", 3750000, rate: 921, quantity: 2500000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "JP", proof: nil, value: 34537500, duty: 2763000, vat: 3730050, agreement: nil),
        Golden("EUR wine 15%", "EUR", 1440000, rate: 145230, quantity: 900000, DutyRate(basis: .adValorem, adValoremBasisPoints: 1500), preferential: [], claim: nil, origin: "FR", proof: nil, value: 20913120, duty: 3136968, vat: 2405008, agreement: nil),
        Golden("EUR wine KR-EU 0% with proof", "EUR", 1440000, rate: 145230, quantity: 900000, DutyRate(basis: .adValorem, adValoremBasisPoints: 1500), preferential: [PreferentialRate(agreement: "KR-EU", origins: ["FR", "DE"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 0))], claim: "KR-EU", origin: "FR", proof: "FR-REX-1", value: 20913120, duty: 0, vat: 2091312, agreement: "KR-EU"),
        Golden("KR-EU claimed without proof: general rate", "EUR", 1440000, rate: 145230, quantity: 900000, DutyRate(basis: .adValorem, adValoremBasisPoints: 1500), preferential: [PreferentialRate(agreement: "KR-EU", origins: ["FR", "DE"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 0))], claim: "KR-EU", origin: "FR", proof: nil, value: 20913120, duty: 3136968, vat: 2405008, agreement: nil),
        Golden("KR-EU claimed for a non-qualifying origin", "EUR", 1440000, rate: 145230, quantity: 900000, DutyRate(basis: .adValorem, adValoremBasisPoints: 1500), preferential: [PreferentialRate(agreement: "KR-EU", origins: ["FR", "DE"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 0))], claim: "KR-EU", origin: "CL", proof: "X-1", value: 20913120, duty: 3136968, vat: 2405008, agreement: nil),
        Golden("agreement not on the line: general rate", "EUR", 1440000, rate: 145230, quantity: 900000, DutyRate(basis: .adValorem, adValoremBasisPoints: 1500), preferential: [PreferentialRate(agreement: "KR-EU", origins: ["FR", "DE"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 0))], claim: "KORUS", origin: "FR", proof: "X-1", value: 20913120, duty: 3136968, vat: 2405008, agreement: nil),
        Golden("preference higher than general is not applied", "USD", 500000, rate: 138520, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 500), preferential: [PreferentialRate(agreement: "KR-XX", origins: ["US"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 800))], claim: "KR-XX", origin: "US", proof: "P-1", value: 6926000, duty: 346300, vat: 727230, agreement: nil),
        Golden("KR-CN 5.2% T-shirts", "USD", 1500000, rate: 138520, quantity: 6000000, DutyRate(basis: .adValorem, adValoremBasisPoints: 1300), preferential: [PreferentialRate(agreement: "KR-CN", origins: ["CN"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 520))], claim: "KR-CN", origin: "CN", proof: "CN-1", value: 20778000, duty: 1080456, vat: 2185845, agreement: "KR-CN"),
        Golden("oranges 50%", "USD", 2210000, rate: 138520, quantity: 17000000, DutyRate(basis: .adValorem, adValoremBasisPoints: 5000), preferential: [], claim: nil, origin: "US", proof: nil, value: 30612920, duty: 15306460, vat: 4591938, agreement: nil),
        Golden("oranges KORUS 0%", "USD", 2210000, rate: 138520, quantity: 17000000, DutyRate(basis: .adValorem, adValoremBasisPoints: 5000), preferential: [PreferentialRate(agreement: "KORUS", origins: ["US"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 0))], claim: "KORUS", origin: "US", proof: "US-CO-1", value: 30612920, duty: 0, vat: 3061292, agreement: "KORUS"),
        Golden("specific 200 KRW/kg", "USD", 100000, rate: 138520, quantity: 2500000, DutyRate(basis: .specific, specificPerUnitKRW: 200, specificUnit: "KGM"), preferential: [], claim: nil, origin: "TH", proof: nil, value: 1385200, duty: 500000, vat: 188520, agreement: nil),
        Golden("specific on thousandths of a kilogram", "USD", 100000, rate: 138520, quantity: 2500123, DutyRate(basis: .specific, specificPerUnitKRW: 200, specificUnit: "KGM"), preferential: [], claim: nil, origin: "TH", proof: nil, value: 1385200, duty: 500024, vat: 188522, agreement: nil),
        Golden("higher of: specific wins", "USD", 500000, rate: 138520, quantity: 20000000, DutyRate(basis: .higherOf, adValoremBasisPoints: 3000, specificPerUnitKRW: 200, specificUnit: "KGM"), preferential: [], claim: nil, origin: "TH", proof: nil, value: 6926000, duty: 4000000, vat: 1092600, agreement: nil),
        Golden("higher of: ad valorem wins", "USD", 5000000, rate: 138520, quantity: 1000000, DutyRate(basis: .higherOf, adValoremBasisPoints: 3000, specificPerUnitKRW: 200, specificUnit: "KGM"), preferential: [], claim: nil, origin: "TH", proof: nil, value: 69260000, duty: 20778000, vat: 9003800, agreement: nil),
        Golden("compound: 30% plus 50 KRW/l", "USD", 1440000, rate: 138520, quantity: 8000000, DutyRate(basis: .compound, adValoremBasisPoints: 3000, specificPerUnitKRW: 50, specificUnit: "KGM"), preferential: [], claim: nil, origin: "BR", proof: nil, value: 19946880, duty: 6384064, vat: 2633094, agreement: nil),
        Golden("compound with fractional litres", "USD", 1440000, rate: 138520, quantity: 7999999, DutyRate(basis: .compound, adValoremBasisPoints: 3000, specificPerUnitKRW: 50, specificUnit: "KGM"), preferential: [], claim: nil, origin: "BR", proof: nil, value: 19946880, duty: 6384063, vat: 2633094, agreement: nil),
        Golden("zero duty (ITA), VAT only", "USD", 2400000, rate: 138520, quantity: 20000, DutyRate(basis: .adValorem, adValoremBasisPoints: 0), preferential: [], claim: nil, origin: "CN", proof: nil, value: 33244800, duty: 0, vat: 3324480, agreement: nil),
        Golden("KRW invoice", "KRW", 55000000, rate: 100, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "KR", proof: nil, value: 55000000, duty: 4400000, vat: 5940000, agreement: nil),
        Golden("KRW invoice, 6.5%", "KRW", 1234567, rate: 100, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 650), preferential: [], claim: nil, origin: "KR", proof: nil, value: 1234567, duty: 80246, vat: 131481, agreement: nil),
        Golden("CNY", "CNY", 12345678, rate: 19140, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "CN", proof: nil, value: 23629627, duty: 1890370, vat: 2551999, agreement: nil),
        Golden("GBP", "GBP", 99999, rate: 173480, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "GB", proof: nil, value: 1734782, duty: 138782, vat: 187356, agreement: nil),
        Golden("one cent", "USD", 1, rate: 138520, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "US", proof: nil, value: 13, duty: 1, vat: 1, agreement: nil),
        Golden("one yen", "JPY", 1, rate: 921, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "JP", proof: nil, value: 9, duty: 0, vat: 0, agreement: nil),
        Golden("6.5% rounding down", "USD", 777777, rate: 138520, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 650), preferential: [], claim: nil, origin: "CN", proof: nil, value: 10773767, duty: 700294, vat: 1147406, agreement: nil),
        Golden("3% gold", "USD", 40000000, rate: 138520, quantity: 1000000, DutyRate(basis: .adValorem, adValoremBasisPoints: 300), preferential: [], claim: nil, origin: "CH", proof: nil, value: 554080000, duty: 16622400, vat: 57070240, agreement: nil),
        Golden("large value, 10^12 cents", "USD", 1000000000000, rate: 138520, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [], claim: nil, origin: "US", proof: nil, value: 13852000000000, duty: 1108160000000, vat: 1496016000000, agreement: nil),
        Golden("100% rate", "USD", 10000, rate: 138520, quantity: 1000, DutyRate(basis: .adValorem, adValoremBasisPoints: 10000), preferential: [], claim: nil, origin: "US", proof: nil, value: 138520, duty: 138520, vat: 27704, agreement: nil),
        Golden("513% (rice)", "USD", 1000000, rate: 138520, quantity: 1000000, DutyRate(basis: .adValorem, adValoremBasisPoints: 51300), preferential: [], claim: nil, origin: "US", proof: nil, value: 13852000, duty: 71060760, vat: 8491276, agreement: nil),
        Golden("specific with a tiny quantity", "USD", 100, rate: 138520, quantity: 1, DutyRate(basis: .specific, specificPerUnitKRW: 2900, specificUnit: "KGM"), preferential: [], claim: nil, origin: "US", proof: nil, value: 1385, duty: 2, vat: 138, agreement: nil),
        Golden("KORUS cars 0% at EUR-free USD", "USD", 4500000, rate: 138520, quantity: 3000, DutyRate(basis: .adValorem, adValoremBasisPoints: 800), preferential: [PreferentialRate(agreement: "KORUS", origins: ["US"], rate: DutyRate(basis: .adValorem, adValoremBasisPoints: 0))], claim: "KORUS", origin: "US", proof: "US-1", value: 62334000, duty: 0, vat: 6233400, agreement: "KORUS"),
    ]

    @Test("golden table of 32 cases: customs value, duty and VAT per line, and the agreement applied", arguments: table)
    func golden(_ g: Golden) throws {
        let line = TariffLine(code: "9999999999", descriptionEN: "test", descriptionKO: "시험", quantityUnit: "KGM", rate: g.general, preferential: g.preferential)
        let input = DutyLineInput(sequence: 1, valueMinor: g.valueMinor, currency: g.currency, quantityMilli: g.quantityMilli, line: line, preference: g.claim,
                                  origin: g.origin, proofOfOrigin: g.proof)
        let assessment = try DutyCalculator.assess([input], rateHundredths: g.rate, week: "2026-11-29")
        let assessed = try #require(assessment.lines.first)
        #expect(assessed.customsValueKRW == g.value)
        #expect(assessed.dutyKRW == g.duty)
        #expect(assessed.vatKRW == g.vat)
        #expect(assessed.agreement == g.agreement)
        #expect(assessment.totalDutyKRW == g.duty / 10 * 10 && assessment.totalVATKRW == g.vat / 10 * 10, "totals are truncated to the 10 won")
    }

    @Test("totals add the lines exactly and truncate each tax to the 10 won, not each line")
    func totals() throws {
        let line = TariffLine(code: "9999999999", descriptionEN: "t", descriptionKO: "t", quantityUnit: "KGM", rate: .adValorem(800))
        // Three lines of 1,234 KRW: duty 98 each (294 in all, 290 collected), VAT 133 each (399, 390 collected).
        let inputs = (1...3).map { DutyLineInput(sequence: $0, valueMinor: 1234, currency: "KRW", quantityMilli: 1000, line: line, origin: "CN") }
        let a = try DutyCalculator.assess(inputs, rateHundredths: 100, week: "2026-11-29")
        #expect(a.lines.map(\.dutyKRW) == [98, 98, 98] && a.lines.map(\.vatKRW) == [133, 133, 133])
        #expect(a.totalCustomsValueKRW == 3702 && a.totalDutyKRW == 290 && a.totalVATKRW == 390 && a.totalKRW == 680)
    }

    @Test("amounts that would leave 64 bits are refused, not wrapped; a currency without a rate is refused")
    func overflow() {
        #expect(throws: DutyArithmeticError.self) { try DutyCalculator.mulDiv(Int64.max, 3, 2) }
        #expect(throws: DutyArithmeticError.self) { try DutyCalculator.mulDiv(-1, 3, 2) }
        #expect((try? DutyCalculator.mulDiv(Int64.max, 2, 2)) == Int64.max)
        #expect(throws: DutyArithmeticError.self) { try DutyCalculator.customsValueKRW(valueMinor: 100, currency: "XAU", rateHundredths: 100) }
        #expect(throws: DutyArithmeticError.self) { try DutyCalculator.add(Int64.max, 1) }
    }

    @Test("a rate's own numbers are checked: percentages, amounts per unit and their unit")
    func rateProblems() {
        #expect(DutyRate.adValorem(800).problems(prefix: "").isEmpty)
        #expect(!DutyRate.adValorem(-1).problems(prefix: "").isEmpty)
        #expect(!DutyRate(basis: .specific, specificPerUnitKRW: 100, specificUnit: "kilo").problems(prefix: "").isEmpty)
        #expect(!DutyRate(basis: .compound, adValoremBasisPoints: 3000).problems(prefix: "").isEmpty)
        #expect(DutyRate(basis: .higherOf, adValoremBasisPoints: 3000, specificPerUnitKRW: 200, specificUnit: "KGM").problems(prefix: "").isEmpty)
        #expect(DutyRate(basis: .compound, adValoremBasisPoints: 3000, specificPerUnitKRW: 50, specificUnit: "LTR").text == "30 % + 50 KRW/LTR")
    }
}
