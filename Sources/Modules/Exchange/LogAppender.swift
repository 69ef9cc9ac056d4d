import FluentKit
import Foundation
import NaraCore
import SQLKit

/// Group commit for the message log. Look-ups that arrive while a commit is under way wait
/// together and are appended in the next transaction: one durable commit for many entries, each
/// request answered only after the commit that holds its entry. The head row's lock still
/// serialises appends across connections and nodes.
actor LogAppender {
    private struct Pending {
        let entry: LogEntryModel
        let continuation: CheckedContinuation<SignedMessage, any Error>
    }

    private let db: any Database
    private let pki: PKIService
    private let clock: any NaraClock
    private let signing: Bool
    private var queue: [Pending] = []
    private var draining = false
    static let maximumBatch = 200
    /// Transactions committed (for tests and metrics): fewer than entries when grouping works.
    private(set) var commits = 0

    init(db: any Database, pki: PKIService, clock: any NaraClock, signing: Bool) {
        self.db = db
        self.pki = pki
        self.clock = clock
        self.signing = signing
    }

    /// Appends the entry (its id, chain link, hash and time-stamp are set here) and returns the
    /// platform's time-stamp once it is committed.
    func append(_ entry: LogEntryModel) async throws -> SignedMessage {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Pending(entry: entry, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            // At most 200 entries per commit: one multi-row INSERT binds 26 parameters per entry.
            let batch = Array(queue.prefix(Self.maximumBatch))
            queue.removeFirst(batch.count)
            do {
                let stamps = try await commit(batch.map(\.entry))
                for (pending, stamp) in zip(batch, stamps) { pending.continuation.resume(returning: stamp) }
            } catch where batch.count > 1 {
                // One bad entry must not fail the others: write them one by one.
                for pending in batch {
                    do { pending.continuation.resume(returning: try await commit([pending.entry])[0]) } catch { pending.continuation.resume(throwing: error) }
                }
            } catch {
                batch[0].continuation.resume(throwing: error)
            }
        }
        draining = false
    }

    private func commit(_ entries: [LogEntryModel]) async throws -> [SignedMessage] {
        let identity = signing ? try await pki.identity(purpose: .platform, agencyID: nil, on: db) : nil
        let pki = self.pki
        let clock = self.clock
        let stamps = try await db.transaction { tx in try await Self.write(entries, identity: identity, pki: pki, at: clock.now(), on: tx) }
        commits += 1
        return stamps
    }

    /// The columns of `exchange_log`, in the order `values(_:)` gives them.
    static let columns = ["seq", "message_id", "at_ms", "occurred_ms", "consumer_agency_id", "requester", "requester_name", "information_type",
                          "provider_agency_id", "subject_ref", "subject_masked", "purpose", "legal_basis", "consent_reference", "outcome",
                          "disclose_after_ms", "request_canonical", "request_signature", "response_canonical", "response_signature", "data_cipher",
                          "timestamp_signature", "prev_hash", "hash"]

    static func values(_ e: LogEntryModel) -> [any Encodable & Sendable] {
        [e.id, e.messageID, e.atMillis, e.occurredMillis, e.consumerAgencyID, e.requester, e.requesterName, e.informationType, e.providerAgencyID,
         e.subjectRef, e.subjectMasked, e.purpose, e.legalBasis, e.consentReference, e.outcome, e.discloseAfterMillis, e.requestCanonical,
         e.requestSignature, e.responseCanonical, e.responseSignature, e.dataCipher, e.timestampSignature, e.prevHash, e.hash]
    }

    /// Chains, time-stamps and inserts entries inside the caller's transaction; `time` is when
    /// they are logged. Plain SQL: this is the hot path, and Fluent's reflective model handling
    /// cost more than the rest of a look-up together.
    static func write(_ entries: [LogEntryModel], identity: SigningIdentity?, pki: PKIService, at time: Date,
                      on tx: any Database) async throws -> [SignedMessage] {
        let sql = tx as! any SQLDatabase
        // Taking the head row's write lock first serialises appends across connections and nodes.
        try await sql.raw("UPDATE exchange_log_head SET last_seq = last_seq + \(bind: Int64(entries.count)) WHERE id = 1").run()
        guard let head = try await sql.raw("SELECT last_seq, last_hash FROM exchange_log_head WHERE id = 1").first() else {
            throw NaraError(.internalError, code: .internalError, "the exchange log head is missing")
        }
        var seq = try head.decode(column: "last_seq", as: Int64.self) - Int64(entries.count) + 1
        var previous = try head.decode(column: "last_hash", as: String.self)
        var stamps: [SignedMessage] = []
        for entry in entries {
            entry.atMillis = Timestamp.millis(time)
            entry.id = seq
            entry.prevHash = previous
            entry.hash = try ExchangeHash.entryHash(prev: previous, content: LogContent(entry))
            let statement = TimestampStatement(seq: seq, hash: entry.hash, at_ms: entry.atMillis).canonical
            let stamp = try identity.map { try pki.sign(statement, with: $0) }
            entry.timestampSignature = ExchangeHash.encodeSignature(stamp)
            stamps.append(SignedMessage(canonical: String(decoding: statement, as: UTF8.self), signature: stamp))
            previous = entry.hash
            seq += 1
        }
        let rows = entries.map { entry -> SQLQueryString in "(\(binds: values(entry)))" }
        try await sql.raw("INSERT INTO exchange_log (\(idents: columns, joinedBy: ", ")) VALUES \(rows.joined(separator: ", "))").run()
        try await sql.raw("UPDATE exchange_log_head SET last_hash = \(bind: previous) WHERE id = 1").run()
        return stamps
    }
}
