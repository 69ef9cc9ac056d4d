import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraTesting
import Testing

@Suite("API conventions")
struct APIConventionTests {
    static let securityHeaders: [String] = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"]

    static func expectSecurityHeaders(_ response: TestResponse, _ context: String) {
        for name in securityHeaders {
            #expect(response.headers[HTTPField.Name(name)!] != nil, "\(name) missing on \(context)")
        }
        let csp = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
        #expect(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "CSP on \(context): \(csp)")
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
    }

    @Test("every response carries the security headers, errors included; HSTS only over TLS")
    func securityHeaders() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            for uri in ["/", "/login", "/no/such/page", "/api/v1/nothing", "/api/openapi.json", "/healthz", "/static/nara.css"] {
                let response = try await client.execute(uri: uri, method: .get)
                Self.expectSecurityHeaders(response, uri)
                #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
            }
        }
        try await withTestApp(configure: { $0.baseURL = "https://nara.example.kr" }, fixtures: false) { client, _ in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!]?.contains("max-age=") == true)
            #expect(response.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })
        }
    }

    @Test("an unknown API route is a 404 problem document with a stable code")
    func notFound() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            let response = try await client.execute(uri: "/api/v1/does-not-exist", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = response.jsonObject
            #expect(problem["code"] as? String == "not_found")
            #expect(problem["status"] as? Int == 404)
            #expect(problem["title"] as? String == "Not Found")
            #expect(problem["type"] as? String == "urn:nara:problem:not_found")
            #expect(problem["requestId"] as? String == response.headers[HTTPField.Name("X-Request-Id")!])
        }
    }

    @Test("a wrong method is a 405 with Allow")
    func wrongMethod() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            let response = try await client.execute(uri: "/api/v1/auth/token", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.jsonObject["code"] as? String == "method_not_allowed")
            let page = try await client.execute(uri: "/logout", method: .get)
            #expect(page.status == .methodNotAllowed)
        }
    }

    @Test("malformed JSON, wrong types and missing fields are 400 with the field named")
    func malformed() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            let broken = try await client.api(.post, "/api/v1/auth/token", json: #"{"grant_type": "password", "username": "#)
            #expect(broken.status == .badRequest)
            #expect(broken.jsonObject["code"] as? String == "malformed_request")

            let wrongType = try await client.api(.post, "/api/v1/calendar/deadline", json: #"{"start": "2026-11-25T01:00:00Z", "period": {"unit": "workingDays", "count": "seven"}}"#)
            #expect(wrongType.status == .badRequest)
            let errors = wrongType.jsonObject["errors"] as? [[String: Any]]
            #expect(errors?.first?["field"] as? String == "period/count")

            let missing = try await client.api(.post, "/api/v1/calendar/deadline", json: #"{"period": {"unit": "workingDays", "count": 7}}"#)
            #expect(missing.status == .badRequest)
            #expect((missing.jsonObject["errors"] as? [[String: Any]])?.first?["field"] as? String == "start")

            let badDate = try await client.api(.post, "/api/v1/calendar/deadline", json: #"{"start": "yesterday", "period": {"unit": "workingDays", "count": 7}}"#)
            #expect(badDate.status == .badRequest)

            let unknownEnum = try await client.api(.post, "/api/v1/calendar/deadline", json: #"{"start": "2026-11-25T01:00:00Z", "period": {"unit": "fortnights", "count": 1}}"#)
            #expect(unknownEnum.status == .unprocessableContent)
            #expect(unknownEnum.jsonObject["code"] as? String == "validation_failed")

            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            let wrongMedia = try await client.execute(uri: "/api/v1/calendar/deadline", method: .post, headers: headers, body: ByteBuffer(string: "{}"))
            #expect(wrongMedia.status == .unsupportedMediaType)
        }
    }

    @Test("an oversize body is 413 and changes nothing")
    func oversize() async throws {
        try await withTestApp(configure: { $0.maxUploadBytes = 4096 }) { client, harness in
            let token = try await client.token("alice")
            let huge = "{\"grant_type\":\"password\",\"username\":\"" + String(repeating: "a", count: 10_000) + "\"}"
            let response = try await client.api(.post, "/api/v1/auth/token", json: huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.jsonObject["code"] as? String == "payload_too_large")
            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            let upload = try await client.execute(uri: "/api/v1/files", method: .post,
                                                  headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"],
                                                  body: ByteBuffer(string: String(repeating: "x", count: 8000)))
            #expect(upload.status == .contentTooLarge)
            #expect(try await harness.platform.files.files(ownerAccountID: harness.fixtures.alice!.id, on: harness.db).isEmpty)
            _ = headers
        }
    }

    @Test("a missing or bad token is 401; a token without the permission is 403")
    func authErrors() async throws {
        try await withTestApp { client, _ in
            let none = try await client.api(.get, "/api/v1/me")
            #expect(none.status == .unauthorized)
            #expect(none.jsonObject["code"] as? String == "unauthenticated")
            let bad = try await client.api(.get, "/api/v1/me", token: "nara_at_forged")
            #expect(bad.status == .unauthorized)
            let malformedHeader = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Basic YWxpY2U6eA=="])
            #expect(malformedHeader.status == .unauthorized)
            let citizen = try await client.token("alice")
            let forbidden = try await client.api(.post, "/api/v1/audit/verify", token: citizen)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.jsonObject["code"] as? String == "forbidden")
        }
    }
}
