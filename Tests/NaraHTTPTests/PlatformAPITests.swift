import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraTesting
import Testing

@Suite("Platform API")
struct PlatformAPITests {
    @Test("password grant, the account behind the token, scopes, revocation")
    func tokens() async throws {
        try await withTestApp { client, harness in
            let token = try await client.token("alice")
            let me = try await client.api(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(me.jsonObject["username"] as? String == "alice")
            #expect(me.jsonObject["nationalId"] as? String == "900101-2******")

            // Officials need the one-time code with the password.
            let noCode = try await client.api(.post, "/api/v1/auth/token", json: #"{"grant_type":"password","username":"official.one","password":"\#(Fixtures.password)"}"#)
            #expect(noCode.status == .unauthorized)
            #expect(noCode.jsonObject["code"] as? String == "second_factor_required")
            let official = try await client.token("official.one", totp: harness.fixtures.totp(at: harness.clock.now()))
            let officialMe = try await client.api(.get, "/api/v1/me", token: official)
            #expect(officialMe.jsonObject["agencyCode"] as? String == "1000000")

            let narrowed = try await client.token("alice", scope: "self.service")
            #expect(try await client.api(.post, "/api/v1/files", token: narrowed, json: "x", headers: [.contentType: "text/plain"]).status == .forbidden)

            let revoke = try await client.api(.post, "/api/v1/auth/revoke", token: token, json: #"{"token":"\#(token)"}"#)
            #expect(revoke.status == .noContent)
            #expect(try await client.api(.get, "/api/v1/me", token: token).status == .unauthorized)

            let badGrant = try await client.api(.post, "/api/v1/auth/token", json: #"{"grant_type":"implicit"}"#)
            #expect(badGrant.status == .unprocessableContent)
        }
    }

    @Test("a bank system reconciles a payment idempotently; a citizen cannot")
    func reconcile() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let credentials = try await platform.identity.createAgencySystem(agencyCode: "1000000", name: "Bank", permissions: [.paymentsReconcile],
                                                                             by: .system("t"), on: harness.db)
            let fee = try await platform.payments.charge(accountID: harness.fixtures.alice!.id, agencyID: nil, module: "test", purpose: "Fee",
                                                         amount: try Money(minorUnits: 1200, currency: "KRW"), dueAt: harness.clock.now(), by: .system("t"), on: harness.db)
            let grant = try await client.api(.post, "/api/v1/auth/token",
                                             json: #"{"grant_type":"client_credentials","client_id":"\#(credentials.clientID)","client_secret":"\#(credentials.clientSecret)"}"#)
            let bank = try #require(grant.jsonObject["access_token"] as? String)
            let notice = #"{"reference":"\#(fee.reference)","amountMinor":1200,"currency":"KRW","bankTransactionId":"KFTC-77","paidAt":"2026-11-25T02:00:00Z"}"#
            let first = try await client.api(.post, "/api/v1/payments/reconcile", token: bank, json: notice)
            #expect(first.status == .ok)
            #expect(first.jsonObject["result"] as? String == "recorded")
            let again = try await client.api(.post, "/api/v1/payments/reconcile", token: bank, json: notice)
            #expect(again.jsonObject["result"] as? String == "already_recorded")
            let wrongAmount = #"{"reference":"\#(fee.reference)","amountMinor":1,"currency":"KRW","bankTransactionId":"KFTC-78","paidAt":"2026-11-25T02:00:00Z"}"#
            #expect(try await client.api(.post, "/api/v1/payments/reconcile", token: bank, json: wrongAmount).status == .conflict)
            let citizen = try await client.token("alice")
            #expect(try await client.api(.post, "/api/v1/payments/reconcile", token: citizen, json: notice).status == .forbidden)
            let mine = try await client.api(.get, "/api/v1/me/payments", token: citizen)
            #expect(mine.text.contains("\"status\":\"paid\""))
        }
    }

    @Test("files: upload, sniffing, download by the owner only")
    func files() async throws {
        try await withTestApp { client, harness in
            let token = try await client.token("alice")
            let pdf = "%PDF-1.4\n1 0 obj << >> endobj\n"
            let upload = try await client.execute(uri: "/api/v1/files", method: .post,
                                                  headers: [.authorization: "Bearer \(token)", .contentType: "application/pdf", HTTPField.Name("X-File-Name")!: "../lease%20contract.pdf"],
                                                  body: ByteBuffer(string: pdf))
            #expect(upload.status == .created)
            #expect(upload.jsonObject["name"] as? String == "lease contract.pdf")
            let id = try #require(upload.jsonObject["id"] as? String)
            let download = try await client.api(.get, "/api/v1/files/\(id)", token: token)
            #expect(download.text == pdf)
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            let exe = try await client.execute(uri: "/api/v1/files", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/pdf"],
                                               body: ByteBuffer(bytes: [0x4D, 0x5A, 0x90, 0x00, 0x03]))
            #expect(exe.status == .unsupportedMediaType)
            #expect(try await harness.platform.files.files(ownerAccountID: harness.fixtures.alice!.id, on: harness.db).count == 1)
        }
    }

    @Test("deadlines from the calendar API, outages included")
    func deadlines() async throws {
        try await withTestApp(fixtures: false) { client, harness in
            let body = #"{"start":"2026-09-23T06:00:00Z","period":{"unit":"workingDays","count":1}}"#
            let response = try await client.api(.post, "/api/v1/calendar/deadline", json: body)
            #expect(response.status == .ok)
            #expect(response.jsonObject["deadline"] as? String == "2026-09-28T15:00:00.000Z")
            #expect(response.jsonObject["extendedByOutage"] as? Bool == false)
            let calendar = try await harness.platform.calendar.calendar(on: harness.db)
            _ = try await harness.platform.calendar.declareOutage(start: calendar.instant(LocalDay("2026-09-28")!, minute: 20 * 60),
                                                                  end: calendar.instant(LocalDay("2026-09-29")!, minute: 60),
                                                                  reason: "test", by: .system("t"), audit: harness.platform.audit, on: harness.db)
            let extended = try await client.api(.post, "/api/v1/calendar/deadline", json: body)
            #expect(extended.jsonObject["extendedByOutage"] as? Bool == true)
            // Recovered on the 29th: the period runs to the end of the next working day, the 30th.
            #expect(extended.jsonObject["deadline"] as? String == "2026-09-30T15:00:00.000Z")
            let holidays = try await client.api(.get, "/api/v1/calendar/holidays?year=2027")
            #expect(holidays.text.contains("2027-02-09"))
            #expect(try await client.api(.get, "/api/v1/calendar/holidays?year=abc").status == .unprocessableContent)
        }
    }

    @Test("agencies sign with their certificate; anyone verifies; a changed byte fails")
    func signatures() async throws {
        try await withTestApp { client, harness in
            let official = try await client.token("official.one", totp: harness.fixtures.totp(at: harness.clock.now()))
            let content = Data("certificate 2026-000001".utf8).base64EncodedString()
            let signed = try await client.api(.post, "/api/v1/signatures/sign", token: official, json: #"{"content":"\#(content)"}"#)
            #expect(signed.status == .ok)
            let signature = String(buffer: signed.body)
            let verify = try await client.api(.post, "/api/v1/signatures/verify", json: #"{"content":"\#(content)","signature":\#(signature)}"#)
            #expect(verify.jsonObject["valid"] as? Bool == true)
            #expect((verify.jsonObject["signer"] as? String)?.contains("Ministry of Testing") == true)
            let other = Data("certificate 2026-000002".utf8).base64EncodedString()
            let bad = try await client.api(.post, "/api/v1/signatures/verify", json: #"{"content":"\#(other)","signature":\#(signature)}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.jsonObject["code"] as? String == "signature_invalid")

            let jws = try await client.api(.post, "/api/v1/signatures/jws", token: official, json: #"{"document":{"number":"2026-000001","holder":"Alice"}}"#)
            let token = try #require(jws.jsonObject["jws"] as? String)
            let checked = try await client.api(.post, "/api/v1/signatures/verify", json: #"{"jws":"\#(token)"}"#)
            #expect((checked.jsonObject["document"] as? [String: Any])?["holder"] as? String == "Alice")

            // An official without the signer role, and a citizen, cannot sign.
            let clerk = try await client.token("official.two", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.post, "/api/v1/signatures/sign", token: clerk, json: #"{"content":"\#(content)"}"#).status == .forbidden)
            let citizen = try await client.token("alice")
            #expect(try await client.api(.post, "/api/v1/signatures/sign", token: citizen, json: #"{"content":"\#(content)"}"#).status == .forbidden)
            let certificates = try await client.api(.get, "/api/v1/pki/certificates")
            #expect(certificates.text.contains("BEGIN CERTIFICATE") && !certificates.text.contains("PRIVATE"))
        }
    }

    @Test("auditors verify the chain over the API")
    func auditVerify() async throws {
        try await withTestApp { client, harness in
            let ops = try await client.token("ops", totp: harness.fixtures.totp(at: harness.clock.now()))
            let response = try await client.api(.post, "/api/v1/audit/verify", token: ops)
            #expect(response.status == .ok)
            #expect(response.jsonObject["intact"] as? Bool == true)
            #expect((response.jsonObject["entriesChecked"] as? Int ?? 0) > 5)
        }
    }

    @Test("my notifications and access log over the API")
    func me() async throws {
        try await withTestApp { client, harness in
            try await harness.platform.notifications.notify(accountID: harness.fixtures.alice!.id, module: "t", title: "Hello", body: "B", on: harness.db)
            let token = try await client.token("alice")
            let inbox = try await client.api(.get, "/api/v1/me/notifications", token: token)
            let id = try #require((try JSONSerialization.jsonObject(with: Data(buffer: inbox.body)) as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await client.api(.post, "/api/v1/me/notifications/\(id)/read", token: token).status == .noContent)
            let bob = try await client.token("bob")
            #expect(try await client.api(.post, "/api/v1/me/notifications/\(id)/read", token: bob).status == .notFound)
            let log = try await client.api(.get, "/api/v1/me/access-log", token: token)
            #expect(log.text.contains("account.create"))
        }
    }
}
