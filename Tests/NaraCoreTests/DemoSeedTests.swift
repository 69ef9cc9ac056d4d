import FluentKit
import Foundation
import NaraCore
import NaraTesting
import Testing

@Suite("Demo seed")
struct DemoSeedTests {
    @Test("an empty database gets a believable government; a database with data is never seeded")
    func seed() async throws {
        var configuration = testConfiguration()
        configuration.demoSeed = .auto
        let first = try await Platform.start(configuration: configuration, modules: [], clock: ManualClock(testEpoch), logger: .init(label: "t"), sender: RecordingSender())
        let report = try #require(first.seededDemo)
        let agencies = try await first.identity.agencies(on: first.db)
        #expect(agencies.count >= 10)
        #expect(Set(agencies.map(\.kind)) == Set(AgencyKind.allCases))
        let accounts = try await first.identity.accounts(on: first.db)
        #expect(Set(accounts.map(\.kind)) == Set(AccountKind.allCases))
        // An official in every agency, each able to sign in with the demo password and code.
        for agency in agencies {
            #expect(accounts.contains { $0.kind == .official && $0.agencyID == agency.id }, "no official in \(agency.code)")
        }
        #expect(report.logins.contains { $0.username == "official.mois" })
        // Payments in every state but cancelled; notifications read and unread; an audit chain that verifies.
        let minji = try #require(accounts.first { $0.username == "kim.minji" })
        let payments = try await first.payments.payments(accountID: minji.id, on: first.db)
        #expect(Set(payments.map(\.status)) == [.pending, .paid])
        let inbox = try await first.notifications.inbox(accountID: minji.id, on: first.db)
        #expect(inbox.contains { $0.readAt == nil } && inbox.contains { $0.readAt != nil })
        #expect(try await first.audit.verify(on: first.db).isIntact)
        guard case .needsSecondFactor = try await first.identity.login(username: "official.mois", password: DemoSeed.password, address: "a", userAgent: "t", on: first.db) else {
            Issue.record("demo official signed in without second factor"); return
        }
        await first.shutdown()

        let second = try await Platform.start(configuration: configuration, modules: [], logger: .init(label: "t"), sender: RecordingSender())
        #expect(second.seededDemo == nil)
        #expect(try await second.identity.accounts(on: second.db).count == accounts.count)
        await second.shutdown()
        await removeTestStorage(configuration)
    }

    @Test("a database holding other tables is never seeded, nor is one behind an https address unless asked")
    func seedGuards() async throws {
        var foreign = testConfiguration()
        foreign.demoSeed = .on
        let database = try await NaraDatabase.open(foreign, logger: .init(label: "t"))
        try await database.sql.raw("CREATE TABLE legacy_register (id INTEGER PRIMARY KEY, name TEXT)").run()
        await database.shutdown()
        let platform = try await Platform.start(configuration: foreign, modules: [], logger: .init(label: "t"), sender: RecordingSender())
        #expect(platform.seededDemo == nil)
        #expect(try await platform.identity.accounts(on: platform.db).isEmpty)
        await platform.shutdown()
        await removeTestStorage(foreign)

        var published = testConfiguration()
        published.demoSeed = .auto
        published.baseURL = "https://www.nara.example.kr"
        #expect(!published.seedsDemoIntoEmptyDatabase)
        let production = try await Platform.start(configuration: published, modules: [], logger: .init(label: "t"), sender: RecordingSender())
        #expect(production.seededDemo == nil)
        await production.shutdown()
        await removeTestStorage(published)
        published.demoSeed = .on
        #expect(published.seedsDemoIntoEmptyDatabase)
    }
}
