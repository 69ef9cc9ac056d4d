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
@testable import Procurement

@Suite("Procurement mall and dashboard")
struct ProcurementMallTests {
    static func order(_ client: some TestClientProtocol, _ token: String, _ body: String, key: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[HTTPField.Name("Idempotency-Key")!] = key
        return try await client.api(.post, "/api/v1/procurement/orders", token: token, json: body, headers: headers)
    }

    static func view(_ response: TestResponse) throws -> OrderView {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parseISO8601(text) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text)) }
            return date
        }
        return try decoder.decode(OrderView.self, from: Data(buffer: response.body))
    }

    @Test("framework agreements list catalogue items; agencies order within the limit, once per key; delivery puts the payment on the ledger")
    func mall() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let actor = AuditActor.system("test")
            _ = try await harness.platform.identity.createAgency(NewAgency(code: "1220000", nameEN: "Korea Customs Service", nameKO: "관세청", kind: .agency,
                                                                           parentCode: "1051000"), by: actor, on: harness.db)
            _ = try await harness.platform.identity.createAccount(NewAccount(username: "buyer.kcs", password: Fixtures.password, displayName: "KCS buyer", kind: .official,
                                                                             agencyCode: "1220000", extraRoles: ["procurement-officer"],
                                                                             fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: harness.db)
            let pps = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let kcs = try await client.token("buyer.kcs", totp: harness.fixtures.totp(at: harness.clock.now()))
            let beta = try await client.token("beta")
            #expect(try await client.api(.post, "/api/v1/procurement/suppliers", token: beta).status == .created)
            let items = """
                [{"name":"Copier paper A4","classification":"14111507","unitCode":"BX","unitName":"box","priceMinor":25000,"deliveryDays":3,"minQuantity":10},
                 {"name":"Toner, black","classification":"44103103","unitCode":"EA","unitName":"each","priceMinor":90000,"deliveryDays":5}]
                """
            let body = "{\"supplierBusinessNumber\":\"214-86-30015\",\"title\":\"Office supplies\",\"validUntil\":\"2027-11-30T00:00:00.000Z\",\"maxOrderMinor\":2000000,\"items\":\(items)}"
            let bad = try await client.api(.post, "/api/v1/procurement/frameworks", token: pps,
                                           json: #"{"supplierBusinessNumber":"123","title":"","validUntil":"2020-01-01T00:00:00Z","maxOrderMinor":0,"items":[]}"#)
            #expect(bad.status == .unprocessableContent)
            for field in ["supplierBusinessNumber", "title", "validUntil", "maxOrderMinor", "items"] { #expect(bad.text.contains("\"\(field)\"")) }
            #expect(try await client.api(.post, "/api/v1/procurement/frameworks", token: kcs, json: body).status == .forbidden)  // not the PPS
            let created = try await client.api(.post, "/api/v1/procurement/frameworks", token: pps, json: body)
            #expect(created.status == .created, "\(created.text)")
            #expect(try await FrameworkModel.query(on: harness.db).count() == 1)
            let catalogue = try await client.api(.get, "/api/v1/procurement/catalogue?q=paper")
            let found = try catalogue.json([CatalogueItemView].self)
            #expect(found.count == 1 && found[0].priceMinor == 25000)
            let paper = found[0].id
            let toner = try #require(try await world.service.catalogue(query: "toner").first?.id)

            // Limits: the minimum quantity, the direct-order limit.
            let few = try await Self.order(client, kcs, "{\"lines\":[{\"itemID\":\"\(paper)\",\"quantity\":5}]}", key: "k0")
            #expect(few.status == .unprocessableContent && few.text.contains("lines/0/quantity"))
            let tooMuch = try await Self.order(client, kcs, "{\"lines\":[{\"itemID\":\"\(toner)\",\"quantity\":30}]}", key: "k0")
            #expect(tooMuch.status == .unprocessableContent && tooMuch.text.contains("second-stage competition"))
            #expect(try await OrderModel.query(on: harness.db).count() == 0)
            let good = "{\"lines\":[{\"itemID\":\"\(paper)\",\"quantity\":20},{\"itemID\":\"\(toner)\",\"quantity\":4}]}"
            let placed = try await Self.order(client, kcs, good, key: "k1")
            #expect(placed.status == .created, "\(placed.text)")
            let view = try Self.view(placed)
            #expect(view.totalMinor == 20 * 25000 + 4 * 90000 && view.status == .placed && !view.late)
            #expect(try Self.view(try await Self.order(client, kcs, good, key: "k1")).reference == view.reference)
            #expect(try await OrderModel.query(on: harness.db).count() == 1)
            // The supplier sees it; another agency does not.
            #expect(try await client.api(.get, "/api/v1/procurement/orders", token: beta).text.contains(view.reference))
            #expect(try await client.api(.get, "/api/v1/procurement/orders/\(view.id)", token: pps).status == .notFound)
            #expect(try await client.api(.post, "/api/v1/procurement/orders/\(view.id)/deliver", token: pps).status == .notFound)

            // Delivery: the payment on the ledger; the treasury pays it.
            let delivered = try await client.api(.post, "/api/v1/procurement/orders/\(view.id)/deliver", token: kcs)
            #expect(delivered.status == .ok, "\(delivered.text)")
            let reference = try #require(try Self.view(delivered).paymentReference)
            #expect(try await client.api(.post, "/api/v1/procurement/orders/\(view.id)/cancel", token: kcs, json: #"{"reason":"x"}"#).status == .conflict)
            _ = try await harness.platform.payments.confirmTransfer(PaymentNotice(reference: reference, amountMinor: view.totalMinor, currency: "KRW",
                                                                            bankTransactionID: "T-9", paidAt: harness.clock.now()), by: .system("bank"), on: harness.db)
            try await world.service.recordPayments()
            #expect(try Self.view(try await client.api(.get, "/api/v1/procurement/orders/\(view.id)", token: kcs)).status == .paid)

            // The supplier may decline an order before delivery, with a reason.
            let second = try Self.view(try await Self.order(client, kcs, "{\"lines\":[{\"itemID\":\"\(toner)\",\"quantity\":1}]}", key: "k2"))
            #expect(try await client.api(.post, "/api/v1/procurement/orders/\(second.id)/cancel", token: beta, json: #"{"reason":""}"#).status == .unprocessableContent)
            let declined = try await client.api(.post, "/api/v1/procurement/orders/\(second.id)/cancel", token: beta, json: #"{"reason":"Out of stock until January."}"#)
            #expect(try Self.view(declined).status == .cancelled)
            let page = try await client.execute(uri: "/procurement/mall?q=toner", method: .get, headers: [:], body: nil)
            #expect(page.status == .ok && String(buffer: page.body).contains("Toner, black"))
        }
    }

    @Test("the dashboard counts tenders and flags a single bidder and a tender period at the legal minimum")
    func dashboard() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let calendar = try await harness.platform.calendar.calendar(on: harness.db)
            let earliest = Timestamp.iso8601Millis(calendar.deadline(for: .workingDays(3), from: harness.clock.now()))
            let created = try await client.api(.post, "/api/v1/procurement/tenders", token: officer,
                                               json: ProcurementTests.tenderBody(deadline: earliest, procedure: "quotation"))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.jsonObject["id"] as? String)
            _ = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer)
            let acme = try await client.token("acme")
            _ = try await client.api(.post, "/api/v1/procurement/suppliers", token: acme)
            #expect(try await ProcurementTests.bid(client, acme, id, #"{"1":400000000}"#, key: "a").status == .created)
            harness.clock.advance(by: 8 * 86_400)
            try await world.service.openDue()
            let dashboard = try await client.api(.get, "/api/v1/procurement/dashboard")
            #expect(dashboard.status == .ok)
            let figures = try await world.service.dashboard()
            #expect(figures.tendersByState.first { $0.label == "opened" }?.value == 1)
            #expect(figures.averageBidders == 1)
            #expect(Set(figures.redFlags.map(\.kind)) == ["singleBidder", "shortPeriod"])
            let page = try await client.execute(uri: "/procurement/dashboard", method: .get, headers: [:], body: nil)
            let html = String(buffer: page.body)
            #expect(page.status == .ok && html.contains("<svg") && html.contains("Single bidder"))
        }
    }
}

@Suite("Procurement demo data")
struct ProcurementDemoTests {
    @Test("the demo seed holds tenders in every main state, a complaint, a paid contract, framework agreements and orders in three states, and its OCDS feed")
    func demoSeed() async throws {
        var configuration = testConfiguration()
        configuration.demoSeed = .on
        let platform = try await Platform.start(configuration: configuration, modules: NaraModules.all, clock: ManualClock(testEpoch), logger: .init(label: "t"),
                                                sender: RecordingSender())
        let states = Set(try await TenderModel.query(on: platform.db).all().map(\.state))
        #expect(states == Set(TenderState.allCases.map(\.rawValue)).subtracting(["draft"]))
        #expect(try await EnquiryModel.query(on: platform.db).count() == 2)
        #expect(Set(try await ComplaintModel.query(on: platform.db).all().map(\.status)) == ["submitted", "declined"])
        #expect(Set(try await InvoiceModel.query(on: platform.db).all().map(\.status)) == ["paid", "approved"])
        #expect(try await ContractModel.query(on: platform.db).filter(\.$status == "active").count() == 1)
        #expect(try await FrameworkModel.query(on: platform.db).count() == 2)
        #expect(try await CatalogueItemModel.query(on: platform.db).count() == 5)
        #expect(Set(try await OrderModel.query(on: platform.db).all().map(\.status)) == ["paid", "placed", "cancelled"])
        let releases = try await ReleaseModel.query(on: platform.db).all()
        #expect(Set(releases.map(\.ocid)).count == 8)
        #expect(releases.contains { $0.body.contains("\"implementation\"") })
        await platform.shutdown()
    }
}
