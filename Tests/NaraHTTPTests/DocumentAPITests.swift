import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraTesting
import Testing

@Suite("Documents API")
struct DocumentAPITests {
    static let body = """
        {"documentType":"permit.test","titleEN":"Test Permit","titleKO":"시험 허가증","holderNationalId":"900101-2345678","subjectName":"Alice",
         "subjectIdentifier":"900101-2******","validDays":30,"facts":[{"key":"place","labelEN":"Place","labelKO":"장소","value":"Sejong-daero 1","disclosed":true}]}
        """

    @Test("an agency signer issues a certificate to a holder, who finds it; others may not issue; bad input changes nothing")
    func issue() async throws {
        try await withTestApp { client, harness in
            let signer = try await client.token("official.one", totp: harness.fixtures.totp(at: harness.clock.now()))
            let created = try await client.api(.post, "/api/v1/documents", token: signer, json: Self.body)
            #expect(created.status == .created, "\(created.text)")
            let number = try #require((created.jsonObject["document"] as? [String: Any])?["number"] as? String)
            let code = try #require(created.jsonObject["shortCode"] as? String)
            let verified = try await client.api(.post, "/api/v1/documents/verify", json: "{\"number\":\"\(number)\",\"code\":\"\(code)\"}")
            #expect(verified.jsonObject["outcome"] as? String == "valid" && verified.jsonObject["agencyCode"] as? String == "1000000")
            let alice = try await client.token("alice")
            let mine = try await client.api(.get, "/api/v1/me/documents", token: alice)
            #expect(mine.text.contains(number))

            let count = try await IssuedDocumentModel.query(on: harness.db).count()
            let bad = try await client.api(.post, "/api/v1/documents", token: signer, json: Self.body.replacingOccurrences(of: "permit.test", with: "Permit Test"))
            #expect(bad.status == .unprocessableContent && bad.text.contains("documentType"))
            let badHolder = try await client.api(.post, "/api/v1/documents", token: signer, json: Self.body.replacingOccurrences(of: "900101-2345678", with: "12345"))
            #expect(badHolder.status == .unprocessableContent)
            let noFacts = try await client.api(.post, "/api/v1/documents", token: signer,
                                               json: Self.body.replacingOccurrences(of: #"[{"key":"place","labelEN":"Place","labelKO":"장소","value":"Sejong-daero 1","disclosed":true}]"#, with: "[]"))
            #expect(noFacts.status == .unprocessableContent)
            harness.clock.advance(by: 30)
            let other = try await client.token("official.two", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.post, "/api/v1/documents", token: other, json: Self.body).status == .forbidden)
            #expect(try await client.api(.post, "/api/v1/documents", token: alice, json: Self.body).status == .forbidden)
            #expect(try await client.api(.post, "/api/v1/documents", json: Self.body).status == .unauthorized)
            #expect(try await IssuedDocumentModel.query(on: harness.db).count() == count)
        }
    }
}
