import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraTesting
import Testing

@Suite("Portal pages")
struct WebFlowTests {
    @Test("the home page, agency directory and calendar render for visitors, in English and Korean")
    func publicPages() async throws {
        try await withTestApp { client, _ in
            let home = try await client.execute(uri: "/", method: .get)
            #expect(home.status == .ok)
            #expect(home.text.contains(#"<html lang="en">"#))
            #expect(home.text.contains(##"class="skip-link" href="#main""##))
            #expect(!home.text.contains("<script"))
            let korean = try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "ko-KR,ko;q=0.9"])
            #expect(korean.text.contains(#"<html lang="ko">"#) && korean.text.contains("정부 서비스"))
            let agencies = try await client.execute(uri: "/agencies", method: .get)
            #expect(agencies.text.contains("Ministry of Testing") && agencies.text.contains("Testing Agency"))
            let calendar = try await client.execute(uri: "/calendar?start=2026-09-23&period=workingDays&count=1", method: .get)
            #expect(calendar.text.contains("2026-09-28 (Mon) 24:00"))
            #expect(calendar.text.contains("Chuseok"))
            let badCalendar = try await client.execute(uri: "/calendar?start=2026-13-01&period=workingDays&count=0", method: .get)
            #expect(badCalendar.text.contains("error-summary"))
            let css = try await client.execute(uri: "/static/nara.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test("the language switch sets a cookie and pages follow it")
    func languageSwitch() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            let browser = Browser(client)
            let switched = try await browser.get("/language/ko?return=%2Fagencies")
            #expect(switched.status == .seeOther)
            #expect(switched.headers[.location] == "/agencies")
            #expect(browser.cookie("nara_lang") == "ko")
            let page = try await browser.get("/agencies")
            #expect(page.text.contains(#"lang="ko""#))
            let offsite = try await browser.get("/language/en?return=https%3A%2F%2Fevil.example")
            #expect(offsite.headers[.location] == "/")
        }
    }

    @Test("a form post without the CSRF token is refused with 403 and changes nothing")
    func csrf() async throws {
        try await withTestApp { client, harness in
            let browser = Browser(client)
            try await browser.get("/register")
            let form: [(String, String)] = [("kind", "citizen"), ("username", "carol"), ("password", "a long enough pass"), ("displayName", "Carol"),
                                            ("nationalId", "950303-2123456")]
            let refused = try await browser.post("/register", form: form, csrf: .some(nil))
            #expect(refused.status == .forbidden)
            let forged = try await browser.post("/register", form: form, csrf: "forged-token")
            #expect(forged.status == .forbidden)
            #expect(try await harness.platform.identity.account(username: "carol", on: harness.db) == nil)
            try await browser.get("/register")
            let accepted = try await browser.post("/register", form: form)
            #expect(accepted.status == .seeOther)
            #expect(try await harness.platform.identity.account(username: "carol", on: harness.db) != nil)
        }
    }

    @Test("registration shows every problem, linked to its field, and keeps what was typed")
    func registrationErrors() async throws {
        try await withTestApp { client, harness in
            let browser = Browser(client)
            try await browser.get("/register")
            let response = try await browser.post("/register", form: [("kind", "business"), ("username", "Bad Name"), ("password", "short"),
                                                                      ("displayName", "Dae Trading"), ("businessNumber", "123-45-67890")])
            #expect(response.status == .unprocessableContent)
            let html = response.text
            #expect(html.contains("error-summary"))
            #expect(html.contains(##"href="#f-username""##) && html.contains(##"href="#f-password""##) && html.contains(##"href="#f-businessNumber""##))
            #expect(html.contains(#"value="Dae Trading""#))
            #expect(html.contains(#"aria-invalid="true""#))
            #expect(try await harness.platform.identity.accounts(kind: .business, on: harness.db).count == 1)
        }
    }

    @Test("a citizen signs in with a password and sees My Nara; sign-out revokes the session")
    func citizenSession() async throws {
        try await withTestApp { client, harness in
            let browser = Browser(client)
            let signIn = try await browser.signIn("alice")
            #expect(signIn.status == .seeOther)
            let cookie = try #require(signIn.headers[values: .setCookie].first { $0.hasPrefix("nara_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            let my = try await browser.get("/my")
            #expect(my.status == .ok)
            #expect(my.text.contains("900101-2******") && !my.text.contains("2345678"))
            #expect(my.headers[.cacheControl] == "no-store")
            let token = try #require(browser.cookie("nara_session"))
            try await browser.post("/logout", form: [])
            #expect(try await harness.platform.identity.session(token: token, on: harness.db) == nil)
            let after = try await browser.get("/my")
            #expect(after.status == .seeOther && after.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test("a wrong password re-renders the sign-in page without saying whether the account exists")
    func failedSignIn() async throws {
        try await withTestApp { client, _ in
            let browser = Browser(client)
            let wrong = try await browser.signIn("alice", password: "not the password")
            let unknown = try await browser.signIn("nobody.at.all", password: "not the password")
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.text.contains("The user name or password is not correct."))
            #expect(unknown.text.contains("The user name or password is not correct."))
        }
    }

    @Test("five failures from a browser lock sign-in with 429 and Retry-After")
    func throttledSignIn() async throws {
        try await withTestApp(configure: { $0.trustedProxies = 1 }) { client, _ in
            let browser = Browser(client, headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.23"])
            for _ in 0..<5 { _ = try await browser.signIn("alice", password: "wrong wrong") }
            let locked = try await browser.signIn("alice")
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0)
            // A browser elsewhere signs in to another account.
            let other = Browser(client, headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.99"])
            #expect(try await other.signIn("bob").status == .seeOther)
        }
    }

    @Test("an official reaches the workspace only after the second factor")
    func officialSecondFactor() async throws {
        try await withTestApp { client, harness in
            let browser = Browser(client)
            let passwordOnly = try await browser.signIn("official.one")
            #expect(passwordOnly.headers[.location]?.hasPrefix("/login/second-factor") == true)
            let blocked = try await browser.get("/workspace")
            #expect(blocked.status == .seeOther)  // to sign-in: not yet an actor
            try await browser.get("/login/second-factor")
            let wrong = try await browser.post("/login/second-factor", form: [("code", "000000")])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.text.contains(##"href="#f-code""##))
            try await browser.get("/login/second-factor")
            let right = try await browser.post("/login/second-factor", form: [("code", harness.fixtures.totp(at: harness.clock.now()))])
            #expect(right.status == .seeOther)
            let workspace = try await browser.get("/workspace")
            #expect(workspace.status == .ok)
            #expect(workspace.text.contains("Ministry of Testing") && workspace.text.contains("Agency signing certificate"))
            // A citizen has no workspace.
            let citizen = Browser(client)
            _ = try await citizen.signIn("alice")
            #expect(try await citizen.get("/workspace").status == .forbidden)
            #expect(try await citizen.get("/console").status == .forbidden)
        }
    }

    @Test("two citizens never see each other's files or messages")
    func isolation() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let aliceFile = try await platform.files.store(Data("%PDF-1.4 alice".utf8), name: "alice.pdf", declaredType: "application/pdf",
                                                           ownerAccountID: harness.fixtures.alice!.id, on: harness.db)
            try await platform.notifications.notify(accountID: harness.fixtures.alice!.id, module: "test", title: "For Alice only", body: "secret", on: harness.db)
            let message = try #require(try await platform.notifications.inbox(accountID: harness.fixtures.alice!.id, on: harness.db).first)

            let alice = Browser(client)
            _ = try await alice.signIn("alice")
            #expect(try await alice.get("/my/files/\(aliceFile.id)").status == .ok)
            #expect(try await alice.get("/my").text.contains("For Alice only"))

            let bob = Browser(client)
            _ = try await bob.signIn("bob")
            #expect(try await bob.get("/my/files/\(aliceFile.id)").status == .notFound)
            #expect(!(try await bob.get("/my").text.contains("For Alice only")))
            try await bob.get("/my")
            #expect(try await bob.post("/my/notifications/\(message.id)/read", form: []).status == .notFound)
            #expect(try await platform.notifications.unreadCount(accountID: harness.fixtures.alice!.id, on: harness.db) == 1)

            let bobToken = try await client.token("bob")
            #expect(try await client.api(.get, "/api/v1/files/\(aliceFile.id)", token: bobToken).status == .notFound)
            let aliceToken = try await client.token("alice")
            #expect(try await client.api(.get, "/api/v1/files/\(aliceFile.id)", token: aliceToken).status == .ok)
        }
    }

    @Test("who looked at my data: an official's audited read shows on the citizen's page")
    func accessLog() async throws {
        try await withTestApp { client, harness in
            let identity = harness.platform.identity
            let actor = identity.actor(for: harness.fixtures.official!, secondFactorVerified: true)
            _ = try await identity.revealNationalID(accountID: harness.fixtures.alice!.id, by: actor, purpose: "Resident registration check", requestID: nil, on: harness.db)
            let alice = Browser(client)
            _ = try await alice.signIn("alice")
            let page = try await alice.get("/my/access-log")
            #expect(page.text.contains("Ministry of Testing") && page.text.contains("Resident registration check"))
            let bob = Browser(client)
            _ = try await bob.signIn("bob")
            #expect(!(try await bob.get("/my/access-log").text.contains("Resident registration check")))
        }
    }

    @Test("an operator manages agencies, accounts, holidays and outages in the console, each audited")
    func console() async throws {
        try await withTestApp { client, harness in
            let ops = Browser(client)
            _ = try await ops.signIn("ops", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            #expect(try await ops.get("/console").status == .ok)

            try await ops.get("/console/agencies")
            let created = try await ops.post("/console/agencies", form: [("code", "1000200"), ("nameEn", "Test Office"), ("nameKo", "시험사무소"),
                                                                          ("kind", "office"), ("parentCode", "1000100")])
            #expect(created.status == .seeOther)
            #expect(try await harness.platform.identity.agency(code: "1000200", on: harness.db) != nil)
            try await ops.get("/console/agencies")
            let invalid = try await ops.post("/console/agencies", form: [("code", "12"), ("nameEn", ""), ("nameKo", "x"), ("kind", "ministry")])
            #expect(invalid.status == .unprocessableContent)

            try await ops.get("/console/accounts")
            let account = try await ops.post("/console/accounts", form: [("kind", "official"), ("username", "clerk.new"), ("password", "a long enough pass"),
                                                                         ("displayName", "New Clerk"), ("agencyCode", "1000100"), ("roles", "signer")])
            #expect(account.status == .created)
            #expect(account.text.contains("otpauth://totp/"))
            let clerk = try #require(try await harness.platform.identity.account(username: "clerk.new", on: harness.db))
            #expect(clerk.roles.contains("signer"))
            try await ops.get("/console/accounts")
            #expect(try await ops.post("/console/accounts/\(clerk.id)/status", form: [("status", "disabled")]).status == .seeOther)
            #expect(try await harness.platform.identity.account(id: clerk.id, on: harness.db)?.status == .disabled)

            try await ops.get("/console/calendar")
            #expect(try await ops.post("/console/holidays", form: [("day", "2026-12-31"), ("nameEn", "Year-end closure"), ("nameKo", "연말 휴무")]).status == .seeOther)
            let calendar = try await harness.platform.calendar.calendar(on: harness.db)
            #expect(!calendar.isWorkingDay(LocalDay("2026-12-31")!))
            try await ops.get("/console/calendar")
            #expect(try await ops.post("/console/outages", form: [("startsAt", "2026-11-27T22:00"), ("endsAt", "2026-11-28T03:00"),
                                                                  ("reason", "Storage failover")]).status == .seeOther)
            try await ops.get("/console/calendar")
            #expect(try await ops.post("/console/outages", form: [("startsAt", "2026-11-28T03:00"), ("endsAt", "2026-11-27T22:00"),
                                                                  ("reason", "Backwards")]).status == .unprocessableContent)

            try await ops.get("/console/audit")
            let verified = try await ops.post("/console/audit/verify", form: [])
            #expect(verified.text.contains("The audit chain is intact."))
            let actions = try await harness.platform.audit.recentEntries(limit: 50, on: harness.db).map(\.action)
            #expect(Set(actions).isSuperset(of: ["agency.create", "account.create", "account.status", "calendar.holiday.add", "calendar.outage.declare", "audit.verify"]))
        }
    }
}
