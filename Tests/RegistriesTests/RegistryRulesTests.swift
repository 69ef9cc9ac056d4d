import Foundation
import NaraCore
@testable import Registries
import Testing

@Suite("Registry rules")
struct RegistryRulesTests {
    @Test("number plates, VINs, postal and industry codes", arguments: [
        ("12가3456", true), ("123가4567", true), ("서울12가3456", true), ("12 가 3456", true), ("1가3456", false), ("12A3456", false),
        ("12가345", false), ("1234가5678", false), ("서12가3456", false),
    ])
    func plates(_ plate: String, _ valid: Bool) {
        #expect(RegistryRules.isValidPlate(RegistryRules.normalisedPlate(plate)) == valid)
    }

    @Test("VIN, postal code and industry code formats")
    func codes() {
        #expect(RegistryRules.isValidVIN("KMHD141GPMU123456"))
        #expect(!RegistryRules.isValidVIN("KMHD141GPMU12345"))
        #expect(!RegistryRules.isValidVIN("KMHD141GPMU12345O"))
        #expect(RegistryRules.isValidPostalCode("03044") && !RegistryRules.isValidPostalCode("3044"))
        #expect(RegistryRules.isValidIndustryCode("58221") && !RegistryRules.isValidIndustryCode("5822A"))
    }

    @Test("business status moves: active ⇄ suspended, either to closed, closed is final")
    func businessStatus() {
        #expect(BusinessStatus.active.canMove(to: .suspended) && BusinessStatus.suspended.canMove(to: .active))
        #expect(BusinessStatus.active.canMove(to: .closed) && BusinessStatus.suspended.canMove(to: .closed))
        #expect(!BusinessStatus.closed.canMove(to: .active) && !BusinessStatus.closed.canMove(to: .suspended))
        #expect(!BusinessStatus.active.canMove(to: .active))
    }

    @Test("CSV: quotes, doubled quotes, commas and line breaks inside quotes, CRLF, BOM")
    func csv() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"two, with comma\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\n\n4,5,6"
        let rows = try CSV.parse(text)
        #expect(rows.count == 4)
        #expect(rows[0].fields == ["a", "b", "c"])
        #expect(rows[1].fields == ["1", "two, with comma", "say \"hi\""])
        #expect(rows[2].fields == ["multi\nline", "x", ""])
        #expect(rows[3].fields == ["4", "5", "6"] && rows[3].line == 6)
        #expect(throws: CSV.Malformed.self) { try CSV.parse("a,\"open\n") }
    }
}
