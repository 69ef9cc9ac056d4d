import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraApp
import NaraCore
import NaraHTTP
import NaraTesting
import SQLKit
import Testing
@testable import Exchange
@testable import Procurement
@testable import Registries

/// The Public Procurement Service with an officer, the NTS's business registry with a grant for
/// it, and three businesses: the fixture business (active), Beta (active) and Gamma (closed).
struct ProcurementWorld {
    let service: ProcurementService

    static func create(_ platform: Platform) async throws -> ProcurementWorld {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test")
        try await BusinessRegistryWorld.create(platform, consumer: ("1230000", "Public Procurement Service", "조달청"),
                                               businesses: [("beta", "214863001"), ("gamma", "120871234"), ("delta", "305814622")], closed: ["gamma"])
        _ = try await identity.createAccount(NewAccount(username: "buyer.pps", password: Fixtures.password, displayName: "Buyer", kind: .official, agencyCode: "1230000",
                                                        extraRoles: ["procurement-officer"], fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: db)
        _ = try await identity.createAccount(NewAccount(username: "review.moef", password: Fixtures.password, displayName: "Review body", kind: .official,
                                                        agencyCode: "1051000", extraRoles: ["procurement-review-body"], fixedTOTPSecret: Fixtures.totpSecret),
                                             by: actor, on: db)
        return ProcurementWorld(service: ProcurementModule.service(platform))
    }
}

@Suite("Procurement")
struct ProcurementTests {
    static let deadline = "2026-12-10T06:00:00.000Z"  // 15 days after the test clock's start

    static let items = """
        [{"lot":1,"description":"Notebook computer","scheme":"UNSPSC","classification":"43211503","classificationDescription":"Notebook computers",
          "quantity":300,"unitCode":"EA","unitName":"each"},
         {"lot":2,"description":"On-site support","scheme":"UNSPSC","classification":"81111800","classificationDescription":"IT support",
          "quantity":36,"unitCode":"MON","unitName":"month"}]
        """

    static func tenderBody(deadline: String = deadline, procedure: String = "open", extra: String = "") -> String {
        """
        {"title":"Laptops","description":"300 laptops","procedure":"\(procedure)","category":"goods","deadline":"\(deadline)",
         "eligibility":"Registered suppliers","items":\(items)\(extra),
         "lots":[{"number":1,"title":"Laptops","estimatedValueMinor":420000000},{"number":2,"title":"Support","estimatedValueMinor":30000000}]}
        """
    }

    static func bid(_ client: some TestClientProtocol, _ token: String, _ tender: String, _ prices: String, key: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[HTTPField.Name("Idempotency-Key")!] = key
        return try await client.api(.post, "/api/v1/procurement/tenders/\(tender)/bids", token: token, json: "{\"prices\":\(prices),\"declarations\":[\"no collusion\"]}",
                                    headers: headers)
    }

    @Test("suppliers register once after the business registry confirms them active; closed businesses and citizens cannot")
    func suppliers() async throws {
        try await withTestApp { client, harness in
            _ = try await ProcurementWorld.create(harness.platform)
            let acme = try await client.token("acme")
            let first = try await client.api(.post, "/api/v1/procurement/suppliers", token: acme)
            #expect(first.status == .created, "\(first.text)")
            #expect(try await client.api(.post, "/api/v1/procurement/suppliers", token: acme).status == .created)
            #expect(try await SupplierModel.query(on: harness.db).count() == 1)
            let gamma = try await client.token("gamma")
            let closed = try await client.api(.post, "/api/v1/procurement/suppliers", token: gamma)
            #expect(closed.status == .unprocessableContent && closed.text.contains("closed"))
            #expect(try await client.api(.post, "/api/v1/procurement/suppliers", token: try await client.token("alice")).status == .forbidden)
        }
    }

    @Test("bids are sealed until the opening: no route, page, log or table shows a price; the opening publishes them ranked")
    func sealedUntilOpening() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let tooSoon = try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: Self.tenderBody(deadline: "2026-11-27T06:00:00.000Z"))
            #expect(tooSoon.status == .unprocessableContent && tooSoon.text.contains("deadline"))
            let created = try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: Self.tenderBody())
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.jsonObject["id"] as? String)
            // A draft is the agency's: the public does not see it.
            #expect(try await client.api(.get, "/api/v1/procurement/tenders/\(id)").status == .notFound)
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer).status == .ok)

            let acme = try await client.token("acme"), beta = try await client.token("beta")
            #expect(try await Self.bid(client, acme, id, #"{"1":401234567}"#, key: "a-1").status == .forbidden)  // not a supplier yet
            for token in [acme, beta] { #expect(try await client.api(.post, "/api/v1/procurement/suppliers", token: token).status == .created) }
            let receipt = try await Self.bid(client, acme, id, #"{"1":401234567,"2":28765432}"#, key: "a-1")
            #expect(receipt.status == .created, "\(receipt.text)")
            let receiptBody = try receipt.json(BidReceipt.self)
            // The receipt is signed by the platform over what arrived and when.
            let canonical = CanonicalJSON.object([("bid", .string(receiptBody.bidID.uuidString.lowercased())), ("tender", .string(receiptBody.tender)),
                                                  ("bidder", .string(receiptBody.bidder)), ("sealedDigest", .string(receiptBody.sealedDigest)),
                                                  ("receivedAt", .string(receiptBody.receivedAt))])
            _ = try await harness.platform.pki.verify(canonical, signature: try #require(receiptBody.signature), on: harness.db)
            #expect(receiptBody.receivedAt == Timestamp.iso8601Millis(harness.clock.now()))
            // The same submission again is stored once and answered with the same receipt.
            let again = try await Self.bid(client, acme, id, #"{"1":401234567,"2":28765432}"#, key: "a-1")
            let againReceipt = try again.json(BidReceipt.self)
            #expect(again.status == .created && againReceipt == receiptBody)
            #expect(try await BidModel.query(on: harness.db).count() == 1)
            // A new bid replaces the earlier one; Beta bids too.
            #expect(try await Self.bid(client, acme, id, #"{"1":399999999}"#, key: "a-2").status == .created)
            #expect(try await Self.bid(client, beta, id, #"{"1":388888888,"2":27777777}"#, key: "b-1").status == .created)
            #expect(try await Self.bid(client, beta, id, #"{"3":1}"#, key: "b-bad").status == .unprocessableContent)
            // Amounts beyond 10^15 KRW are refused, so that totals can never overflow at the opening.
            #expect(try await Self.bid(client, beta, id, #"{"1":9000000000000000000,"2":9000000000000000000}"#, key: "b-huge").status == .unprocessableContent)

            // Nothing shows a price before the opening.
            let prices = ["401234567", "399999999", "388888888", "28765432"]
            let tender = try await client.api(.get, "/api/v1/procurement/tenders/\(id)")
            let list = try await client.api(.get, "/api/v1/procurement/tenders")
            let page = try await client.execute(uri: "/procurement/tenders/\(id.lowercased())", method: .get, headers: [:], body: nil)
            let mine = try await client.api(.get, "/api/v1/procurement/tenders/\(id)/bids/mine", token: beta)
            #expect(tender.jsonObject["bids"] == nil || tender.jsonObject["bids"] is NSNull)
            for text in [tender.text, list.text, String(buffer: page.body), mine.text] {
                for price in prices { #expect(!text.contains(price)) }
            }
            let audit = try await harness.platform.audit.recentEntries(limit: 500, on: harness.db)
            for price in prices { #expect(!audit.contains { ($0.detail ?? "").contains(price) }) }
            let sql = harness.db as! any SQLDatabase
            let bidRows = try await sql.raw("SELECT * FROM procurement_bids").all()
            for row in bidRows {
                let ciphertext = try row.decode(column: "ciphertext", as: Data.self)
                #expect(!String(decoding: ciphertext, as: UTF8.self).contains("prices"))
                #expect(!(try row.decode(column: "receipt", as: String.self)).contains("401234567"))
            }
            #expect(try await client.api(.post, "/api/v1/procurement/tenders/\(id)/open", token: officer).status == .conflict)

            // After the deadline: the opening decrypts, checks and ranks.
            harness.clock.advance(by: 16 * 86_400)
            let officerLater = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let opened = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/open", token: officerLater)
            #expect(opened.status == .ok, "\(opened.text)")
            let view = try await world.service.tender(id: try #require(UUID(uuidString: id)))
            #expect(view.state == .opened && opened.jsonObject["state"] as? String == "opened")
            // Lowest total first; Acme's replacement bid counts, not its first one.
            #expect(view.bids?.map(\.total) == [399_999_999, 416_666_665])
            #expect(view.bids?.first?.bidder == "1018150670")
            let publicPage = try await client.execute(uri: "/procurement/tenders/\(id.lowercased())", method: .get, headers: [:], body: nil)
            #expect(String(buffer: publicPage.body).contains("416,666,665") || String(buffer: publicPage.body).contains("416666665"))
        }
    }

    @Test("the receipt time decides: a bid that arrived 1 ms before the deadline is accepted even if processed later, one at the deadline is refused")
    func deadlineBoundary() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let id = try #require(try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: Self.tenderBody()).jsonObject["id"] as? String)
            _ = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer)
            let acme = try await client.token("acme")
            _ = try await client.api(.post, "/api/v1/procurement/suppliers", token: acme)
            let actor = try #require(try await harness.platform.identity.actor(bearer: acme, on: harness.db))
            let tenderID = try #require(UUID(uuidString: id))
            let deadline = try #require(Timestamp.parseISO8601(Self.deadline))
            harness.clock.advance(by: deadline.timeIntervalSince(harness.clock.now()) + 5)  // processed after the deadline
            let content = BidContent(prices: ["1": 400_000_000], declarations: [])
            let onTime = try await world.service.submitBid(tenderID: tenderID, content: content, idempotencyKey: "k1",
                                                           receivedAt: deadline.addingTimeInterval(-0.001), by: actor, requestID: nil)
            #expect(onTime.receivedAt.hasPrefix("2026-12-10T05:59:59.99"))
            await #expect(throws: NaraError.self) {
                _ = try await world.service.submitBid(tenderID: tenderID, content: content, idempotencyKey: "k2", receivedAt: deadline, by: actor, requestID: nil)
            }
            #expect(try await BidModel.query(on: harness.db).count() == 1)
        }
    }

    @Test("a bid that cannot be opened is reported with its receipt; too few valid bids make the tender unsuccessful; the clock opens due tenders")
    func openingProblems() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let id = try #require(try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: Self.tenderBody()).jsonObject["id"] as? String)
            _ = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer)
            let acme = try await client.token("acme"), beta = try await client.token("beta")
            for token in [acme, beta] { _ = try await client.api(.post, "/api/v1/procurement/suppliers", token: token) }
            #expect(try await Self.bid(client, acme, id, #"{"1":401000000}"#, key: "a").status == .created)
            let betaReceipt = try await Self.bid(client, beta, id, #"{"1":399000000}"#, key: "b").json(BidReceipt.self)
            // Beta withdraws and bids again; then its stored ciphertext is damaged.
            #expect(try await client.api(.delete, "/api/v1/procurement/tenders/\(id)/bids/\(betaReceipt.bidID)", token: beta).status == .noContent)
            #expect(try await Self.bid(client, beta, id, #"{"1":398000000}"#, key: "b2").status == .created)
            let damaged = try #require(try await BidModel.query(on: harness.db).filter(\.$status == "submitted").all().first { $0.idempotencyKey == "b2" })
            var bytes = [UInt8](damaged.ciphertext)
            bytes[0] ^= 0xFF
            damaged.ciphertext = Data(bytes)
            damaged.sealedDigest = SealedEnvelope(encapsulatedKey: damaged.encapsulatedKey, ciphertext: damaged.ciphertext).digest
            try await damaged.save(on: harness.db)
            harness.clock.advance(by: 16 * 86_400)
            try await world.service.openDue()
            let view = try await world.service.tender(id: try #require(UUID(uuidString: id)))
            #expect(view.state == .unsuccessful)
            #expect(view.bids?.count == 2)
            #expect(view.bids?.filter { $0.problem != nil }.count == 1)
            #expect(view.bids?.first { $0.problem == nil }?.total == 401_000_000)
        }
    }

    @Test("a deadline inside a declared outage, or within 2 hours after it, moves to 48 hours after recovery, and the bidders are told")
    func outageMovesDeadline() async throws {
        try await withTestApp { client, harness in
            let world = try await ProcurementWorld.create(harness.platform)
            let officer = try await client.token("buyer.pps", totp: harness.fixtures.totp(at: harness.clock.now()))
            let id = try #require(try await client.api(.post, "/api/v1/procurement/tenders", token: officer, json: Self.tenderBody()).jsonObject["id"] as? String)
            _ = try await client.api(.post, "/api/v1/procurement/tenders/\(id)/publish", token: officer)
            let acme = try await client.token("acme")
            _ = try await client.api(.post, "/api/v1/procurement/suppliers", token: acme)
            #expect(try await Self.bid(client, acme, id, #"{"1":400000000}"#, key: "a").status == .created)
            let deadline = try #require(Timestamp.parseISO8601(Self.deadline))
            // The platform was down from 3 hours before the deadline until 1 hour before it: the deadline is within the 2 h grace.
            _ = try await harness.platform.calendar.declareOutage(start: deadline.addingTimeInterval(-3 * 3600), end: deadline.addingTimeInterval(-3600),
                                                                  reason: "Storage failure", by: .system("ops"), audit: harness.platform.audit, on: harness.db)
            harness.clock.advance(by: deadline.timeIntervalSince(harness.clock.now()) + 60)
            try await world.service.openDue()
            let tenderID = try #require(UUID(uuidString: id))
            var view = try await world.service.tender(id: tenderID)
            #expect(view.state == .open)
            #expect(view.deadline == deadline.addingTimeInterval(-3600 + 48 * 3600))
            let acmeAccount = try #require(try await harness.platform.identity.account(username: "acme", on: harness.db))
            let inbox = try await harness.platform.notifications.inbox(accountID: acmeAccount.id, on: harness.db)
            #expect(inbox.contains { $0.module == "procurement" && $0.title.contains("deadline moved") })
            // A bid after the old deadline is on time now.
            let beta = try await client.token("beta")
            _ = try await client.api(.post, "/api/v1/procurement/suppliers", token: beta)
            #expect(try await Self.bid(client, beta, id, #"{"1":390000000}"#, key: "b").status == .created)
            harness.clock.advance(by: 48 * 3600)
            try await world.service.openDue()
            view = try await world.service.tender(id: tenderID)
            #expect(view.state == .opened && view.bids?.count == 2)
        }
    }
}
