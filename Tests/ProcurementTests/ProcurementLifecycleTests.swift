import Crypto
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
@testable import Exchange
@testable import Procurement
@testable import Registries

@Suite("Procurement lifecycle")
struct ProcurementLifecycleTests {
    func bid(_ client: some TestClientProtocol, _ token: String, _ tender: String, _ prices: String, key: String) async throws -> TestResponse {
        try await ProcurementTests.bid(client, token, tender, prices, key: key)
    }

    /// Creates and publishes a tender; returns its id and a fresh officer token.
    func published(_ client: some TestClientProtocol, _ harness: TestHarness, extra: String = "", procedure: String = "open",
                   deadline: String = ProcurementTests.deadline) async throws -> (String, String) {
        let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
        let created = try await client.api(.post, "/api/v1/procurement/tenders", token: officer,
                                           json: ProcurementTests.tenderBody(deadline: deadline, procedure: procedure, extra: extra))
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(created.jsonObject["id"] as? String)
        let published = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer)
        #expect(published.status == .ok, "\(published.text)")
        return (id, officer)
    }

    func supplier(_ client: some TestClientProtocol, _ username: String) async throws -> String {
        let token = try await client.token(username)
        let response = try await client.api(.post, "/api/v1/procurement/suppliers", token: token)
        #expect(response.status == .created, "\(response.text)")
        return token
    }

    /// Advances past the deadline (and a TOTP step) and opens; returns a fresh officer token.
    func openAfterDeadline(_ client: some TestClientProtocol, _ harness: TestHarness, _ id: String, days: Double = 16) async throws -> String {
        harness.clock.advance(by: days * 86_400)
        let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
        let opened = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/open", token: officer)
        #expect(opened.status == .ok, "\(opened.text)")
        return officer
    }

    @Test("bad tender input is refused field by field and stores nothing; a restricted tender takes bids only from its qualified suppliers")
    func validationAndRestricted() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let bad = """
                {"title":"","description":"x","procedure":"auction","category":"food","deadline":"soon","eligibility":"",
                 "lots":[{"number":1,"title":"A","estimatedValueMinor":0}],
                 "items":[{"lot":2,"description":"X","scheme":"UNSPSC","classification":"1234","classificationDescription":"",
                           "quantity":0,"unitCode":"each","unitName":"each"}],
                 "evaluation":{"method":"priceQuality","priceWeight":50,"qualityWeight":60}}
                """
            let refused = try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: bad)
            #expect(refused.status == .unprocessableContent)
            for field in ["title", "procedure", "category", "deadline", "eligibility", "lots/0/estimatedValueMinor", "items/0/lot", "items/0/classification",
                          "items/0/quantity", "items/0/unitCode", "evaluation/priceWeight"] {
                #expect(refused.text.contains("\"\(field)\""), "\(field) not reported: \(refused.text)")
            }
            #expect(try await TenderModel.query(on: harness.db).count() == 0)

            let acme = try await supplier(client, "acme")
            _ = try await supplier(client, "beta")
            harness.clock.advance(by: 30)  // a second sign-in of the officer needs the next TOTP step
            let noList = try await client.api(.post, "/api/v1/procurement/tenders", token: officer,
                                              json: ProcurementTests.tenderBody(deadline: "2026-12-20T06:00:00.000Z", procedure: "restricted"))
            #expect(noList.status == .unprocessableContent && noList.text.contains("qualifiedSuppliers"))
            let (id, _) = try await published(client, harness, extra: #","qualifiedSuppliers":["214-86-30015"]"#, procedure: "restricted",
                                              deadline: "2026-12-20T06:00:00.000Z")
            let outsider = try await bid(client, acme, id, #"{"1":400000000}"#, key: "a")
            #expect(outsider.status == .forbidden && outsider.text.contains("qualified"))
            let beta = try await client.token("beta")
            #expect(try await bid(client, beta, id, #"{"1":400000000}"#, key: "b").status == .created)
            let view = try await client.api(.get, "/api/v1/procurement/tenders/\(id)")
            #expect((view.jsonObject["qualifiedSuppliers"] as? [String]) == ["2148630015"])
        }
    }

    @Test("questions and answers are public without the asker; an amendment with under 7 days left extends the deadline and bids must be re-confirmed")
    func enquiriesAndAmendments() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let (id, officer) = try await published(client, harness, extra: #","enquiryDeadline":"2026-12-05T06:00:00.000Z""#)
            var acme = try await supplier(client, "acme")
            let beta = try await supplier(client, "beta")
            let asked = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/enquiries", token: acme, json: #"{"question":"Is a 15-inch screen acceptable?"}"#)
            #expect(asked.status == .created, "\(asked.text)")
            let enquiry = try #require(asked.jsonObject["id"] as? String)
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/enquiries", token: acme, json: #"{"question":""}"#).status == .unprocessableContent)
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/enquiries/\(enquiry)/answer", token: acme,
                                         json: #"{"answer":"yes"}"#).status == .forbidden)
            let answered = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/enquiries/\(enquiry)/answer", token: officer,
                                                json: #"{"answer":"Yes, 14 or 15 inches."}"#)
            #expect(answered.status == .ok, "\(answered.text)")
            let list = try await client.api(.get, "/api/v1/procurement/tenders/\(id)/enquiries")
            #expect(list.text.contains("15-inch") && list.text.contains("14 or 15 inches") && !list.text.contains("acme") && !list.text.contains("1018150670"))

            // Bids in; then, 3 days before the deadline, an amendment.
            let acmeReceipt = try await bid(client, acme, id, #"{"1":400000000}"#, key: "a").json(BidReceipt.self)
            #expect(try await bid(client, beta, id, #"{"1":390000000}"#, key: "b").status == .created)
            let deadline = try #require(Timestamp.parseISO8601(ProcurementTests.deadline))
            harness.clock.advance(by: deadline.timeIntervalSince(harness.clock.now()) - 3 * 86_400)
            acme = try await client.token("acme")  // tokens last an hour
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/enquiries", token: acme,
                                         json: #"{"question":"Late question"}"#).status == .conflict)
            let officerNow = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/amend", token: officerNow,
                                         json: #"{"rationale":"x","deadline":"2026-12-01T00:00:00.000Z"}"#).status == .unprocessableContent)
            let amended = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/amend", token: officerNow,
                                               json: #"{"rationale":"Screen size clarified","description":"300 laptops, 14 or 15 inch"}"#)
            #expect(amended.status == .ok, "\(amended.text)")
            let tenderID = try #require(UUID(uuidString: id))
            var view = try await world.service.tender(id: tenderID)
            #expect(view.deadline == harness.clock.now().addingTimeInterval(7 * 86_400))
            #expect(view.amendments.count == 1 && view.amendments[0].rationale == "Screen size clarified")
            let mine = try await client.api(.get, "/api/v1/procurement/tenders/\(id)/bids/mine", token: acme)
            #expect(mine.text.contains("needs_reconfirmation"))
            let acmeAccount = try #require(try await harness.platform.identity.account(username: "acme", on: harness.db))
            #expect(try await harness.platform.notifications.inbox(accountID: acmeAccount.id, on: harness.db).contains { $0.title.contains("confirm your bid") })
            // Acme re-confirms; Beta does not.
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/bids/\(acmeReceipt.bidID)/confirm", token: acme).status == .ok)
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/bids/\(acmeReceipt.bidID)/confirm", token: acme).status == .conflict)
            _ = try await openAfterDeadline(client, harness, id, days: 8)
            view = try await world.service.tender(id: tenderID)
            // One valid bid where two are needed: unsuccessful, with Beta's unconfirmed bid listed without its price.
            #expect(view.state == .unsuccessful)
            let unconfirmed = try #require(view.bids?.first { $0.bidder == "2148630015" })
            #expect(unconfirmed.problem?.contains("re-confirmed") == true && unconfirmed.total == nil)
        }
    }

    @Test("the reserve-price lottery is reproducible from the published seed; bids below the floor are not awarded")
    func lotteryAndFloor() async throws {
        // The draw itself.
        let seed = Data(repeating: 7, count: 32)
        let prices = ReserveLottery.prices(seed: seed, base: 1_000_000_000, rangeBasisPoints: 200)
        #expect(prices.count == 15 && prices == ReserveLottery.prices(seed: seed, base: 1_000_000_000, rangeBasisPoints: 200))
        #expect(prices.allSatisfy { (980_000_000...1_020_000_000).contains($0) } && Set(prices).count > 10)
        let draw = ReserveLottery.reserve(prices: prices, picks: [[3, 5], [3, 9], [5, 12], [3, 1]])
        #expect(draw.chosen == [1, 3, 5, 9])  // 3 (3 picks), 5 (2), then 1, 9 and 12 once each: the lower numbers first
        let chosenSum: Int64 = prices[0] + prices[2] + prices[4] + prices[8]
        #expect(draw.reserve == chosenSum / 4)

        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let twoLots = try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: ProcurementTests.tenderBody(
                extra: #","evaluation":{"method":"floorPrice","floorRatePPM":877450,"lottery":{"rangeBasisPoints":200,"picks":2}}"#))
            #expect(twoLots.status == .unprocessableContent && twoLots.text.contains("evaluation/method"))
            let oneLot = """
                {"title":"Switches","description":"48 switches","procedure":"open","category":"goods","deadline":"\(ProcurementTests.deadline)",
                 "eligibility":"Registered suppliers","lots":[{"number":1,"title":"Switches","estimatedValueMinor":1000000000}],
                 "items":[{"lot":1,"description":"Switch","scheme":"UNSPSC","classification":"43222612","classificationDescription":"Network switches",
                           "quantity":48,"unitCode":"EA","unitName":"each"}],
                 "evaluation":{"method":"floorPrice","floorRatePPM":877450,"lottery":{"rangeBasisPoints":200,"picks":2}}}
                """
            let id = try #require(try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: oneLot).jsonObject["id"] as? String)
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer).status == .ok)
            let before = try await world.service.tender(id: try #require(UUID(uuidString: id)))
            let commitment = try #require(before.lottery?.commitment)
            #expect(before.lottery?.seed == nil && before.lottery?.prices == nil && before.reservePriceMinor == nil)
            let acme = try await supplier(client, "acme"), beta = try await supplier(client, "beta"), delta = try await supplier(client, "delta")
            var headers = HTTPFields()
            headers[HTTPField.Name("Idempotency-Key")!] = "x"
            let noPicks = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/bids", token: acme, json: #"{"prices":{"1":900000000},"declarations":[]}"#,
                                               headers: headers)
            #expect(noPicks.status == .unprocessableContent && noPicks.text.contains("lotteryPicks"))
            for (token, price, picks) in [(acme, 900_000_000, "[1,2]"), (beta, 895_000_000, "[1,3]"), (delta, 700_000_000, "[2,3]")] {
                var h = HTTPFields()
                h[HTTPField.Name("Idempotency-Key")!] = "k"
                let r = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/bids", token: token,
                                             json: "{\"prices\":{\"1\":\(price)},\"declarations\":[],\"lotteryPicks\":\(picks)}", headers: h)
                #expect(r.status == .created, "\(r.text)")
            }
            _ = try await openAfterDeadline(client, harness, id)
            let view = try await world.service.tender(id: try #require(UUID(uuidString: id)))
            let lottery = try #require(view.lottery)
            let revealed = try #require(lottery.seed.flatMap { Data(hex: $0) })
            #expect(SHA256.hash(data: revealed).map { String(format: "%02x", $0) }.joined() == commitment)
            let redrawn = ReserveLottery.prices(seed: revealed, base: 1_000_000_000, rangeBasisPoints: 200)
            #expect(lottery.prices == redrawn)
            let expected = ReserveLottery.reserve(prices: redrawn, picks: [[1, 2], [1, 3], [2, 3]])
            #expect(view.reservePriceMinor == expected.reserve && lottery.chosen == expected.chosen)
            #expect(view.floorPriceMinor == (expected.reserve * 877_450 + 999_999) / 1_000_000)
            // Delta's 700,000,000 is below the floor (~877 million): Beta, the lowest above it, is first.
            let ranking = try await client.api(.get, "/api/v1/procurement/tenders/\(id)/ranking")
            #expect(ranking.text.contains("Below the floor"))
            #expect(view.awards.count == 1 && view.awards[0].bidder == "214-86-30015" && view.awards[0].status == .pending)
        }
    }

    @Test("award in order with disqualification, standstill, a complaint that blocks the contract, signatures of both parties, an invoice paid through the ledger")
    func awardToPayment() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let (id, _) = try await published(client, harness)
            let acmeFirst = try await supplier(client, "acme"), betaFirst = try await supplier(client, "beta")
            #expect(try await bid(client, acmeFirst, id, #"{"1":400000000}"#, key: "a").status == .created)
            #expect(try await bid(client, betaFirst, id, #"{"1":390000000,"2":25000000}"#, key: "b").status == .created)
            let tenderID = try #require(UUID(uuidString: id))
            var officer = try await openAfterDeadline(client, harness, id)
            var acme = try await client.token("acme"), beta = try await client.token("beta")
            var view = try await world.service.tender(id: tenderID)
            // Per lot: Beta is first for both lots.
            #expect(view.state == .opened && view.awards.count == 2 && view.awards.allSatisfy { $0.bidder == "214-86-30015" && $0.status == .pending })
            let lot1 = try #require(view.awards.first { $0.lot == 1 }), lot2 = try #require(view.awards.first { $0.lot == 2 })
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(lot1.id)/disqualify", token: officer,
                                         json: #"{"reason":""}"#).status == .unprocessableContent)
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(lot1.id)/qualify", token: acme).status == .forbidden)
            let disqualified = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(lot1.id)/disqualify", token: officer,
                                                    json: #"{"reason":"The performance guarantee was not lodged."}"#)
            #expect(disqualified.status == .ok, "\(disqualified.text)")
            view = try await world.service.tender(id: tenderID)
            let acmeLot1 = try #require(view.awards.first { $0.lot == 1 && $0.status == .pending })
            #expect(acmeLot1.bidder == "101-81-50670" && acmeLot1.amountMinor == 400_000_000)
            for award in [acmeLot1.id, lot2.id] {
                #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(award)/qualify", token: officer).status == .ok)
            }
            view = try await world.service.tender(id: tenderID)
            #expect(view.state == .awarded)
            let standstillEnd = try #require(view.awards.first { $0.id == acmeLot1.id }?.standstillEnd)
            let contractBody = #"{"periodEnd":"2027-12-31T15:00:00.000Z"}"#
            let early = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(acmeLot1.id)/contract", token: officer, json: contractBody)
            #expect(early.status == .conflict && early.text.contains("standstill"))

            // Beta complains about lot 1; a non-bidder cannot.
            let complaintJSON = "{\"awardID\":\"\(acmeLot1.id)\",\"title\":\"Guarantee was lodged\",\"description\":\"We lodged it on time; see receipt.\"}"
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/complaints", token: try await client.token("alice"),
                                         json: complaintJSON).status == .forbidden)
            let lodged = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/complaints", token: beta, json: complaintJSON)
            #expect(lodged.status == .created, "\(lodged.text)")
            let complaintID = try #require(lodged.jsonObject["id"] as? String)
            harness.clock.advance(by: standstillEnd.timeIntervalSince(harness.clock.now()) + 60)
            officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            acme = try await client.token("acme")
            beta = try await client.token("beta")
            let blocked = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(acmeLot1.id)/contract", token: officer, json: contractBody)
            #expect(blocked.status == .conflict && blocked.text.contains("complaint"))
            // The review body decides; the officer cannot.
            #expect(try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: officer,
                                         json: #"{"action":"accept"}"#).status == .forbidden)
            let reviewer = try await client.token("review.moef", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.get, "/api/v1/procurement/complaints", token: reviewer).text.contains("Guarantee was lodged"))
            #expect(try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: reviewer,
                                         json: #"{"action":"satisfy","decision":"x"}"#).status == .conflict)  // not accepted yet
            #expect(try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: reviewer,
                                         json: #"{"action":"accept"}"#).status == .ok)
            #expect(try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: reviewer,
                                         json: #"{"action":"decline"}"#).status == .unprocessableContent)
            let declined = try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: reviewer,
                                                json: #"{"action":"decline","decision":"The bank's record shows the guarantee arrived after the deadline."}"#)
            #expect(declined.status == .ok && declined.jsonObject["status"] as? String == "declined")

            // The contracts: generated, signed by the agency and by the supplier.
            let created = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(acmeLot1.id)/contract", token: officer, json: contractBody)
            #expect(created.status == .created, "\(created.text)")
            let contractID = try #require(created.jsonObject["id"] as? String)
            #expect(try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/sign", token: beta).status == .forbidden)
            #expect(try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/sign", token: officer).status == .ok)
            #expect(try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/sign", token: officer).status == .conflict)
            let signed = try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/sign", token: acme)
            #expect(signed.status == .ok && signed.jsonObject["status"] as? String == "active", "\(signed.text)")
            let contract = try await world.service.contract(id: try #require(UUID(uuidString: contractID)))
            let agencySigner = try await harness.platform.pki.verify(Data(contract.document.utf8), signature: try #require(contract.agencySignature), on: harness.db)
            let supplierSigner = try await harness.platform.pki.verify(Data(contract.document.utf8), signature: try #require(contract.supplierSignature), on: harness.db)
            #expect(agencySigner.subject.contains("Public Procurement Service"))
            #expect(supplierSigner.subject.contains("1018150670"))
            #expect(contract.document.contains("\"valueMinor\":400000000"))
            // Lot 2 still has no contract: the tender is not complete yet.
            #expect(try await world.service.tender(id: tenderID).state == .awarded)
            let lot2Contract = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(lot2.id)/contract", token: officer, json: contractBody)
            let lot2ID = try #require(lot2Contract.jsonObject["id"] as? String)
            _ = try await client.api(.post, "/api/v1/procurement/contracts/\(lot2ID)/sign", token: beta)
            _ = try await client.api(.post, "/api/v1/procurement/contracts/\(lot2ID)/sign", token: officer)
            #expect(try await world.service.tender(id: tenderID).state == .contracted)

            // Invoices up to the value; approval puts the payment on the ledger; the bank's notice pays it.
            let over = try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/invoices", token: acme,
                                            json: #"{"number":"I-1","amountMinor":400000001,"description":"All"}"#)
            #expect(over.status == .unprocessableContent)
            #expect(try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/invoices", token: acme,
                                         json: #"{"number":"I-1","amountMinor":100000000,"description":"First delivery"}"#).status == .created)
            #expect(try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/invoices", token: acme,
                                         json: #"{"number":"I-1","amountMinor":1,"description":"Again"}"#).status == .unprocessableContent)
            let invoiceID = try #require(try await InvoiceModel.query(on: harness.db).first()?.id)
            let approved = try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/invoices/\(invoiceID)/approve", token: officer)
            #expect(approved.status == .ok, "\(approved.text)")
            let invoice = try #require(try await InvoiceModel.find(invoiceID, on: harness.db))
            let paymentID = try #require(invoice.paymentID)
            let payment = try #require(try await PaymentModel.find(paymentID, on: harness.db))
            #expect(payment.amountMinor == 100_000_000 && payment.status == "pending" && payment.$agency.id != nil && payment.direction == "outgoing")
            // Money the government owes is confirmed by the treasury's transfer, never by a deposit on its reference.
            await #expect(throws: NaraError.self) {
                _ = try await harness.platform.payments.reconcile(PaymentNotice(reference: payment.reference, amountMinor: 100_000_000, currency: "KRW",
                                                                                bankTransactionID: "DEPOSIT-1", paidAt: harness.clock.now()),
                                                                  by: .system("bank"), on: harness.db)
            }
            #expect(!(try await client.api(.get, "/api/v1/procurement/contracts/\(contractID)").text.contains(payment.reference)))
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/cancel", token: officer, json: #"{"reason":"Too late"}"#).status == .conflict)
            _ = try await harness.platform.payments.confirmTransfer(PaymentNotice(reference: payment.reference, amountMinor: 100_000_000, currency: "KRW",
                                                                            bankTransactionID: "T-1", paidAt: harness.clock.now()),
                                                              by: .system("bank"), on: harness.db)
            try await world.service.recordPayments()
            let paid = try await world.service.contract(id: try #require(UUID(uuidString: contractID)))
            #expect(paid.invoices.first?.status == .paid && paid.paidMinor == 100_000_000)

            // An amendment proposed by the agency takes effect when the supplier counter-signs it.
            let proposed = try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/amend", token: officer,
                                                json: #"{"rationale":"Twenty more laptops","valueMinor":426000000}"#)
            #expect(proposed.status == .ok, "\(proposed.text)")
            #expect(try await world.service.contract(id: try #require(UUID(uuidString: contractID))).valueMinor == 400_000_000)
            #expect(try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/amendments/amendment-1/accept", token: beta).status == .notFound)
            let accepted = try await client.api(.post, "/api/v1/procurement/contracts/\(contractID)/amendments/amendment-1/accept", token: acme)
            #expect(accepted.status == .ok, "\(accepted.text)")
            let amendedContract = try await world.service.contract(id: try #require(UUID(uuidString: contractID)))
            #expect(amendedContract.valueMinor == 426_000_000 && amendedContract.amendments.first?.status == "accepted")
            #expect(amendedContract.amendments.first?.supplierSignature != nil && amendedContract.amendments.first?.agencySignature != nil)

            // The open data tells the whole story, with the payment as a transaction.
            let ocid = view.ocid
            let record = try await client.api(.get, "/api/v1/procurement/ocds/records/\(ocid)")
            #expect(record.status == .ok)
            let records = try #require(record.jsonObject["records"] as? [[String: Any]])
            let compiled = try #require(records.first?["compiledRelease"] as? [String: Any])
            #expect((compiled["tender"] as? [String: Any])?["status"] as? String == "complete")
            let contracts = try #require(compiled["contracts"] as? [[String: Any]])
            #expect(contracts.contains { (($0["implementation"] as? [String: Any])?["transactions"] as? [Any])?.count == 1 })
            let releases = try #require(records.first?["releases"] as? [[String: Any]])
            let tags = releases.flatMap { $0["tag"] as? [String] ?? [] }
            for tag in ["tender", "award", "awardUpdate", "contract", "contractUpdate", "implementation"] { #expect(tags.contains(tag), "\(tag)") }
            // The first release, before the opening, has no bid data.
            #expect(releases.first?["bids"] == nil && (releases.first?["tender"] as? [String: Any])?["tenderers"] == nil)
        }
    }

    @Test("an upheld complaint cancels the award and the next bid in order follows; price and quality ranks by score")
    func upheldComplaintAndQuality() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let (id, _) = try await published(client, harness, extra: #","evaluation":{"method":"priceQuality","priceWeight":30,"qualityWeight":70}"#)
            let acme = try await supplier(client, "acme"), betaFirst = try await supplier(client, "beta")
            _ = try await bid(client, acme, id, #"{"1":400000000,"2":30000000}"#, key: "a")
            _ = try await bid(client, betaFirst, id, #"{"1":380000000,"2":29000000}"#, key: "b")
            let officer = try await openAfterDeadline(client, harness, id)
            let beta = try await client.token("beta")
            let tenderID = try #require(UUID(uuidString: id))
            #expect(try await world.service.tender(id: tenderID).awards.isEmpty)  // waits for the quality scores
            let partial = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/quality-scores", token: officer, json: #"{"scores":{"101-81-50670":90}}"#)
            #expect(partial.status == .unprocessableContent && partial.text.contains("2148630015"))
            let scored = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/quality-scores", token: officer,
                                              json: #"{"scores":{"101-81-50670":90,"214-86-30015":60}}"#)
            #expect(scored.status == .ok, "\(scored.text)")
            // Acme: 70 × 0.9 + 30 × 380/400 = 91.5; Beta: 42 + 30 = 72. Acme first despite the higher price.
            var view = try await world.service.tender(id: tenderID)
            let award = try #require(view.awards.first { $0.lot == 1 })
            #expect(award.bidder == "101-81-50670")
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/awards/\(award.id)/qualify", token: officer).status == .ok)
            let complaint = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/complaints", token: beta,
                                                 json: "{\"awardID\":\"\(award.id)\",\"title\":\"Scoring error\",\"description\":\"Criterion 3 was scored twice.\"}")
            let complaintID = try #require(complaint.jsonObject["id"] as? String)
            _ = try await harness.platform.identity.createAccount(NewAccount(username: "review.pps", password: Fixtures.password, displayName: "PPS reviewer",
                                                                             kind: .official, agencyCode: "1230000", extraRoles: ["procurement-review-body"],
                                                                             fixedTOTPSecret: Fixtures.totpSecret), by: .system("test"), on: harness.db)
            let ownAgency = try await client.token("review.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: ownAgency,
                                         json: #"{"action":"accept"}"#).status == .forbidden)
            let reviewer = try await client.token("review.moef", totp: harness.fixtures.totp(at: harness.clock.now()))
            _ = try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: reviewer, json: #"{"action":"accept"}"#)
            let upheld = try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/review", token: reviewer,
                                              json: #"{"action":"satisfy","decision":"Criterion 3 was counted twice; the award is cancelled."}"#)
            #expect(upheld.status == .ok, "\(upheld.text)")
            view = try await world.service.tender(id: tenderID)
            #expect(view.awards.first { $0.id == award.id }?.status == .cancelled)
            #expect(view.awards.contains { $0.lot == 1 && $0.status == .pending && $0.bidder == "214-86-30015" })
            #expect(view.state == .opened)
            // The complainant cannot withdraw a decided complaint.
            #expect(try await client.api(.post, "/api/v1/procurement/complaints/\(complaintID)/withdraw", token: beta).status == .conflict)
        }
    }

    @Test("forty bids at once are grouped into few commits, each answered after its own; the opening waits for a bid that arrived before the deadline")
    func groupCommitAndInFlight() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let (id, _) = try await published(client, harness)
            let tenderID = try #require(UUID(uuidString: id))
            var actors: [Actor] = []
            for username in ["acme", "beta", "delta"] {
                let token = try await supplier(client, username)
                actors.append(try #require(try await harness.platform.identity.actor(bearer: token, on: harness.db)))
            }
            let service = world.service
            let now = harness.clock.now()
            let receipts = try await withThrowingTaskGroup(of: BidReceipt.self) { group in
                for n in 0..<40 {
                    let actor = actors[n % 3]
                    // Keys repeat every 20: the second submission of a key answers with the first receipt.
                    group.addTask {
                        try await service.submitBid(tenderID: tenderID, content: BidContent(prices: ["1": Int64(400_000_000 + n)], declarations: []),
                                                    idempotencyKey: "k\(n % 20)", receivedAt: now, by: actor, requestID: nil)
                    }
                }
                var all: [BidReceipt] = []
                for try await receipt in group { all.append(receipt) }
                return all
            }
            #expect(receipts.count == 40)
            let stats = await service.intake.writer.statistics()
            #expect(stats.batches < 40, "\(stats.batches) commits for 40 bids")
            let rows = try await BidModel.query(on: harness.db).filter(\.$tenderID == tenderID).all()
            #expect(Set(receipts.map(\.bidID)).count == rows.count)  // every acknowledged receipt is a stored row, stored once
            #expect(rows.filter { $0.status == "submitted" }.count == 3)  // one current bid per supplier

            // A request that arrived before the deadline is still in flight when the clock opens the tender: the opening waits.
            let deadline = try #require(Timestamp.parseISO8601(ProcurementTests.deadline))
            service.intake.arrive(tenderID)
            harness.clock.advance(by: deadline.timeIntervalSince(harness.clock.now()) + 1)
            let opening = Task { try await service.openDue() }
            try await Task.sleep(nanoseconds: 100_000_000)
            #expect(try await TenderModel.find(tenderID, on: harness.db)?.state == TenderState.open.rawValue)
            let late = try await service.submitBid(tenderID: tenderID, content: BidContent(prices: ["1": 1_000_000], declarations: []),
                                                   idempotencyKey: "in-flight", receivedAt: deadline.addingTimeInterval(-0.5), by: actors[0], requestID: nil)
            service.intake.leave(tenderID)
            try await opening.value
            let view = try await service.tender(id: tenderID)
            #expect(view.state == .opened && view.bids?.contains { $0.total == 1_000_000 } == true && late.tender == view.reference)
        }
    }

    @Test("the OCDS feed is public, paged by cursor, and validates its input")
    func ocdsFeed() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let (id, officer) = try await published(client, harness)
            let acme = try await supplier(client, "acme")
            _ = try await bid(client, acme, id, #"{"1":400000000}"#, key: "a")
            _ = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/cancel", token: officer, json: #"{"reason":"Budget withdrawn"}"#)
            let first = try await client.api(.get, "/api/v1/procurement/ocds/releases?limit=1")
            #expect(first.status == .ok)
            let releases = try #require(first.jsonObject["releases"] as? [[String: Any]])
            #expect(releases.count == 1 && releases[0]["tag"] as? [String] == ["tender"])
            #expect(!first.text.contains("400000000"))
            let next = try #require((first.jsonObject["links"] as? [String: Any])?["next"] as? String)
            let path = String(next[try #require(next.range(of: "/api/")).lowerBound...])
            let second = try await client.api(.get, path)
            #expect((second.jsonObject["releases"] as? [[String: Any]])?.first?["tag"] as? [String] == ["tenderCancellation"])
            #expect(try await client.api(.get, "/api/v1/procurement/ocds/releases?after=-1").status == .unprocessableContent)
            #expect(try await client.api(.get, "/api/v1/procurement/ocds/releases?limit=0").status == .unprocessableContent)
            #expect(try await client.api(.get, "/api/v1/procurement/ocds/records/ocds-nara00-TN-1999-000001").status == .notFound)
            let bulk = try await client.api(.get, "/api/v1/procurement/ocds/bulk")
            #expect(bulk.status == .ok && (bulk.jsonObject["releases"] as? [Any])?.count == 2)
        }
    }
}
