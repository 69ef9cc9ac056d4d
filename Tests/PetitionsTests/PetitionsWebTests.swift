import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

@Suite("Complaint pages")
struct PetitionsWebTests {
    static let form: [(String, String)] = [("type", "grievance"), ("category", "roads"), ("title", "Pothole on Jongno-ro"),
                                           ("body", "A deep pothole in the bus lane near exit 5."), ("location", "서울특별시 종로구 종로 129")]

    @Test("a citizen files from the form (errors linked to their fields, nothing stored), the district accepts and answers from its pages, the citizen rates it")
    func fileAndAnswer() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            let home = try await Browser(client).get("/petitions")
            #expect(home.status == .ok && home.text.contains("Grievance") && home.text.contains("7 working days"))
            let alice = Browser(client)
            try await alice.signIn("alice")
            #expect(try await alice.get("/petitions/new").text.contains("name=\"category\""))
            let refused = try await alice.post("/petitions/complaints", form: [("type", "grievance"), ("title", "Hi"), ("body", "")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("href=\"#f-title\"") && refused.text.contains("href=\"#f-body\""))
            #expect(try await ComplaintModel.query(on: harness.db).count() == 0)
            let filed = try await alice.post("/petitions/complaints", form: Self.form)
            #expect(filed.status == .seeOther, "\(filed.text)")
            let path = Redirect.location(filed)
            let page = try await alice.get(path)
            #expect(page.text.contains("EP-2026-0000001") && page.text.contains("Jongno-gu Office") && !page.text.contains("Why it was sent here"))
            #expect(try await alice.get("/petitions/complaints").text.contains("EP-2026-0000001"))
            // The district: its queue, accept, draft; the lead approves.
            let officer = Browser(client)
            try await officer.signIn("jongno", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            #expect(try await officer.get("/petitions/queue").text.contains("EP-2026-0000001"))
            #expect(try await officer.get(path).text.contains("Why it was sent here"))
            #expect(try await officer.post(path + "/step/receive", form: []).status == .seeOther)
            let badExtension = try await officer.post(path + "/step/extend", form: [("dueDate", "someday"), ("reason", "x")])
            #expect(badExtension.status == .unprocessableContent)
            #expect(try await officer.post(path + "/step/draft", form: [("text", "Repaired on 2 December.")]).status == .seeOther)
            #expect(try await officer.post(path + "/step/approve?draft=" + PetitionsService.fingerprint("Repaired on 2 December."), form: []).status == .forbidden,
                    "an officer without the approver role")
            let lead = Browser(client)
            harness.clock.advance(by: 31)
            try await lead.signIn("jongno.lead", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            let leadPage = try await lead.get(path)
            let approveAction = try #require(leadPage.text.firstMatch(of: /action="([^"]*step\/approve\?draft=[0-9a-f]{16})"/)?.1)
            #expect(try await lead.post(String(approveAction), form: []).status == .seeOther)
            #expect(try await ComplaintModel.query(on: harness.db).first()?.state == "answered")
            let answered = try await alice.get(path)
            #expect(answered.text.contains("Repaired on 2 December.") && answered.text.contains("/step/rate"))
            #expect(try await alice.post(path + "/step/rate", form: [("score", "9")]).status == .unprocessableContent)
            #expect(try await alice.post(path + "/step/rate", form: [("score", "4"), ("comment", "Fast")]).status == .seeOther)
            #expect(try await ComplaintModel.query(on: harness.db).first()?.rating == 4)
        }
    }

    @Test("the officer's page of a complaint offers the like ones for merging; the chosen ones are merged and their page says with which")
    func mergeFromThePage() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            let alice = Browser(client), bob = Browser(client)
            try await alice.signIn("alice")
            try await bob.signIn("bob")
            _ = try await alice.get("/petitions/new")
            _ = try await bob.get("/petitions/new")
            let first = Redirect.location(try await alice.post("/petitions/complaints", form: Self.form))
            let second = Redirect.location(try await bob.post("/petitions/complaints", form: Self.form))
            let officer = Browser(client)
            try await officer.signIn("jongno", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            let page = try await officer.get(first)
            _ = try await officer.get("/petitions/queue")
            let secondID = String(try #require(second.split(separator: "/").last))
            #expect(page.text.contains("name=\"complaints\" value=\"\(secondID)\"") && page.text.contains("EP-2026-0000002"), "\(page.text)")
            #expect(!(try await alice.get(first)).text.contains("name=\"complaints\""), "the complainant is offered nothing")
            let none = try await officer.post(first + "/step/merge", form: [])
            #expect(none.status == .unprocessableContent && none.text.contains("Choose the complaints to merge"))
            #expect(try await officer.post(first + "/step/merge", form: [("complaints", secondID)]).status == .seeOther)
            let merged = try await bob.get(second)
            #expect(merged.text.contains("Merged with") && merged.text.contains("EP-2026-0000001"))
            #expect(try await officer.get(second).text.contains("/step/separate"))
            // The complainant attaches a photo from the page; the officer downloads it.
            let own = try await alice.get(first)
            let upload = try #require(own.text.firstMatch(of: /action="([^"]*\/attachments\?_csrf=[^"]*)"/)?.1)
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
            #expect(try await alice.postMultipart(String(upload).replacingOccurrences(of: "&amp;", with: "&"), fields: [],
                                                  files: [("file", "pothole.png", "image/png", png)]).status == .seeOther)
            let withFile = try await officer.get(first)
            let link = try #require(withFile.text.firstMatch(of: /href="(\/petitions\/complaints\/[^"]*\/attachments\/[^"]*)"/)?.1)
            let download = try await officer.get(String(link))
            #expect(download.status == .ok && Data(buffer: download.body) == png)
            #expect(try await bob.get(String(link)).status == .notFound)
        }
    }

    @Test("an anonymous safety report from the form shows its access code once; the number and code open it, a wrong code does not")
    func anonymousReport() async throws {
        try await withTestApp { client, harness in
            _ = try await PetitionsWorld.create(harness.platform)
            let visitor = Browser(client)
            let form = try await visitor.get("/petitions/new")
            #expect(form.text.contains("value=\"safety-report\"") && !form.text.contains("value=\"grievance\""))
            let filed = try await visitor.post("/petitions/complaints", form: [("type", "safety-report"), ("title", "Loose sign at the crossing"),
                                                                              ("body", "The sign above the turn lane swings in the wind."), ("location", "서울 세종대로")])
            #expect(filed.status == .ok, "\(filed.text)")
            let stored = try #require(try await ComplaintModel.query(on: harness.db).first())
            let code = try #require(filed.text.firstMatch(of: /<strong>([A-Z2-9]{12})<\/strong>/)?.1)
            #expect(PetitionsModule.service(harness.platform).hash(String(code)) == stored.accessCodeHash)
            #expect(PetitionsModule.service(harness.platform).hash(" " + String(code).lowercased() + " ") == stored.accessCodeHash, "trimmed, any case")
            let found = try await visitor.post("/petitions/lookup", form: [("number", stored.number), ("accessCode", String(code))])
            #expect(found.status == .ok && found.text.contains("Loose sign at the crossing"))
            #expect(try await visitor.post("/petitions/lookup", form: [("number", stored.number), ("accessCode", "AAAAAAAAAAAA")]).status == .notFound)
            // The anonymous complainant attaches a photo from that page: the code travels in the form, never in the address.
            let upload = try #require(found.text.firstMatch(of: /action="([^"]*\/attachments\?_csrf=[^"]*)"/)?.1)
            #expect(!upload.contains(String(code)) && found.text.contains("name=\"accessCode\" value=\"\(code)\""))
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
            let action = String(upload).replacingOccurrences(of: "&amp;", with: "&")
            let wrong = try await visitor.postMultipart(action, fields: [("accessCode", "AAAAAAAAAAAA")], files: [("file", "sign.png", "image/png", png)])
            let stored0 = try await ComplaintAttachmentModel.query(on: harness.db).count()
            #expect(wrong.status == .notFound && stored0 == 0)
            let attached = try await visitor.postMultipart(action, fields: [("accessCode", String(code))], files: [("file", "sign.png", "image/png", png)])
            #expect(attached.status == .ok && attached.text.contains("sign.png"), "\(attached.text)")
            // The file comes back by a form that posts the code; without it, or with another, nothing.
            let link = try #require(attached.text.firstMatch(of: /<form method="post" action="(\/petitions\/complaints\/[^"]*\/attachments\/[^"]*)"/)?.1)
            let download = try await visitor.post(String(link), form: [("accessCode", String(code))])
            #expect(download.status == .ok && Data(buffer: download.body) == png)
            #expect(try await visitor.post(String(link), form: [("accessCode", "AAAAAAAAAAAA")]).status == .notFound)
            #expect(try await visitor.post(String(link), form: []).status == .notFound)
        }
    }
}
