import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

/// Officials for proposals and petitions, a moderator, a petition type with a small threshold and
/// as many extra citizens as a test needs.
struct ParticipationWorld {
    let world: PetitionsWorld
    let service: ParticipationService

    var platform: Platform { world.platform }

    static func create(_ platform: Platform, citizens: Int = 0) async throws -> ParticipationWorld {
        let world = try await PetitionsWorld.create(platform)
        let identity = platform.identity
        let system = AuditActor.system("test")
        for (username, agency, role) in [("jongno.answers", "3000000", "participation-officer"), ("seoul.answers", "6110000", "participation-officer"),
                                         ("moderator", "1140100", "participation-moderator"), ("admin", "1140100", "complaints-administrator")] {
            _ = try await identity.createAccount(NewAccount(username: username, password: Fixtures.password, displayName: username.capitalized, kind: .official,
                                                            agencyCode: agency, extraRoles: [role], fixedTOTPSecret: Fixtures.totpSecret), by: system, on: platform.db)
        }
        for i in 0..<citizens {
            let twelve = "8801" + String(format: "%02d", 1 + i % 28) + "1" + String(format: "%05d", 20_000 + i)
            _ = try await identity.createAccount(NewAccount(username: "citizen\(i)", password: Fixtures.password, displayName: "시민\(i) Citizen \(i)", kind: .citizen,
                                                            nationalID: twelve + String(NationalID.legacyCheckDigit(twelve)!)), by: system, on: platform.db)
        }
        let w = ParticipationWorld(world: world, service: PetitionsModule.participation(platform))
        _ = try await w.service.savePetitionType(PetitionType(code: "street", nameEN: "Street petition", nameKO: "거리 청원", threshold: 3, signingDays: 10,
                                                              answerWorkingDays: 5), by: try await w.actor("admin"), requestID: nil)
        return w
    }

    func actor(_ username: String) async throws -> Actor { try await world.actor(username) }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parseISO8601(text) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text)) }
            return date
        }
        return try decoder.decode(type, from: Data(buffer: response.body))
    }

    func petition(by author: String = "alice", type: String = "street", title: String = "A crossing at the school gate") async throws -> PetitionView {
        try await service.publishPetition(NewPetition(type: type, title: title, body: "Children cross between moving cars at the front gate every morning.",
                                                      category: "roads", agency: "3000000"), by: try await actor(author), requestID: nil)
    }

    func proposal(by author: String = "alice") async throws -> ProposalView {
        try await service.propose(NewProposal(title: "Free spaces of car parks on the map", body: "Publish the free spaces of public car parks in real time.",
                                              agency: "6110000"), by: try await actor(author), requestID: nil)
    }
}

@Suite("Petitions and proposals")
struct ParticipationTests {
    @Test("one citizen signing 100 times at once counts once; 20 citizens signing 5 times each at once count 20")
    func concurrentSignatures() async throws {
        try await withTestPlatform { platform, _, _ in
            let w = try await ParticipationWorld.create(platform, citizens: 20)
            let p = try await w.petition(type: "national", title: "Late-night buses on every trunk route")
            #expect(p.signatures == 1, "the petitioner's own signature")
            let bob = try await w.actor("bob")
            let receipts = try await withThrowingTaskGroup(of: SignatureReceipt.self) { group in
                for _ in 0..<100 { group.addTask { try await w.service.sign(p.id, by: bob) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(receipts.count == 100 && receipts.filter(\.counted).count == 1)
            #expect(try await PetitionModel.find(p.id, on: platform.db)?.signatures == 2)
            #expect(try await PetitionSignatureModel.query(on: platform.db).filter(\.$petitionID == p.id).count() == 2)
            var citizens: [Actor] = []
            for i in 0..<20 { citizens.append(try await w.actor("citizen\(i)")) }
            let counted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for c in citizens { for _ in 0..<5 { group.addTask { try await w.service.sign(p.id, by: c).counted } } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(counted == 20)
            #expect(await w.service.signing.statistics().batches < 200, "signatures were committed in groups")
            // A signer the database refuses (no such account) fails alone: the others' signatures still count.
            let other = try await w.petition(type: "national", title: "Shade trees on Yulgok-ro")
            let ghosts = (0..<10).map { _ in Actor(principal: .account(id: UUID(), kind: .citizen), agencyID: nil, displayName: "Ghost", permissions: [.selfService],
                                                   secondFactorVerified: false) }
            let outcomes = await withTaskGroup(of: (Bool, Bool).self) { group in
                for (i, c) in citizens.prefix(10).enumerated() {
                    group.addTask { ((try? await w.service.sign(other.id, by: c).counted) == true, false) }
                    let ghost = ghosts[i]
                    group.addTask { ((try? await w.service.sign(p.id, by: ghost)) != nil, true) }
                }
                return await group.reduce(into: [(Bool, Bool)]()) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0.1 && $0.0 }.count == 10, "every real citizen counted")
            #expect(outcomes.filter { $0.1 && $0.0 }.isEmpty, "no signature without an account")
            #expect(try await PetitionModel.find(other.id, on: platform.db)?.signatures == 11)
            #expect(try await PetitionModel.find(p.id, on: platform.db)?.signatures == 22)
            #expect(try await PetitionSignatureModel.query(on: platform.db).filter(\.$petitionID == p.id).count() == 22)
        }
    }

    @Test("the threshold makes the answer due in the type's working days; only the agency addressed answers, once; signing ends with the answer")
    func thresholdAndAnswer() async throws {
        try await withTestPlatform { platform, _, _ in
            let w = try await ParticipationWorld.create(platform, citizens: 2)
            let p = try await w.petition()
            let jongno = try await w.actor("jongno.answers")
            let early = await #expect(throws: NaraError.self) {
                try await w.service.answerPetition(p.id, text: "We will install a signal at the gate next month.", by: jongno, requestID: nil)
            }
            #expect(early?.kind == .conflict, "no answer before the threshold")
            _ = try await w.service.sign(p.id, by: try await w.actor("citizen0"))
            let reached = try await w.service.sign(p.id, by: try await w.actor("citizen1"))
            #expect(reached.signatures == 3 && reached.state == .awaitingAnswer)
            let view = try await w.service.petition(id: p.id, by: nil)
            // Filed Wednesday 2026-11-25 (the test clock): 5 working days → Wednesday 2026-12-02, end of the day in Seoul.
            #expect(view.answerDueAt.map(Timestamp.iso8601Millis) == "2026-12-02T15:00:00.000Z", "\(String(describing: view.answerDueAt))")
            #expect(try await platform.notifications.inbox(accountID: try #require(try await w.actor("alice").accountID), on: platform.db)
                .contains { $0.title.contains("Threshold reached") })
            let other = await #expect(throws: NaraError.self) {
                try await w.service.answerPetition(p.id, text: "The city answers for the district here.", by: try await w.actor("seoul.answers"), requestID: nil)
            }
            #expect(other?.kind == .forbidden)
            let short = await #expect(throws: NaraError.self) { try await w.service.answerPetition(p.id, text: "Yes.", by: jongno, requestID: nil) }
            #expect(short?.fieldErrors.first?.code == "too_short")
            let answered = try await w.service.answerPetition(p.id, text: "A signalised crossing will be installed at the gate during the winter holidays.",
                                                              by: jongno, requestID: nil)
            #expect(answered.state == .answered && !answered.signingOpen)
            let again = await #expect(throws: NaraError.self) {
                try await w.service.answerPetition(p.id, text: "A second answer to the same petition.", by: jongno, requestID: nil)
            }
            #expect(again?.kind == .conflict)
            let late = await #expect(throws: NaraError.self) { try await w.service.sign(p.id, by: try await w.actor("bob")) }
            #expect(late?.kind == .conflict)
            #expect(try await PetitionModel.find(p.id, on: platform.db)?.signatures == 3)
        }
    }

    @Test("a window that closed refuses signatures to the millisecond; under the threshold the job expires the petition")
    func windowCloses() async throws {
        try await withTestApp { client, harness in
            let w = try await ParticipationWorld.create(harness.platform)
            let p = try await w.petition()
            harness.clock.advance(by: 10 * 86_400 - 0.001)
            let bob = try await w.actor("bob")
            #expect(try await w.service.sign(p.id, by: bob).counted, "one millisecond before the window closes")
            #expect(try await w.service.closeSigningWindows() == 0)
            harness.clock.advance(by: 0.001)
            let token = try await client.token("alice")
            let refused = try await client.api(.post, "/api/v1/petitions/e-petitions/\(p.id.uuidString.lowercased())/signatures", token: token)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(try await w.service.closeSigningWindows() == 1)
            #expect(try await w.service.petition(id: p.id, by: nil).state == .expired)
            let answer = await #expect(throws: NaraError.self) {
                try await w.service.answerPetition(p.id, text: "An answer to a petition that did not reach its threshold.",
                                                   by: try await w.actor("jongno.answers"), requestID: nil)
            }
            #expect(answer?.kind == .conflict)
        }
    }

    @Test("the public sees counts, never signers; lists search, sort and refuse unknown orders and states; bad petitions store nothing")
    func publicListing() async throws {
        try await withTestApp { client, harness in
            let w = try await ParticipationWorld.create(harness.platform, citizens: 3)
            let crossing = try await w.petition(title: "A crossing at the school gate")
            let buses = try await w.petition(type: "national", title: "Late buses to Goyang")
            for i in 0..<3 { _ = try await w.service.sign(buses.id, by: try await w.actor("citizen\(i)")) }
            let one = try await client.api(.get, "/api/v1/petitions/e-petitions/\(buses.id.uuidString.lowercased())")
            #expect(one.status == .ok && one.text.contains("\"signatures\":4"))
            for name in ["Citizen 0", "시민0", "Alice", "citizen0"] { #expect(!one.text.contains(name), "\(name) is not public") }
            let popular = try await client.api(.get, "/api/v1/petitions/e-petitions?sort=popular")
            #expect(try ParticipationWorld.decode([PetitionView].self, popular).map(\.id) == [buses.id, crossing.id])
            let found = try await client.api(.get, "/api/v1/petitions/e-petitions?q=GOYANG")
            #expect(try ParticipationWorld.decode([PetitionView].self, found).map(\.id) == [buses.id], "case-folded search")
            _ = try await w.petition(type: "national", title: "100 percent renewable power for schools")
            #expect(try ParticipationWorld.decode([PetitionView].self, try await client.api(.get, "/api/v1/petitions/e-petitions?q=100")).count == 1)
            for wild in ["1%250", "_00"] {
                #expect(try ParticipationWorld.decode([PetitionView].self, try await client.api(.get, "/api/v1/petitions/e-petitions?q=\(wild)")).isEmpty,
                        "\(wild): % and _ are characters, not wildcards")
            }
            #expect(try await client.api(.get, "/api/v1/petitions/proposals?sort=closing").status == .unprocessableContent)
            #expect(try await client.api(.get, "/api/v1/petitions/e-petitions?sort=loudest").status == .unprocessableContent)
            #expect(try await client.api(.get, "/api/v1/petitions/e-petitions?state=won").status == .unprocessableContent)
            #expect(try ParticipationWorld.decode([PetitionView].self, try await client.api(.get, "/api/v1/petitions/e-petitions?state=open")).count == 3)
            let token = try await client.token("alice")
            let bad = try await client.api(.post, "/api/v1/petitions/e-petitions", token: token,
                                           json: #"{"type":"mega","title":"Hi","body":"short","category":"moon","agency":"0000000"}"#)
            #expect(bad.status == .unprocessableContent)
            for field in ["type", "title", "body", "category", "agency"] { #expect(bad.text.contains("\"field\":\"\(field)\""), "\(field): \(bad.text)") }
            let business = try await client.token("acme")
            #expect(try await client.api(.post, "/api/v1/petitions/e-petitions/\(buses.id.uuidString.lowercased())/signatures", token: business).status == .forbidden,
                    "a business account is not a verified person")
            let scoped = try await client.token("alice", scope: "files.upload")
            #expect(try await client.api(.post, "/api/v1/petitions/e-petitions/\(buses.id.uuidString.lowercased())/signatures", token: scoped).status == .forbidden,
                    "a token narrowed to uploads does not sign")
            let official = try await PetitionsWorld.official(client, harness, "jongno")
            #expect(try await client.api(.post, "/api/v1/petitions/e-petitions/\(buses.id.uuidString.lowercased())/signatures", token: official).status == .forbidden)
            #expect(try await PetitionModel.query(on: harness.db).count() == 3)
            #expect(try await PetitionModel.find(buses.id, on: harness.db)?.signatures == 4)
        }
    }

    @Test("one support per person; the author edits while open and supporters are told; the agency answers with reasons, once; supporters are told")
    func proposals() async throws {
        try await withTestPlatform { platform, _, _ in
            let w = try await ParticipationWorld.create(platform, citizens: 1)
            let p = try await w.proposal()
            let bob = try await w.actor("bob")
            _ = try await w.service.support(p.id, by: bob, requestID: nil)
            #expect(try await w.service.support(p.id, by: bob, requestID: nil).supports == 1, "a second support changes nothing")
            let own = await #expect(throws: NaraError.self) { try await w.service.support(p.id, by: try await w.actor("alice"), requestID: nil) }
            #expect(own?.kind == .conflict)
            let notAuthor = await #expect(throws: NaraError.self) {
                try await w.service.editProposal(p.id, title: "Someone else's title", body: "Someone else rewrites the proposal entirely.", by: bob, requestID: nil)
            }
            #expect(notAuthor?.kind == .forbidden)
            let bobID = try #require(bob.accountID)
            let before = try await platform.notifications.inbox(accountID: bobID, on: platform.db).count
            let edited = try await w.service.editProposal(p.id, title: "Free spaces of public car parks on the city map",
                                                          body: "Publish the free spaces of public car parks in real time, also as open data.",
                                                          by: try await w.actor("alice"), requestID: nil)
            #expect(edited.editedAt != nil)
            #expect(try await platform.notifications.inbox(accountID: bobID, on: platform.db).count == before + 1)
            let wrongAgency = await #expect(throws: NaraError.self) {
                try await w.service.answerProposal(p.id, state: .accepted, reasons: "Accepted.", by: try await w.actor("jongno.answers"), requestID: nil)
            }
            #expect(wrongAgency?.kind == .forbidden)
            let seoul = try await w.actor("seoul.answers")
            let open = await #expect(throws: NaraError.self) { try await w.service.answerProposal(p.id, state: .open, reasons: "Back to open.", by: seoul, requestID: nil) }
            #expect(open?.kind == .unprocessable)
            _ = try await w.service.answerProposal(p.id, state: .underEvaluation, reasons: "The parking division is assessing the gate data.", by: seoul, requestID: nil)
            let frozen = await #expect(throws: NaraError.self) {
                try await w.service.editProposal(p.id, title: "A new title after the agency took it up", body: "A new text after the agency took it up.",
                                                 by: try await w.actor("alice"), requestID: nil)
            }
            #expect(frozen?.kind == .conflict)
            _ = try await w.service.support(p.id, by: try await w.actor("citizen0"), requestID: nil)
            let accepted = try await w.service.answerProposal(p.id, state: .accepted, reasons: "Accepted: published from March.", by: seoul, requestID: nil)
            #expect(accepted.state == .accepted && accepted.supports == 2 && accepted.answer == "Accepted: published from March.")
            let inbox = try await platform.notifications.inbox(accountID: bobID, on: platform.db)
            #expect(inbox.contains { $0.title.contains("Accepted") } && inbox.contains { $0.title.contains("Under evaluation") })
            let twice = await #expect(throws: NaraError.self) { try await w.service.answerProposal(p.id, state: .rejected, reasons: "Changed our mind.", by: seoul, requestID: nil) }
            #expect(twice?.kind == .conflict)
            let late = await #expect(throws: NaraError.self) { try await w.service.support(p.id, by: try await w.actor("citizen0"), requestID: nil) }
            #expect(late?.kind == .conflict)
        }
    }

    @Test("comments thread in order, replies stay on their page and nest to a limit; reports count once; moderators hide with a reason, audited")
    func discussion() async throws {
        try await withTestPlatform { platform, _, _ in
            let w = try await ParticipationWorld.create(platform)
            let seoul = try await w.actor("seoul.answers")
            let debate = try await w.service.openDebate(title: "Night rules of the river parks", description: "Stalls, noise and cycling after dark: tell us.",
                                                        closesAt: nil, by: seoul, requestID: nil)
            let proposal = try await w.proposal()
            let alice = try await w.actor("alice"), bob = try await w.actor("bob")
            let first = try await w.service.comment(on: .debate, debate.id, body: "Quiet zones after 11 p.m.", parent: nil, by: alice, requestID: nil)
            let second = try await w.service.comment(on: .debate, debate.id, body: "Separate the cycle paths.", parent: nil, by: bob, requestID: nil)
            var parent = first.id
            var depths: [Int] = []
            for n in 1...6 {
                let reply = try await w.service.comment(on: .debate, debate.id, body: "Reply \(n)", parent: parent, by: n % 2 == 0 ? alice : bob, requestID: nil)
                depths.append(reply.depth)
                parent = reply.id
            }
            #expect(depths == [1, 2, 3, 4, 4, 4], "nesting stops at the deepest level")
            let thread = try await w.service.comments(on: .debate, debate.id, by: nil)
            #expect(thread.map(\.body) == ["Quiet zones after 11 p.m.", "Reply 1", "Reply 2", "Reply 3", "Reply 4", "Reply 5", "Reply 6", "Separate the cycle paths."])
            #expect(thread.first?.author == "A***e", "masked: \(thread.first?.author ?? "")")
            let elsewhere = await #expect(throws: NaraError.self) {
                try await w.service.comment(on: .proposal, proposal.id, body: "A reply to another page's comment", parent: first.id, by: bob, requestID: nil)
            }
            #expect(elsewhere?.fieldErrors.first?.field == "parentId")
            #expect(try await w.service.debate(id: debate.id).comments == 8)
            // Reports: once per person.
            try await w.service.report(second.id, reason: "abuse", by: alice, requestID: nil)
            try await w.service.report(second.id, reason: "spam", by: alice, requestID: nil)
            let badReason = await #expect(throws: NaraError.self) { try await w.service.report(second.id, reason: "boring", by: bob, requestID: nil) }
            #expect(badReason?.kind == .unprocessable)
            let moderator = try await w.actor("moderator")
            let queue = try await w.service.reported(by: moderator)
            #expect(queue.count == 1 && queue.first?.comment.reports == 1 && queue.first?.reasons == ["abuse"])
            let notModerator = await #expect(throws: NaraError.self) { try await w.service.moderate(second.id, hide: true, reason: "I dislike it", by: seoul, requestID: nil) }
            #expect(notModerator?.kind == .forbidden)
            let noReason = await #expect(throws: NaraError.self) { try await w.service.moderate(second.id, hide: true, reason: " ", by: moderator, requestID: nil) }
            #expect(noReason?.kind == .unprocessable)
            _ = try await w.service.moderate(second.id, hide: true, reason: "Insults another participant.", by: moderator, requestID: nil)
            let seen = try await w.service.comments(on: .debate, debate.id, by: alice).first { $0.id == second.id }
            #expect(seen?.hidden == true && seen?.body == nil && seen?.hiddenReason == "Insults another participant.")
            #expect(try await w.service.comments(on: .debate, debate.id, by: moderator).first { $0.id == second.id }?.body == "Separate the cycle paths.")
            #expect(try await w.service.reported(by: moderator).isEmpty, "the decision closes the reports")
            let twice = await #expect(throws: NaraError.self) { try await w.service.moderate(second.id, hide: true, reason: "Again.", by: moderator, requestID: nil) }
            #expect(twice?.kind == .conflict)
            let audited = try await AuditEntryModel.query(on: platform.db).filter(\.$action == "petitions.comment.hide").all()
            #expect(audited.count == 1 && audited.first?.detail == "Insults another participant.")
            let business = await #expect(throws: NaraError.self) {
                try await w.service.comment(on: .debate, debate.id, body: "Buy our scooters!", parent: nil, by: try await w.actor("acme"), requestID: nil)
            }
            #expect(business?.kind == .forbidden)
        }
    }

    @Test("from the pages: a citizen signs and supports, comments and replies, reports; a moderator hides; the agency answers; the demo shows every state")
    func pages() async throws {
        try await withTestApp { client, harness in
            let w = try await ParticipationWorld.create(harness.platform)
            let p = try await w.petition()
            let proposal = try await w.proposal()
            let bob = Browser(client)
            try await bob.signIn("bob")
            let petitionPath = "/petitions/e-petitions/\(p.id.uuidString.lowercased())"
            #expect(try await bob.get(petitionPath).text.contains(petitionPath + "/sign"))
            #expect(try await bob.post(petitionPath + "/sign", form: []).status == .seeOther)
            #expect(try await bob.post(petitionPath + "/sign", form: []).headers[.location]?.contains("part_signed_already") == true)
            let after = try await bob.get(petitionPath)
            #expect(after.text.contains("2 of 3 signatures") && !after.text.contains(petitionPath + "/sign\""))
            let proposalPath = "/petitions/proposals/\(proposal.id.uuidString.lowercased())"
            #expect(try await bob.post(proposalPath + "/support", form: []).status == .seeOther)
            #expect(try await bob.post(proposalPath + "/comment", form: [("body", "")]).status == .unprocessableContent)
            #expect(try await bob.post(proposalPath + "/comment", form: [("body", "Please include private car parks.")]).status == .seeOther)
            let comment = try #require(try await CommentModel.query(on: harness.db).first())
            let replyForm = try await bob.get(proposalPath + "?reply=\(comment.id!.uuidString.lowercased())")
            #expect(replyForm.text.contains("name=\"parentId\" value=\"\(comment.id!.uuidString.lowercased())\""))
            #expect(try await bob.post(proposalPath + "/comment", form: [("body", "A reply to nowhere."), ("parentId", "not-a-comment")]).status == .unprocessableContent)
            #expect(try await CommentModel.query(on: harness.db).count() == 1, "a malformed parent is refused, not taken for a new thread")
            let alice = Browser(client)
            try await alice.signIn("alice")
            #expect(try await alice.get(proposalPath).text.contains("/report\""), "a report button on others' comments")
            let replied = try await alice.post(proposalPath + "/comment", form: [("body", "Good idea."), ("parentId", comment.id!.uuidString.lowercased())])
            #expect(replied.status == .seeOther, "\(replied.status) \(replied.text.prefix(3000))")
            #expect(try await alice.post("/petitions/comments/\(comment.id!.uuidString.lowercased())/report", form: [("reason", "off_topic"), ("return", proposalPath)])
                .status == .seeOther)
            let moderator = Browser(client)
            try await moderator.signIn("moderator", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            #expect(try await moderator.get("/petitions/moderation").text.contains("Please include private car parks."))
            #expect(try await alice.get("/petitions/moderation").status == .forbidden)
            #expect(try await moderator.post("/petitions/comments/\(comment.id!.uuidString.lowercased())/hide", form: [("reason", "Off topic here."), ("return", proposalPath)])
                .status == .seeOther)
            let hidden = try await bob.get(proposalPath)
            #expect(hidden.text.contains("Off topic here.") && !hidden.text.contains("Please include private car parks."))
            let officer = Browser(client)
            harness.clock.advance(by: 31)
            try await officer.signIn("seoul.answers", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            #expect(try await officer.get(proposalPath).text.contains(proposalPath + "/answer"))
            #expect(try await officer.post(proposalPath + "/answer", form: [("state", "accepted"), ("reasons", "")]).status == .unprocessableContent)
            #expect(try await officer.post(proposalPath + "/answer", form: [("state", "accepted"), ("reasons", "Accepted from March.")]).status == .seeOther)
            #expect(try await bob.get("/petitions/proposals?state=accepted").text.contains(proposal.number))
        }
        try await withDemoPlatform { platform in
            let service = PetitionsModule.participation(platform)
            let petitions = try await service.petitions(ListQuery(limit: 200), by: nil)
            #expect(Set(petitions.map(\.state)) == Set(PetitionState.allCases))
            let proposals = try await service.proposals(ListQuery(limit: 200), by: nil)
            #expect(Set(proposals.map(\.state)) == Set(ProposalState.allCases))
            #expect(proposals.allSatisfy { $0.state == .open || $0.answer != nil })
            #expect(try await service.debates().count == 2)
            #expect(try await CommentModel.query(on: platform.db).filter(\.$hidden == true).count() == 1)
            #expect(try await CommentReportModel.query(on: platform.db).filter(\.$resolvedAt == nil).count() == 1)
        }
    }
}
