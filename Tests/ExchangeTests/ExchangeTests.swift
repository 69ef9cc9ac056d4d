import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraApp
import NaraCore
import NaraTesting
import SQLKit
import Testing
@testable import Exchange

@Suite("Exchange")
struct ExchangeTests {
    @Test("a granted request returns the record signed by both agencies and time-stamped, and shows in that citizen's history only")
    func grantedRequest() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform)
            let token = try await client.systemToken(world.system)
            let response = try await client.exchange(token)
            #expect(response.status == .ok, "\(response.text)")
            let answer = try response.decoded(EvidenceResponse.self)
            #expect(answer.data["name"] == "김앨리스" && answer.data["householdSize"] == "2" && answer.subject == "900101-2******")
            #expect(!response.text.contains("2345678"))
            // Signatures: the consumer agency over the request, the provider over the response, the platform over the entry.
            let request = try await platform.pki.verify(Data(answer.request.canonical.utf8), signature: try #require(answer.request.signature), on: platform.db)
            #expect(request.agencyID == world.consumer.id)
            let reply = try await platform.pki.verify(Data(answer.response.canonical.utf8), signature: try #require(answer.response.signature), on: platform.db)
            #expect(reply.agencyID == world.provider.id)
            _ = try await platform.pki.verify(Data(answer.timestamp.canonical.utf8), signature: try #require(answer.timestamp.signature), on: platform.db)
            #expect(answer.response.canonical.contains(Digest.sha256Hex(try CanonicalJSON.encode(answer.data))))
            // The log holds no resident number in clear.
            let row = try #require(try await LogEntryModel.query(on: platform.db).first())
            #expect(!row.requestCanonical.contains("2345678") && !row.responseCanonical.contains("김앨리스"))

            let alice = try await client.token("alice")
            let history = try await client.api(.get, "/api/v1/me/lookups", token: alice)
            let entries = try history.decoded([LookupEntry].self)
            #expect(entries.count == 1)
            #expect(entries.first?.consumerAgency == "6110000" && entries.first?.purpose == "Housing benefit eligibility")
            #expect(entries.first?.requester == "Seoul welfare" && entries.first?.legalBasis == "egov-act-36-statute")
            let bob = try await client.token("bob")
            #expect(try await client.api(.get, "/api/v1/me/lookups", token: bob).decoded([LookupEntry].self).isEmpty)

            // The citizen's page and downloads.
            let browser = Browser(client)
            _ = try await browser.signIn("alice")
            let page = try await browser.get("/my/lookups")
            #expect(page.status == .ok && page.text.contains("Housing benefit eligibility"))
            let csv = try await browser.get("/my/lookups.csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 2 && lines[0].hasPrefix("time,agency_code") && lines[1].contains("Housing benefit eligibility"))
            let json = try await browser.get("/my/lookups.json")
            #expect(try JSONDecoder().decode([[String: String]].self, from: Data(json.text.utf8)).count == 1)
            let other = Browser(client)
            _ = try await other.signIn("bob")
            #expect(!(try await other.get("/my/lookups")).text.contains("Housing benefit eligibility"))
            #expect(!(try await other.get("/my/lookups.csv")).text.contains("Housing"))
        }
    }

    @Test("each refusal has its own code, changes nothing and is logged")
    func refusals() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            let token = try await client.systemToken(world.system)
            let alice = try await client.token("alice")

            // Not granted.
            var response = try await client.exchange(token)
            #expect(response.status == .forbidden && response.problemCode == "exchange_not_granted", "\(response.text)")
            // Malformed: missing fields, unreadable JSON, a bad resident number.
            response = try await client.api(.post, "/api/v1/exchange/requests", token: token, json: #"{"consumerAgency":"6110000","informationType":"resident.abstract"}"#)
            #expect(response.status == .badRequest && response.problemCode == "exchange_malformed_request")
            let fields = Set(((response.jsonObject["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["subject", "purpose", "legalBasis"])
            response = try await client.api(.post, "/api/v1/exchange/requests", token: token, json: #"{"consumerAgency": 12,"#)
            #expect(response.status == .badRequest && response.problemCode == "exchange_malformed_request")
            response = try await client.exchange(token, nationalID: "900101-23")
            #expect(response.status == .badRequest && response.problemCode == "exchange_malformed_request")
            // Unknown type, and a basis the type does not list.
            response = try await client.exchange(token, type: "tax.payment-status")
            #expect(response.status == .notFound && response.problemCode == "exchange_unknown_type")
            response = try await client.exchange(token, basis: "my-own-law")
            #expect(response.status == .unprocessableContent && response.problemCode == "exchange_basis_not_allowed")

            // Granted now, under the statute and (for consent) under the consent basis.
            try await world.grant(platform, until: "2026-11-25")
            try await world.grant(platform, basis: .sharedUseWithConsent)
            response = try await client.exchange(token, nationalID: World.unregisteredNationalID)
            #expect(response.status == .notFound && response.problemCode == "exchange_unknown_subject")
            // Missing, foreign and withdrawn consent.
            response = try await client.exchange(token, purpose: "Youth rent", basis: "egov-act-36-42-consent")
            #expect(response.status == .forbidden && response.problemCode == "exchange_consent_required")
            let consent = try await client.api(.post, "/api/v1/me/consents", token: alice,
                                               json: #"{"consumerAgency":"6110000","informationType":"resident.abstract","purpose":"Youth rent","validUntil":"2027-01-31"}"#)
            #expect(consent.status == .created, "\(consent.text)")
            let reference = try #require(consent.jsonObject["reference"] as? String)
            #expect(reference.hasPrefix("CNS-2026-"))
            response = try await client.exchange(token, nationalID: "850505-1234561", purpose: "Youth rent", basis: "egov-act-36-42-consent", consent: reference)
            #expect(response.status == .forbidden && response.problemCode == "exchange_consent_invalid")
            response = try await client.exchange(token, purpose: "Something else", basis: "egov-act-36-42-consent", consent: reference)
            #expect(response.status == .forbidden && response.problemCode == "exchange_consent_invalid")
            response = try await client.exchange(token, purpose: "Youth rent", basis: "egov-act-36-42-consent", consent: reference)
            #expect(response.status == .ok, "\(response.text)")
            let consentID = try #require(consent.jsonObject["id"] as? String)
            #expect(try await client.api(.post, "/api/v1/me/consents/\(consentID)/withdraw", token: alice).status == .ok)
            response = try await client.exchange(token, purpose: "Youth rent", basis: "egov-act-36-42-consent", consent: reference)
            #expect(response.status == .forbidden && response.problemCode == "exchange_consent_withdrawn")

            // The statute grant ends today; tomorrow it has expired.
            #expect(try await client.exchange(token).status == .ok)
            harness.clock.advance(by: 86_400)
            let fresh = try await client.systemToken(world.system)
            response = try await client.exchange(fresh)
            #expect(response.status == .forbidden && response.problemCode == "exchange_grant_expired", "\(response.text)")

            // Every one of them is in the log, in order.
            #expect(try await logOutcomes(platform) == [
                "exchange_not_granted", "exchange_malformed_request", "exchange_malformed_request", "exchange_malformed_request", "exchange_unknown_type",
                "exchange_basis_not_allowed", "exchange_unknown_subject", "exchange_consent_required", "exchange_consent_invalid", "exchange_consent_invalid",
                "delivered", "exchange_consent_withdrawn", "delivered", "exchange_grant_expired",
            ])
            // Refusals do not show as look-ups to the citizen; the two deliveries do.
            #expect(try await client.api(.get, "/api/v1/me/lookups", token: try await client.token("alice")).decoded([LookupEntry].self).count == 2)
            let verification = try await MessageLog(platform: platform).verifyLog(progress: nil)
            #expect(verification.intact && verification.entries == 14, "\(String(describing: verification.failure))")
        }
    }

    @Test("an official of one agency cannot act for another, nor request without the permission, nor grant what another agency provides")
    func agencyBoundaries() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform)
            try await world.grant(platform, to: "3000000")
            let code = harness.fixtures.totp(at: harness.clock.now())
            let seoul = try await client.token("clerk.seoul", totp: code)
            let jongno = try await client.token("clerk.jongno", totp: code)
            var response = try await client.exchange(jongno, consumer: "6110000")
            #expect(response.status == .forbidden && response.problemCode == "exchange_wrong_agency")
            #expect(try await client.exchange(jongno, consumer: "3000000").status == .ok)
            #expect(try await client.exchange(seoul).status == .ok)
            let viewer = try await client.token("viewer.seoul", totp: code)
            response = try await client.exchange(viewer)
            #expect(response.status == .forbidden && response.problemCode == "exchange_not_permitted")
            // Citizens and anonymous callers are not agencies: refused, and nothing is logged for them.
            let before = try await logOutcomes(platform).count
            #expect(try await client.exchange(try await client.token("alice")).status == .forbidden)
            #expect(try await client.api(.post, "/api/v1/exchange/requests", json: "{}").status == .unauthorized)
            #expect(try await logOutcomes(platform).count == before)
            // A grant limited to one system does not serve the agency's officials.
            harness.clock.advance(by: 31)
            let steward = try await client.token("steward.mois", totp: harness.fixtures.totp(at: harness.clock.now()))
            let grants = try await client.api(.get, "/api/v1/exchange/grants", token: steward)
            #expect((try grants.decoded([GrantInfo].self)).count == 2)
            for grant in try grants.decoded([GrantInfo].self) {
                #expect(try await client.api(.post, "/api/v1/exchange/grants/\(grant.id)/revoke", token: steward, json: #"{"reason":"re-scoped"}"#).status == .ok)
            }
            let scoped = try await client.api(.post, "/api/v1/exchange/grants", token: steward, json: """
                {"informationType":"resident.abstract","consumerAgency":"6110000","consumerSystemId":"\(world.system.id)","legalBasis":"egov-act-36-statute",
                 "validFrom":"2026-11-01","validUntil":"2027-10-31"}
                """)
            #expect(scoped.status == .created, "\(scoped.text)")
            response = try await client.exchange(try await client.token("clerk.seoul", totp: harness.fixtures.totp(at: harness.clock.now())))
            #expect(response.status == .forbidden && response.problemCode == "exchange_grant_revoked", "\(response.text)")
            #expect(try await client.exchange(try await client.systemToken(world.system)).status == .ok)
            // The ministry cannot grant what it does not provide; a requester cannot grant at all.
            let foreign = try await client.api(.post, "/api/v1/exchange/grants", token: steward, json: """
                {"informationType":"business.status","consumerAgency":"6110000","legalBasis":"egov-act-36-statute","validFrom":"2026-11-01","validUntil":"2027-10-31"}
                """)
            #expect(foreign.status == .unprocessableContent)
            #expect(try await client.api(.post, "/api/v1/exchange/grants", token: seoul, json: "{}").status == .forbidden)
        }
    }

    @Test("a look-up under a law-enforcement basis reaches the citizen's history only after its deferral")
    func deferral() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform, basis: .criminalInvestigation)
            let token = try await client.systemToken(world.system)
            #expect(try await client.exchange(token, purpose: "Investigation 2026-77", basis: "criminal-procedure-act-199").status == .ok)
            #expect(try await client.api(.get, "/api/v1/me/lookups", token: try await client.token("alice")).decoded([LookupEntry].self).isEmpty)
            harness.clock.advance(by: 179 * 86_400)
            #expect(try await client.api(.get, "/api/v1/me/lookups", token: try await client.token("alice")).decoded([LookupEntry].self).isEmpty)
            harness.clock.advance(by: 2 * 86_400)
            let entries = try await client.api(.get, "/api/v1/me/lookups", token: try await client.token("alice")).decoded([LookupEntry].self)
            #expect(entries.map(\.purpose) == ["Investigation 2026-77"])
        }
    }

    @Test("verify-log finds an edited entry, an edited-and-rehashed chain and a removed tail")
    func tamperDetection() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform)
            let token = try await client.systemToken(world.system)
            for purpose in ["one", "two", "three", "four"] { #expect(try await client.exchange(token, purpose: purpose).status == .ok) }
            let log = MessageLog(platform: platform)
            #expect(try await log.verifyLog(progress: nil).intact)
            let sql = platform.database.sql
            // 1. An edited purpose.
            try await sql.raw("UPDATE exchange_log SET purpose = 'nothing to see' WHERE seq = 2").run()
            var result = try await log.verifyLog(progress: nil)
            #expect(result.failure?.seq == 2 && result.failure?.reason == "content altered")
            // 2. Edited and rehashed to the head: the platform's time-stamps no longer match.
            var previous = try #require(try await LogEntryModel.find(1, on: platform.db)).hash
            for entry in try await LogEntryModel.query(on: platform.db).filter(\.$id >= 2).sort(\.$id).all() {
                entry.prevHash = previous
                entry.hash = try ExchangeHash.entryHash(prev: previous, content: LogContent(entry))
                try await entry.save(on: platform.db)
                previous = entry.hash
            }
            try await sql.raw("UPDATE exchange_log_head SET last_hash = \(bind: previous) WHERE id = 1").run()
            result = try await log.verifyLog(progress: nil)
            #expect(result.failure?.seq == 2 && result.failure?.reason.hasPrefix("time-stamp") == true, "\(String(describing: result.failure))")
            // 3. A removed last entry, on an otherwise untouched log.
            try await sql.raw("DELETE FROM exchange_log").run()
            try await sql.raw("UPDATE exchange_log_head SET last_seq = 0, last_hash = \(bind: AuditChain.genesisHash) WHERE id = 1").run()
            for purpose in ["five", "six"] { #expect(try await client.exchange(token, purpose: purpose).status == .ok) }
            #expect(try await log.verifyLog(progress: nil).intact)
            try await sql.raw("DELETE FROM exchange_log WHERE seq = 2").run()
            result = try await log.verifyLog(progress: nil)
            #expect(result.failure?.reason.contains("entries were removed") == true, "\(String(describing: result.failure))")
        }
    }

    @Test("retention: old entries are purged with a signed record, the rest still verifies, and a forged purge record is caught")
    func retention() async throws {
        try await withTestApp(configure: { $0.exchangeRetentionDays = 30 }) { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform)
            let token = try await client.systemToken(world.system)
            for _ in 0..<3 { #expect(try await client.exchange(token).status == .ok) }
            harness.clock.advance(by: 31 * 86_400)
            #expect(try await client.exchange(try await client.systemToken(world.system), purpose: "recent").status == .ok)
            let log = MessageLog(platform: platform)
            #expect(try await log.purgeExpired() == 3)
            #expect(try await log.purgeExpired() == 0)
            #expect(try await LogEntryModel.query(on: platform.db).count() == 1)
            let result = try await log.verifyLog(progress: nil)
            #expect(result.intact && result.entries == 1 && result.purged == 3, "\(String(describing: result.failure))")
            // The citizen's history keeps what is within the retention period.
            let entries = try await client.api(.get, "/api/v1/me/lookups", token: try await client.token("alice")).decoded([LookupEntry].self)
            #expect(entries.map(\.purpose) == ["recent"])
            try await platform.database.sql.raw("UPDATE exchange_purges SET count = 2").run()
            #expect(try await log.verifyLog(progress: nil).failure?.reason.contains("purge record") == true)
        }
    }

    @Test("forty look-ups at once: grouped into few commits, each answered with its own log sequence, and the log verifies")
    func concurrentLookups() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform)
            let token = try await client.systemToken(world.system)
            let sequences = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let response = try await client.exchange(token, purpose: "parallel \(index)")
                        guard response.status == .ok else { throw NaraError.conflict("status \(response.status): \(response.text)") }
                        return try response.decoded(EvidenceResponse.self).logSequence
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(sequences.sorted() == Array(1...40))
            let commits = await world.service.appender.commits
            #expect(commits < 40, "\(commits) commits for 40 entries")
            let purposes = Set(try await LogEntryModel.query(on: platform.db).all().compactMap(\.purpose))
            #expect(purposes.count == 40)
            let result = try await MessageLog(platform: platform).verifyLog(progress: nil)
            #expect(result.intact && result.entries == 40, "\(String(describing: result.failure))")
        }
    }

    @Test("with signing off (benchmarks) entries are chained but unsigned, and verify-log says so")
    func signingOff() async throws {
        try await withTestApp(configure: { $0.exchangeSigningDisabled = true }) { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            try await world.grant(platform)
            let response = try await client.exchange(try await client.systemToken(world.system))
            #expect(response.status == .ok)
            let answer = try response.decoded(EvidenceResponse.self)
            #expect(answer.request.signature == nil && answer.response.signature == nil && answer.timestamp.signature == nil)
            let result = try await MessageLog(platform: platform).verifyLog(progress: nil)
            #expect(result.intact && result.unsigned == 1)
        }
    }

    @Test("the catalogue lists every provider's types; the EvidenceService serves modules the same way")
    func catalogueAndContract() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            let world = try await World.create(platform)
            let catalogue = try await client.api(.get, "/api/v1/exchange/catalogue")
            #expect(catalogue.status == .ok)
            let codes = ((try JSONSerialization.jsonObject(with: Data(catalogue.text.utf8)) as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
            #expect(codes == ["business.status", "resident.abstract", "vehicle.registration"])
            try await world.grant(platform)
            let evidence = try #require(platform.contracts.first((any EvidenceService).self))
            let requester = EvidenceRequester(agencyID: world.consumer.id, actorName: "module:test", displayName: "Civil services", systemID: nil)
            let answer = try await evidence.evidence(EvidenceRequest(requester: requester, informationType: "resident.abstract",
                                                                     subject: ExchangeSubject(.person(try NationalID("900101-2345678"))),
                                                                     purpose: "Application 2026-0001", legalBasis: "egov-act-36-statute", consentReference: nil))
            #expect(answer.data["address"] == "서울특별시 종로구 자하문로 45")
            await #expect(throws: NaraError.self) {
                _ = try await evidence.evidence(EvidenceRequest(requester: requester, informationType: "business.status",
                                                                subject: ExchangeSubject(.business(try BusinessNumber("1018150670"))),
                                                                purpose: "x", legalBasis: "egov-act-36-statute", consentReference: nil))
            }
            #expect(try await logOutcomes(platform) == ["delivered", "exchange_not_granted"])
        }
    }

    @Test("pages: a steward grants with a form (errors keep the input), a citizen gives and withdraws consent")
    func pages() async throws {
        try await withTestApp { client, harness in
            let platform = harness.platform
            _ = try await World.create(platform)
            let steward = Browser(client)
            _ = try await steward.signIn("steward.mois", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            let hub = try await steward.get("/exchange")
            #expect(hub.status == .ok && hub.text.contains("resident.abstract"), "\(hub.status)")
            let refused = try await steward.post("/exchange/grants", form: [("informationType", "resident.abstract"), ("consumerAgency", "6110000"),
                                                                              ("legalBasis", "egov-act-36-statute"), ("validFrom", "2026-12-01"), ("validUntil", "2026-11-30")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("2026-11-30"))
            let granted = try await steward.post("/exchange/grants", form: [("informationType", "resident.abstract"), ("consumerAgency", "6110000"),
                                                                              ("legalBasis", "egov-act-36-42-consent"), ("validFrom", "2026-11-01"), ("validUntil", "2027-10-31")])
            #expect(granted.status == .seeOther || granted.status == .found, "\(granted.status)")
            #expect(try await GrantModel.query(on: platform.db).count() == 1)

            let alice = Browser(client)
            _ = try await alice.signIn("alice")
            _ = try await alice.get("/my/lookups")
            let bad = try await alice.post("/my/consents", form: [("consumerAgency", "6110000"), ("informationType", "resident.abstract"), ("purpose", ""),
                                                                 ("validUntil", "2026-12-31")])
            #expect(bad.status == .unprocessableContent)
            #expect(try await ConsentModel.query(on: platform.db).count() == 0)
            _ = try await alice.post("/my/consents", form: [("consumerAgency", "6110000"), ("informationType", "resident.abstract"), ("purpose", "Youth rent"),
                                                           ("validUntil", "2026-12-31")])
            let consent = try #require(try await ConsentModel.query(on: platform.db).first())
            #expect(try await alice.get("/my/lookups").text.contains(consent.reference))
            // Bob cannot withdraw Alice's consent.
            let bob = Browser(client)
            _ = try await bob.signIn("bob")
            _ = try await bob.get("/my/lookups")
            #expect(try await bob.post("/my/consents/withdraw", form: [("consent", consent.id!.uuidString)]).status == .notFound)
            _ = try await alice.post("/my/consents/withdraw", form: [("consent", consent.id!.uuidString)])
            #expect(try await ConsentModel.find(consent.id, on: platform.db)?.withdrawnAt != nil)
        }
    }
}

@Suite("Exchange demo data")
struct ExchangeDemoTests {
    @Test("the demo seed's grants, consents and imported history are consistent, and its log verifies")
    func demoSeed() async throws {
        var configuration = testConfiguration()
        configuration.demoSeed = .on
        let clock = ManualClock(testEpoch)
        let platform = try await Platform.start(configuration: configuration, modules: NaraModules.all, clock: clock, logger: .init(label: "t"),
                                                sender: RecordingSender())
        var statuses: [String] = []
        for grant in try await GrantModel.query(on: platform.db).all() { statuses.append(try await ExchangeModule.service(platform).grantInfo(grant).status) }
        #expect(Set(statuses) == ["active", "expired", "revoked"])
        #expect(Set(try await ConsentModel.query(on: platform.db).all().map { $0.withdrawnAt == nil }) == [true, false])
        let outcomes = try await logOutcomes(platform)
        #expect(outcomes.filter { $0 == "delivered" }.count == 9 && outcomes.last == "exchange_consent_withdrawn")
        let verification = try await MessageLog(platform: platform).verifyLog(progress: nil)
        #expect(verification.intact && verification.entries == 10, "\(String(describing: verification.failure))")
        // Kim Minji sees three look-ups; the customs investigation twelve days ago stays deferred.
        let minji = try #require(try await platform.identity.account(username: "kim.minji", on: platform.db))
        let service = ExchangeModule.service(platform)
        var entries = try await service.lookups(subjectRefs: try await platform.identity.subjectRefs(accountID: minji.id, on: platform.db), language: .english)
        #expect(entries.count == 3 && !entries.contains { $0.legalBasis == LegalBasis.criminalInvestigation.code })
        clock.advance(by: 170 * 86_400)
        entries = try await service.lookups(subjectRefs: try await platform.identity.subjectRefs(accountID: minji.id, on: platform.db), language: .english)
        #expect(entries.contains { $0.legalBasis == LegalBasis.criminalInvestigation.code })
        await platform.shutdown()
        await removeTestStorage(configuration)
    }
}

@Suite("Exchange canonical form")
struct ExchangeCanonicalTests {
    static let awkward = "a\"b\\c/d\u{8}\u{c}\n\r\t\u{1}\u{1f} 한글 \u{1F600} é"

    @Test("the direct RFC 8785 writer gives the same bytes as JSONEncoder for every signed or hashed message")
    func writerMatchesEncoder() throws {
        let request = RequestMessage(message_id: "m", consumer_agency: "6110000", requester: Self.awkward, system_id: nil, information_type: "resident.abstract",
                                     subject_kind: "person", subject_ref: "ref", subject_masked: "900101-2******", purpose: Self.awkward, legal_basis: "b",
                                     consent_reference: nil, correlation_id: "c", requested_at: "2026-11-25T01:00:00.000Z", body_sha256: nil)
        #expect(request.canonical == (try CanonicalJSON.encode(request)))
        let response = ResponseMessage(message_id: "m", outcome: "delivered", information_type: nil, provider_agency: "1741000", consumer_agency: "6110000",
                                       subject_ref: "ref", data_sha256: "00", reason: Self.awkward, issued_at: "2026-11-25T01:00:00.000Z")
        #expect(response.canonical == (try CanonicalJSON.encode(response)))
        let stamp = TimestampStatement(seq: 12, hash: "ab", at_ms: 1_795_568_400_123)
        #expect(stamp.canonical == (try CanonicalJSON.encode(stamp)))
        let data = ["name": Self.awkward, "birthDate": "1990-01-01", "a_b": "1", "aB": "2", "Z": "3"]
        #expect(CanonicalJSON.object(data) == (try CanonicalJSON.encode(data)))
        let entry = LogEntryModel()
        entry.id = 3
        entry.messageID = "m"
        entry.atMillis = 1
        entry.occurredMillis = 0
        entry.consumerAgencyID = "c"
        entry.requester = Self.awkward
        entry.requesterName = "n"
        entry.outcome = "delivered"
        entry.discloseAfterMillis = -5
        entry.requestCanonical = String(decoding: request.canonical, as: UTF8.self)
        entry.responseCanonical = String(decoding: response.canonical, as: UTF8.self)
        entry.requestSignature = "{}"
        #expect(LogContent(entry).canonical == (try CanonicalJSON.encode(LogContent(entry))))
        let signature = DetachedSignature(certificateFingerprint: "f", signature: "s")
        #expect(ExchangeHash.encodeSignature(signature) == String(decoding: try CanonicalJSON.encode(signature), as: UTF8.self))
    }
}
