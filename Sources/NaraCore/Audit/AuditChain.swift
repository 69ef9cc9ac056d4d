import Crypto
import FluentKit
import Foundation
import SQLKit

/// What happened, for the audit chain.
public struct AuditRecord: Sendable {
    public var action: String
    public var objectType: String
    public var objectID: String?
    /// Keyed reference of the person the action concerns (see `AuditChain.subjectRef`).
    public var subjectRef: String?
    public var purpose: String?
    public var legalBasis: String?
    /// Short free text (never personal data in clear).
    public var detail: String?

    public init(action: String, objectType: String, objectID: String? = nil, subjectRef: String? = nil,
                purpose: String? = nil, legalBasis: String? = nil, detail: String? = nil) {
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.subjectRef = subjectRef
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.detail = detail
    }
}

/// Who did it, and in which request.
public struct AuditActor: Sendable {
    public let name: String
    public let agencyID: UUID?
    public let requestID: String?

    public init(name: String, agencyID: UUID?, requestID: String?) {
        self.name = name
        self.agencyID = agencyID
        self.requestID = requestID
    }

    public init(_ actor: Actor, requestID: String?) {
        self.init(name: actor.auditName, agencyID: actor.agencyID, requestID: requestID)
    }

    public static func system(_ name: String) -> AuditActor { AuditActor(name: "system:" + name, agencyID: nil, requestID: nil) }
    public static let anonymous = AuditActor(name: "anonymous", agencyID: nil, requestID: nil)
}

public struct AuditEntry: Sendable, Codable, Equatable {
    public let seq: Int64
    public let at: Date
    public let actor: String
    public let agencyID: String?
    public let action: String
    public let objectType: String
    public let objectID: String?
    public let purpose: String?
    public let legalBasis: String?
    public let requestID: String?
    public let detail: String?
}

/// The canonical content of an entry: what its hash covers, besides the previous hash.
struct AuditCanonicalContent: Encodable {
    let seq: Int64
    let at_ms: Int64
    let actor: String
    let agency_id: String?
    let action: String
    let object_type: String
    let object_id: String?
    let subject_ref: String?
    let purpose: String?
    let legal_basis: String?
    let request_id: String?
    let detail: String?

    init(_ m: AuditEntryModel) {
        seq = m.id ?? 0
        at_ms = m.atMillis
        actor = m.actor
        agency_id = m.agencyID
        action = m.action
        object_type = m.objectType
        object_id = m.objectID
        subject_ref = m.subjectRef
        purpose = m.purpose
        legal_basis = m.legalBasis
        request_id = m.requestID
        detail = m.detail
    }
}

struct AuditCheckpointStatement: Encodable {
    let chain = "nara-audit-v1"
    let seq: Int64
    let entry_hash: String
    let prev_seq: Int64
    let interval: Int
    let at_ms: Int64

    init(seq: Int64, entryHash: String, prevSeq: Int64, interval: Int, atMillis: Int64) {
        self.seq = seq
        self.entry_hash = entryHash
        self.prev_seq = prevSeq
        self.interval = interval
        self.at_ms = atMillis
    }

    init(_ m: AuditCheckpointModel) {
        self.init(seq: m.id ?? 0, entryHash: m.entryHash, prevSeq: m.prevSeq, interval: m.interval, atMillis: m.atMillis)
    }
}

/// The append-only, hash-chained audit log with signed checkpoints.
public final class AuditChain: Sendable {
    public static let genesisHash = String(repeating: "0", count: 64)

    private let clock: any NaraClock
    private let pki: PKIService
    private let subjectCipher: FieldCipher
    public let checkpointInterval: Int

    init(clock: any NaraClock, pki: PKIService, subjectCipher: FieldCipher, checkpointInterval: Int) {
        self.clock = clock
        self.pki = pki
        self.subjectCipher = subjectCipher
        self.checkpointInterval = checkpointInterval
    }

    /// The reference stored for a person with a national ID: the same keyed hash accounts use for look-up.
    public func subjectRef(nationalID: NationalID) -> String { subjectCipher.lookupHash(nationalID.digits) }

    /// The reference for a business, by its registration number.
    public func subjectRef(businessNumber: String) -> String { "business:" + businessNumber.filter(\.isNumber) }

    /// The reference for an account that has no national ID (businesses, officials).
    public func subjectRef(accountID: UUID) -> String { "account:" + accountID.uuidString.lowercased() }

    static func hash(prev: String, content: AuditCanonicalContent) throws -> String {
        var hasher = SHA256()
        hasher.update(data: Data(prev.utf8))
        hasher.update(data: try CanonicalJSON.encode(content))
        return Data(hasher.finalize()).hexString
    }

    /// Appends one entry. Runs inside the caller's transaction when there is one, so the entry
    /// commits (or rolls back) with the change it records.
    @discardableResult
    public func append(_ record: AuditRecord, by actor: AuditActor, on db: any Database) async throws -> Int64 {
        if db.inTransaction {
            return try await appendLocked(record, by: actor, on: db)
        }
        return try await db.transaction { tx in try await self.appendLocked(record, by: actor, on: tx) }
    }

    private func appendLocked(_ record: AuditRecord, by actor: AuditActor, on db: any Database) async throws -> Int64 {
        try await append([(record, actor)], on: db)[0]
    }

    /// Appends several entries in one step (one head update, one insert): the same chain as
    /// appending them one by one, for writers that group many changes into one transaction.
    /// Must run inside the caller's transaction.
    @discardableResult
    public func append(_ entries: [(AuditRecord, AuditActor)], on db: any Database) async throws -> [Int64] {
        guard !entries.isEmpty else { return [] }
        guard db.inTransaction else {
            return try await db.transaction { tx in try await self.append(entries, on: tx) }
        }
        let sql = db as! any SQLDatabase
        // Taking the head row's write lock first serialises appends across connections and nodes.
        try await sql.raw("UPDATE audit_head SET last_seq = last_seq + \(bind: Int64(entries.count)) WHERE id = 1").run()
        guard let head = try await AuditHeadModel.find(1, on: db) else {
            throw NaraError(.internalError, code: .internalError, "audit chain head is missing")
        }
        let first = head.lastSeq - Int64(entries.count) + 1
        var previous = head.lastHash
        var models: [AuditEntryModel] = []
        var checkpoints: [(Int64, String)] = []
        let at = Timestamp.millis(clock.now())
        for (offset, (record, actor)) in entries.enumerated() {
            let entry = AuditEntryModel()
            entry.id = first + Int64(offset)
            entry.atMillis = at
            entry.actor = actor.name
            entry.agencyID = actor.agencyID?.uuidString.lowercased()
            entry.action = record.action
            entry.objectType = record.objectType
            entry.objectID = record.objectID
            entry.subjectRef = record.subjectRef
            entry.purpose = record.purpose
            entry.legalBasis = record.legalBasis
            entry.requestID = actor.requestID
            entry.detail = record.detail
            entry.prevHash = previous
            entry.hash = try Self.hash(prev: previous, content: AuditCanonicalContent(entry))
            previous = entry.hash
            models.append(entry)
            if entry.id! % Int64(checkpointInterval) == 0 { checkpoints.append((entry.id!, entry.hash)) }
        }
        try await models.create(on: db)
        try await sql.raw("UPDATE audit_head SET last_hash = \(bind: previous) WHERE id = 1").run()
        for (seq, hash) in checkpoints { try await writeCheckpoint(seq: seq, hash: hash, on: db) }
        return models.map { $0.id! }
    }

    private func writeCheckpoint(seq: Int64, hash: String, on db: any Database) async throws {
        let identity = try await pki.identity(purpose: .platform, agencyID: nil, on: db)
        let at = Timestamp.millis(clock.now())
        let previous = try await AuditCheckpointModel.query(on: db).sort(\.$id, .descending).first()?.id ?? 0
        let statement = try CanonicalJSON.encode(AuditCheckpointStatement(seq: seq, entryHash: hash, prevSeq: previous, interval: checkpointInterval, atMillis: at))
        let signature = try pki.sign(statement, with: identity)
        let checkpoint = AuditCheckpointModel()
        checkpoint.id = seq
        checkpoint.entryHash = hash
        checkpoint.prevSeq = previous
        checkpoint.interval = checkpointInterval
        checkpoint.atMillis = at
        checkpoint.signature = signature.signature
        checkpoint.certificateFingerprint = signature.certificateFingerprint
        try await checkpoint.create(on: db)
    }

    /// Signs a checkpoint at the current head unless one exists there already (on shutdown, on demand).
    @discardableResult
    public func checkpoint(on db: any Database) async throws -> Int64? {
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("UPDATE audit_head SET last_seq = last_seq WHERE id = 1").run()
            guard let head = try await AuditHeadModel.find(1, on: tx), head.lastSeq > 0 else { return nil }
            if try await AuditCheckpointModel.find(head.lastSeq, on: tx) != nil { return nil }
            try await self.writeCheckpoint(seq: head.lastSeq, hash: head.lastHash, on: tx)
            return head.lastSeq
        }
    }

    /// Entries about a person, newest first ("who looked at my data").
    public func entries(aboutSubjects refs: [String], limit: Int = 200, on db: any Database) async throws -> [AuditEntry] {
        guard !refs.isEmpty else { return [] }
        let models = try await AuditEntryModel.query(on: db)
            .filter(\.$subjectRef ~~ refs)
            .sort(\.$id, .descending)
            .limit(limit)
            .all()
        return models.map(Self.entry)
    }

    public func recentEntries(limit: Int = 50, on db: any Database) async throws -> [AuditEntry] {
        try await AuditEntryModel.query(on: db).sort(\.$id, .descending).limit(limit).all().map(Self.entry)
    }

    static func entry(_ m: AuditEntryModel) -> AuditEntry {
        AuditEntry(seq: m.id ?? 0, at: Timestamp.date(millis: m.atMillis), actor: m.actor, agencyID: m.agencyID, action: m.action,
                   objectType: m.objectType, objectID: m.objectID, purpose: m.purpose, legalBasis: m.legalBasis,
                   requestID: m.requestID, detail: m.detail)
    }

    // MARK: Verification

    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        /// The first entry that is broken (edited, missing, out of place).
        public let seq: Int64
        public let reason: String
        public var description: String { "entry \(seq): \(reason)" }
    }

    public struct Verification: Sendable {
        public let entriesChecked: Int64
        public let checkpointsChecked: Int
        public let lastSeq: Int64
        public let failure: Failure?
        public var isIntact: Bool { failure == nil }
    }

    /// Walks the chain up to the head as it stood when verification began (entries appended
    /// meanwhile are left for the next run) and every checkpoint. Reports the first broken entry.
    public func verify(on db: any Database, pageSize: Int = 2000,
                       progress: (@Sendable (_ checked: Int64, _ total: Int64) -> Void)? = nil) async throws -> Verification {
        let head = try await AuditHeadModel.find(1, on: db)
        let headSeq = head?.lastSeq ?? 0
        // Without a head row every stored entry is walked (and the missing head reported).
        let bound: Int64 = head?.lastSeq ?? Int64.max
        let total = head == nil ? Int64(try await AuditEntryModel.query(on: db).count()) : headSeq
        var expectedSeq: Int64 = 1
        var previousHash = Self.genesisHash
        var checked: Int64 = 0
        var failure: Failure?
        var hashes: [Int64: String] = [:]
        let allCheckpoints = try await AuditCheckpointModel.query(on: db).sort(\.$id).all()
        let checkpoints = allCheckpoints.filter { ($0.id ?? 0) <= bound }
        let checkpointSeqs = Set(checkpoints.compactMap(\.id))

        walk: while expectedSeq <= bound {
            let page = try await AuditEntryModel.query(on: db)
                .filter(\.$id >= expectedSeq)
                .filter(\.$id <= bound)
                .sort(\.$id)
                .limit(pageSize)
                .all()
            if page.isEmpty { break }
            for entry in page {
                let seq = entry.id ?? 0
                if seq != expectedSeq {
                    failure = Failure(seq: expectedSeq, reason: "entry is missing (the next stored entry is \(seq))")
                    break walk
                }
                let ownHashValid = (try? Self.hash(prev: entry.prevHash, content: AuditCanonicalContent(entry))) == entry.hash
                if entry.prevHash != previousHash {
                    if ownHashValid && seq > 1 {
                        failure = Failure(seq: seq - 1, reason: "entry was changed: its hash is not the one entry \(seq) recorded")
                    } else {
                        failure = Failure(seq: seq, reason: "entry does not link to the entry before it (changed or moved)")
                    }
                    break walk
                }
                if !ownHashValid {
                    failure = Failure(seq: seq, reason: "entry content does not match its hash (edited)")
                    break walk
                }
                if checkpointSeqs.contains(seq) { hashes[seq] = entry.hash }
                previousHash = entry.hash
                expectedSeq += 1
                checked += 1
            }
            progress?(checked, total)
        }
        let lastSeq = expectedSeq - 1

        if failure == nil {
            if head == nil {
                if lastSeq > 0 { failure = Failure(seq: 1, reason: "the chain head row is missing") }
            } else if headSeq > lastSeq {
                failure = Failure(seq: lastSeq + 1, reason: "entries \(lastSeq + 1)...\(headSeq) are missing: the chain head records \(headSeq) entries (truncated)")
            } else if head?.lastHash != previousHash {
                failure = Failure(seq: lastSeq, reason: "the chain head does not match the last entry")
            }
        }

        // A checkpoint beyond the head is fine only if its entry exists (appended while we read);
        // otherwise the chain was cut back below a signed checkpoint.
        if failure == nil, head != nil {
            for checkpoint in allCheckpoints where (checkpoint.id ?? 0) > bound {
                let seq = checkpoint.id ?? 0
                let entry = try await AuditEntryModel.find(seq, on: db)
                if entry?.hash != checkpoint.entryHash {
                    failure = Failure(seq: lastSeq + 1, reason: "a signed checkpoint covers entry \(seq) but the chain ends at \(lastSeq) (truncated)")
                    break
                }
            }
        }

        var checkpointsChecked = 0
        if failure == nil {
            let platformKey = try await pki.identity(purpose: .platform, agencyID: nil, on: db).fingerprint
            var previousCheckpointSeq: Int64 = 0
            var interval = checkpointInterval
            for checkpoint in checkpoints {
                let seq = checkpoint.id ?? 0
                let statement = try CanonicalJSON.encode(AuditCheckpointStatement(checkpoint))
                guard checkpoint.certificateFingerprint == platformKey else {
                    failure = Failure(seq: seq, reason: "checkpoint is not signed by the platform key")
                    break
                }
                do {
                    _ = try await pki.verify(statement, signature: DetachedSignature(certificateFingerprint: checkpoint.certificateFingerprint, signature: checkpoint.signature),
                                             at: Timestamp.date(millis: checkpoint.atMillis), on: db)
                } catch {
                    failure = Failure(seq: seq, reason: "checkpoint signature is not valid (\(error))")
                    break
                }
                if checkpoint.prevSeq != previousCheckpointSeq {
                    failure = Failure(seq: previousCheckpointSeq + 1,
                                      reason: "the signed checkpoint at \(seq) follows one at \(checkpoint.prevSeq), which is missing (checkpoints removed)")
                    break
                }
                if hashes[seq] != checkpoint.entryHash {
                    failure = Failure(seq: previousCheckpointSeq + 1,
                                      reason: "entries \(previousCheckpointSeq + 1)...\(seq) differ from the signed checkpoint at \(seq) (rewritten)")
                    break
                }
                previousCheckpointSeq = seq
                interval = checkpoint.interval
                checkpointsChecked += 1
            }
            // Every `interval` entries a checkpoint is signed in the same transaction: a longer
            // unsigned tail means checkpoints were removed.
            if failure == nil && lastSeq - previousCheckpointSeq > Int64(interval) {
                failure = Failure(seq: previousCheckpointSeq + 1,
                                  reason: "no signed checkpoint covers entries \(previousCheckpointSeq + 1)...\(lastSeq) although one is signed every \(interval) entries (checkpoints removed)")
            }
        }
        return Verification(entriesChecked: checked, checkpointsChecked: checkpointsChecked, lastSeq: lastSeq, failure: failure)
    }
}
