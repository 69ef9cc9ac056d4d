import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

@Suite("Complaints: merging and collective complaints")
struct ComplaintMergingTests {
    static func input(_ id: UUID = UUID(), category: String? = "roads", location: String? = nil, at point: (Double, Double)? = nil,
                      title: String, body: String) -> SimilarityInput {
        SimilarityInput(id: id, category: category, location: location, latitudeMicro: point.map { Int64($0.0 * 1_000_000) },
                        longitudeMicro: point.map { Int64($0.1 * 1_000_000) }, title: title, body: body)
    }

    @Test("like complaints: the same subject within 100 m or at the same address, or texts alike; other places and other matters are not")
    func similarity() {
        let pothole = Self.input(at: (37.570_40, 126.992_10), title: "Pothole at exit 5", body: "A deep pothole in the bus lane.")
        let across = Self.input(at: (37.570_90, 126.992_10), title: "Broken road surface", body: "Scooters fall near the station.")
        let far = Self.input(at: (37.574_00, 126.992_10), title: "Broken road surface", body: "Scooters fall near the station.")
        let noise = Self.input(category: "noise", at: (37.570_40, 126.992_10), title: "Music at night", body: "The bar plays music until 3 am.")
        // about 56 m and 400 m north
        #expect(ComplaintSimilarity.distance(latA: 37_570_400, lonA: 126_992_100, latB: 37_570_900, lonB: 126_992_100).rounded() == 56)
        let found = ComplaintSimilarity.matches(for: pothole, among: [pothole, across, far, noise])
        #expect(found.map(\.id) == [across.id], "\(found)")
        #expect(found.first?.samePlace == true && found.first?.score == 1)
        // The same address, whatever the landmark in brackets and the spacing.
        let a = Self.input(location: "서울특별시 종로구 율곡로 33 (현대빌딩)", title: "Night work", body: "Machines until midnight.")
        let b = Self.input(location: "서울특별시 종로구 율곡로33", title: "Dust", body: "Trucks without covers.")
        #expect(ComplaintSimilarity.matches(for: a, among: [b]).count == 1)
        #expect(ComplaintSimilarity.matches(for: a, among: [Self.input(location: "서울특별시 종로구 율곡로 35", title: "Dust", body: "Trucks without covers.")]).isEmpty)
        // Texts alike are proposed anywhere; Korean words match whatever particle follows.
        let text1 = Self.input(category: nil, title: "재개발 공사장 비산먼지", body: "평창동 재개발 공사장에서 비산먼지가 날려 창문을 열 수 없습니다.")
        let text2 = Self.input(category: "waste", title: "공사장 비산먼지 민원", body: "평창동 재개발 공사장의 비산먼지 때문에 창문을 열 수가 없어요.")
        let other = Self.input(category: nil, title: "버스 배차 간격", body: "7212번 버스가 30분에 한 대씩 옵니다.")
        let alike = ComplaintSimilarity.matches(for: text1, among: [text2, other])
        #expect(alike.map(\.id) == [text2.id], "\(alike)")
        #expect((alike.first?.textLikeness ?? 0) >= ComplaintSimilarity.textThreshold && alike.first?.samePlace == false)
        #expect(ComplaintSimilarity.likeness(ComplaintSimilarity.bigrams("pothole"), ComplaintSimilarity.bigrams("POTHOLE!")) == 1)
        #expect(ComplaintSimilarity.likeness([], ComplaintSimilarity.bigrams("a")) == 0)
    }

    @Test("the agency merges like complaints into one: bad requests change nothing; the merged complainant gets every notice and the same answer; a merge can be undone")
    func merging() async throws {
        try await withTestApp { client, harness in
            let world = try await PetitionsWorld.create(harness.platform)
            let alice = try await client.token("alice"), bob = try await client.token("bob")
            func file(_ token: String, _ json: String) async throws -> ComplaintView {
                let response = try await client.api(.post, "/api/v1/petitions/complaints", token: token, json: json)
                #expect(response.status == .created, "\(response.text)")
                return try ComplaintAPITests.decode(response)
            }
            let first = try await file(alice, PetitionsWorld.complaint(extra: #","latitude":37.5704,"longitude":126.9921"#))
            let second = try await file(bob, PetitionsWorld.complaint(title: "Scooter fell near Jongno 3-ga", body: "The road surface is broken by the station exit.",
                                                                      extra: #","latitude":37.5707,"longitude":126.9922"#))
            let noise = try await file(bob, PetitionsWorld.complaint(category: "noise", title: "Bar music until 3 am", body: "The bar on the corner plays music all night.",
                                                                     location: "서울특별시 종로구 율곡로 33"))
            let tax = try await file(bob, PetitionsWorld.complaint(category: "tax", title: "VAT refund not paid", body: "My VAT refund for the second half is late.",
                                                                   location: nil))
            #expect(tax.agencyCode == "1210000")
            let jongno = try await PetitionsWorld.official(client, harness, "jongno")
            let similar = try ParticipationWorld.decode([SimilarComplaint].self,
                                                        try await client.api(.get, "/api/v1/petitions/complaints/\(first.id)/similar", token: jongno))
            #expect(similar.map(\.number) == [second.number] && similar.first?.samePlace == true && similar.first?.people == 1, "\(similar)")
            #expect(try await client.api(.get, "/api/v1/petitions/complaints/\(first.id)/similar", token: alice).status == .notFound,
                    "proposals are for the agency's officials")
            // Bad requests: each refused, nothing changes.
            func merge(_ token: String, _ into: UUID, _ complaints: String) async throws -> TestResponse {
                try await client.api(.post, "/api/v1/petitions/complaints/\(into)/events", token: token, json: "{\"event\":\"merge\",\"complaints\":\(complaints)}")
            }
            for (list, code) in [("[]", "required"), ("[\"\(first.id)\"]", "itself"), ("[\"EP-2026-0999999\"]", "unknown"), ("[\"\(tax.number)\"]", "other_agency")] {
                let refused = try await merge(jongno, first.id, list)
                #expect(refused.status == .unprocessableContent && refused.text.contains("\"code\":\"\(code)\""), "\(list): \(refused.text)")
            }
            let nts = try await PetitionsWorld.official(client, harness, "nts")
            #expect(try await merge(nts, first.id, "[\"\(second.number)\"]").status == .notFound, "another agency's official")
            #expect(try await merge(alice, first.id, "[\"\(second.number)\"]").status == .forbidden, "the complainant does not merge")
            #expect(try await ComplaintMergeModel.query(on: harness.db).count() == 0)
            #expect(try await ComplaintModel.find(second.id, on: harness.db)?.state == "submitted")
            // The merge: by number or id, the second waits with the first.
            let merged = try ComplaintAPITests.decode(try await merge(jongno, first.id, "[\"\(second.number.lowercased())\"]"))
            #expect(merged.mergedWith == [second.number] && merged.state == .submitted && !merged.collective)
            let bobsView = try ComplaintAPITests.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(second.id)", token: bob))
            #expect(bobsView.state == .merged && bobsView.mergedInto == first.number && bobsView.mergedWith.isEmpty)
            #expect(!(try await client.api(.get, "/api/v1/petitions/queue", token: jongno).text.contains(second.number)), "it leaves the queue")
            #expect(try await merge(jongno, first.id, "[\"\(second.number)\"]").status == .conflict, "merged once")
            #expect(try await merge(jongno, second.id, "[\"\(noise.number)\"]").status == .conflict, "a merged complaint takes no others")
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/\(second.id)/events", token: jongno, json: #"{"event":"receive"}"#).status == .conflict)
            // The first's steps reach the second; its answer is the second's.
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/\(first.id)/events", token: jongno, json: #"{"event":"receive"}"#).status == .ok)
            let text = "We repaired the road surface at exit 5 on 27 November."
            let drafted = try ComplaintAPITests.decode(try await client.api(.post, "/api/v1/petitions/complaints/\(first.id)/events", token: jongno,
                                                                            json: "{\"event\":\"draft\",\"text\":\"\(text)\"}"))
            let lead = try await PetitionsWorld.official(client, harness, "jongno.lead")
            let approved = try await client.api(.post, "/api/v1/petitions/complaints/\(first.id)/events", token: lead,
                                                json: "{\"event\":\"approve\",\"draft\":\"\(drafted.draftHash ?? "")\"}")
            #expect(approved.status == .ok, "\(approved.text)")
            let answered = try ComplaintAPITests.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(second.id)", token: bob))
            #expect(answered.state == .answered && answered.answer == text)
            #expect(answered.history.map(\.event) == ["submit", "merge", "receive", "answer"], "\(answered.history.map(\.event))")
            let notices = try await harness.platform.notifications.inbox(accountID: try #require(harness.fixtures.bob?.id), on: harness.db)
            #expect(notices.contains { $0.body.contains(text) }, "bob is told the answer")
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/\(second.id)/complainant-events", token: bob,
                                         json: #"{"event":"rate","score":5}"#).status == .ok)
            let compliance = try await world.service.compliance()
            #expect(compliance.first { $0.agencyCode == "3000000" }?.answered == 2, "both answered, each in its own period")
            // A merge that was wrong is undone with a reason: the agency handles it on its own again.
            let third = try await file(alice, PetitionsWorld.complaint(category: "noise", title: "Music from the corner bar", body: "Loud music from the bar every night.",
                                                                       location: "서울특별시 종로구 율곡로 33 (1층)"))
            _ = try ComplaintAPITests.decode(try await merge(jongno, noise.id, "[\"\(third.id)\"]"))
            let noReason = try await client.api(.post, "/api/v1/petitions/complaints/\(third.id)/events", token: jongno, json: #"{"event":"separate","reason":" "}"#)
            #expect(noReason.status == .unprocessableContent)
            let separated = try ComplaintAPITests.decode(try await client.api(.post, "/api/v1/petitions/complaints/\(third.id)/events", token: jongno,
                                                                              json: #"{"event":"separate","reason":"Another bar, across the street."}"#))
            #expect(separated.state == .received && separated.mergedInto == nil)
            #expect(try ComplaintAPITests.decode(try await client.api(.get, "/api/v1/petitions/complaints/\(noise.id)", token: jongno)).mergedWith.isEmpty)
            #expect(try await client.api(.post, "/api/v1/petitions/complaints/\(third.id)/events", token: jongno,
                                         json: #"{"event":"separate","reason":"again"}"#).status == .conflict)
        }
    }

    @Test("20 different people make a collective complaint: the same person twice and anonymous reports do not count; it leads the queue and the coordinator sees it")
    func collective() async throws {
        try await withTestApp { client, harness in
            let world = try await ParticipationWorld.create(harness.platform, citizens: 20)
            let service = world.world.service
            let dust = "Dust from the redevelopment site in Pyeongchang-dong covers our windows; the trucks leave without covers."
            func file(_ who: String?, type: String = "grievance") async throws -> ComplaintView {
                try await service.file(NewComplaint(type: type, category: "waste", title: "Construction dust in Pyeongchang-dong", body: dust,
                                                    location: "서울특별시 종로구 평창동 (재개발 구역)"),
                                       by: try await who.asyncMap { try await world.actor($0) }, requestID: nil)
            }
            let primary = try await file("citizen0")
            var others: [String] = []
            for i in 1..<19 { others.append(try await file("citizen\(i)").number) }
            others.append(try await file("citizen1").number)
            others.append(try await file(nil, type: "safety-report").number)
            let official = try await world.actor("jongno")
            let nineteen = try await service.merge(others, into: primary.id, by: official, requestID: nil)
            #expect(!nineteen.collective && nineteen.mergedWith.count == 20, "19 people, 20 complaints merged")
            let last = try await file("citizen19")
            #expect(try await service.similar(to: primary.id, by: official).contains { $0.number == last.number })
            let twenty = try await service.merge([last.number], into: primary.id, by: official, requestID: nil)
            #expect(twenty.collective && twenty.people == 20)
            #expect(twenty.history.contains { $0.event == "collective" })
            // Its own handling: first in the queue, followed by the coordinating agency, told to every complainant.
            _ = try await file("citizen5").number
            let queue = try await service.queue(for: official)
            #expect(queue.first?.number == primary.number && queue.first?.collectivePeople == 20)
            let jongnoToken = try await PetitionsWorld.official(client, harness, "jongno")
            #expect(try await client.api(.get, "/api/v1/petitions/queue", token: jongnoToken).text.contains("\"collectivePeople\":20"))
            let acrc = try await service.collective(for: try await world.actor("acrc"))
            #expect(acrc.map(\.number) == [primary.number] && acrc.first?.people == 20)
            #expect(try await service.collective(for: try await world.actor("nts")).isEmpty)
            let merged = try await ComplaintModel.query(on: harness.db).filter(\.$number == others[3]).first()
            let told = try await harness.platform.notifications.inbox(accountID: try #require(merged?.filerAccountID), on: harness.db)
            #expect(told.contains { $0.body.contains("collective") }, "\(told.map(\.body))")
            // The threshold is a setting, checked like the others.
            let admin = try await world.actor("admin")
            var settings = try await service.settings()
            settings.collectiveThreshold = 1
            await #expect(throws: NaraError.self) { _ = try await service.saveSettings(settings, by: admin, requestID: nil) }
            #expect(try await service.settings().collectiveThreshold == 20)
        }
    }

    @Test("the complainant attaches up to 5 checked files while the agency handles the complaint; the agency downloads them, nobody else does")
    func attachments() async throws {
        try await withTestApp { client, harness in
            let world = try await PetitionsWorld.create(harness.platform)
            let alice = try await client.token("alice")
            let filed = try ComplaintAPITests.decode(try await client.api(.post, "/api/v1/petitions/complaints", token: alice, json: PetitionsWorld.complaint()))
            func attach(_ token: String, _ body: String, type: String = "application/pdf", name: String = "photo.pdf") async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(token)"
                headers[.contentType] = type
                return try await client.execute(uri: "/api/v1/petitions/complaints/\(filed.id)/attachments?name=\(name)", method: .post, headers: headers,
                                                body: ByteBuffer(string: body))
            }
            let pdf = "%PDF-1.4\n% the pothole at exit 5\n%%EOF\n"
            let first = try await attach(alice, pdf)
            #expect(first.status == .created, "\(first.text)")
            let view = try ComplaintAPITests.decode(first)
            #expect(view.attachments.map(\.name) == ["photo.pdf"] && view.attachments.first?.contentType == "application/pdf")
            // Bytes that are not what they claim, an empty body, another citizen, an official: refused, nothing stored.
            #expect(try await attach(alice, "MZ\u{0}\u{1}binary", type: "application/octet-stream").status == .unsupportedMediaType)
            #expect(try await attach(alice, "plain text", type: "image/png").status == .unsupportedMediaType)
            #expect(try await attach(alice, "").status == .unprocessableContent)
            #expect(try await attach(try await client.token("bob"), pdf).status == .notFound)
            let jongno = try await PetitionsWorld.official(client, harness, "jongno")
            #expect(try await attach(jongno, pdf).status == .forbidden)
            #expect(try await ComplaintAttachmentModel.query(on: harness.db).count() == 1)
            for i in 2...5 { #expect(try await attach(alice, pdf, name: "page\(i).pdf").status == .created) }
            let sixth = try await attach(alice, pdf, name: "page6.pdf")
            #expect(sixth.status == .unprocessableContent && sixth.text.contains("too_many"))
            // The agency's officials and the complainant read the file; another agency does not.
            let attachmentID = try #require(view.attachments.first?.id)
            let file = try await world.service.attachment(filed.id, attachmentID: attachmentID, by: try await world.actor("jongno"))
            #expect(try await harness.platform.files.content(of: file, on: harness.db) == Data(pdf.utf8))
            await #expect(throws: NaraError.self) { _ = try await world.service.attachment(filed.id, attachmentID: attachmentID, by: try await world.actor("nts")) }
            await #expect(throws: NaraError.self) { _ = try await world.service.attachment(filed.id, attachmentID: UUID(), by: try await world.actor("jongno")) }
        }
    }

    @Test("an anonymous complainant attaches and downloads files with the access code in a header; a wrong or missing code is refused")
    func anonymousAttachments() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            let filed = try ComplaintAPITests.decode(try await client.api(.post, "/api/v1/petitions/complaints",
                                                                           json: PetitionsWorld.complaint(type: "safety-report", title: "Loose sign at the crossing")))
            let code = try #require(filed.accessCode)
            func attach(_ accessCode: String?) async throws -> TestResponse {
                var headers = HTTPFields()
                if let accessCode { headers[HTTPField.Name("X-Access-Code")!] = accessCode }
                headers[.contentType] = "text/plain"
                return try await client.execute(uri: "/api/v1/petitions/complaints/\(filed.id)/attachments?name=notes.txt", method: .post, headers: headers,
                                                body: ByteBuffer(string: "The sign swings at every gust."))
            }
            #expect(try await attach(nil).status == .unauthorized)
            #expect(try await attach("AAAAAAAAAAAA").status == .notFound)
            #expect(try await ComplaintAttachmentModel.query(on: harness.db).count() == 0)
            let attached = try await attach(code)
            #expect(attached.status == .created, "\(attached.text)")
            let id = try #require(try ComplaintAPITests.decode(attached).attachments.first?.id)
            func download(_ accessCode: String?) async throws -> TestResponse {
                var headers = HTTPFields()
                if let accessCode { headers[HTTPField.Name("X-Access-Code")!] = accessCode }
                return try await client.execute(uri: "/api/v1/petitions/complaints/\(filed.id)/attachments/\(id)", method: .get, headers: headers)
            }
            let file = try await download(code)
            #expect(file.status == .ok && String(buffer: file.body) == "The sign swings at every gust.")
            #expect(try await download("AAAAAAAAAAAA").status == .notFound)
            #expect(try await download(nil).status == .unauthorized)
            // Another citizen's token does not open it either.
            #expect(try await client.execute(uri: "/api/v1/petitions/complaints/\(filed.id)/attachments/\(id)", method: .get,
                                             headers: [.authorization: "Bearer \(try await client.token("bob"))"]).status == .notFound)
        }
    }
}
