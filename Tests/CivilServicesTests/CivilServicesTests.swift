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
@testable import CivilServices
@testable import Exchange
@testable import Registries

@Suite("Civil services")
struct CivilServicesTests {
    @Test("the catalogue holds the seeded services, searchable in English and Korean, by life event and by agency")
    func catalogue() async throws {
        try await withTestApp { client, harness in
            let world = try await CivilWorld.create(harness.platform)
            let all = try await world.service.catalogue()
            #expect(all.count == DemoCatalogue.all.count && all.count >= 12)
            #expect(try await world.service.catalogue(search: "전입").map(\.code) == ["move-in-report"])
            #expect(try await world.service.catalogue(search: "Move-In").map(\.code) == ["move-in-report"])
            let car = try await world.service.catalogue(lifeEvent: .buyingCar).map(\.code)
            #expect(Set(car) == ["vehicle-registration-certificate", "vehicle-transfer-registration"])
            #expect(try await world.service.catalogue(agencyCode: "1210110").map(\.code).sorted() == ["business-registration", "business-status-certificate"])
            // Every service says what it needs and what it looks up itself.
            for s in all {
                #expect(!s.definition.legalBasisEN.isEmpty && !s.definition.legalBasisKO.isEmpty && !s.nameKO.isEmpty)
            }
            let api = try await client.api(.get, "/api/v1/civil/services?q=certificate&lifeEvent=moving-house")
            #expect(api.status == .ok)
            let bad = try await client.api(.get, "/api/v1/civil/services?lifeEvent=retiring")
            #expect(bad.status == .unprocessableContent)
            let page = try await client.execute(uri: "/services?event=starting-a-business", method: .get, headers: [:], body: nil)
            #expect(page.status == .ok && String(buffer: page.body).contains("Business registration"))
            let detail = try await client.execute(uri: "/services/resident-abstract", method: .get, headers: [:], body: nil)
            #expect(String(buffer: detail.body).contains("You do not need to submit"))
        }
    }

    @Test("catalogue editors publish and retire services; a definition with problems is refused with all of them")
    func cataloguePublishing() async throws {
        try await withTestApp { client, harness in
            let world = try await CivilWorld.create(harness.platform)
            let ops = try #require(harness.fixtures.operatorAccount)
            try await harness.platform.identity.grantRole(accountID: ops.id, role: "catalogue-editor", by: .system("test"), on: harness.db)
            let editor = try await client.token("ops", totp: harness.fixtures.totp(at: harness.clock.now()))
            let base = try #require(DemoCatalogue.all.first { $0.code == "birth-report" })
            let encoder = JSONEncoder()
            var json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(base)) as? [String: Any])
            json["code"] = "death-report"
            json["nameEN"] = "Death report"
            json["nameKO"] = "사망신고"
            let body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
            let published = try await client.api(.put, "/api/v1/civil/services/death-report", token: editor, json: body)
            #expect(published.status == .ok, "\(published.text)")
            #expect(try await world.service.catalogue(search: "사망").map(\.code) == ["death-report"])
            // Problems are reported together, and nothing is published.
            json["code"] = "broken-report"
            json["period"] = ["kind": "working_days", "amount": 0]
            json["evidence"] = [["informationType": "tax.arrears", "labelEN": "Tax", "labelKO": "세금"]]
            json["certificate"] = ["documentType": "x", "titleEN": "X", "titleKO": "엑스", "validDays": 30]
            let broken = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
            let refused = try await client.api(.put, "/api/v1/civil/services/broken-report", token: editor, json: broken)
            #expect(refused.status == .unprocessableContent)
            let fields = Set(((refused.jsonObject["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields.isSuperset(of: ["period", "evidence/0/informationType", "certificate"]))
            #expect(try await client.api(.get, "/api/v1/civil/services/broken-report").status == .notFound)
            #expect(try await client.api(.put, "/api/v1/civil/services/other", token: editor, json: body).status == .unprocessableContent)
            let alice = try await client.token("alice")
            #expect(try await client.api(.put, "/api/v1/civil/services/death-report", token: alice, json: body).status == .forbidden)
            // Retired: out of the catalogue.
            #expect(try await client.api(.delete, "/api/v1/civil/services/death-report", token: editor).status == .noContent)
            #expect(try await client.api(.get, "/api/v1/civil/services/death-report").status == .notFound)
            #expect(try await client.api(.delete, "/api/v1/civil/services/death-report", token: editor).status == .notFound)
        }
    }

    @Test("an instant certificate: consent is required, then the registry is looked up, the certificate issued and every step notified")
    func instantCertificate() async throws {
        try await withTestApp { client, harness in
            _ = try await CivilWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let id = try await client.draft(alice, "resident-abstract", ["purpose": "bank"])
            // Without consent nothing happens: still a draft, no receipt.
            let refused = try await client.submit(alice, id, consent: false)
            #expect(refused.status == .unprocessableContent && refused.text.contains("consent"))
            #expect(try await client.application(alice, id)["state"] as? String == "draft")
            let sentBefore = harness.sender.sent.count
            let done = try await client.submit(alice, id)
            #expect(done.status == .ok, "\(done.text)")
            let view = done.jsonObject
            #expect(view["state"] as? String == "certificate_issued")
            let receipt = try #require(view["receiptNumber"] as? String)
            #expect(receipt.hasPrefix("CS-2026-") && receipt.count == 15)
            let events = (view["events"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            #expect(events == ["submit", "receive", "start_review", "approve", "issue_certificate"])
            // The certificate states what the registry holds.
            let documents = try await client.api(.get, "/api/v1/me/documents", token: alice)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: documents.body)) as? [[String: Any]])
            #expect(list.count == 1 && list[0]["documentType"] as? String == "resident.abstract" && list[0]["sourceReference"] as? String == receipt)
            let docID = try #require(UUID(uuidString: list[0]["id"] as? String ?? ""))
            let detail = try await harness.platform.documents.detail(documentID: docID, holderAccountID: try #require(harness.fixtures.alice).id, on: harness.db)
            #expect(detail.facts.contains { $0.key == "address" && $0.value.contains("자하문로 45") })
            #expect(detail.subjectName == "김앨리스")
            // The look-up is in Alice's "who looked at my data".
            let lookups = try await client.api(.get, "/api/v1/me/lookups", token: alice)
            #expect(lookups.text.contains("3000000") && lookups.text.contains("Civil application: Resident registration abstract"))
            // Inbox and e-mail at every step.
            let inbox = try await harness.platform.notifications.inbox(accountID: try #require(harness.fixtures.alice).id, on: harness.db)
            #expect(inbox.filter { $0.module == "civil" }.count == 5)
            _ = try await harness.platform.notifications.deliverDue(batch: 50, on: harness.db)
            #expect(harness.sender.sent.count - sentBefore >= 5 && harness.sender.sent.last?.recipient == "alice@example.kr")
            // Submitting again is refused.
            #expect(try await client.submit(alice, id).status == .conflict)
        }
    }

    @Test("a permit runs through fee, supplement with the clock stopped, transfer, rejection, refund, objection and approval")
    func fullPath() async throws {
        try await withTestApp(configure: { $0.civilMaxTransfers = 1 }) { client, harness in
            let world = try await CivilWorld.create(harness.platform)
            let platform = harness.platform
            var alice = try await client.token("alice")
            let id = try await client.draft(alice, "outdoor-advertising-permit", ["signKind": "wall", "location": "서울 종로구 인사동길 12"])
            // Incomplete: missing inputs and uploads are listed field by field.
            let incomplete = try await client.submit(alice, id)
            #expect(incomplete.status == .unprocessableContent)
            let fields = Set(((incomplete.jsonObject["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields.isSuperset(of: ["areaSquareMetres", "displayUntil", "upload.design", "upload.consent"]))
            let patch = try await client.api(.patch, "/api/v1/civil/applications/\(id)", token: alice,
                                             json: #"{"inputs":{"signKind":"wall","location":"서울 종로구 인사동길 12","areaSquareMetres":"4","displayUntil":"2027-06-30"}}"#)
            #expect(patch.status == .ok)
            #expect(try await client.attach(alice, id, "design").status == .created)
            #expect(try await client.attach(alice, id, "consent").status == .created)
            #expect(try await client.attach(alice, id, "photo").status == .unprocessableContent)

            // The fee is charged first; submission completes when it is paid.
            let unpaid = try await client.submit(alice, id)
            #expect(unpaid.status == .conflict && unpaid.jsonObject["code"] as? String == "payment_pending")
            let aliceID = try #require(harness.fixtures.alice).id
            let payment = try #require(try await platform.payments.payments(accountID: aliceID, on: harness.db).first)
            #expect(payment.amountMinor == 20_000 && payment.status == .pending && payment.module == "civil")
            #expect(try await client.application(alice, id)["state"] as? String == "draft")
            _ = try await platform.payments.reconcile(PaymentNotice(reference: payment.reference, amountMinor: 20_000, currency: "KRW", bankTransactionID: "T-1",
                                                                    paidAt: harness.clock.now()), by: .system("bank"), on: harness.db)
            try await world.service.completePaidSubmissions()
            var view = try await client.application(alice, id)
            #expect(view["state"] as? String == "submitted" && view["receiptNumber"] is String)
            let due = try #require(view["dueAt"] as? String)
            // Wednesday 25 November 2026 + 10 working days = Wednesday 9 December, end of day KST.
            #expect(due == "2026-12-09T15:00:00.000Z")

            var clerk = try await client.officerToken("clerk.jongno", harness)
            #expect(try await client.event(clerk, id, ["event": "receive"]).status == .ok)
            // A request for a supplement stops the clock.
            #expect(try await client.event(clerk, id, ["event": "request_supplement", "message": ""]).status == .unprocessableContent)
            #expect(try await client.event(clerk, id, ["event": "request_supplement", "message": "Send the drawing with dimensions."]).status == .ok)
            view = try await client.application(alice, id)
            #expect(view["state"] as? String == "supplement_requested" && view["clockStoppedAt"] is String)
            // Three working days later (Wednesday → Monday) the applicant answers: the due date moves by three working days.
            harness.clock.advance(by: 5 * 86_400)
            alice = try await client.token("alice")  // tokens last an hour
            clerk = try await client.officerToken("clerk.jongno", harness)
            #expect(try await client.event(alice, id, ["event": "answer_supplement", "message": "Drawing attached."]).status == .ok)
            view = try await client.application(alice, id)
            #expect(view["state"] as? String == "under_review" && view["clockStoppedAt"] == nil)
            #expect(view["dueAt"] as? String == "2026-12-14T15:00:00.000Z")

            // Transfer once (the configured maximum), then no more.
            let noReason = try await client.event(clerk, id, ["event": "transfer", "agency": "6110000", "reason": ""])
            #expect(noReason.status == .unprocessableContent)
            let transferred = try await client.event(clerk, id, ["event": "transfer", "agency": "6110000", "reason": "Signs on arterial roads are Seoul's"])
            #expect(transferred.status == .ok, "\(transferred.text)")
            // The first agency no longer sees it.
            #expect(try await client.api(.get, "/api/v1/civil/applications/\(id)", token: clerk).status == .notFound)
            let seoulClerk = try await client.officerToken("clerk.seoul", harness)
            #expect(try await client.event(seoulClerk, id, ["event": "receive"]).status == .ok)
            let again = try await client.event(seoulClerk, id, ["event": "transfer", "agency": "3000000", "reason": "Back"])
            #expect(again.status == .unprocessableContent && again.text.contains("transfer"))
            #expect(try await client.event(seoulClerk, id, ["event": "start_review"]).status == .ok)

            // Rejection needs reasons and how to object; without them nothing changes.
            let bare = try await client.event(seoulClerk, id, ["event": "reject", "reasons": "", "howToObject": ""])
            #expect(bare.status == .unprocessableContent)
            #expect(try await client.application(alice, id)["state"] as? String == "under_review")
            #expect(try await client.event(seoulClerk, id, ["event": "reject", "reasons": "Too large for the facade.", "howToObject": ""]).status == .unprocessableContent)
            #expect(try await client.event(seoulClerk, id, ["event": "reject", "reasons": "Too large for the facade.",
                                                           "howToObject": "Object within 90 days on this page."]).status == .ok)
            // The fee of a rejected application can be refunded; the ledger balances.
            let refunded = try await client.api(.post, "/api/v1/civil/applications/\(id)/refund", token: seoulClerk, json: #"{"reason":"Rejected"}"#)
            #expect(refunded.status == .ok)
            #expect(try await platform.payments.payment(reference: payment.reference, on: harness.db)?.status == .refunded)
            #expect(try await platform.payments.balance(paymentID: payment.id, on: harness.db) == 0)

            // The applicant objects; the agency accepts and approves: the permit is issued.
            #expect(try await client.event(alice, id, ["event": "file_objection", "grounds": "The facade is 12 m wide; 4 m² is allowed."]).status == .ok)
            #expect(try await client.event(alice, id, ["event": "file_objection", "grounds": "Again"]).status == .conflict)
            #expect(try await client.event(seoulClerk, id, ["event": "decide_objection", "accepted": true, "reasons": "The facade was measured wrongly."]).status == .ok)
            // An accepted objection waits in the agency's queue for a new decision.
            let queue = try await client.api(.get, "/api/v1/civil/queue", token: seoulClerk)
            #expect(queue.text.lowercased().contains(id.lowercased()))
            let approved = try await client.event(seoulClerk, id, ["event": "approve", "message": "Permit granted."])
            #expect(approved.status == .ok, "\(approved.text)")
            view = approved.jsonObject
            #expect(view["state"] as? String == "certificate_issued" && view["documentNumber"] is String)
            let states = ((view["events"] as? [[String: Any]]) ?? []).compactMap { $0["toState"] as? String }
            #expect(states == ["submitted", "received", "supplement_requested", "under_review", "transferred", "received", "under_review", "rejected",
                               "objection_filed", "objection_decided", "approved", "certificate_issued"])
            let document = try await platform.documents.verify(number: try #require(view["documentNumber"] as? String),
                                                               code: try await Self.shortCode(platform, view), on: harness.db)
            #expect(document.outcome == .valid && document.agencyCode == "6110000")
        }
    }

    @Test("another citizen or another agency cannot read or act on an application; the applicant cannot decide it")
    func isolation() async throws {
        try await withTestApp { client, harness in
            _ = try await CivilWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let bob = try await client.token("bob")
            let id = try await client.draft(alice, "birth-report", ["childName": "김하나", "birthDate": "2026-11-20", "birthPlace": "서울대학교병원"])
            #expect(try await client.attach(alice, id, "birthCertificate").status == .created)
            // A draft is the applicant's alone: the agency sees it once submitted.
            let jongnoEarly = try await client.officerToken("clerk.jongno", harness)
            #expect(try await client.api(.get, "/api/v1/civil/applications/\(id)", token: jongnoEarly).status == .notFound)
            harness.clock.advance(by: 30)
            #expect(try await client.submit(alice, id).status == .ok)
            #expect(try await client.api(.get, "/api/v1/civil/applications/\(id)", token: jongnoEarly).status == .ok)
            #expect(try await client.api(.get, "/api/v1/civil/applications/\(id)", token: bob).status == .notFound)
            #expect(try await client.event(bob, id, ["event": "withdraw", "reason": "x"]).status == .notFound)
            #expect(try await client.attach(bob, id, "birthCertificate").status == .notFound)
            let tax = try await client.officerToken("clerk.tax", harness)
            #expect(try await client.event(tax, id, ["event": "receive"]).status == .notFound)
            #expect(try await client.event(alice, id, ["event": "approve"]).status == .forbidden)
            // The page too.
            let browser = Browser(client)
            _ = try await browser.signIn("bob")
            #expect(try await browser.get("/civil/applications/\(id)").status == .notFound)
            #expect(try await client.application(alice, id)["state"] as? String == "submitted")
            // The applicant may withdraw; then nothing more happens.
            #expect(try await client.event(alice, id, ["event": "withdraw", "reason": "Filed at the hospital instead"]).status == .ok)
            let jongno = try await client.officerToken("clerk.jongno", harness)
            #expect(try await client.event(jongno, id, ["event": "receive"]).status == .conflict)
        }
    }

    @Test("an approved move-in report changes the resident registry address; a business registration registers the business")
    func registryEffects() async throws {
        try await withTestApp { client, harness in
            _ = try await CivilWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let clerk = try await client.officerToken("clerk.jongno", harness)
            let move = try await client.draft(alice, "move-in-report", ["newAddress": "서울특별시 종로구 율곡로 33", "postalCode": "03142", "moveInDate": "2026-11-23"])
            #expect(try await client.submit(alice, move).status == .ok)
            for event in ["receive", "start_review"] { #expect(try await client.event(clerk, move, ["event": event]).status == .ok) }
            let approved = try await client.event(clerk, move, ["event": "approve"])
            #expect(approved.status == .ok && approved.jsonObject["state"] as? String == "approved")
            let registry = RegistryService(platform: harness.platform)
            let person = try #require(try await registry.person(nationalID: try NationalID("900101-2345678"), on: harness.db))
            #expect(person.address == "서울특별시 종로구 율곡로 33" && person.movedIn == "2026-11-23")

            let tax = try await client.officerToken("clerk.tax", harness)
            let business = try await client.draft(alice, "business-registration", ["businessName": "앨리스 베이커리", "industryCode": "10712",
                                                                                    "businessAddress": "서울특별시 종로구 율곡로 33", "openingDate": "2026-11-20"])
            #expect(try await client.attach(alice, business, "lease").status == .created)
            #expect(try await client.submit(alice, business).status == .ok)
            for event in ["receive", "start_review", "approve"] { #expect(try await client.event(tax, business, ["event": event]).status == .ok) }
            let view = try await client.application(alice, business)
            #expect(view["state"] as? String == "certificate_issued")
            let outcome = try #require(view["outcome"] as? String)
            let number = String(try #require(outcome.split(separator: ":").last)).trimmingCharacters(in: .whitespaces)
            let registered = try #require(try await registry.business(number: try BusinessNumber(number), on: harness.db))
            #expect(registered.name == "앨리스 베이커리" && registered.status == "active")
        }
    }

    @Test("the agency queue is sorted by due date and flags overdue applications; pages render for applicant and official")
    func queueAndPages() async throws {
        try await withTestApp { client, harness in
            _ = try await CivilWorld.create(harness.platform)
            var alice = try await client.token("alice")
            let late = try await client.draft(alice, "move-in-report", ["newAddress": "서울특별시 종로구 율곡로 33", "postalCode": "03142", "moveInDate": "2026-11-23"])
            #expect(try await client.submit(alice, late).status == .ok)
            harness.clock.advance(by: 2 * 86_400)
            alice = try await client.token("alice")
            let fresh = try await client.draft(alice, "birth-report", ["childName": "김하나", "birthDate": "2026-11-20", "birthPlace": "서울"])
            #expect(try await client.attach(alice, fresh, "birthCertificate").status == .created)
            #expect(try await client.submit(alice, fresh).status == .ok)
            let clerk = try await client.officerToken("clerk.jongno", harness)
            let queue = try await client.api(.get, "/api/v1/civil/queue", token: clerk)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(buffer: queue.body)) as? [[String: Any]])
            #expect(items.map { ($0["id"] as? String)?.lowercased() } == [late.lowercased(), fresh.lowercased()])
            #expect(items[0]["overdue"] as? Bool == true && items[1]["overdue"] as? Bool == false)

            harness.clock.advance(by: 30)  // the token above used this step's one-time code
            let official = Browser(client)
            _ = try await official.signIn("clerk.jongno", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            let page = try await official.get("/civil/queue")
            #expect(page.status == .ok && page.text.contains("class=\"overdue\"") && page.text.contains("Move-in report"), "\(page.status) \(page.text.prefix(3000))")
            // The official opens the applicant's attachment; another citizen cannot.
            let freshView = try await client.application(alice, fresh)
            let attachmentID = try #require(((freshView["attachments"] as? [[String: Any]])?.first?["id"] as? String)?.lowercased())
            let file = try await official.get("/civil/applications/\(fresh.lowercased())/attachments/\(attachmentID)")
            #expect(file.status == .ok && file.text.hasPrefix("%PDF") && file.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            let stranger = Browser(client)
            _ = try await stranger.signIn("bob")
            #expect(try await stranger.get("/civil/applications/\(fresh.lowercased())/attachments/\(attachmentID)").status == .notFound)
            let casePage = try await official.get("/civil/applications/\(late.lowercased())")
            #expect(casePage.status == .ok && casePage.text.contains("value=\"receive\""))
            let received = try await official.post("/civil/applications/\(late.lowercased())/events", form: [("event", "receive")])
            #expect(received.status == .seeOther || received.status == .found)
            let badReject = try await official.post("/civil/applications/\(late.lowercased())/events", form: [("event", "start_review")])
            #expect(badReject.status == .seeOther || badReject.status == .found)
            let rejected = try await official.post("/civil/applications/\(late.lowercased())/events", form: [("event", "reject"), ("reasons", ""), ("howToObject", "")])
            #expect(rejected.status == .unprocessableContent && rejected.text.contains("error-summary"))

            let citizen = Browser(client)
            _ = try await citizen.signIn("alice")
            let mine = try await citizen.get("/civil/applications")
            #expect(mine.status == .ok && mine.text.contains("Birth report"))
            let apply = try await citizen.get("/services/resident-abstract")
            #expect(apply.text.contains("/services/resident-abstract/apply"))
            let started = try await citizen.post("/services/resident-abstract/apply", form: [])
            let location = try #require(started.headers[.location])
            let draft = try await citizen.get(location)
            #expect(draft.status == .ok && draft.text.contains("name=\"consent\""))
            let noConsent = try await citizen.post(location + "/submit", form: [])
            #expect(noConsent.status == .unprocessableContent)
            let saved = try await citizen.post(location + "/inputs", form: [("in.purpose", "personal")])
            #expect(saved.status == .seeOther || saved.status == .found)
            let submitted = try await citizen.post(location + "/submit", form: [("consent", "yes")])
            #expect(submitted.status == .seeOther || submitted.status == .found)
            let done = try await citizen.get(location)
            #expect(done.text.contains("Certificate issued") && done.text.contains("/my/documents/"))
            let my = try await citizen.get("/my")
            #expect(my.text.contains("Resident Registration Abstract"))
        }
    }

    @Test("the verification page answers by number and code, by upload and by the QR link, and limits failed guesses")
    func verificationPages() async throws {
        try await withTestApp { client, harness in
            _ = try await CivilWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let id = try await client.draft(alice, "resident-abstract", ["purpose": "bank"])
            let view = try await client.submit(alice, id).jsonObject
            let number = try #require(view["documentNumber"] as? String)
            let code = try await Self.shortCode(harness.platform, view)
            let browser = Browser(client)
            let good = try await browser.get("/verify?n=\(number)&c=\(code)")
            #expect(good.status == .ok && good.text.contains("Genuine and valid") && good.text.contains("Jongno-gu Office"))
            // The PDF, uploaded through the form.
            let documents = try await client.api(.get, "/api/v1/me/documents", token: alice)
            let docID = try #require((try JSONSerialization.jsonObject(with: Data(buffer: documents.body)) as? [[String: Any]])?.first?["id"] as? String)
            let pdf = try await client.api(.get, "/api/v1/me/documents/\(docID)/pdf", token: alice)
            #expect(pdf.headers[.contentType] == "application/pdf")
            let page = try await browser.get("/verify")
            let csrf = try #require(page.text.range(of: "_csrf=").map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            let boundary = "nara-test-boundary"
            var body = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"doc.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
            body.writeImmutableBuffer(pdf.body)
            body.writeString("\r\n--\(boundary)--\r\n")
            var headers = browser.headers
            headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
            headers[.cookie] = browser.cookieJar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let uploaded = try await client.execute(uri: "/verify/pdf?_csrf=\(csrf)", method: .post, headers: headers, body: body)
            #expect(uploaded.status == .ok && String(buffer: uploaded.body).contains("Genuine and valid"))
            // The API takes the PDF as the body.
            let byAPI = try await client.execute(uri: "/api/v1/documents/verify", method: .post, headers: [.contentType: "application/pdf"], body: pdf.body)
            let outcome = (try JSONSerialization.jsonObject(with: Data(buffer: byAPI.body)) as? [String: Any])?["outcome"] as? String
            #expect(byAPI.status == .ok && outcome == "valid")
            // A changed byte and a revoked certificate, as the page and the API report them.
            var changed = Array(pdf.body.readableBytesView)
            let title = Array("Resident Registration Abstract".utf8)
            let at = try #require((0...(changed.count - title.count)).first { Array(changed[$0..<($0 + title.count)]) == title })
            changed[at] = UInt8(ascii: "r")
            let tampered = try await client.execute(uri: "/api/v1/documents/verify", method: .post, headers: [.contentType: "application/pdf"],
                                                   body: ByteBuffer(bytes: changed))
            let tamperedAnswer = try JSONSerialization.jsonObject(with: Data(buffer: tampered.body)) as? [String: Any]
            #expect(tamperedAnswer?["outcome"] as? String == "not_genuine" && tamperedAnswer?["reason"] as? String == "signature_invalid")
            _ = try await harness.platform.documents.revoke(number: number, agencyID: try #require(try await harness.platform.identity.agency(code: "3000000", on: harness.db)).id,
                                                            reason: "Issued for the wrong person", by: .system("test"), on: harness.db)
            let revokedPage = try await browser.get("/verify?n=\(number)&c=\(code)")
            #expect(revokedPage.text.contains("Genuine, but revoked") && revokedPage.text.contains("Issued for the wrong person"))
            // Guessing is limited: ten failures from one address, then 429 with Retry-After even for a right answer.
            for _ in 0..<9 {  // the tampered PDF above was the first failure
                let wrong = try await client.api(.post, "/api/v1/documents/verify", json: "{\"number\":\"\(IssuanceNumber.generate())\",\"code\":\"AAAAAAAA\"}")
                #expect(wrong.status == .ok && wrong.jsonObject["outcome"] as? String == "not_genuine")
            }
            let blocked = try await client.api(.post, "/api/v1/documents/verify", json: "{\"number\":\"\(number)\",\"code\":\"\(code)\"}")
            #expect(blocked.status == .tooManyRequests && blocked.headers[.retryAfter] != nil)
        }
    }

    static func shortCode(_ platform: Platform, _ view: [String: Any]) async throws -> String {
        let applicant = try #require(UUID(uuidString: view["applicantAccountID"] as? String ?? ""))
        let documentID = try #require(UUID(uuidString: view["documentID"] as? String ?? ""))
        return try await platform.documents.detail(documentID: documentID, holderAccountID: applicant, on: platform.db).shortCode
    }
}

@Suite("Civil application rules")
struct ApplicationRuleTests {
    let now = Date(timeIntervalSince1970: 1_795_568_400)

    @Test("illegal transitions are refused with a typed error")
    func illegal() {
        let facts = ApplicationFacts(now: now)
        #expect(throws: ApplicationTransitionError.self) { try ApplicationMachine.apply(.approve(note: ""), to: .draft, facts: facts) }
        #expect(throws: ApplicationTransitionError.self) { try ApplicationMachine.apply(.answerSupplement(message: "x"), to: .underReview, facts: facts) }
        #expect(throws: ApplicationTransitionError.self) { try ApplicationMachine.apply(.fileObjection(grounds: "x"), to: .objectionDecided, facts: facts) }
        #expect(throws: ApplicationTransitionError.self) { try ApplicationMachine.apply(.withdraw(reason: ""), to: .certificateIssued, facts: facts) }
        #expect(throws: ApplicationTransitionError.self) { try ApplicationMachine.apply(.issueCertificate, to: .approved, facts: facts) }
        #expect(throws: ApplicationTransitionError.self) {
            try ApplicationMachine.apply(.approve(note: ""), to: .objectionDecided, facts: ApplicationFacts(objectionAccepted: false, now: now))
        }
        #expect((try? ApplicationMachine.apply(.approve(note: ""), to: .objectionDecided, facts: ApplicationFacts(objectionAccepted: true, now: now))) == .approved)
        // An objection after 90 days is refused.
        let late = ApplicationFacts(decidedAt: now.addingTimeInterval(-91 * 86_400), now: now)
        #expect(throws: ApplicationTransitionError.self) { try ApplicationMachine.apply(.fileObjection(grounds: "late"), to: .rejected, facts: late) }
        // Every state has at least one way out except the final ones.
        for state in ApplicationState.allCases where !state.isClosed {
            let events: [ApplicationEvent] = [.submit, .receive, .requestSupplement(message: "m"), .answerSupplement(message: "m"), .startReview,
                                              .transfer(toAgency: UUID(), reason: "r"), .approve(note: ""), .reject(reasons: "r", howToObject: "h"),
                                              .issueCertificate, .withdraw(reason: ""), .fileObjection(grounds: "g"), .decideObjection(accepted: true, reasons: "r")]
            let moves = events.filter { (try? ApplicationMachine.apply($0, to: state, facts: ApplicationFacts(issuesCertificate: true, now: now))) != nil }
            #expect(!moves.isEmpty, "\(state) is a dead end")
        }
    }

    @Test("a stopped clock moves the due date by the time stopped, in the period's own unit")
    func clockStop() {
        let calendar = BusinessCalendar(timeZone: TimeZone(identifier: "Asia/Seoul")!, holidays: [])
        let start = now  // Wednesday 25 November 2026, 10:00 KST
        let due = DueDates.initial(period: ProcessingPeriod(.workingDays, 5), from: start, calendar: calendar)
        // Stopped Thursday 26th, resumed Tuesday 1 December: 3 working days (Fri, Mon, Tue).
        let resumed = DueDates.resumed(due: due, stoppedAt: start.addingTimeInterval(86_400), resumedAt: start.addingTimeInterval(6 * 86_400),
                                       period: ProcessingPeriod(.workingDays, 5), calendar: calendar)
        #expect(calendar.localDay(of: due.addingTimeInterval(-1)).description == "2026-12-02")
        #expect(calendar.localDay(of: resumed.addingTimeInterval(-1)).description == "2026-12-07")
        // Working hours: two working hours stopped move the deadline by two working hours.
        let hours = DueDates.initial(period: ProcessingPeriod(.workingHours, 3), from: start, calendar: calendar)
        let moved = DueDates.resumed(due: hours, stoppedAt: start, resumedAt: start.addingTimeInterval(2 * 3600), period: ProcessingPeriod(.workingHours, 3),
                                     calendar: calendar)
        #expect(calendar.workingSeconds(from: hours, to: moved) == 2 * 3600)
        // Not stopped: unchanged.
        #expect(DueDates.resumed(due: due, stoppedAt: start, resumedAt: start, period: ProcessingPeriod(.workingDays, 5), calendar: calendar) == due)
    }

    @Test("inputs are checked against the service definition")
    func inputs() throws {
        let permit = try #require(DemoCatalogue.all.first { $0.code == "outdoor-advertising-permit" })
        let today = LocalDay("2026-11-25")!
        #expect(throws: NaraError.self) { _ = try permit.validate(inputs: ["signKind": "neon"], today: today, requireAll: false) }
        #expect(throws: NaraError.self) { _ = try permit.validate(inputs: ["areaSquareMetres": "-3"], today: today, requireAll: false) }
        #expect(throws: NaraError.self) { _ = try permit.validate(inputs: ["salary": "1"], today: today, requireAll: false) }
        #expect(throws: NaraError.self) { _ = try permit.validate(inputs: ["signKind": "wall"], today: today) }
        let ok = try permit.validate(inputs: ["signKind": "wall", "location": " 서울 ", "areaSquareMetres": "4", "displayUntil": "2027-01-01"], today: today)
        #expect(ok["location"] == "서울")
    }
}
