import FluentKit
import Foundation
@testable import NaraCore
import NaraTesting
import SQLKit
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    /// Appends `count` entries about alice, then a checkpoint at the head (as on shutdown).
    static func fill(_ platform: Platform, _ fixtures: Fixtures, count: Int = 12) async throws {
        let ref = try await platform.identity.subjectRefs(accountID: fixtures.alice!.id, on: platform.db)
        for index in 0..<count {
            try await platform.audit.append(AuditRecord(action: "test.read", objectType: "record", objectID: "r\(index)", subjectRef: ref.last,
                                                        purpose: "test purpose \(index)"),
                                            by: AuditActor(name: "official:test", agencyID: fixtures.ministry?.id, requestID: "req-\(index)"), on: platform.db)
        }
        try await platform.audit.checkpoint(on: platform.db)
    }

    static func row(_ platform: Platform, _ seq: Int64) async throws -> AuditEntryModel {
        try #require(try await AuditEntryModel.find(seq, on: platform.db))
    }

    @Test("an untouched chain verifies, checkpoints included")
    func intact() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.isIntact, "\(String(describing: result.failure))")
            #expect(result.entriesChecked == result.lastSeq)
            #expect(result.checkpointsChecked >= 1)
            #expect(result.lastSeq > 12)
        }
    }

    @Test("every state change of the fixtures was recorded with actor and object")
    func recordsChanges() async throws {
        try await withTestPlatform { platform, _, _ in
            let entries = try await platform.audit.recentEntries(limit: 100, on: platform.db)
            #expect(entries.contains { $0.action == "agency.create" && $0.objectID == "1000000" })
            #expect(entries.contains { $0.action == "account.create" && $0.actor == "system:test-fixtures" })
        }
    }

    @Test("an edited entry is reported at that entry")
    func editedEntry() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let target = try await platform.audit.verify(on: platform.db).lastSeq - 5
            let sql = platform.database.sql
            try await sql.raw("UPDATE audit_entries SET purpose = 'nothing to see' WHERE seq = \(bind: target)").run()
            #expect(try await Self.row(platform, target).purpose == "nothing to see")
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == target)
        }
    }

    @Test("an edited and re-hashed entry is reported at that entry")
    func editedAndRehashed() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let target = try await platform.audit.verify(on: platform.db).lastSeq - 4
            let row = try await Self.row(platform, target)
            let before = row.hash
            row.purpose = "rewritten purpose"
            // The attacker recomputes the entry's own hash exactly as the platform would.
            row.hash = try AuditChain.hash(prev: row.prevHash, content: AuditCanonicalContent(row))
            try await row.save(on: platform.db)
            let after = try await Self.row(platform, target)
            #expect(after.hash != before && after.purpose == "rewritten purpose")
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == target)
        }
    }

    @Test("a deleted entry is reported as missing")
    func deletedEntry() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let target = try await platform.audit.verify(on: platform.db).lastSeq - 7
            try await platform.database.sql.raw("DELETE FROM audit_entries WHERE seq = \(bind: target)").run()
            #expect(try await AuditEntryModel.find(target, on: platform.db) == nil)
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == target)
        }
    }

    @Test("a truncated tail is reported at the first missing entry")
    func truncatedTail() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let last = try await platform.audit.verify(on: platform.db).lastSeq
            try await platform.database.sql.raw("DELETE FROM audit_entries WHERE seq > \(bind: last - 3)").run()
            #expect(try await AuditEntryModel.query(on: platform.db).count() == Int(last - 3))
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == last - 2)
        }
    }

    @Test("a truncated tail is caught by the signed checkpoint even when the head row is rewritten too")
    func truncatedTailAndHead() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let last = try await platform.audit.verify(on: platform.db).lastSeq
            let newLast = try await Self.row(platform, last - 3)
            try await platform.database.sql.raw("DELETE FROM audit_entries WHERE seq > \(bind: last - 3)").run()
            try await platform.database.sql.raw("UPDATE audit_head SET last_seq = \(bind: last - 3), last_hash = \(bind: newLast.hash) WHERE id = 1").run()
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == last - 2)
        }
    }

    @Test("a reordered pair is reported at the first of the two")
    func reorderedPair() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let a = try await platform.audit.verify(on: platform.db).lastSeq - 6
            let sql = platform.database.sql
            // Swap the two rows' positions (their sequence numbers), through a free number.
            try await sql.raw("UPDATE audit_entries SET seq = -1 WHERE seq = \(bind: a)").run()
            try await sql.raw("UPDATE audit_entries SET seq = \(bind: a) WHERE seq = \(bind: a + 1)").run()
            try await sql.raw("UPDATE audit_entries SET seq = \(bind: a + 1) WHERE seq = -1").run()
            #expect(try await Self.row(platform, a).objectID != nil)
            #expect(try await Self.row(platform, a + 1).purpose != nil)
            let moved = try await Self.row(platform, a)
            #expect(moved.prevHash != (try await Self.row(platform, a - 1)).hash)
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == a)
        }
    }

    @Test("a forged checkpoint signature is refused")
    func forgedCheckpoint() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures)
            let checkpoint = try #require(try await AuditCheckpointModel.query(on: platform.db).sort(\.$id, .descending).first())
            let forged = Data(repeating: 7, count: 70).base64EncodedString()
            try await platform.database.sql.raw("UPDATE audit_checkpoints SET signature = \(bind: forged) WHERE seq = \(bind: checkpoint.id!)").run()
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == checkpoint.id)
        }
    }

    @Test("a checkpoint is signed every N entries")
    func periodicCheckpoints() async throws {
        try await withTestPlatform(configure: { $0.auditCheckpointInterval = 5 }) { platform, _, fixtures in
            let before = try await AuditCheckpointModel.query(on: platform.db).count()
            for index in 0..<10 {
                try await platform.audit.append(AuditRecord(action: "test", objectType: "x", objectID: "\(index)"), by: .system("test"), on: platform.db)
            }
            let after = try await AuditCheckpointModel.query(on: platform.db).count()
            #expect(after - before == 2)
            let all = try await AuditCheckpointModel.query(on: platform.db).all()
            #expect(all.allSatisfy { ($0.id ?? 0) % 5 == 0 })
            #expect(try await platform.audit.verify(on: platform.db).isIntact)
            _ = fixtures
        }
    }

    @Test("a batch append chains its entries like single appends, checkpoints included, and the chain verifies")
    func batchAppend() async throws {
        try await withTestPlatform(configure: { $0.auditCheckpointInterval = 5 }) { platform, _, _ in
            let start = try await platform.audit.verify(on: platform.db).lastSeq
            try await platform.audit.append(AuditRecord(action: "single", objectType: "x", objectID: "0"), by: .system("test"), on: platform.db)
            let seqs = try await platform.audit.append((1...12).map { (AuditRecord(action: "batch", objectType: "x", objectID: "\($0)"), AuditActor.system("test")) },
                                                      on: platform.db)
            #expect(seqs == Array((start + 2)...(start + 13)))
            let checkpoints = try await AuditCheckpointModel.query(on: platform.db).all().compactMap(\.id).filter { $0 > start + 1 }
            #expect(checkpoints == stride(from: ((start + 2 + 4) / 5) * 5, through: start + 13, by: 5).map { $0 })
            let report = try await platform.audit.verify(on: platform.db)
            #expect(report.isIntact && report.lastSeq == start + 13)
        }
    }

    @Test("a change and its audit entry commit or roll back together")
    func atomicWithChange() async throws {
        try await withTestPlatform { platform, _, _ in
            let before = try await platform.audit.verify(on: platform.db).lastSeq
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await platform.db.transaction { tx in
                    try await platform.audit.append(AuditRecord(action: "doomed", objectType: "x"), by: .system("test"), on: tx)
                    throw Boom()
                }
            }
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.lastSeq == before)
            #expect(result.isIntact)
        }
    }

    @Test("entries about a person are found by their reference, across actions")
    func entriesAboutPerson() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await Self.fill(platform, fixtures, count: 3)
            let refs = try await platform.identity.subjectRefs(accountID: fixtures.alice!.id, on: platform.db)
            let aboutAlice = try await platform.audit.entries(aboutSubjects: refs, on: platform.db)
            #expect(aboutAlice.filter { $0.action == "test.read" }.count == 3)
            #expect(aboutAlice.contains { $0.action == "account.create" })
            let bobRefs = try await platform.identity.subjectRefs(accountID: fixtures.bob!.id, on: platform.db)
            let aboutBob = try await platform.audit.entries(aboutSubjects: bobRefs, on: platform.db)
            #expect(!aboutBob.contains { $0.action == "test.read" })
        }
    }
}
