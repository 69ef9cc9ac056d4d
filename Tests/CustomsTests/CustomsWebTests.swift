import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraApp
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Customs

@Suite("Customs pages")
struct CustomsWebTests {
    static let form: [(String, String)] = [
        ("kind", "export"), ("officeCode", "020"), ("transportMode", "1"), ("currency", "USD"), ("incoterm", "FOB"), ("counterpartCountry", "US"),
        ("traderReference", "WEB-1"), ("invoiceNumber", "INV-W1"), ("counterpartName", "Pacific Retail LLC"),
        ("item-1-hsCode", "8471.30-0000"), ("item-1-description", "Notebook computers"), ("item-1-origin", "kr"), ("item-1-quantity", "50"),
        ("item-1-quantityUnit", "nar"), ("item-1-grossMassKg", "120.5"), ("item-1-netMassKg", "100"), ("item-1-packages", "5"), ("item-1-packageType", "CT"),
        ("item-1-value", "45,000.00"),
    ]

    static func replacing(_ form: [(String, String)], _ changes: [String: String]) -> [(String, String)] {
        form.map { ($0.0, changes[$0.0] ?? $0.1) }
    }

    @Test("a business registers and declares from the pages: amounts as written, errors linked to their fields and nothing stored, a green export released, its certificate issued once and verifiable")
    func declareFromTheForm() async throws {
        try await withTestApp { client, harness in
            _ = try await CustomsWorld.create(harness.platform)
            let trader = Browser(client)
            try await trader.signIn("acme")
            let list = try await trader.get("/customs/declarations")
            #expect(list.text.contains("action=\"/customs/register\""))
            #expect(try await trader.post("/customs/register", form: []).status == .seeOther)
            #expect(try await TraderModel.query(on: harness.db).count() == 1)
            try await trader.get("/customs/declarations/new")
            // Three decimals of a dollar, and the wrong unit: refused by field, nothing stored.
            let cents = try await trader.post("/customs/declarations", form: Self.replacing(Self.form, ["item-1-value": "45,000.001"]))
            #expect(cents.status == .unprocessableContent && cents.text.contains("href=\"#f-item-1-value\""))
            let unit = try await trader.post("/customs/declarations", form: Self.replacing(Self.form, ["item-1-quantityUnit": "KGM"]))
            #expect(unit.status == .unprocessableContent && unit.text.contains("href=\"#f-item-1-quantityUnit\"") && unit.text.contains("value=\"KGM\""))
            #expect(try await DeclarationModel.query(on: harness.db).count() == 0)
            let lodged = try await trader.post("/customs/declarations", form: Self.form)
            #expect(lodged.status == .seeOther, "\(lodged.text)")
            let stored = try #require(try await DeclarationModel.query(on: harness.db).first())
            #expect(stored.state == "released" && stored.invoiceMinor == 4_500_000 && stored.items.contains("\"8471300000\""))
            let path = Redirect.location(lodged)
            let page = try await trader.get(path)
            #expect(page.text.contains(stored.number) && page.text.contains("Issue and open the certificate"))
            let first = try await trader.post(path + "/certificate", form: [])
            let second = try await trader.post(path + "/certificate", form: [])
            #expect(first.status == .seeOther && first.headers[.location] == second.headers[.location], "issued once")
            let documentID = try #require(try await DeclarationModel.find(stored.id, on: harness.db)?.documentID)
            let holder = try #require(try await harness.platform.identity.account(username: "acme", on: harness.db))
            let document = try #require(try await harness.platform.documents.documents(holderAccountID: holder.id, on: harness.db).first { $0.id == documentID })
            #expect(document.status == .valid && document.documentType == "customs.export-clearance")
            let xml = try await trader.get(path + "/wco.xml")
            #expect(xml.status == .ok && xml.text.contains("<ID>\(stored.number)</ID>"))
            let other = Browser(client)
            try await other.signIn("beta")
            #expect(try await other.get(path).status == .notFound)
            #expect(try await other.post(path + "/certificate", form: []).status != .seeOther)
        }
    }

    @Test("risk analysts and tariff officers keep criteria, selection rates, tariff lines and exchange rates from the page, refused by field; the simulator reports the shares; a customs officer without those roles is refused")
    func referencePage() async throws {
        try await withTestApp { client, harness in
            _ = try await CustomsWorld.create(harness.platform)
            _ = try await CustomsWorld.trader(client, "acme")
            let analyst = Browser(client)
            try await analyst.signIn("analyst.kcs", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            let page = try await analyst.get("/customs/reference")
            #expect(page.status == .ok && page.text.contains("8471300000"))
            let bad = try await analyst.post("/customs/reference/criteria", form: [("code", "x"), ("name", ""), ("lane", "green"), ("validUntil", ""),
                                                                                   ("condition-1-type", "hsPrefix"), ("condition-1-values", "85a")])
            #expect(bad.status == .unprocessableContent)
            for target in ["#f-criterion-code", "#f-criterion-name", "#f-criterion-lane", "#f-criterion-condition-1-type", "#f-criterion-validUntil"] {
                #expect(bad.text.contains("href=\"\(target)\""), "\(target)")
            }
            #expect(try await RiskCriterionModel.query(on: harness.db).count() == 0)
            let saved = try await analyst.post("/customs/reference/criteria", form: [("code", "rc-0101"), ("name", "Chinese batteries"), ("lane", "yellow"),
                                                                                     ("validUntil", "2027-06-30"), ("condition-1-type", "hsPrefix"),
                                                                                     ("condition-1-values", "8507"), ("condition-2-type", "origin"),
                                                                                     ("condition-2-values", "CN, VN")])
            #expect(saved.status == .seeOther)
            let criterion = try #require(try await RiskCriterionModel.query(on: harness.db).first())
            #expect(criterion.code == "RC-0101" && criterion.conditions.contains("\"CN\"") && criterion.conditions.contains("\"VN\""))
            #expect(try await analyst.post("/customs/reference/selectivity", form: [("red", "150"), ("yellow", "2"), ("blue", "3"), ("aeoRed", "0.1"),
                                                                                    ("aeoYellow", "0.5"), ("aeoBlue", "1")]).status == .unprocessableContent)
            #expect(try await analyst.post("/customs/reference/selectivity", form: [("red", "1.5"), ("yellow", "2"), ("blue", "3"), ("aeoRed", "0.1"),
                                                                                    ("aeoYellow", "0.5"), ("aeoBlue", "1")]).status == .seeOther)
            let rates = try await CustomsModule.service(harness.platform).riskData(fresh: true).selectivity
            #expect(rates.red == 150 && rates.aeoRed == 10)
            let simulated = try await analyst.post("/customs/reference/simulate", form: [("count", "2000"), ("seed", "5")])
            #expect(simulated.status == .ok && simulated.text.contains("2000") && simulated.text.contains("RC-0101"))
            let badLine = try await analyst.post("/customs/reference/tariff", form: [("code", "12"), ("basis", "specific"), ("descriptionEN", "Cheese"),
                                                                                      ("descriptionKO", "치즈"), ("quantityUnit", "KGM"), ("specific", ""), ("specificUnit", "kilo")])
            #expect(badLine.status == .unprocessableContent && badLine.text.contains("href=\"#f-tariff-code\"") && badLine.text.contains("href=\"#f-tariff-specific\""))
            #expect(try await analyst.post("/customs/reference/tariff", form: [("code", "0406900000"), ("basis", "higherOf"), ("descriptionEN", "Cheese"),
                                                                                 ("descriptionKO", "치즈"), ("quantityUnit", "KGM"), ("percent", "36"), ("specific", "1,200"),
                                                                                 ("specificUnit", "KGM"), ("agreement", "KR-EU"), ("origins", "FR IT"),
                                                                                 ("preferentialPercent", "0")]).status == .seeOther)
            let cheese = try #require(try await CustomsModule.service(harness.platform).tariff().first { $0.code == "0406900000" })
            #expect(cheese.rate == DutyRate(basis: .higherOf, adValoremBasisPoints: 3600, specificPerUnitKRW: 1200, specificUnit: "KGM"))
            #expect(cheese.preferential.first?.origins == ["FR", "IT"])
            #expect(try await analyst.post("/customs/reference/rates", form: [("currency", "GBP"), ("weekStart", "2026-11-24"), ("rate", "1,734.80")]).status
                    == .unprocessableContent, "a week starts on a Sunday")
            #expect(try await analyst.post("/customs/reference/rates", form: [("currency", "gbp"), ("weekStart", "2026-11-22"), ("rate", "1,734.80")]).status == .seeOther)
            #expect(try await CustomsModule.service(harness.platform).exchangeRates(week: "2026-11-22")["GBP"] == 173_480)
            let officer = Browser(client)
            try await officer.signIn("officer.kcs", totp: { harness.fixtures.totp(at: harness.clock.now().addingTimeInterval(30)) })
            #expect(try await officer.get("/customs/reference").status == .forbidden)
        }
    }
}
