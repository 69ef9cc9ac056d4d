import FluentKit
import Foundation
import NaraCore
import NaraTesting
import NIOConcurrencyHelpers
import SQLKit
import Testing

struct Abort: Error {}

@Suite("Storage")
struct StorageTests {
    @Test("SQLite runs with WAL, synchronous=FULL and foreign keys on")
    func sqlitePragmas() async throws {
        try await withTestPlatform(fixtures: false) { platform, _, _ in
            guard platform.database.isSQLite else { return }
            let settings = try #require(try await platform.database.sqliteSettings())
            #expect(settings.journalMode.lowercased() == "wal")
            #expect(settings.synchronous == 2)
            #expect(settings.foreignKeys == 1)
        }
    }

    @Test("foreign keys are enforced")
    func foreignKeys() async throws {
        try await withTestPlatform(fixtures: false) { platform, _, _ in
            await #expect(throws: (any Error).self) {
                try await AccountRoleModel(accountID: UUID(), role: "citizen").create(on: platform.db)
            }
            let roles = try await AccountRoleModel.query(on: platform.db).count()
            #expect(roles == 0)
        }
    }

    @Test("migrations are recorded once: a second run applies nothing and the platform is ready")
    func migrationsIdempotent() async throws {
        try await withTestPlatform(fixtures: false) { platform, _, _ in
            let again = try await platform.database.migrate(platform.migrations)
            #expect(again.isEmpty)
            let readiness = await platform.readiness()
            let allReady = readiness.allSatisfy { $0.ok }
            #expect(allReady, "\(readiness)")
            let holidays = try await HolidayModel.query(on: platform.db).count()
            #expect(holidays == KoreanPublicHolidays.y2026And2027.count)
        }
    }

    @Test("first start without NARA_MASTER_KEY writes an owner-only key file; a different key is refused later")
    func masterKeyFile() async throws {
        guard testDatabaseURL == nil else { return }  // the key file belongs to the SQLite data directory
        var configuration = testConfiguration()
        configuration.masterKey = nil
        let platform = try await Platform.start(configuration: configuration, modules: [], logger: .init(label: "t"), seedDemo: false)
        await platform.shutdown()
        let keyPath = (configuration.dataDirectory as NSString).appendingPathComponent("master.key")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)
        #expect(FileManager.default.fileExists(atPath: configuration.sqlitePath))

        var wrong = configuration
        wrong.masterKey = Data(repeating: 9, count: 32).base64EncodedString()
        do {
            let started = try await Platform.start(configuration: wrong, modules: [], logger: .init(label: "t"), seedDemo: false)
            await started.shutdown()
            Issue.record("a different master key was accepted")
        } catch let error as NaraError {
            #expect(error.message.contains("master key"))
        }
        await removeTestStorage(configuration)
    }

    @Test("national ID numbers are stored encrypted and shown masked")
    func nationalIDsEncrypted() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let rows = try await platform.database.sql.raw("SELECT national_id_cipher, national_id_hash, national_id_masked FROM accounts WHERE username = 'alice'").all()
            let row = try #require(rows.first)
            let cipher = try row.decode(column: "national_id_cipher", as: String.self)
            #expect(!cipher.contains("9001012345678") && !cipher.contains("900101"))
            #expect(try row.decode(column: "national_id_masked", as: String.self) == "900101-2******")
            #expect(fixtures.alice?.nationalIDMasked == "900101-2******")
        }
    }

    @Test("the sequence service numbers per kind and year, and a rolled-back number is reused")
    func sequences() async throws {
        try await withTestPlatform(fixtures: false) { platform, _, _ in
            let s = platform.sequences
            let first = try await s.next("receipt", year: 2026, on: platform.db)
            let second = try await s.next("receipt", year: 2026, on: platform.db)
            let otherYear = try await s.next("receipt", year: 2027, on: platform.db)
            let otherKind = try await s.next("tender", year: 2026, on: platform.db)
            #expect([first, second, otherYear, otherKind] == [1, 2, 1, 1])
            let taken = NIOLockedValueBox<Int64>(0)
            await #expect(throws: Abort.self) {
                try await platform.db.transaction { tx -> Void in
                    let number = try await s.next("receipt", year: 2026, on: tx)
                    taken.withLockedValue { $0 = number }
                    throw Abort()
                }
            }
            #expect(taken.withLockedValue { $0 } == 3)
            let reused = try await s.next("receipt", year: 2026, on: platform.db)
            #expect(reused == 3)
            #expect(SequenceService.format(prefix: "RCPT", year: 2026, number: 42) == "RCPT-2026-000042")
        }
    }

    @Test("an online backup is a consistent, openable copy")
    func backup() async throws {
        try await withTestPlatform { platform, _, _ in
            guard platform.database.isSQLite else { return }
            let target = platform.configuration.dataDirectory + "/backup.sqlite"
            try await platform.database.backupSQLite(to: target)
            var copy = platform.configuration
            copy.dataDirectory = platform.configuration.dataDirectory + "/restored"
            try FileManager.default.createDirectory(atPath: copy.dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: target, toPath: copy.sqlitePath)
            let restored = try await Platform.start(configuration: copy, modules: [], logger: .init(label: "t"), migrationMode: .requireCurrent, seedDemo: false)
            #expect(try await restored.identity.account(username: "alice", on: restored.db) != nil)
            #expect(try await restored.audit.verify(on: restored.db).isIntact)
            await restored.shutdown()
            await #expect(throws: NaraError.self) { try await platform.database.backupSQLite(to: target) }
        }
    }
}
