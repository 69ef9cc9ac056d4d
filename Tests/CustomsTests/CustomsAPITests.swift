import FluentKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraApp
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Customs

@Suite("Customs declarations")
struct CustomsAPITests {
    static func decode(_ response: TestResponse) throws -> DeclarationView {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parseISO8601(text) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text)) }
            return date
        }
        return try decoder.decode(DeclarationView.self, from: Data(buffer: response.body))
    }

    @Test("traders register once after the business registry confirms them active; a closed business and a citizen cannot")
    func traders() async throws {
        try await withTestApp { client, harness in
            _ = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            #expect(try await client.api(.post, "/api/v1/customs/traders", token: acme, json: "{}").status == .created, "registering again is harmless")
            #expect(try await TraderModel.query(on: harness.db).count() == 1)
            let gamma = try await client.token("gamma")
            let closed = try await client.api(.post, "/api/v1/customs/traders", token: gamma, json: "{}")
            #expect(closed.status == .unprocessableContent && closed.text.contains("closed"))
            let badRole = try await client.api(.post, "/api/v1/customs/traders", token: try await client.token("beta"), json: #"{"roles":["smuggler"]}"#)
            #expect(badRole.status == .unprocessableContent)
            // Carriers and brokers are licensed: the business cannot give itself the role; a customs officer grants it.
            let carrier = try await client.token("carrier")
            let licensed = try await client.api(.post, "/api/v1/customs/traders", token: carrier, json: #"{"roles":["carrier"]}"#)
            #expect(licensed.status == .unprocessableContent && licensed.text.contains("licensed"))
            #expect(try await TraderModel.query(on: harness.db).count() == 1)
            #expect(try await client.api(.post, "/api/v1/customs/traders", token: carrier, json: "{}").status == .created)
            let number = try #require(try await harness.platform.identity.account(username: "carrier", on: harness.db)?.businessNumber)
            #expect(try await client.api(.put, "/api/v1/customs/traders/\(number)/roles", token: carrier, json: #"{"roles":["carrier"]}"#).status == .forbidden)
            let officer = try await CustomsWorld.officer(client, harness)
            #expect(try await client.api(.put, "/api/v1/customs/traders/\(number)/roles", token: officer, json: #"{"roles":["pirate"]}"#).status == .unprocessableContent)
            let granted = try await client.api(.put, "/api/v1/customs/traders/\(number)/roles", token: officer, json: #"{"roles":["carrier","importer"]}"#)
            #expect(granted.status == .ok && granted.text.contains("\"carrier\""), "\(granted.text)")
            #expect(try await TraderModel.query(on: harness.db).filter(\.$businessNumber == number.filter(\.isNumber)).first()?.roles == #"["importer","carrier"]"#)
            #expect(try await client.api(.post, "/api/v1/customs/traders", token: try await client.token("alice"), json: "{}").status == .forbidden)
            #expect(try await TraderModel.query(on: harness.db).count() == 2)
        }
    }

    @Test("a declaration is checked field by field before acceptance; every problem is reported at once and nothing is stored")
    func validation() async throws {
        try await withTestApp { client, harness in
            _ = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            let items = """
                [{"hsCode":"123","description":"x","origin":"ZZ","quantity":1.0005,"quantityUnit":"KGM","grossMassKg":10,"netMassKg":20,"packages":0,
                  "packageType":"??","valueMinor":0,"valuationMethod":9},
                 {"hsCode":"8517130000","description":"Smartphones","origin":"CN","quantity":10,"quantityUnit":"KGM","grossMassKg":5,"netMassKg":4,"packages":1,
                  "packageType":"CT","valueMinor":100000,"preference":"KR-EU"},
                 {"hsCode":"1211909000","description":"Dried plants","origin":"CN","quantity":5,"quantityUnit":"KGM","grossMassKg":5,"netMassKg":5,"packages":1,
                  "packageType":"BG","valueMinor":5000}]
                """
            let body = """
                {"kind":"import","traderReference":"bad ref!","officeCode":"999","transportMode":7,"currency":"XAU","invoiceAmountMinor":1,"invoiceNumber":"",
                 "incoterm":"CIFF","counterpartName":"","counterpartCountry":"KR","items":\(items)}
                """
            let refused = try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: body)
            #expect(refused.status == .unprocessableContent)
            for field in ["traderReference", "officeCode", "transportMode", "currency", "invoiceNumber", "incoterm", "counterpartName", "counterpartCountry", "cargo",
                          "items/0/hsCode", "items/0/origin", "items/0/quantity", "items/0/netMassKg", "items/0/packages", "items/0/packageType", "items/0/valueMinor",
                          "items/0/valuationMethod", "items/1/quantityUnit", "items/1/licenceNumber", "items/1/preference", "items/2/hsCode"] {
                #expect(refused.text.contains("\"\(field)\""), "\(field) is reported")
            }
            // Totals: the items must add up to the invoice.
            let wrongTotal = try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                  json: CustomsWorld.declaration(reference: "EX-1", total: 999_999))
            #expect(wrongTotal.status == .unprocessableContent && wrongTotal.text.contains("invoiceAmountMinor"))
            let malformed = try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: #"{"kind":"export","items":"many"}"#)
            #expect(malformed.status == .badRequest)
            #expect(try await DeclarationModel.query(on: harness.db).count() == 0)
            #expect(try await client.api(.post, "/api/v1/customs/declarations", token: try await client.token("beta"),
                                         json: CustomsWorld.declaration(reference: "EX-1")).status == .forbidden, "not a registered trader")
        }
    }

    @Test("a green-lane export is accepted, laned, assessed and released in the request with every TRS time; its reference cannot be used again")
    func greenExport() async throws {
        try await withTestApp { client, harness in
            _ = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            let response = try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-0001"))
            #expect(response.status == .created, "\(response.text)")
            let view = try Self.decode(response)
            #expect(view.state == .released && view.lane == .green && view.number.hasPrefix("EX-2026-"))
            #expect(view.times.acceptedAt != nil && view.times.lanedAt != nil && view.times.assessedAt != nil && view.times.releasedAt != nil)
            #expect(view.history.map(\.to) == [.accepted, .laneAssigned, .assessed, .released])
            #expect(view.laneDecision == nil, "the trader is not told which criteria were checked")
            #expect(view.assessment?.totalCustomsValueKRW == 13_852_000 && view.amountDueKRW == 0)
            let stored = try #require(try await DeclarationModel.find(view.id, on: harness.db))
            #expect(stored.state == "released" && stored.releasedAt != nil)
            #expect(try await DeclarationEventModel.query(on: harness.db).count() == 4)
            let again = try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-0001"))
            #expect(again.status == .unprocessableContent && again.text.contains("traderReference"))
            #expect(try await DeclarationModel.query(on: harness.db).count() == 1)
            let audit = try await AuditEntryModel.query(on: harness.db).filter(\.$action == "customs.declaration.submit").count()
            #expect(audit == 1)
        }
    }

    @Test("criteria lane declarations with precedence red > yellow > blue; item conditions hold on one item; an expired criterion does nothing; officers see why")
    func criteria() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            let now = harness.clock.now()
            func criterion(_ code: String, _ lane: String, _ conditions: [RiskCondition], until: Date? = nil, from: Date? = nil) async throws {
                _ = try await world.service.saveCriterion(NewRiskCriterion(code: code, name: code, lane: lane, conditions: conditions,
                                                                           validFrom: from.map(Timestamp.iso8601Millis),
                                                                           validUntil: Timestamp.iso8601Millis(until ?? now.addingTimeInterval(86_400 * 30)), active: true),
                                                          by: world.analyst, requestID: nil)
            }
            try await criterion("RC-BLUE", "blue", [RiskCondition(.hsPrefix, values: ["8471"])])
            try await criterion("RC-YELLOW", "yellow", [RiskCondition(.hsPrefix, values: ["8507"]), RiskCondition(.origin, values: ["CN"])])
            try await criterion("RC-RED-OLD", "red", [RiskCondition(.hsPrefix, values: ["8471"])], until: now.addingTimeInterval(-60), from: now.addingTimeInterval(-86_400))
            let laptops = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "A-1")))
            #expect(laptops.lane == .blue && laptops.state == .released && laptops.auditRequired, "blue: released, then audited")
            // A Korean battery and a Chinese laptop: the yellow criterion needs both conditions on the same item, so only blue hits.
            let mixed = """
                [{"hsCode":"8507600000","description":"Battery packs","origin":"KR","quantity":10,"quantityUnit":"NAR","grossMassKg":50,"netMassKg":45,"packages":1,"packageType":"PX","valueMinor":500000},
                 {"hsCode":"8471300000","description":"Notebook computers","origin":"CN","quantity":5,"quantityUnit":"NAR","grossMassKg":15,"netMassKg":12,"packages":1,"packageType":"CT","valueMinor":500000}]
                """
            let split = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                             json: CustomsWorld.declaration(reference: "A-2", items: mixed)))
            #expect(split.lane == .blue)
            let chinese = mixed.replacingOccurrences(of: "\"Battery packs\",\"origin\":\"KR\"", with: "\"Battery packs\",\"origin\":\"CN\"")
            let yellow = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                              json: CustomsWorld.declaration(reference: "A-3", items: chinese)))
            #expect(yellow.lane == .yellow && yellow.state == .documentsRequested, "yellow beats blue")
            let officer = try await CustomsWorld.officer(client, harness)
            let seen = try Self.decode(try await client.api(.get, "/api/v1/customs/declarations/\(yellow.id.uuidString)", token: officer))
            let decision = try #require(seen.laneDecision)
            #expect(Set(decision.hits.map(\.code)) == ["RC-BLUE", "RC-YELLOW"] && decision.hits.first { $0.code == "RC-YELLOW" }?.item == 1)
            #expect(decision.reason == "criteria")
            let traderView = try Self.decode(try await client.api(.get, "/api/v1/customs/declarations/\(yellow.id.uuidString)", token: acme))
            #expect(traderView.laneDecision == nil && traderView.lane == .yellow)
            // The officer's queue lists it; the documents are in order: assessed and released (no duty on exports).
            let queue = try await client.api(.get, "/api/v1/customs/declarations?lane=yellow", token: officer)
            #expect(queue.text.contains(yellow.number))
            let checked = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(yellow.id.uuidString)/documents-checked", token: officer,
                                                               json: #"{"note":"Invoice and packing list match."}"#))
            #expect(checked.state == .released)
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(yellow.id.uuidString)/documents-checked", token: acme, json: "{}").status == .forbidden)
        }
    }

    @Test("an import on the documents lane: checked, duty and VAT charged on the ledger, released when the payment arrives; the cargo's journey shows it")
    func importPaid() async throws {
        try await withTestApp { client, harness in
            let (world, acme, officer, carrier) = try await CustomsWorld.parties(client, harness)
            let cargo = try await CustomsWorld.cargo(client, carrier, description: "French wine")
            try await world.wineOnTheDocumentsLane()
            let wine = CustomsWorld.wine
            let lodged = try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                              json: CustomsWorld.declaration(kind: "import", reference: "IM-1", cargo: cargo, items: wine, currency: "EUR", total: 1_440_000, counterpart: "FR"))
            #expect(lodged.status == .created, "\(lodged.text)")
            let view = try Self.decode(lodged)
            #expect(view.state == .documentsRequested && view.lane == .yellow)
            // The cargo is declared once, in its manifest's direction.
            let twice = try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                             json: CustomsWorld.declaration(kind: "import", reference: "IM-1B", cargo: cargo, items: wine, currency: "EUR", total: 1_440_000, counterpart: "FR"))
            #expect(twice.status == .unprocessableContent && twice.text.contains("covered") && twice.text.contains(view.number), "\(twice.text)")
            let wrongWay = try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-1C", cargo: cargo))
            #expect(wrongWay.status == .unprocessableContent && wrongWay.text.contains("direction"), "\(wrongWay.text)")
            #expect(try await DeclarationModel.query(on: harness.db).count() == 1)
            // 1,440,000 EUR cents at 1,452.30: 20,913,120 KRW; 15 % duty 3,136,968 (3,136,960 collected); VAT 2,405,008 (2,405,000).
            #expect(view.assessment?.totalCustomsValueKRW == 20_913_120 && view.assessment?.totalDutyKRW == 3_136_960 && view.assessment?.totalVATKRW == 2_405_000)
            let assessed = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(view.id.uuidString)/documents-checked", token: officer, json: "{}"))
            #expect(assessed.state == .assessed && assessed.amountDueKRW == 5_541_960)
            let reference = try #require(assessed.paymentReference)
            try await world.service.recordPayments()
            #expect(try await DeclarationModel.find(view.id, on: harness.db)?.state == "assessed", "not released before the payment")
            let paid = try await harness.platform.payments.reconcile(PaymentNotice(reference: reference, amountMinor: 5_541_960, currency: "KRW",
                                                                                   bankTransactionID: "BANK-1", paidAt: harness.clock.now()),
                                                                     by: .system("bank"), on: harness.db)
            guard case .recorded = paid else { Issue.record("the payment was not recorded: \(paid)"); return }
            try await world.service.recordPayments()
            let released = try Self.decode(try await client.api(.get, "/api/v1/customs/declarations/\(view.id.uuidString)", token: acme))
            #expect(released.state == .released && released.times.paidAt != nil && released.times.releasedAt != nil)
            #expect(released.history.map(\.to).suffix(3) == [.assessed, .paid, .released])
            // The public sees the journey and the declaration's state, not its parties or amounts.
            let tracking = try await client.api(.get, "/api/v1/customs/cargo/\(cargo)")
            #expect(tracking.status == .ok && tracking.text.contains("\"released\"") && tracking.text.contains(view.number))
            #expect(!tracking.text.contains("5541960") && !tracking.text.contains("Acme"))
            // The bonded area lets it go: the import is cleared.
            // Imported cargo is not loaded for departure; the refusal changes nothing.
            let loaded = try await client.api(.post, "/api/v1/customs/cargo/\(cargo)/events", token: carrier, json: #"{"status":"loaded","place":"Busan New Port"}"#)
            #expect(loaded.status == .unprocessableContent && loaded.text.contains("direction"), "\(loaded.text)")
            #expect(try await DeclarationModel.find(view.id, on: harness.db)?.state == "released")
            let gate = try await client.api(.post, "/api/v1/customs/cargo/\(cargo)/events", token: carrier, json: #"{"status":"gate_out","place":"Busan New Port"}"#)
            #expect(gate.status == .ok, "\(gate.text)")
            #expect(try await DeclarationModel.find(view.id, on: harness.db)?.state == "cleared")
            #expect(try await client.api(.post, "/api/v1/customs/cargo/\(cargo)/events", token: acme, json: #"{"status":"gate_out"}"#).status == .forbidden)
            #expect(try await client.api(.get, "/api/v1/customs/cargo/NO-SUCH").status == .notFound)
        }
    }

    @Test("a cargo is covered by one live declaration: of 8 lodged at once one is accepted; the unique index refuses a write past the checks; the release reaches the cargo's journey")
    func cargoCoveredOnce() async throws {
        try await withTestApp { client, harness in
            let (world, acme, officer, carrier) = try await CustomsWorld.parties(client, harness)
            let cargo = try await CustomsWorld.cargo(client, carrier, description: "French wine")
            try await world.wineOnTheDocumentsLane()
            let wine = CustomsWorld.wine
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { group in
                for n in 0..<8 {
                    group.addTask {
                        let r = try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                     json: CustomsWorld.declaration(kind: "import", reference: "IM-RACE-\(n)", cargo: cargo, items: wine, currency: "EUR",
                                                                                    total: 1_440_000, counterpart: "FR"))
                        return (r.status, r.text)
                    }
                }
                return try await group.reduce(into: [(HTTPResponse.Status, String)]()) { $0.append($1) }
            }
            #expect(answers.filter { $0.0 == .created }.count == 1, "\(answers.map(\.0))")
            #expect(answers.filter { $0.0 != .created }.allSatisfy { $0.0 == .unprocessableContent && $0.1.contains("covered") }, "\(answers.map(\.1))")
            let live = try await DeclarationModel.query(on: harness.db).all()
            #expect(live.count == 1)
            let first = try #require(live.first)
            // A second live row for the cargo, written past every check, is refused by the index.
            func copy(_ reference: String, state: String) -> DeclarationModel {
                let m = DeclarationModel()
                m.id = UUID(); m.number = "IM-TEST-" + reference; m.kind = first.kind; m.traderReference = reference; m.traderID = first.traderID
                m.declarantID = first.declarantID; m.officeCode = first.officeCode; m.cargoID = first.cargoID; m.transportMode = first.transportMode
                m.currency = first.currency; m.invoiceMinor = first.invoiceMinor; m.incoterm = first.incoterm; m.counterpartName = first.counterpartName
                m.counterpartCountry = first.counterpartCountry; m.items = first.items; m.state = state; m.amountDue = 0; m.aeo = false
                m.auditRequired = false; m.lodgedAt = first.lodgedAt; m.version = 1
                return m
            }
            await #expect(throws: (any Error).self) { try await copy("IM-PAST", state: "accepted").create(on: harness.db) }
            try await copy("IM-OLD", state: "rejected").create(on: harness.db)
            #expect(try await DeclarationModel.query(on: harness.db).count() == 2, "a rejected declaration of the same cargo is kept")
            // The documents are in order, the duty is charged; the release after payment is on the cargo's journey.
            #expect(try await CargoModel.query(on: harness.db).filter(\.$trackingNumber == cargo).first()?.status == "declared")
            let assessed = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(first.id!.uuidString)/documents-checked", token: officer, json: "{}"))
            #expect(assessed.state == .assessed)
            _ = try await harness.platform.payments.reconcile(PaymentNotice(reference: try #require(assessed.paymentReference), amountMinor: assessed.amountDueKRW,
                                                                            currency: "KRW", bankTransactionID: "BANK-RACE", paidAt: harness.clock.now()),
                                                              by: .system("bank"), on: harness.db)
            try await world.service.recordPayments()
            let tracked = try #require(try await CargoModel.query(on: harness.db).filter(\.$trackingNumber == cargo).first())
            #expect(tracked.status == "released" && tracked.events.contains("\(first.number) released"), "\(tracked.events)")
        }
    }

    @Test("a red-lane inspection corrects an item and reassesses the duty; its finding counts in the trader's history for the next declaration")
    func inspection() async throws {
        try await withTestApp { client, harness in
            let (world, acme, officer, carrier) = try await CustomsWorld.parties(client, harness)
            _ = try await world.service.saveCriterion(NewRiskCriterion(code: "RC-BAGS", name: "Bags from CN", lane: "red",
                                                                       conditions: [RiskCondition(.hsPrefix, values: ["4202"]), RiskCondition(.origin, values: ["CN"])],
                                                                       validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: world.analyst, requestID: nil)
            _ = try await world.service.saveCriterion(NewRiskCriterion(code: "RC-HISTORY", name: "Findings", lane: "yellow",
                                                                       conditions: [RiskCondition(.findingsAtLeast, count: 1)],
                                                                       validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: world.analyst, requestID: nil)
            let bags = """
                [{"hsCode":"4202210000","description":"Leather handbags","origin":"CN","quantity":800,"quantityUnit":"NAR","grossMassKg":620,"netMassKg":560,
                  "packages":40,"packageType":"CT","valueMinor":9600000}]
                """
            let cargo = try await CustomsWorld.cargo(client, carrier)
            let lodged = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                              json: CustomsWorld.declaration(kind: "import", reference: "IM-BAGS", cargo: cargo, items: bags, total: 9_600_000, counterpart: "CN")))
            #expect(lodged.lane == .red && lodged.state == .underInspection)
            // The public tracking does not tell that the goods are held for inspection.
            let tracked = try await client.api(.get, "/api/v1/customs/cargo/\(cargo)")
            #expect(tracked.status == .ok && tracked.text.contains("\"in_examination\"") && !tracked.text.contains("under_inspection")
                    && !tracked.text.contains("lane"), "\(tracked.text)")
            // Goods held for inspection are assessed by the inspection's record, not by a documents check.
            let skipped = try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/documents-checked", token: officer, json: "{}")
            #expect(skipped.status == .conflict && skipped.text.contains("record the inspection"), "\(skipped.text)")
            let noFindings = try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/inspection", token: officer, json: #"{"findings":""}"#)
            #expect(noFindings.status == .unprocessableContent)
            let badItem = try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/inspection", token: officer,
                                               json: #"{"findings":"x","corrections":[{"sequence":9,"valueMinor":1}]}"#)
            #expect(badItem.status == .unprocessableContent && badItem.text.contains("corrections/0/sequence"))
            let inspected = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/inspection", token: officer,
                                                                 json: #"{"findings":"Undervalued: the real price is 14,400 USD.","corrections":[{"sequence":1,"valueMinor":1440000}]}"#))
            // 1,440,000 cents at 1,385.20: 19,946,880 KRW; duty 8 % 1,595,750; VAT 10 % of 21,542,630 = 2,154,263.
            #expect(inspected.items[0].valueMinor == 1_440_000)
            #expect(inspected.assessment?.totalCustomsValueKRW == 19_946_880 && inspected.assessment?.totalDutyKRW == 1_595_750
                    && inspected.assessment?.totalVATKRW == 2_154_260)
            #expect(inspected.state == .assessed && inspected.inspections.count == 1 && inspected.inspections[0].discrepancy)
            // Before: 132,979,200 KRW; duty 10,638,330 and VAT 14,361,750 collected (25,000,080); after: 3,750,010.
            #expect(inspected.inspections[0].dutyBeforeKRW == 25_000_080 && inspected.inspections[0].dutyAfterKRW == 3_750_010)
            // The next declaration of the same trader meets its history.
            let next = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-AFTER")))
            #expect(next.lane == .yellow)
        }
    }

    @Test("only officers of the customs service and of the agencies running its offices act for customs, whatever role another agency gives")
    func officersOfCustomsOnly() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            let identity = harness.platform.identity
            let created = try await identity.createAccount(NewAccount(username: "officer.nts", password: Fixtures.password, displayName: "Tax officer", kind: .official,
                                                                      agencyCode: "1210000", extraRoles: ["customs-officer", "risk-analyst"],
                                                                      fixedTOTPSecret: Fixtures.totpSecret), by: .system("test"), on: harness.db)
            let nts = identity.actor(for: try #require(try await identity.account(id: created.account.id, on: harness.db)), secondFactorVerified: true)
            await #expect(throws: NaraError.self) { try await world.service.officer(nts) }
            await #expect(throws: NaraError.self) { try await world.service.setSelectivity(.standard, by: nts, requestID: nil) }
            // The same roles at the customs service do act.
            #expect(try await world.service.officerAgency(world.analyst, CustomsPermission.risk) == (try await identity.agency(code: "1220000", on: harness.db))?.id)
            try await world.service.setSelectivity(.standard, by: world.analyst, requestID: nil)
        }
    }

    @Test("re-routing needs a reason and is audited; an AEO's duty is covered by its guarantee and the goods released at once")
    func rerouteAndAEO() async throws {
        try await withTestApp { client, harness in
            let (world, acme, officer, carrier) = try await CustomsWorld.parties(client, harness)
            let analyst = try await CustomsWorld.officer(client, harness, "analyst.kcs")
            #expect(try await client.api(.put, "/api/v1/customs/traders/1018150670/aeo", token: analyst, json: #"{"grade":"AAAA"}"#).status == .unprocessableContent)
            #expect(try await client.api(.put, "/api/v1/customs/traders/1018150670/aeo", token: acme, json: #"{"grade":"AAA"}"#).status == .forbidden)
            #expect(try await client.api(.put, "/api/v1/customs/traders/1018150670/aeo", token: analyst, json: #"{"grade":"AAA"}"#).status == .ok)
            let sugar = """
                [{"hsCode":"1701999000","description":"Refined sugar","origin":"TH","quantity":20000,"quantityUnit":"KGM","grossMassKg":20400,"netMassKg":20000,
                  "packages":400,"packageType":"BG","valueMinor":500000}]
                """
            let cargo = try await CustomsWorld.cargo(client, carrier, description: "Sugar")
            let view = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                            json: CustomsWorld.declaration(kind: "import", reference: "IM-SUGAR", cargo: cargo, items: sugar, total: 500_000, counterpart: "TH")))
            // The higher of 30 % (2,077,800) and 200 KRW/kg (4,000,000): the specific duty.
            #expect(view.assessment?.totalDutyKRW == 4_000_000)
            #expect(view.state == .released && view.history.map(\.to).contains(.guaranteed), "guaranteed and released")
            // An officer re-routes a released declaration? No: only before release.
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(view.id.uuidString)/reroute", token: officer,
                                         json: #"{"lane":"red","reason":"Tip-off"}"#).status == .conflict)
            // Withdraw the AEO status: the next import waits for the money; an officer re-routes it to red with a reason.
            #expect(try await client.api(.put, "/api/v1/customs/traders/1018150670/aeo", token: analyst, json: #"{"grade":null}"#).status == .ok)
            _ = try await world.service.saveCriterion(NewRiskCriterion(code: "RC-SUGAR", name: "Sugar", lane: "yellow", conditions: [RiskCondition(.hsPrefix, values: ["1701"])],
                                                                       validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: world.analyst, requestID: nil)
            let secondCargo = try await CustomsWorld.cargo(client, carrier, description: "Sugar, second lot")
            let second = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                              json: CustomsWorld.declaration(kind: "import", reference: "IM-SUGAR-2", cargo: secondCargo, items: sugar, total: 500_000, counterpart: "TH")))
            #expect(second.state == .documentsRequested)
            let noReason = try await client.api(.post, "/api/v1/customs/declarations/\(second.id.uuidString)/reroute", token: officer, json: #"{"lane":"red","reason":" "}"#)
            #expect(noReason.status == .unprocessableContent)
            let rerouted = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(second.id.uuidString)/reroute", token: officer,
                                                                json: #"{"lane":"red","reason":"Intelligence report 26-114"}"#))
            #expect(rerouted.lane == .red && rerouted.state == .underInspection)
            #expect(try await AuditEntryModel.query(on: harness.db).filter(\.$action == "customs.declaration.lane_assigned").all().contains { ($0.detail ?? "").contains("26-114") })
        }
    }

    @Test("when the risk engine cannot decide, declarations go to the documents lane, never green")
    func engineFailure() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            let broken = RiskCriterionModel()
            broken.id = UUID()
            broken.code = "RC-BROKEN"
            broken.name = "Corrupted"
            broken.lane = "red"
            broken.conditions = "not json"
            broken.validFrom = harness.clock.now()
            broken.validUntil = harness.clock.now().addingTimeInterval(86_400)
            broken.active = true
            broken.createdBy = "test"
            broken.createdAt = harness.clock.now()
            try await broken.create(on: harness.db)
            world.service.forgetReference()
            let view = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-F")))
            #expect(view.lane == .yellow && view.state == .documentsRequested)
            let officer = try await CustomsWorld.officer(client, harness)
            let seen = try Self.decode(try await client.api(.get, "/api/v1/customs/declarations/\(view.id.uuidString)", token: officer))
            #expect(seen.laneDecision?.reason == "engine_failed")
        }
    }

    @Test("a trader cannot read another's declaration; invalidation needs a reason and is refused after release")
    func privacyAndInvalidation() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            let beta = try await CustomsWorld.trader(client, "beta")
            let released = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-P")))
            #expect(try await client.api(.get, "/api/v1/customs/declarations/\(released.id.uuidString)", token: beta).status == .notFound)
            #expect(try await client.api(.get, "/api/v1/customs/declarations/\(released.id.uuidString)/wco.xml", token: beta).status == .notFound)
            #expect(try await client.api(.get, "/api/v1/customs/declarations", token: beta).text == "[]")
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(released.id.uuidString)/invalidate", token: acme,
                                         json: #"{"reason":"Mistake"}"#).status == .conflict)
            _ = try await world.service.saveCriterion(NewRiskCriterion(code: "RC-ALL", name: "All exports", lane: "yellow", conditions: [RiskCondition(.kind, values: ["export"])],
                                                                       validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: world.analyst, requestID: nil)
            let pending = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-Q")))
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(pending.id.uuidString)/invalidate", token: acme, json: #"{"reason":""}"#).status
                    == .unprocessableContent)
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(pending.id.uuidString)/invalidate", token: beta, json: #"{"reason":"x"}"#).status == .notFound)
            // Goods the office has stopped for their documents are not withdrawn by the trader; the office can.
            let stopped = try await client.api(.post, "/api/v1/customs/declarations/\(pending.id.uuidString)/invalidate", token: acme, json: #"{"reason":"Lodged twice"}"#)
            #expect(stopped.status == .conflict && stopped.text.contains("ask the office"))
            #expect(try await DeclarationModel.find(pending.id, on: harness.db)?.state == pending.state.rawValue, "nothing changed")
            let officer = try await CustomsWorld.officer(client, harness)
            let withdrawn = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(pending.id.uuidString)/invalidate", token: officer,
                                                                 json: #"{"reason":"Lodged twice, at the declarant's request"}"#))
            #expect(withdrawn.state == .invalidated && withdrawn.reason == "Lodged twice, at the declarant's request")
        }
    }

    @Test("a trader withdraws an assessed import before paying: the charge is cancelled with it and a late bank notice is refused; a paid one is released and stays")
    func invalidateCharged() async throws {
        try await withTestApp { client, harness in
            let (world, acme, officer, carrier) = try await CustomsWorld.parties(client, harness)
            _ = try await world.service.saveCriterion(NewRiskCriterion(code: "RC-WINE", name: "Wine", lane: "yellow", conditions: [RiskCondition(.hsPrefix, values: ["2204"])],
                                                                       validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: world.analyst, requestID: nil)
            let wine = """
                [{"hsCode":"2204210000","description":"Red wine, 750 ml","origin":"FR","quantity":900,"quantityUnit":"LTR","grossMassKg":1520,"netMassKg":900,
                  "packages":100,"packageType":"CT","valueMinor":1440000}]
                """
            var assessed: [DeclarationView] = []
            for (n, name) in ["first", "second"].enumerated() {
                let cargo = try await CustomsWorld.cargo(client, carrier, description: "French wine, \(name)")
                let view = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                                json: CustomsWorld.declaration(kind: "import", reference: "IM-W\(n)", cargo: cargo, items: wine, currency: "EUR",
                                                                                               total: 1_440_000, counterpart: "FR")))
                assessed.append(try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(view.id.uuidString)/documents-checked", token: officer, json: "{}")))
            }
            let withdrawn = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(assessed[0].id.uuidString)/invalidate", token: acme,
                                                                 json: #"{"reason":"The invoice is for another shipment"}"#))
            #expect(withdrawn.state == .invalidated)
            let reference = try #require(assessed[0].paymentReference)
            #expect(try await harness.platform.payments.payment(reference: reference, on: harness.db)?.status == .cancelled)
            #expect(try await harness.platform.payments.balance(paymentID: try #require(try await DeclarationModel.find(assessed[0].id, on: harness.db)?.paymentID),
                                                                on: harness.db) == 0)
            await #expect(throws: NaraError.self) {
                _ = try await harness.platform.payments.reconcile(PaymentNotice(reference: reference, amountMinor: 5_541_960, currency: "KRW", bankTransactionID: "LATE-1",
                                                                                paidAt: harness.clock.now()), by: .system("bank"), on: harness.db)
            }
            // The second is paid and released: nobody invalidates it any more.
            _ = try await harness.platform.payments.reconcile(PaymentNotice(reference: try #require(assessed[1].paymentReference), amountMinor: 5_541_960, currency: "KRW",
                                                                            bankTransactionID: "BANK-2", paidAt: harness.clock.now()), by: .system("bank"), on: harness.db)
            try await world.service.recordPayments()
            #expect(try await DeclarationModel.find(assessed[1].id, on: harness.db)?.state == "released")
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(assessed[1].id.uuidString)/invalidate", token: officer,
                                         json: #"{"reason":"x"}"#).status == .conflict)
        }
    }

    @Test("the trader amends a declaration waiting for its documents: the new items are checked, reassessed and laned again; bad items and a missing reason change nothing")
    func amendment() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            _ = try await world.service.saveCriterion(NewRiskCriterion(code: "RC-BAT", name: "Batteries", lane: "yellow", conditions: [RiskCondition(.hsPrefix, values: ["8507"])],
                                                                       validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: world.analyst, requestID: nil)
            let batteries = """
                [{"hsCode":"8507600000","description":"Battery packs","origin":"KR","quantity":10,"quantityUnit":"NAR","grossMassKg":50,"netMassKg":45,"packages":1,"packageType":"PX","valueMinor":500000}]
                """
            let lodged = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                              json: CustomsWorld.declaration(reference: "AM-1", items: batteries, total: 500_000)))
            #expect(lodged.state == .documentsRequested)
            let laptops = """
                [{"hsCode":"8471300000","description":"Notebook computers","origin":"KR","quantity":5,"quantityUnit":"NAR","grossMassKg":15,"netMassKg":12,"packages":1,"packageType":"CT","valueMinor":600000}]
                """
            let noReason = try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/amend", token: acme,
                                                json: "{\"reason\":\" \",\"invoiceAmountMinor\":600000,\"items\":\(laptops)}")
            #expect(noReason.status == .unprocessableContent && noReason.text.contains("\"reason\""))
            let badItem = try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/amend", token: acme,
                                               json: "{\"reason\":\"Wrong goods\",\"invoiceAmountMinor\":600000,\"items\":\(laptops.replacingOccurrences(of: "8471300000", with: "8471399999"))}")
            #expect(badItem.status == .unprocessableContent && badItem.text.contains("items/0/hsCode"))
            #expect(try await DeclarationModel.find(lodged.id, on: harness.db)?.items.contains("8507600000") == true, "nothing changed")
            let beta = try await CustomsWorld.trader(client, "beta")
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/amend", token: beta,
                                         json: "{\"reason\":\"x\",\"invoiceAmountMinor\":600000,\"items\":\(laptops)}").status == .notFound)
            let amended = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/amend", token: acme,
                                                               json: "{\"reason\":\"The shipment holds laptops, not batteries\",\"invoiceAmountMinor\":600000,\"items\":\(laptops)}"))
            // Laptops alone would go green, but an amendment never lowers the lane: the documents are still checked.
            #expect(amended.state == .documentsRequested && amended.lane == .yellow && amended.items[0].hsCode == "8471300000" && amended.invoiceAmountMinor == 600_000)
            #expect(amended.history.map(\.to).contains(.accepted) && amended.history.contains { $0.note.contains("laptops, not batteries") })
            #expect(!amended.history.contains { $0.note.contains("RC-BAT") || $0.note.contains("kept_after_amendment") || $0.note.contains("draw") },
                    "the trader does not read why the lane was chosen")
            let officer = try await CustomsWorld.officer(client, harness)
            let seen = try Self.decode(try await client.api(.get, "/api/v1/customs/declarations/\(lodged.id.uuidString)", token: officer))
            #expect(seen.laneDecision?.reason == "kept_after_amendment")
            let released = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/documents-checked", token: officer, json: "{}"))
            #expect(released.state == .released)
            #expect(try await client.api(.post, "/api/v1/customs/declarations/\(lodged.id.uuidString)/amend", token: acme,
                                         json: "{\"reason\":\"again\",\"invoiceAmountMinor\":600000,\"items\":\(laptops)}").status == .conflict, "not after the release")
        }
    }

    @Test("the WCO DEC-DMS XML of an import with several items and of an export is well-formed and carries the declaration's data")
    func wcoXML() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            _ = world
            let acme = try await CustomsWorld.trader(client, "acme")
            let officer = try await CustomsWorld.officer(client, harness)
            let carrier = try await CustomsWorld.carrier(client, officer: officer, harness)
            let cargo = try await CustomsWorld.cargo(client, carrier, description: "Wine & <more>")
            let items = """
                [{"hsCode":"2204210000","description":"Red wine \\"Château\\" & rosé <750 ml>","origin":"FR","quantity":900,"quantityUnit":"LTR","grossMassKg":1520.5,"netMassKg":900,
                  "packages":100,"packageType":"CT","valueMinor":1000000,"preference":"KR-EU","proofOfOrigin":"FR-REX-1"},
                 {"hsCode":"8471300000","description":"Notebook computers","origin":"CN","quantity":5,"quantityUnit":"NAR","grossMassKg":15,"netMassKg":12,
                  "packages":1,"packageType":"CT","valueMinor":300000},
                 {"hsCode":"8517130000","description":"스마트폰 (Smartphones)","origin":"CN","quantity":10,"quantityUnit":"NAR","grossMassKg":5,"netMassKg":4,
                  "packages":1,"packageType":"BX","valueMinor":140000,"licenceNumber":"RRA-1"}]
                """
            let view = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme,
                                                            json: CustomsWorld.declaration(kind: "import", reference: "IM-XML", cargo: cargo, items: items, currency: "EUR",
                                                                                           total: 1_440_000, counterpart: "FR")))
            let xml = try await client.api(.get, "/api/v1/customs/declarations/\(view.id.uuidString)/wco.xml", token: acme)
            #expect(xml.status == .ok && xml.headers[.contentType]?.hasPrefix("application/xml") == true)
            let parser = XMLParser(data: Data(buffer: xml.body))
            #expect(parser.parse(), "well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
            for fragment in ["<md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>", "<ID>\(view.number)</ID>", "<TypeCode>IMA</TypeCode>",
                             "<GoodsItemQuantity>3</GoodsItemQuantity>", "<InvoiceAmount currencyID=\"EUR\">14400.00</InvoiceAmount>", "<ID>2204210000</ID>",
                             "Château&quot; &amp; rosé &lt;750 ml&gt;", "<CountryCode>FR</CountryCode>", "<DutyRegimeCode>FTA</DutyRegimeCode>", "<ID>FR-REX-1</ID>",
                             "<TypeCode>861</TypeCode>", "<ID>RRA-1</ID>", "<GrossMassMeasure unitCode=\"KGM\">1520.5</GrossMassMeasure>", "<ConditionCode>FOB</ConditionCode>",
                             "<ID>\(cargo)</ID>", "스마트폰"] {
                #expect(xml.text.contains(fragment), "\(fragment)")
            }
            let export = try Self.decode(try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "EX-XML")))
            let exportXML = try await client.api(.get, "/api/v1/customs/declarations/\(export.id.uuidString)/wco.xml", token: acme)
            #expect(XMLParser(data: Data(buffer: exportXML.body)).parse())
            #expect(exportXML.text.contains("<TypeCode>EXA</TypeCode>") && exportXML.text.contains("<ExitOffice>") && !exportXML.text.contains("<DutyTaxFee>"))
            if let directory = ProcessInfo.processInfo.environment["NARA_WCO_SAMPLES"] {
                try Data(buffer: xml.body).write(to: URL(fileURLWithPath: directory).appendingPathComponent("import-3-items.xml"))
                try Data(buffer: exportXML.body).write(to: URL(fileURLWithPath: directory).appendingPathComponent("export-1-item.xml"))
            }
        }
    }

    @Test("forty declarations at once are written in few commits, each answered with its own number")
    func groupCommit() async throws {
        try await withTestApp { client, harness in
            let world = try await CustomsWorld.create(harness.platform)
            let acme = try await CustomsWorld.trader(client, "acme")
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        let response = try await client.api(.post, "/api/v1/customs/declarations", token: acme, json: CustomsWorld.declaration(reference: "GC-\(n)"))
                        return (response.jsonObject["number"] as? String) ?? "status \(response.status)"
                    }
                }
                var all: [String] = []
                for try await number in group { all.append(number) }
                return all
            }
            #expect(Set(numbers).count == 40 && numbers.allSatisfy { $0.hasPrefix("EX-2026-") }, "\(numbers)")
            #expect(try await DeclarationModel.query(on: harness.db).count() == 40)
            let stats = await world.service.writer.statistics()
            #expect(stats.written == 40 && stats.batches < 40, "\(stats)")
        }
    }
}
