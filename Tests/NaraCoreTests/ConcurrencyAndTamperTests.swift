import FluentKit
import Foundation
@testable import NaraCore
import NaraTesting
import NIOConcurrencyHelpers
import SQLKit
import Testing

@Suite("Races and forgeries")
struct ConcurrencyAndTamperTests {
    @Test("parallel wrong passwords cannot get more than five guesses past the throttle")
    func parallelGuesses() async throws {
        try await withTestPlatform { platform, _, _ in
            let identity = platform.identity
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do {
                            _ = try await identity.login(username: "alice", password: "guess number \(index)", address: "198.18.0.\(index)", userAgent: "t", on: platform.db)
                            return "signed in"
                        } catch let error as NaraError {
                            return error.code.rawValue
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(!outcomes.contains("signed in"))
            let guessed = try await LoginAttemptModel.query(on: platform.db).filter(\.$usernameKey == "alice").filter(\.$outcome == "failure").count()
            #expect(guessed <= 5, "\(guessed) passwords were checked")
            #expect(outcomes.filter { $0 == "too_many_requests" }.count >= 15)
        }
    }

    @Test("one one-time code presented twice at the same moment works once")
    func parallelTOTP() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let code = fixtures.totp(at: clock.now())
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<2 {
                    group.addTask {
                        (try? await platform.identity.issueToken(username: "official.one", password: Fixtures.password, totp: code, scope: nil,
                                                                 address: "10.9.9.\(index)", on: platform.db)) != nil
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
        }
    }

    @Test("two identical bank notices at once: one recorded, one already recorded; a rival transaction is refused")
    func parallelReconciliation() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let payments = platform.payments
            let fee = try await payments.charge(accountID: fixtures.alice!.id, agencyID: nil, module: "test", purpose: "Fee",
                                                amount: try Money(minorUnits: 700, currency: "KRW"), dueAt: clock.now(), by: .system("t"), on: platform.db)
            let notice = PaymentNotice(reference: fee.reference, amountMinor: 700, currency: "KRW", bankTransactionID: "KFTC-P1", paidAt: clock.now())
            let rival = PaymentNotice(reference: fee.reference, amountMinor: 700, currency: "KRW", bankTransactionID: "KFTC-P2", paidAt: clock.now())
            let results = try await withThrowingTaskGroup(of: String.self) { group in
                for candidate in [notice, notice, rival] {
                    group.addTask {
                        do {
                            switch try await payments.reconcile(candidate, by: .system("bank"), on: platform.db) {
                            case .recorded(let p): return "recorded \(p.bankTransactionID ?? "")"
                            case .alreadyRecorded(let p): return "already \(p.bankTransactionID ?? "")"
                            }
                        } catch let error as NaraError {
                            return error.code.rawValue
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(results.filter { $0.hasPrefix("recorded") }.count == 1, "\(results)")
            let stored = try #require(try await payments.payment(reference: fee.reference, on: platform.db))
            #expect(stored.status == .paid)
            #expect(try await payments.balance(paymentID: fee.id, on: platform.db) == 0)
            // Whichever transaction won, the same notice again is "already recorded".
            let winner = PaymentNotice(reference: fee.reference, amountMinor: 700, currency: "KRW", bankTransactionID: stored.bankTransactionID!, paidAt: clock.now())
            guard case .alreadyRecorded = try await payments.reconcile(winner, by: .system("bank"), on: platform.db) else {
                Issue.record("the winning notice was applied twice"); return
            }
        }
    }

    @Test("parallel requests for new sequence numbers get distinct, gap-free numbers")
    func parallelSequences() async throws {
        try await withTestPlatform(fixtures: false) { platform, _, _ in
            let numbers = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<10 { group.addTask { try await platform.sequences.next("receipt", year: 2026, on: platform.db) } }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(numbers.sorted() == Array(1...10))
        }
    }

    @Test("removing signed checkpoints is detected: one in the middle, or all of them")
    func removedCheckpoints() async throws {
        try await withTestPlatform(configure: { $0.auditCheckpointInterval = 4 }) { platform, _, _ in
            for index in 0..<12 {
                try await platform.audit.append(AuditRecord(action: "test", objectType: "x", objectID: "\(index)"), by: .system("t"), on: platform.db)
            }
            #expect(try await platform.audit.verify(on: platform.db).isIntact)
            let all = try await AuditCheckpointModel.query(on: platform.db).sort(\.$id).all()
            #expect(all.count >= 3)
            let middle = all[all.count / 2].id!
            try await platform.database.sql.raw("DELETE FROM audit_checkpoints WHERE seq = \(bind: middle)").run()
            #expect(try await AuditCheckpointModel.find(middle, on: platform.db) == nil)
            let broken = try await platform.audit.verify(on: platform.db)
            #expect(broken.failure != nil)
            #expect(broken.failure?.reason.contains("missing") == true)

            try await platform.database.sql.raw("DELETE FROM audit_checkpoints").run()
            #expect(try await AuditCheckpointModel.query(on: platform.db).count() == 0)
            let none = try await platform.audit.verify(on: platform.db)
            #expect(none.failure?.seq == 1)
        }
    }

    @Test("a checkpoint signed with another valid key of the platform (an agency's) is refused")
    func checkpointWrongKey() async throws {
        try await withTestPlatform { platform, _, fixtures in
            try await platform.audit.checkpoint(on: platform.db)
            let checkpoint = try #require(try await AuditCheckpointModel.query(on: platform.db).sort(\.$id, .descending).first())
            let agencyKey = try await platform.pki.identity(purpose: .agency, agencyID: fixtures.ministry!.id, on: platform.db)
            let statement = try CanonicalJSON.encode(AuditCheckpointStatement(checkpoint))
            let forged = try platform.pki.sign(statement, with: agencyKey)
            // The forged signature itself is valid: only the signer is wrong.
            _ = try await platform.pki.verify(statement, signature: forged, on: platform.db)
            try await platform.database.sql.raw("""
                UPDATE audit_checkpoints SET signature = \(bind: forged.signature), certificate_fingerprint = \(bind: forged.certificateFingerprint)
                WHERE seq = \(bind: checkpoint.id!)
                """).run()
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.failure?.seq == checkpoint.id)
            #expect(result.failure?.reason.contains("platform key") == true)
        }
    }

    @Test("tools close storage without signing; the server signs a checkpoint at shutdown")
    func shutdownCheckpoints() async throws {
        var configuration = testConfiguration()
        configuration.demoSeed = .off
        let first = try await Platform.start(configuration: configuration, modules: [], logger: .init(label: "t"), seedDemo: false, sender: RecordingSender())
        try await first.audit.append(AuditRecord(action: "test", objectType: "x"), by: .system("t"), on: first.db)
        await first.shutdown()
        let second = try await Platform.start(configuration: configuration, modules: [], logger: .init(label: "t"), seedDemo: false, sender: RecordingSender())
        #expect(try await AuditCheckpointModel.query(on: second.db).count() == 0)
        await second.shutdown(signCheckpoint: true)
        let third = try await Platform.start(configuration: configuration, modules: [], logger: .init(label: "t"), seedDemo: false, sender: RecordingSender())
        #expect(try await AuditCheckpointModel.query(on: third.db).count() == 1)
        #expect(try await third.audit.verify(on: third.db).isIntact)
        await third.shutdown()
        await removeTestStorage(configuration)
    }

    @Test("entries appended after verification began are left for the next run, not reported as breaks")
    func verificationBoundedToHead() async throws {
        try await withTestPlatform { platform, _, _ in
            // An entry stored beyond the head (as if appended while a verifier read the head).
            let head = try #require(try await AuditHeadModel.find(1, on: platform.db))
            let late = AuditEntryModel()
            late.id = head.lastSeq + 1
            late.atMillis = 0
            late.actor = "system:late"
            late.action = "late"
            late.objectType = "x"
            late.prevHash = head.lastHash
            late.hash = try AuditChain.hash(prev: head.lastHash, content: AuditCanonicalContent(late))
            try await late.create(on: platform.db)
            let result = try await platform.audit.verify(on: platform.db)
            #expect(result.isIntact)
            #expect(result.lastSeq == head.lastSeq)
        }
    }

}
