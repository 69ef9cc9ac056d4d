import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

@Suite("Complaints")
struct ComplaintAPITests {
    static func decode(_ response: TestResponse) throws -> ComplaintView {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parseISO8601(text) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text)) }
            return date
        }
        return try decoder.decode(ComplaintView.self, from: Data(buffer: response.body))
    }

    @Test("a complaint is checked field by field (nothing stored), numbered, due in the type's working days and sent where routing says")
    func filing() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let bad = try await client.api(.post, "/api/v1/petitions/complaints", token: alice,
                                           json: #"{"type":"grumble","category":"moon","title":"Hi","body":"short","latitude":91}"#)
            #expect(bad.status == .unprocessableContent)
            for field in ["type", "category", "title", "body", "latitude"] { #expect(bad.text.contains("\"field\":\"\(field)\""), "\(field): \(bad.text)") }
            #expect(try await client.api(.post, "/api/v1/petitions/complaints", token: alice, json: #"{"type":"grievance","title":"Pothole\u0007","body":"A pothole in the bus lane."}"#)
                .text.contains("control_characters"))
            #expect(try await ComplaintModel.query(on: harness.db).count() == 0)
            // 2026-11-25 (Wednesday) + 7 working days: 2026-12-04, end of the day in Seoul.
            let filed = try await client.api(.post, "/api/v1/petitions/complaints", token: alice, json: PetitionsWorld.complaint())
            #expect(filed.status == .created, "\(filed.text)")
            let view = try Self.decode(filed)
            #expect(view.number == "EP-2026-0000001" && view.state == .submitted && view.agencyCode == "3000000" && view.accessCode == nil)
            #expect(Timestamp.iso8601Millis(view.dueAt) == "2026-12-04T15:00:00.000Z", "\(view.dueAt)")
            #expect(view.routing == nil, "the complainant does not see the routing notes")
            // The officials of the district see it, with the routing; another agency's do not.
            let jongno = try await PetitionsWorld.official(client, harness, "jongno")
            let seen = try Self.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: jongno))
            #expect(seen.routing?.agencyCode == "3000000" && seen.routing?.reasons.isEmpty == false)
            #expect(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: try await PetitionsWorld.official(client, harness, "nts")).status == .notFound)
            #expect(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: try await client.token("bob")).status == .notFound,
                    "a citizen cannot read another's complaint")
            let queue = try await client.api(.get, "/api/v1/petitions/queue", token: jongno)
            #expect(queue.text.contains(view.number))
            // Officials and operators do not file; a type that needs a name is refused without one.
            #expect(try await client.api(.post, "/api/v1/petitions/complaints", token: jongno, json: PetitionsWorld.complaint()).status == .forbidden)
            #expect(try await client.api(.post, "/api/v1/petitions/complaints", json: PetitionsWorld.complaint()).status == .unauthorized)
            #expect(try await ComplaintModel.query(on: harness.db).count() == 1)
        }
    }

    @Test("an anonymous safety report gets an access code once; with it the complaint is read, rated and objected to, without it nothing")
    func anonymous() async throws {
        try await withTestApp { client, harness in
            let world = try await PetitionsWorld.create(harness.platform)
            let filed = try await client.api(.post, "/api/v1/petitions/complaints", json: PetitionsWorld.complaint(type: "safety-report", title: "Loose sign at the crossing",
                                                                                                                  body: "The sign above the turn lane swings in the wind.",
                                                                                                                  location: "서울 세종대로", extra: #","public":true"#))
            #expect(filed.status == .created, "\(filed.text)")
            let view = try Self.decode(filed)
            let code = try #require(view.accessCode)
            #expect(view.filerKind == "anonymous" && view.agencyCode == "6110000" && view.public)
            let stored = try #require(try await ComplaintModel.find(view.id, on: harness.db))
            #expect(stored.accessCodeHash != nil && stored.accessCodeHash != code, "only a hash is kept")
            let found = try await client.api(.post, "/api/v1/petitions/complaints/lookup", json: "{\"number\":\"\(view.number)\",\"accessCode\":\"\(code)\"}")
            #expect(found.status == .ok)
            #expect(try Self.decode(found).accessCode == nil)
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/lookup", json: "{\"number\":\"\(view.number)\",\"accessCode\":\"WRONGCODE234\"}").status == .notFound)
            // Answered by the city; the holder of the code rates it.
            _ = try await world.service.act(view.id, .receive, by: try await world.actor("seoul"), requestID: nil)
            _ = try await world.service.act(view.id, .draft(text: "Bolted again the same day."), by: try await world.actor("seoul"), requestID: nil)
            // The city has no second official: the commission's approver cannot approve another agency's answer.
            let fingerprint = PetitionsService.fingerprint("Bolted again the same day.")
            do {
                _ = try await world.service.act(view.id, .approve(draft: fingerprint), by: try await world.actor("acrc"), requestID: nil)
                Issue.record("the commission approved the city's answer")
            } catch let error as NaraError {
                #expect(error.kind == .forbidden, "\(error)")
            }
            #expect(try await ComplaintModel.find(view.id, on: harness.db)?.state == "received")
            let seoulLead = try await harness.platform.identity.createAccount(NewAccount(username: "seoul.lead", password: Fixtures.password, displayName: "Lead",
                                                                                          kind: .official, agencyCode: "6110000", extraRoles: ["complaints-approver"],
                                                                                          fixedTOTPSecret: Fixtures.totpSecret), by: .system("test"), on: harness.db)
            _ = seoulLead
            _ = try await world.service.act(view.id, .approve(draft: fingerprint), by: try await world.actor("seoul.lead"), requestID: nil)
            let noCode = try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/complainant-events", json: #"{"event":"rate","score":5}"#)
            #expect(noCode.status == .notFound)
            let rated = try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/complainant-events", json: "{\"event\":\"rate\",\"score\":5,\"accessCode\":\"\(code)\"}")
            #expect(rated.status == .ok, "\(rated.text)")
            #expect(try Self.decode(rated).rating == 5)
        }
    }

    @Test("accept, review, extend once, draft and approve by another official; the complainant rates once, objects once in time and the agency answers again")
    func lifecycle() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            var alice = try await client.token("alice")
            let view = try Self.decode(try await client.api(.post, "/api/v1/petitions/complaints", token: alice, json: PetitionsWorld.complaint()))
            var jongno = try await PetitionsWorld.official(client, harness, "jongno")
            var lead = try await PetitionsWorld.official(client, harness, "jongno.lead")
            func step(_ token: String, _ json: String) async throws -> TestResponse {
                try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/events", token: token, json: json)
            }
            func mine(_ json: String) async throws -> TestResponse {
                try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/complainant-events", token: alice, json: json)
            }
            /// Approves the draft the approver reads now.
            func approve(_ token: String) async throws -> TestResponse {
                let read = try Self.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: token))
                return try await step(token, "{\"event\":\"approve\",\"draft\":\"\(read.draftHash ?? "none")\"}")
            }
            #expect(try await step(jongno, #"{"event":"draft","text":"Too early"}"#).status == .conflict, "drafted before it is received")
            #expect(try await step(jongno, #"{"event":"receive"}"#).status == .ok)
            #expect(try await step(jongno, #"{"event":"receive"}"#).status == .conflict)
            #expect(try await step(jongno, #"{"event":"start_review"}"#).status == .ok)
            // One extension, within the period once more after the due date (2026-12-04 + 7 working days = 2026-12-15).
            #expect(try await step(jongno, #"{"event":"extend","reason":"","dueAt":"2026-12-10T15:00:00Z"}"#).status == .unprocessableContent)
            #expect(try await step(jongno, #"{"event":"extend","reason":"Repair crew","dueAt":"2026-12-16T15:00:00Z"}"#).status == .unprocessableContent)
            let extended = try Self.decode(try await step(jongno, #"{"event":"extend","reason":"The repair crew inspects it on Monday.","dueAt":"2026-12-10T15:00:00Z"}"#))
            #expect(extended.state == .extended && extended.extended && Timestamp.iso8601Millis(extended.dueAt) == "2026-12-10T15:00:00.000Z")
            #expect(try await step(jongno, #"{"event":"extend","reason":"again","dueAt":"2026-12-11T15:00:00Z"}"#).status == .conflict)
            // The answer: drafted by one official, approved by another.
            #expect(try await approve(lead).status == .conflict, "nothing drafted")
            #expect(try await step(lead, #"{"event":"approve"}"#).status == .unprocessableContent, "the draft is named")
            // The approver cannot approve a draft of its own.
            #expect(try await step(lead, #"{"event":"draft","text":"Will be repaired."}"#).status == .ok)
            #expect(try await approve(lead).status == .conflict, "four eyes")
            #expect(try await step(jongno, #"{"event":"draft","text":"We repaired the pothole on 2 December."}"#).status == .ok)
            #expect(try await mine(#"{"event":"rate","score":5}"#).status == .conflict, "nothing to rate yet")
            #expect(try await approve(jongno).status == .forbidden, "an officer without the approver role")
            // A draft changed after the approver read it is not sent.
            let stale = try Self.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: lead)).draftHash ?? ""
            #expect(try await step(jongno, #"{"event":"draft","text":"We repaired the pothole on 7 December."}"#).status == .ok)
            #expect(try await step(lead, "{\"event\":\"approve\",\"draft\":\"\(stale)\"}").status == .conflict)
            // Approved after the filing's due date (4 December) but within the extension (10 December): on time.
            harness.clock.advance(by: 86_400 * 12)
            (alice, jongno, lead) = (try await client.token("alice"), try await PetitionsWorld.official(client, harness, "jongno"),
                                     try await PetitionsWorld.official(client, harness, "jongno.lead"))
            let answered = try Self.decode(try await approve(lead))
            #expect(answered.state == .answered && answered.answer == "We repaired the pothole on 7 December." && answered.draft == nil)
            let seenByAlice = try Self.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: alice))
            #expect(seenByAlice.draft == nil && seenByAlice.history.contains { $0.event == "extend" && $0.note.contains("repair crew") })
            #expect(try await harness.platform.notifications.inbox(accountID: try #require(harness.fixtures.alice).id, on: harness.db).contains { $0.title.contains(view.number) })
            // Rated once; 0 and 6 are refused.
            #expect(try await mine(#"{"event":"rate","score":6}"#).status == .unprocessableContent)
            #expect(try await mine(#"{"event":"rate","score":2,"comment":"Slow"}"#).status == .ok)
            #expect(try await mine(#"{"event":"rate","score":3}"#).status == .conflict)
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/complainant-events", token: try await client.token("bob"),
                                         json: #"{"event":"object","grounds":"Not mine"}"#).status == .notFound)
            // An objection within 30 days reopens it with a new due date; a second is refused.
            harness.clock.advance(by: 86_400 * 10)
            (alice, jongno, lead) = (try await client.token("alice"), try await PetitionsWorld.official(client, harness, "jongno"),
                                     try await PetitionsWorld.official(client, harness, "jongno.lead"))
            let empty = try await mine(#"{"event":"object","grounds":""}"#)
            #expect(empty.status == .unprocessableContent, "\(empty.text)")
            let objected = try await mine(#"{"event":"object","grounds":"The repair already cracked again."}"#)
            #expect(objected.status == .ok, "\(objected.text)")
            let reopened = try Self.decode(objected)
            #expect(reopened.state == .reopened && reopened.objection == "The repair already cracked again." && reopened.dueAt > harness.clock.now())
            #expect(try await step(jongno, #"{"event":"draft","text":"Resurfaced the whole lane on 14 December."}"#).status == .ok)
            #expect(try Self.decode(try await approve(lead)).state == .answered)
            #expect(try await mine(#"{"event":"object","grounds":"Still bad"}"#).status == .conflict)
            #expect(try Self.decode(try await mine(#"{"event":"close"}"#)).state == .closed)
            #expect(try await step(jongno, #"{"event":"close"}"#).status == .conflict)
            // Compliance counts the first answer against the due date then in force (the extension's), whatever followed.
            let jongnoCompliance = try #require(try await PetitionsModule.service(harness.platform).compliance().first { $0.agencyCode == "3000000" })
            #expect(jongnoCompliance.answered == 1 && jongnoCompliance.answeredOnTime == 1, "\(jongnoCompliance)")
            #expect(try await AuditEntryModel.query(on: harness.db).filter(\.$objectID == view.number).count() >= 8)
        }
    }

    @Test("a transfer needs a reason and is capped; the coordinating agency assigns beyond the cap; nobody accepting in a working day escalates")
    func transfersAndEscalation() async throws {
        try await withTestApp { client, harness in
            let world = try await PetitionsWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let view = try Self.decode(try await client.api(.post, "/api/v1/petitions/complaints", token: alice, json: PetitionsWorld.complaint()))
            var tokens = [
                "jongno": try await PetitionsWorld.official(client, harness, "jongno"), "seoul": try await PetitionsWorld.official(client, harness, "seoul"),
                "molit": try await PetitionsWorld.official(client, harness, "molit"), "nts": try await PetitionsWorld.official(client, harness, "nts"),
                "acrc": try await PetitionsWorld.official(client, harness, "acrc"),
            ]
            func transfer(_ from: String, to code: String, reason: String = "Not ours") async throws -> TestResponse {
                try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/events", token: tokens[from]!,
                                     json: "{\"event\":\"transfer\",\"agency\":\"\(code)\",\"reason\":\"\(reason)\"}")
            }
            #expect(try await transfer("jongno", to: "6110000", reason: " ").status == .unprocessableContent)
            #expect(try await transfer("jongno", to: "9999999").status == .unprocessableContent)
            #expect(try await transfer("seoul", to: "1613000").status == .notFound, "not Seoul's complaint")
            #expect(try await transfer("jongno", to: "6110000").status == .ok)
            #expect(try await transfer("seoul", to: "1613000").status == .ok)
            #expect(try await transfer("molit", to: "1210000").status == .ok)
            let capped = try await transfer("nts", to: "3000000")
            #expect(capped.status == .conflict && capped.text.contains("transferred 3 times"), "\(capped.text)")
            let stored = try #require(try await ComplaintModel.find(view.id, on: harness.db))
            #expect(stored.transfers == 3 && stored.state == "transferred")
            // Nobody at the tax service accepts it: after one working day the commission has it.
            #expect(try await world.service.escalateUnaccepted() == 0, "not yet")
            harness.clock.advance(by: 86_400 * 2)
            for name in Array(tokens.keys) { tokens[name] = try await PetitionsWorld.official(client, harness, name) }
            #expect(try await world.service.escalateUnaccepted() == 1)
            let read = try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: tokens["acrc"]!)
            #expect(read.status == .ok, "\(read.text)")
            let escalated = try Self.decode(read)
            #expect(escalated.agencyCode == "1140100" && escalated.escalated && escalated.transfers == 3)
            #expect(try await world.service.escalateUnaccepted() == 0, "never twice")
            // The commission assigns it beyond the cap; the district accepts.
            #expect(try await transfer("acrc", to: "3000000", reason: "Road repairs in Jongno are the district's").status == .ok)
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/\(view.id)/events", token: tokens["jongno"]!, json: #"{"event":"receive"}"#).status == .ok)
            let history = try Self.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(view.id)", token: try await client.token("alice"))).history.map(\.event)
            #expect(history == ["submit", "transfer", "transfer", "transfer", "escalate", "transfer", "receive"], "\(history)")
        }
    }

    @Test("complaint types and settings are kept by the administrators: a new period applies to later complaints; bad values change nothing")
    func typesAndSettings() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            let types = try await client.api(.get, "/api/v1/petitions/complaint-types")
            #expect(types.text.contains("\"code\":\"grievance\"") && types.text.contains("\"periodWorkingDays\":14"))
            let acrcAccount = try #require(try await harness.platform.identity.account(username: "acrc", on: harness.db))
            try await harness.platform.identity.grantRole(accountID: acrcAccount.id, role: "complaints-administrator", by: .system("test"), on: harness.db)
            let admin = try await PetitionsWorld.official(client, harness, "acrc")
            let body = #"{"code":"grievance","nameEN":"Grievance","nameKO":"고충민원","periodWorkingDays":5,"anonymousAllowed":false,"objectionDays":30,"active":true}"#
            #expect(try await client.api(.put, "/api/v1/petitions/complaint-types/grievance", token: try await PetitionsWorld.official(client, harness, "jongno"),
                                         json: body).status == .forbidden)
            #expect(try await client.api(.put, "/api/v1/petitions/complaint-types/grievance", token: admin,
                                         json: body.replacingOccurrences(of: "\"periodWorkingDays\":5", with: "\"periodWorkingDays\":0")).status == .unprocessableContent)
            #expect(try await client.api(.put, "/api/v1/petitions/complaint-types/other", token: admin, json: body).status == .unprocessableContent)
            #expect(try await client.api(.put, "/api/v1/petitions/complaint-types/grievance", token: admin, json: body).status == .ok)
            let view = try Self.decode(try await client.api(.post, "/api/v1/petitions/complaints", token: try await client.token("alice"), json: PetitionsWorld.complaint()))
            #expect(Timestamp.iso8601Millis(view.dueAt) == "2026-12-02T15:00:00.000Z", "5 working days after Wednesday 25 November")
            #expect(try await client.api(.put, "/api/v1/petitions/settings", token: admin, json: #"{"maxTransfers":11,"acceptanceWorkingDays":1,"coordinatorCode":"1140100"}"#)
                .status == .unprocessableContent)
            #expect(try await client.api(.put, "/api/v1/petitions/settings", token: admin, json: #"{"maxTransfers":1,"acceptanceWorkingDays":2,"coordinatorCode":"0000000"}"#)
                .status == .unprocessableContent)
            #expect(try await client.api(.put, "/api/v1/petitions/settings", token: admin, json: #"{"maxTransfers":1,"acceptanceWorkingDays":2,"coordinatorCode":"1140100"}"#)
                .status == .ok)
            #expect(try await client.api(.get, "/api/v1/petitions/settings").text.contains("\"maxTransfers\":1"))
        }
    }

    @Test("60 complaints filed at once commit in groups: each answered with its own number, gap-free, every one stored with its history")
    func concurrentFiling() async throws {
        try await withTestPlatform { platform, _, _ in
            let world = try await PetitionsWorld.create(platform)
            let alice = try await world.actor("alice"), bob = try await world.actor("bob")
            let views = try await withThrowingTaskGroup(of: ComplaintView.self) { group in
                for i in 0..<60 {
                    group.addTask {
                        try await world.service.file(NewComplaint(type: "grievance", category: "roads", title: "Pothole number \(i)",
                                                                  body: "A pothole in the bus lane, report \(i).", location: "서울특별시 종로구 종로 129"),
                                                     by: i % 2 == 0 ? alice : bob, requestID: nil)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(views.map(\.number)) == Set((1...60).map { String(format: "EP-2026-%07d", $0) }))
            #expect(try await ComplaintModel.query(on: platform.db).count() == 60)
            #expect(try await ComplaintEventModel.query(on: platform.db).filter(\.$event == "submit").count() == 60)
            let batches = await world.service.filing.statistics().batches
            #expect(batches >= 1 && batches < 60, "\(batches) commits for 60 filings")
        }
    }

    @Test("the demo seed holds complaints in every state across agencies, some overdue, one escalated and one anonymous")
    func demo() async throws {
        try await withDemoPlatform { platform in
            let all = try await ComplaintModel.query(on: platform.db).all()
            let states = Set(all.map(\.state))
            #expect(states.isSuperset(of: ["submitted", "received", "under_review", "transferred", "extended", "closed", "answered", "reopened", "merged"]), "\(states)")
            #expect(all.contains { $0.escalated } && all.contains { $0.filerKind == "anonymous" })
            #expect(Set(all.map(\.agencyID)).count >= 4)
            // A pair of like complaints is proposed for merging on the district's page.
            let pothole = try #require(all.first { $0.title.hasPrefix("Deep pothole") })
            let jongno = try #require(try await platform.identity.account(username: "official.jongno", on: platform.db))
            let similar = try await PetitionsModule.service(platform).similar(to: pothole.id!, by: platform.identity.actor(for: jongno, secondFactorVerified: true))
            #expect(similar.contains { $0.samePlace }, "\(similar)")
            #expect(try await ComplaintAttachmentModel.query(on: platform.db).count() >= 1, "a complaint with an attached file")
            let compliance = try await PetitionsModule.service(platform).compliance()
            #expect(compliance.contains { $0.overdueOpen > 0 } && compliance.contains { $0.answered > 0 }, "\(compliance)")
            // A collective complaint of 20 people heads the district's queue.
            let service = PetitionsModule.service(platform)
            let queue = try await service.queue(for: platform.identity.actor(for: jongno, secondFactorVerified: true))
            #expect(queue.first?.collectivePeople == 20 && queue.first?.title.contains("Sajik tunnel") == true, "\(queue.prefix(2))")
            // The statistics show twelve weeks of work: answers in eight weeks or more, late ones, ratings, several agencies.
            let stats = try await service.statistics()
            #expect(stats.perWeek.filter { $0.answered > 0 }.count >= 8 && stats.filed >= 40, "\(stats.perWeek)")
            #expect(stats.agencies.filter { $0.answered > 0 }.count >= 4 && (stats.onTimeRate ?? 100) < 100 && (stats.onTimeRate ?? 0) > 50, "\(stats.agencies)")
            #expect(stats.satisfaction.rated >= 10 && stats.topCategories.count >= 5, "\(stats.satisfaction) \(stats.topCategories)")
        }
    }
}
