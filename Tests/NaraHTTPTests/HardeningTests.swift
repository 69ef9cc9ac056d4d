import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing

@Suite("Hardening")
struct HardeningTests {
    @Test("redirects stay on this site", arguments: [
        "https://evil.example", "//evil.example", "/\\evil.example", "/%5Cevil.example", "/\t/evil.example", "/%09/evil.example",
        "/\n/evil.example", "javascript:alert(1)",
    ])
    func noOpenRedirect(_ target: String) async throws {
        #expect(!LocalPath.isSafe(target.removingPercentEncoding ?? target))
        try await withTestApp(fixtures: false) { client, _ in
            let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let response = try await client.execute(uri: "/language/en?return=\(encoded)", method: .get)
            #expect(response.headers[.location] == "/", "\(target) → \(response.headers[.location] ?? "none")")
        }
    }

    @Test("local paths with queries and fragments are fine")
    func localPathsAllowed() {
        #expect(LocalPath.isSafe("/my?notice=x#payments"))
        #expect(LocalPath.isSafe("/console/accounts"))
        #expect(!LocalPath.isSafe("my"))
    }

    @Test("a sign-in return path with a tab does not lead off-site")
    func loginReturnPath() async throws {
        try await withTestApp { client, _ in
            let browser = Browser(client)
            try await browser.get("/login?return=%2F%09%2Fevil.example")
            let response = try await browser.post("/login", form: [("username", "alice"), ("password", Fixtures.password), ("return", "/\t/evil.example")])
            #expect(response.headers[.location] == "/my")
        }
    }

    @Test("registration cannot be used to probe resident numbers: holders are told, probers throttled")
    func registrationProbing() async throws {
        try await withTestApp(configure: { $0.trustedProxies = 1 }) { client, harness in
            let browser = Browser(client, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.77"])
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<6 {
                try await browser.get("/register")
                let response = try await browser.post("/register", form: [("kind", "citizen"), ("username", "prober\(index)"), ("password", "a long enough pass"),
                                                                          ("displayName", "P"), ("nationalId", harness.fixtures.aliceNationalID)])
                statuses.append(response.status)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == .unprocessableContent })
            #expect(statuses.last == .tooManyRequests)
            let inbox = try await harness.platform.notifications.inbox(accountID: harness.fixtures.alice!.id, on: harness.db)
            #expect(inbox.contains { $0.title.contains("tried to register") })
        }
    }

    @Test("downloads keep their sandboxing policy")
    func downloadPolicy() async throws {
        try await withTestApp { client, harness in
            let file = try await harness.platform.files.store(Data("%PDF-1.4 x".utf8), name: "x.pdf", declaredType: "application/pdf",
                                                              ownerAccountID: harness.fixtures.alice!.id, on: harness.db)
            let token = try await client.token("alice")
            let response = try await client.api(.get, "/api/v1/files/\(file.id)", token: token)
            #expect(response.headers[HTTPField.Name("Content-Security-Policy")!] == "default-src 'none'; sandbox")
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let log = try await harness.platform.audit.recentEntries(on: harness.db)
            #expect(log.contains { $0.action == "file.upload" })
        }
    }

    @Test("/ping answers in plain text")
    func ping() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            let response = try await client.execute(uri: "/ping", method: .get)
            #expect(response.text == "ok\n")
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }

    @Test("operators register and revoke agency systems, and renew a second factor")
    func systemsAndSecondFactor() async throws {
        try await withTestApp { client, harness in
            let ops = Browser(client)
            _ = try await ops.signIn("ops", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            try await ops.get("/console/systems")
            let missing = try await ops.post("/console/systems", form: [("name", ""), ("agencyCode", "1000000")])
            #expect(missing.status == .unprocessableContent)
            try await ops.get("/console/systems")
            let created = try await ops.post("/console/systems", form: [("name", "Bank of Tests gateway"), ("agencyCode", "1000000"), ("permissions", "payments.reconcile")])
            #expect(created.status == .created)
            let system = try #require(try await harness.platform.identity.agencySystems(on: harness.db).first { $0.name == "Bank of Tests gateway" })
            #expect(created.text.contains(system.clientID) && created.text.contains("nara_cs_"))
            let secret = try #require(created.text.range(of: "nara_cs_[A-Za-z0-9_-]+", options: .regularExpression).map { String(created.text[$0]) })
            let grant = try await client.api(.post, "/api/v1/auth/token", json: #"{"grant_type":"client_credentials","client_id":"\#(system.clientID)","client_secret":"\#(secret)"}"#)
            let token = try #require(grant.jsonObject["access_token"] as? String)
            try await ops.get("/console/systems")
            #expect(try await ops.post("/console/systems/\(system.id)/revoke", form: []).status == .seeOther)
            #expect(try await client.api(.post, "/api/v1/payments/reconcile", token: token, json: "{}").status == .unauthorized)

            try await ops.get("/console/accounts")
            let reset = try await ops.post("/console/accounts/\(harness.fixtures.official!.id)/second-factor", form: [])
            #expect(reset.status == .ok && reset.text.contains("otpauth://totp/Nara:official.one"))
            // The old secret no longer signs in.
            harness.clock.advance(by: 60)
            let old = Browser(client)
            let attempt = try await old.signIn("official.one", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            #expect(attempt.status == .unprocessableContent)
        }
    }
}
