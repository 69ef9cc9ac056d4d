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

/// The officers', suppliers' and review body's pages drive the same services as the API.
@Suite("Procurement pages")
struct ProcurementWebTests {
    /// The new-tender form filled in for a valid open tender (deadline 2026-12-10 15:00 Seoul time, 15 days after the test clock's start).
    static let tenderForm: [(String, String)] = [
        ("title", "Laptops"), ("description", "300 laptops"), ("procedure", "open"), ("category", "goods"), ("deadline", "2026-12-10T15:00"),
        ("eligibility", "Registered suppliers"), ("lot-1-title", "Laptops"), ("lot-1-estimatedValueMinor", "420,000,000"),
        ("item-1-lot", "1"), ("item-1-description", "Notebook computer"), ("item-1-scheme", "UNSPSC"), ("item-1-classification", "43211503"),
        ("item-1-classificationDescription", "Notebook computers"), ("item-1-quantity", "300"), ("item-1-unitCode", "EA"), ("item-1-unitName", "each"),
        ("method", "lowestPrice"),
    ]

    static func officer(_ client: some TestClientProtocol, _ harness: TestHarness, _ username: String = "buyer.pps") async throws -> Browser {
        let browser = Browser(client)
        let signIn = try await browser.signIn(username, totp: { harness.fixtures.totp(at: harness.clock.now()) })
        #expect(signIn.status == .seeOther && signIn.headers[.location]?.hasPrefix("/login") == false, "\(signIn.headers[.location] ?? "")")
        return browser
    }

    /// The bid form's action (it carries the CSRF token: the form is multipart).
    static func bidAction(_ html: String) -> String? {
        html.range(of: #"/procurement/tenders/[0-9a-f-]+/bid\?_csrf=[^"]+"#, options: .regularExpression)
            .map { String(html[$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }

    static func location(_ response: TestResponse) -> String { (response.headers[.location] ?? "").components(separatedBy: "?")[0] }

    /// Creates and publishes a tender through the officer's pages; returns its page path.
    static func publishedTender(_ officer: Browser) async throws -> String {
        try await officer.get("/procurement/office/tenders/new")
        let created = try await officer.post("/procurement/office/tenders", form: tenderForm)
        #expect(created.status == .seeOther, "\(created.text)")
        let path = location(created)
        try await officer.get(path)
        #expect(try await officer.post(path + "/publish", form: []).status == .seeOther)
        return path
    }

    @Test("the new-tender form refuses bad input field by field and stores nothing; the draft is its agency's alone until published")
    func newTenderForm() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let officer = try await Self.officer(client, harness)
            let office = try await officer.get("/procurement/office")
            #expect(office.status == .ok && office.text.contains("Your agency&#39;s tenders"), "\(office.text.prefix(300))")
            try await officer.get("/procurement/office/tenders/new")
            // given: no title, a 7-digit code and an amount with letters
            var bad = Self.tenderForm.filter { $0.0 != "title" && $0.0 != "item-1-classification" && $0.0 != "lot-1-estimatedValueMinor" }
            bad += [("title", ""), ("item-1-classification", "4321150"), ("lot-1-estimatedValueMinor", "4.2억")]
            let refused = try await officer.post("/procurement/office/tenders", form: bad)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("href=\"#f-lot-1-estimatedValueMinor\""), "amounts are read first, by field")
            // The amount fixed, the service's own refusals land on their inputs too.
            let refusedAgain = try await officer.post("/procurement/office/tenders", form: bad.filter { $0.0 != "lot-1-estimatedValueMinor" } + [("lot-1-estimatedValueMinor", "420000000")])
            #expect(refusedAgain.status == .unprocessableContent)
            #expect(refusedAgain.text.contains("href=\"#f-title\"") && refusedAgain.text.contains("href=\"#f-item-1-classification\""), "\(refusedAgain.text)")
            #expect(refusedAgain.text.contains("value=\"4321150\""), "what was typed is kept")
            #expect(try await TenderModel.query(on: harness.db).count() == 0)

            let created = try await officer.post("/procurement/office/tenders", form: Self.tenderForm)
            #expect(created.status == .seeOther, "\(created.text)")
            let path = Self.location(created)
            let stored = try #require(try await TenderModel.query(on: harness.db).first())
            #expect(stored.state == TenderState.draft.rawValue && stored.deadline == Timestamp.parseISO8601("2026-12-10T06:00:00Z"))
            #expect(stored.lots.contains("420000000"))
            #expect(try await client.execute(uri: path, method: .get).status == .notFound, "the public does not see a draft")
            let supplier = Browser(client)
            try await supplier.signIn("acme")
            #expect(try await supplier.get(path).status == .notFound, "nor does a supplier")
            let draft = try await officer.get(path)
            #expect(draft.status == .ok && draft.text.contains("Publish the notice"))
            #expect(try await officer.post(path + "/publish", form: []).status == .seeOther)
            #expect(try await client.execute(uri: path, method: .get).status == .ok)
            #expect(try await TenderModel.query(on: harness.db).first()?.state == TenderState.open.rawValue)
        }
    }

    @Test("a supplier registers and bids from the pages: the bid and its document sealed with a signed receipt, the same form twice stored once, a late bid refused; after the opening the document reaches the buyer and its bidder, not the public or another bidder")
    func sealedBidWithDocuments() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let officer = try await Self.officer(client, harness)
            let tender = try await Self.publishedTender(officer)

            let acme = Browser(client)
            try await acme.signIn("acme")
            let desk = try await acme.get("/procurement/supplier")
            #expect(desk.text.contains("Register as a supplier"))
            #expect(try await acme.post("/procurement/supplier/register", form: []).status == .seeOther)
            #expect(try await SupplierModel.query(on: harness.db).count() == 1)

            let page = try await acme.get(tender)
            let bidAction = try #require(Self.bidAction(page.text))
            let key = try #require(Browser.attribute("value", after: "name=\"key\"", in: page.text))
            let document = Data("Price breakdown: laptops 401,234,567 KRW, of which labour 12 %.\n".utf8)
            // A document that is not what it says it is: refused, nothing stored.
            let wrongType = try await acme.postMultipart(bidAction, fields: [("key", key), ("price.1", "401,234,567")],
                                                         files: [("doc1", "breakdown.pdf", "application/pdf", document)])
            #expect(wrongType.status == .unprocessableContent, "\(wrongType.text)")
            #expect(try await BidModel.query(on: harness.db).count() == 0)
            let fields = [("key", key), ("price.1", "401,234,567"), ("declaration.integrity-pledge", "on"), ("docTitle1", "Price breakdown")]
            let sealed = try await acme.postMultipart(bidAction, fields: fields, files: [("doc1", "breakdown.txt", "text/plain", document)])
            #expect(sealed.status == .seeOther, "\(sealed.text)")
            let again = try await acme.postMultipart(bidAction, fields: fields, files: [("doc1", "breakdown.txt", "text/plain", document)])
            #expect(again.status == .seeOther, "the same form sent twice is answered with the first receipt")
            let bids = try await BidModel.query(on: harness.db).all()
            #expect(bids.count == 1)
            let mine = try await acme.get(tender)
            #expect(mine.text.contains(try #require(bids.first).sealedDigest), "the page shows the receipt's digest")
            // Sealed: no page, table or stored file holds the price or the document before the opening.
            for html in [mine.text, try await officer.get(tender).text, try await officer.get("/procurement/office").text] {
                #expect(!html.contains("401,234,567") && !html.contains("401234567") && !html.contains("labour 12 %"))
            }
            #expect(try await StoredFileModel.query(on: harness.db).count() == 0)
            #expect(!bids[0].ciphertext.contains(Data("labour".utf8)))

            let beta = Browser(client)
            try await beta.signIn("beta")
            try await beta.get("/procurement/supplier")
            #expect(try await beta.post("/procurement/supplier/register", form: []).status == .seeOther)
            let betaPage = try await beta.get(tender)
            let betaAction = try #require(Self.bidAction(betaPage.text))
            let betaKey = try #require(Browser.attribute("value", after: "name=\"key\"", in: betaPage.text))
            #expect(try await beta.postMultipart(betaAction, fields: [("key", betaKey), ("price.1", "399000000")]).status == .seeOther)

            // At the deadline (the session renewed: days have passed) the form refuses, with the reason, and stores nothing.
            harness.clock.advance(by: Timestamp.parseISO8601("2026-12-10T06:00:00Z")!.timeIntervalSince(harness.clock.now()))
            try await acme.signIn("acme")
            try await beta.signIn("beta")
            let closed = try await beta.get(tender)
            #expect(Self.bidAction(closed.text) == nil, "no bid form after the deadline")
            let token = try #require(Browser.attribute("value", after: "name=\"_csrf\"", in: closed.text))
            let late = try await beta.postMultipart("\(tender)/bid?_csrf=\(token)", fields: [("key", "late"), ("price.1", "398000000")])
            #expect(late.status == .conflict && late.text.contains("at or after the deadline"), "\(late.status)")
            #expect(try await BidModel.query(on: harness.db).count() == 2)

            harness.clock.advance(by: 60)
            let officerNow = try await Self.officer(client, harness)
            let before = try await officerNow.get(tender)
            #expect(before.text.contains("Open the bids now"))
            #expect(try await officerNow.post(tender + "/open", form: []).status == .seeOther)
            let opened = try await officerNow.get(tender)
            #expect(opened.text.contains("401,234,567 KRW") && opened.text.contains("399,000,000 KRW"))
            let link = try #require(opened.text.range(of: #"/procurement/tenders/[0-9a-f-]+/documents/[0-9a-f-]+"#, options: .regularExpression).map { String(opened.text[$0]) })
            let download = try await officerNow.get(link)
            #expect(download.status == .ok && download.text == String(decoding: document, as: UTF8.self))
            #expect(try await acme.get(link).status == .ok, "the bidder reads its own document")
            #expect(try await beta.get(link).status == .notFound, "another bidder does not")
            #expect(try await client.execute(uri: link, method: .get).status != .ok, "nor does the public")
            let publicPage = try await client.execute(uri: tender, method: .get)
            #expect(publicPage.text.contains("401,234,567 KRW") && !publicPage.text.contains("/documents/"), "prices are public, documents are not")
            let api = try await client.api(.get, "/api/v1/procurement/tenders/\(tender.split(separator: "/").last!)")
            #expect(!api.text.contains("fileID") && !api.text.contains("breakdown.txt"))
        }
    }

    @Test("from award to payment on the pages: qualify, a complaint decided by the review body, the contract generated after the standstill and signed by both, an invoice approved")
    func awardToPayment() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let officer = try await Self.officer(client, harness)
            let tender = try await Self.publishedTender(officer)
            var suppliers: [Browser] = []
            for (username, price) in [("acme", "401000000"), ("beta", "405000000")] {
                let browser = Browser(client)
                try await browser.signIn(username)
                try await browser.get("/procurement/supplier")
                #expect(try await browser.post("/procurement/supplier/register", form: []).status == .seeOther)
                let page = try await browser.get(tender)
                let action = try #require(Self.bidAction(page.text))
                let key = try #require(Browser.attribute("value", after: "name=\"key\"", in: page.text))
                #expect(try await browser.postMultipart(action, fields: [("key", key), ("price.1", price)]).status == .seeOther)
                suppliers.append(browser)
            }
            let (acme, beta) = (suppliers[0], suppliers[1])
            harness.clock.advance(by: 16 * 86_400)
            try await acme.signIn("acme")
            try await beta.signIn("beta")
            let officerNow = try await Self.officer(client, harness)
            try await officerNow.get(tender)
            #expect(try await officerNow.post(tender + "/open", form: []).status == .seeOther)
            let award = try #require(try await AwardModel.query(on: harness.db).filter(\.$status == "pending").first())
            let awardPath = "\(tender)/awards/\(award.id!.uuidString.lowercased())"
            let noReason = try await officerNow.post(awardPath + "/disqualify", form: [("reason", "")])
            #expect(noReason.status == .unprocessableContent && noReason.text.contains("error-summary"))
            #expect(try await AwardModel.find(award.id, on: harness.db)?.status == "pending")
            #expect(try await officerNow.post(awardPath + "/qualify", form: []).status == .seeOther)
            #expect(try await AwardModel.find(award.id, on: harness.db)?.status == "active")

            // The losing bidder complains during the standstill; the contract waits for the review body.
            let betaPage = try await beta.get(tender)
            #expect(betaPage.text.contains("Lodge a complaint"))
            #expect(try await beta.post(tender + "/complaints", form: [("award", award.id!.uuidString.lowercased()), ("title", "Price too low"),
                                                                       ("description", "The price is below cost.")]).status == .seeOther)
            let reviewer = try await Self.officer(client, harness, "review.moef")
            let queue = try await reviewer.get("/procurement/review")
            #expect(queue.text.contains("Price too low"))
            let complaint = try #require(try await ComplaintModel.query(on: harness.db).first())
            let declineBare = try await reviewer.post("/procurement/complaints/\(complaint.id!.uuidString.lowercased())/review", form: [("action", "decline"), ("decision", "")])
            #expect(declineBare.status == .unprocessableContent)
            #expect(try await reviewer.post("/procurement/complaints/\(complaint.id!.uuidString.lowercased())/review",
                                            form: [("action", "decline"), ("decision", "The price is above the floor and was explained.")]).status == .seeOther)
            #expect(try await ComplaintModel.find(complaint.id, on: harness.db)?.status == "declined")

            let standstill = try #require(try await AwardModel.find(award.id, on: harness.db)?.standstillEnd)
            harness.clock.advance(by: standstill.timeIntervalSince(harness.clock.now()) + 60)
            let officerLater = try await Self.officer(client, harness)
            try await acme.signIn("acme")
            try await beta.signIn("beta")
            try await officerLater.get(tender)
            let generated = try await officerLater.post(awardPath + "/contract", form: [("periodStart", "2026-12-20"), ("periodEnd", "2027-06-30")])
            #expect(generated.status == .seeOther, "\(generated.text)")
            let contractPath = Self.location(generated)
            #expect(contractPath.hasPrefix("/procurement/contracts/"))
            try await officerLater.get(contractPath)
            #expect(try await officerLater.post(contractPath + "/sign", form: []).status == .seeOther)
            let supplierView = try await acme.get(contractPath)
            #expect(supplierView.text.contains("Sign the contract"))
            #expect(try await acme.post(contractPath + "/sign", form: []).status == .seeOther)
            let contract = try #require(try await ContractModel.query(on: harness.db).first())
            #expect(contract.status == ContractStatus.active.rawValue && contract.agencySignature != nil && contract.supplierSignature != nil)
            #expect(try await beta.post(contractPath + "/sign", form: []).status != .seeOther, "a third party cannot sign")

            try await acme.get(contractPath)
            let tooMuch = try await acme.post(contractPath + "/invoices", form: [("number", "INV-1"), ("amountMinor", "999,000,000"), ("description", "All")])
            #expect(tooMuch.status == .unprocessableContent || tooMuch.status == .conflict)
            #expect(try await InvoiceModel.query(on: harness.db).count() == 0)
            #expect(try await acme.post(contractPath + "/invoices", form: [("number", "INV-1"), ("amountMinor", "100,000,000"), ("description", "First delivery")])
                .status == .seeOther)
            let invoice = try #require(try await InvoiceModel.query(on: harness.db).first())
            try await officerLater.get(contractPath)
            #expect(try await officerLater.post("\(contractPath)/invoices/\(invoice.id!.uuidString.lowercased())/approve", form: []).status == .seeOther)
            #expect(try await InvoiceModel.find(invoice.id, on: harness.db)?.status == InvoiceStatus.approved.rawValue)
            let office = try await officerLater.get("/procurement/office")
            #expect(office.text.contains(contract.reference))
        }
    }

    @Test("an officer orders from the mall page: above the direct-order limit refused and nothing stored, the same form twice one order, the delivery confirmed on the order page")
    func mallOrder() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let beta = try await client.token("beta")
            #expect(try await client.api(.post, "/api/v1/procurement/suppliers", token: beta).status == .created)
            let pps = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let framework = """
                {"supplierBusinessNumber":"214-86-30015","title":"Office supplies","validUntil":"2027-11-30T00:00:00.000Z","maxOrderMinor":2000000,
                 "items":[{"name":"Copier paper A4","classification":"14111507","unitCode":"BX","unitName":"box","priceMinor":25000,"deliveryDays":3,"minQuantity":10}]}
                """
            #expect(try await client.api(.post, "/api/v1/procurement/frameworks", token: pps, json: framework).status == .created)
            harness.clock.advance(by: 30)
            let officer = try await Self.officer(client, harness)
            let mall = try await officer.get("/procurement/mall")
            let item = try #require(Browser.attribute("value", after: "name=\"item\"", in: mall.text))
            let key = try #require(Browser.attribute("value", after: "name=\"key\"", in: mall.text))
            let tooMuch = try await officer.post("/procurement/mall/order", form: [("item", item), ("key", key), ("quantity", "100")])
            #expect(tooMuch.status == .unprocessableContent && tooMuch.text.contains("direct-order limit"), "\(tooMuch.status)")
            let notANumber = try await officer.post("/procurement/mall/order", form: [("item", item), ("key", key), ("quantity", "ten")])
            #expect(notANumber.status == .unprocessableContent)
            #expect(try await OrderModel.query(on: harness.db).count() == 0)
            let placed = try await officer.post("/procurement/mall/order", form: [("item", item), ("key", key), ("quantity", "20")])
            let again = try await officer.post("/procurement/mall/order", form: [("item", item), ("key", key), ("quantity", "20")])
            #expect(placed.status == .seeOther && Self.location(again) == Self.location(placed))
            #expect(try await OrderModel.query(on: harness.db).count() == 1)
            let orderPage = try await officer.get(Self.location(placed))
            #expect(orderPage.text.contains("500,000 KRW") && orderPage.text.contains("The goods arrived as ordered"))
            #expect(try await officer.post(Self.location(placed) + "/deliver", form: []).status == .seeOther)
            #expect(try await OrderModel.query(on: harness.db).first()?.status == OrderStatus.delivered.rawValue)
            let citizen = Browser(client)
            try await citizen.signIn("alice")
            #expect(try await citizen.get(Self.location(placed)).status == .notFound, "an order is its parties' only")
        }
    }

    @Test("documents sent with an API bid are sealed with it; a binary that is not an allowed type, or an untitled document, is refused by field")
    func apiBidDocuments() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let officer = try await Self.officer(client, harness)
            let tender = try await Self.publishedTender(officer)
            let id = String(tender.split(separator: "/").last!)
            let acme = try await client.token("acme")
            #expect(try await client.api(.post, "/api/v1/procurement/suppliers", token: acme).status == .created)
            var headers = HTTPFields()
            headers[HTTPField.Name("Idempotency-Key")!] = "doc-1"
            let binary = Data([0x00, 0x01, 0x02, 0xFF]).base64EncodedString()
            let bad = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/bids", token: acme, json: """
                {"prices":{"1":400000000},"declarations":[],"documents":[{"title":"","fileName":"a.bin","contentType":"application/octet-stream","content":"\(binary)"}]}
                """, headers: headers)
            #expect(bad.status == .unprocessableContent && bad.text.contains("documents/0/content") && bad.text.contains("documents/0/title"), "\(bad.text)")
            #expect(try await BidModel.query(on: harness.db).count() == 0)
            let text = Data("Technical proposal".utf8).base64EncodedString()
            let good = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/bids", token: acme, json: """
                {"prices":{"1":400000000},"declarations":[],"documents":[{"title":"Proposal","fileName":"../../proposal","contentType":"text/plain","content":"\(text)"}]}
                """, headers: headers)
            #expect(good.status == .created, "\(good.text)")
            let bid = try #require(try await BidModel.query(on: harness.db).first())
            #expect(!bid.ciphertext.contains(Data("Technical proposal".utf8)), "the document is inside the sealed envelope")
        }
    }
}
