import FluentKit
import Foundation
import NaraCore
import NaraTesting
import Testing

@Suite("Identity and sign-in")
struct IdentityTests {
    @Test("a new account reports every invalid field at once and creates nothing")
    func validation() async throws {
        try await withTestPlatform { platform, _, _ in
            let before = try await platform.identity.accounts(on: platform.db).count
            do {
                _ = try await platform.identity.createAccount(
                    NewAccount(username: "X", password: "short", displayName: "", kind: .citizen, nationalID: "900101", email: "not-an-email"),
                    by: .system("test"), on: platform.db)
                Issue.record("invalid account accepted")
            } catch let error as NaraError {
                let fields = Set(error.fieldErrors.map(\.field))
                #expect(fields.isSuperset(of: ["username", "password", "displayName", "nationalId", "email"]))
            }
            #expect(try await platform.identity.accounts(on: platform.db).count == before)
        }
    }

    @Test("user names, resident numbers and agency codes are checked against what exists")
    func conflicts() async throws {
        try await withTestPlatform { platform, _, _ in
            let identity = platform.identity
            await #expect(throws: NaraError.self) {
                _ = try await identity.createAccount(NewAccount(username: "alice", password: "another good one", displayName: "A", kind: .citizen,
                                                                nationalID: "700101-1234567"), by: .system("t"), on: platform.db)
            }
            do {
                _ = try await identity.createAccount(NewAccount(username: "alice2", password: "another good one", displayName: "A", kind: .citizen,
                                                                nationalID: "900101-2345678"), by: .system("t"), on: platform.db)
                Issue.record("second account for one person")
            } catch let error as NaraError {
                #expect(error.fieldErrors.first?.code == "registered")
            }
            do {
                _ = try await identity.createAccount(NewAccount(username: "clerk", password: "another good one", displayName: "C", kind: .official,
                                                                agencyCode: "9999999"), by: .system("t"), on: platform.db)
                Issue.record("official of an unknown agency")
            } catch let error as NaraError {
                #expect(error.fieldErrors.first?.field == "agencyCode")
            }
            await #expect(throws: NaraError.self) {
                _ = try await identity.createAccount(NewAccount(username: "citizen.role", password: "another good one", displayName: "C", kind: .citizen,
                                                                nationalID: "700101-1234567", extraRoles: ["operator"]), by: .system("t"), on: platform.db)
            }
        }
    }

    @Test("the agency hierarchy is ministry > agency > office")
    func agencyHierarchy() async throws {
        try await withTestPlatform { platform, _, _ in
            let identity = platform.identity
            let office = try await identity.createAgency(NewAgency(code: "1000110", nameEN: "Test Office", nameKO: "시험사무소", kind: .office, parentCode: "1000100"),
                                                         by: .system("t"), on: platform.db)
            #expect(office.parentID != nil)
            await #expect(throws: NaraError.self) {
                _ = try await identity.createAgency(NewAgency(code: "1000120", nameEN: "Bad", nameKO: "잘못", kind: .agency, parentCode: "1000110"),
                                                    by: .system("t"), on: platform.db)
            }
            await #expect(throws: NaraError.self) {
                _ = try await identity.createAgency(NewAgency(code: "12", nameEN: "Bad", nameKO: "잘못", kind: .ministry, parentCode: nil), by: .system("t"), on: platform.db)
            }
            await #expect(throws: NaraError.self) {
                _ = try await identity.createAgency(NewAgency(code: "1000000", nameEN: "Dup", nameKO: "중복", kind: .ministry, parentCode: nil), by: .system("t"), on: platform.db)
            }
            // Every new agency gets its signing certificate.
            _ = try await platform.pki.identity(purpose: .agency, agencyID: office.id, on: platform.db)
        }
    }

    @Test("citizens sign in with a password; wrong passwords and unknown users fail alike")
    func passwordLogin() async throws {
        try await withTestPlatform { platform, _, _ in
            let identity = platform.identity
            let outcome = try await identity.login(username: "Alice", password: Fixtures.password, address: "10.0.0.1", userAgent: "t", on: platform.db)
            guard case .signedIn(let token, let session) = outcome else { Issue.record("citizen needed a second factor"); return }
            #expect(session.account.username == "alice")
            #expect(try await identity.session(token: token, on: platform.db)?.id == session.id)
            var messages: [String] = []
            for username in ["alice", "nobody-here"] {
                do {
                    _ = try await identity.login(username: username, password: "wrong password!", address: "10.0.0.2", userAgent: "t", on: platform.db)
                } catch let error as NaraError {
                    messages.append("\(error.code) \(error.message)")
                }
            }
            #expect(messages.count == 2 && messages[0] == messages[1])
        }
    }

    @Test("five failures for an account lock it for the cooling-off period, the right password included")
    func throttlingByAccount() async throws {
        try await withTestPlatform { platform, clock, _ in
            let identity = platform.identity
            for attempt in 0..<5 {
                await #expect(throws: NaraError.self) {
                    _ = try await identity.login(username: "bob", password: "guess \(attempt)", address: "192.0.2.\(attempt)", userAgent: "t", on: platform.db)
                }
            }
            do {
                _ = try await identity.login(username: "bob", password: Fixtures.password, address: "198.51.100.7", userAgent: "t", on: platform.db)
                Issue.record("locked account signed in")
            } catch let error as NaraError {
                guard case .tooManyRequests(let seconds) = error.kind else { Issue.record("expected 429, got \(error)"); return }
                #expect(seconds > 0 && seconds <= 15 * 60)
            }
            // Unknown user names are throttled the same way, so locking does not reveal accounts.
            for attempt in 0..<5 {
                _ = try? await identity.login(username: "ghost", password: "guess \(attempt)", address: "192.0.2.\(attempt + 10)", userAgent: "t", on: platform.db)
            }
            do {
                _ = try await identity.login(username: "ghost", password: "x", address: "192.0.2.99", userAgent: "t", on: platform.db)
                Issue.record("an unknown user name was not throttled")
            } catch let error as NaraError {
                #expect(error.code == .tooManyRequests)
            }
            clock.advance(by: 15 * 60 + 1)
            let outcome = try await identity.login(username: "bob", password: Fixtures.password, address: "198.51.100.7", userAgent: "t", on: platform.db)
            if case .needsSecondFactor = outcome { Issue.record("citizen asked for a second factor") }
        }
    }

    @Test("five failures from one address lock that address for every user")
    func throttlingByAddress() async throws {
        try await withTestPlatform { platform, _, _ in
            for name in ["u1", "u2", "u3", "u4", "u5"] {
                _ = try? await platform.identity.login(username: name, password: "nope nope", address: "203.0.113.9", userAgent: "t", on: platform.db)
            }
            do {
                _ = try await platform.identity.login(username: "alice", password: Fixtures.password, address: "203.0.113.9", userAgent: "t", on: platform.db)
                Issue.record("throttled address signed in")
            } catch let error as NaraError {
                #expect(error.code == .tooManyRequests)
            }
            // Another address is not affected.
            _ = try await platform.identity.login(username: "alice", password: Fixtures.password, address: "203.0.113.10", userAgent: "t", on: platform.db)
        }
    }

    @Test("officials need the second factor; a code works once; five wrong codes end the sign-in")
    func secondFactor() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let identity = platform.identity
            guard case .needsSecondFactor(let token, let pending) = try await identity.login(
                username: "official.one", password: Fixtures.password, address: "10.1.1.1", userAgent: "t", on: platform.db)
            else { Issue.record("official signed in without a second factor"); return }
            #expect(pending.awaitingSecondFactor)
            let code = fixtures.totp(at: clock.now())
            let (newToken, done) = try await identity.verifySecondFactor(sessionID: pending.id, code: code, address: "10.1.1.1", on: platform.db)
            #expect(done.secondFactorVerified)
            #expect(try await identity.session(token: newToken, on: platform.db)?.secondFactorVerified == true)
            // The token of the password step is retired when the session gains its privileges.
            #expect(try await identity.session(token: token, on: platform.db) == nil)

            // The same code cannot complete a second sign-in.
            guard case .needsSecondFactor(_, let second) = try await identity.login(
                username: "official.one", password: Fixtures.password, address: "10.1.1.2", userAgent: "t", on: platform.db)
            else { Issue.record("unexpected sign-in outcome"); return }
            await #expect(throws: NaraError.self) {
                _ = try await identity.verifySecondFactor(sessionID: second.id, code: code, address: "10.1.1.2", on: platform.db)
            }
            for _ in 0..<3 {
                _ = try? await identity.verifySecondFactor(sessionID: second.id, code: "000000", address: "10.1.1.2", on: platform.db)
            }
            do {
                _ = try await identity.verifySecondFactor(sessionID: second.id, code: "111111", address: "10.1.1.2", on: platform.db)
                Issue.record("a fifth wrong code was accepted")
            } catch let error as NaraError {
                #expect(error.code == .unauthenticated, "the fifth wrong code ends the sign-in: \(error)")
            }
            let revoked = try #require(try await SessionModel.find(second.id, on: platform.db))
            #expect(revoked.revokedAt != nil && revoked.secondFactorFailures == 5)
            clock.advance(by: 60)
            await #expect(throws: NaraError.self) {
                _ = try await identity.verifySecondFactor(sessionID: second.id, code: fixtures.totp(at: clock.now()), address: "10.1.1.2", on: platform.db)
            }
        }
    }

    @Test("sessions expire when idle, at their absolute limit, and when revoked")
    func sessionExpiry() async throws {
        try await withTestPlatform(configure: { $0.sessionIdleMinutes = 30; $0.sessionAbsoluteHours = 2 }) { platform, clock, _ in
            let identity = platform.identity
            guard case .signedIn(let token, let session) = try await identity.login(username: "alice", password: Fixtures.password, address: "a", userAgent: "t", on: platform.db)
            else { Issue.record("unexpected sign-in outcome"); return }
            clock.advance(by: 29 * 60)
            #expect(try await identity.session(token: token, on: platform.db) != nil)
            clock.advance(by: 29 * 60)
            #expect(try await identity.session(token: token, on: platform.db) != nil)  // still used within 30 minutes
            clock.advance(by: 31 * 60)
            #expect(try await identity.session(token: token, on: platform.db) == nil)  // idle

            guard case .signedIn(let token2, _) = try await identity.login(username: "alice", password: Fixtures.password, address: "a", userAgent: "t", on: platform.db)
            else { Issue.record("unexpected sign-in outcome"); return }
            for _ in 0..<5 {
                clock.advance(by: 25 * 60)
                _ = try await identity.session(token: token2, on: platform.db)
            }
            #expect(try await identity.session(token: token2, on: platform.db) == nil)  // 2 hours absolute

            guard case .signedIn(let token3, let session3) = try await identity.login(username: "alice", password: Fixtures.password, address: "a", userAgent: "t", on: platform.db)
            else { Issue.record("unexpected sign-in outcome"); return }
            try await identity.revokeSession(id: session3.id, by: .system("t"), on: platform.db)
            #expect(try await identity.session(token: token3, on: platform.db) == nil)
            _ = session
        }
    }

    @Test("bearer tokens are stored hashed, limited to their scopes, expire and can be revoked")
    func tokens() async throws {
        try await withTestPlatform { platform, clock, _ in
            let identity = platform.identity
            let issued = try await identity.issueToken(username: "alice", password: Fixtures.password, totp: nil, scope: "self.service", address: "a", on: platform.db)
            #expect(issued.scope == "self.service")
            let stored = try await platform.database.sql.raw("SELECT token_hash FROM api_tokens").all()
            #expect(try stored.allSatisfy { try $0.decode(column: "token_hash", as: String.self) != issued.accessToken })
            let actor = try #require(try await identity.actor(bearer: issued.accessToken, on: platform.db))
            #expect(actor.permissions == [.selfService])
            await #expect(throws: NaraError.self) {
                _ = try await identity.issueToken(username: "alice", password: Fixtures.password, totp: nil, scope: "admin.accounts", address: "a", on: platform.db)
            }
            try await identity.revokeToken(issued.accessToken, by: .system("t"), on: platform.db)
            #expect(try await identity.actor(bearer: issued.accessToken, on: platform.db) == nil)
            let later = try await identity.issueToken(username: "alice", password: Fixtures.password, totp: nil, scope: nil, address: "a", on: platform.db)
            clock.advance(by: 3601)
            #expect(try await identity.actor(bearer: later.accessToken, on: platform.db) == nil)
            // Officials must add a current one-time code.
            await #expect(throws: NaraError.self) {
                _ = try await identity.issueToken(username: "official.one", password: Fixtures.password, totp: nil, scope: nil, address: "a", on: platform.db)
            }
        }
    }

    @Test("an agency system gets tokens with client credentials, for its own permissions only")
    func agencySystems() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let identity = platform.identity
            let credentials = try await identity.createAgencySystem(agencyCode: "1000000", name: "Bank gateway", permissions: [.paymentsReconcile],
                                                                    by: .system("t"), on: platform.db)
            let token = try await identity.issueToken(clientID: credentials.clientID, clientSecret: credentials.clientSecret, scope: nil, address: "a", on: platform.db)
            let actor = try #require(try await identity.actor(bearer: token.accessToken, on: platform.db))
            #expect(actor.permissions == [.paymentsReconcile])
            #expect(actor.agencyID == fixtures.ministry!.id)
            await #expect(throws: NaraError.self) {
                _ = try await identity.issueToken(clientID: credentials.clientID, clientSecret: "nara_cs_wrong", scope: nil, address: "a", on: platform.db)
            }
            await #expect(throws: NaraError.self) {
                _ = try await identity.issueToken(clientID: credentials.clientID, clientSecret: credentials.clientSecret, scope: "admin.accounts", address: "a", on: platform.db)
            }
        }
    }

    @Test("disabling an account ends its sessions and tokens")
    func disable() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let identity = platform.identity
            guard case .signedIn(let token, _) = try await identity.login(username: "bob", password: Fixtures.password, address: "a", userAgent: "t", on: platform.db) else { Issue.record("unexpected sign-in outcome"); return }
            let bearer = try await identity.issueToken(username: "bob", password: Fixtures.password, totp: nil, scope: nil, address: "a", on: platform.db)
            // Used once, so its actor is cached: disabling must still take effect at once.
            #expect(try await identity.actor(bearer: bearer.accessToken, on: platform.db) != nil)
            try await identity.setStatus(accountID: fixtures.bob!.id, status: .disabled, by: .system("t"), on: platform.db)
            #expect(try await identity.session(token: token, on: platform.db) == nil)
            #expect(try await identity.actor(bearer: bearer.accessToken, on: platform.db) == nil)
            await #expect(throws: NaraError.self) {
                _ = try await identity.login(username: "bob", password: Fixtures.password, address: "a", userAgent: "t", on: platform.db)
            }
        }
    }

    @Test("reading a national ID in full needs the permission and is recorded for the person")
    func revealNationalID() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let identity = platform.identity
            let official = try #require(fixtures.official)
            let actor = identity.actor(for: official, secondFactorVerified: true)
            let id = try await identity.revealNationalID(accountID: fixtures.alice!.id, by: actor, purpose: "verify applicant identity", requestID: "r1", on: platform.db)
            #expect(id?.digits == "9001012345678")
            let refs = try await identity.subjectRefs(accountID: fixtures.alice!.id, on: platform.db)
            let log = try await platform.audit.entries(aboutSubjects: refs, on: platform.db)
            #expect(log.contains { $0.action == "personal_data.read" && $0.purpose == "verify applicant identity" && $0.agencyID == fixtures.ministry!.id.uuidString.lowercased() })
            let clerk = identity.actor(for: try #require(fixtures.otherOfficial), secondFactorVerified: true)
            await #expect(throws: NaraError.self) {
                _ = try await identity.revealNationalID(accountID: fixtures.alice!.id, by: clerk, purpose: "curious", requestID: nil, on: platform.db)
            }
        }
    }
}
