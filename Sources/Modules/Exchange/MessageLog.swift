import Crypto
import FluentKit
import Foundation
import NaraCore
import SQLKit
import X509

/// Verification and retention of the message log.
struct MessageLog: ExchangeMessageLog {
    let platform: Platform

    private var db: any Database { platform.db }

    /// A certificate checked once against the platform root, then used for every entry it signed.
    private struct KnownSigner {
        let key: P256.Signing.PublicKey
        let purpose: String
        let agencyID: UUID?
        let notBefore: Date
        let notAfter: Date
    }

    private final class SignerCache: @unchecked Sendable {
        var signers: [String: KnownSigner] = [:]
    }

    private enum Expected {
        case agency(String)
        case platform
    }

    /// Checks a signature over `bytes`; nil when it holds, otherwise why not.
    private func check(_ signatureText: String?, over bytes: Data, by expected: Expected, at time: Date, cache: SignerCache) async throws -> String? {
        guard let signature = ExchangeHash.decodeSignature(signatureText) else { return "signature unreadable" }
        var signer = cache.signers[signature.certificateFingerprint]
        if signer == nil {
            guard let (certificate, model) = try await platform.pki.certificate(fingerprint: signature.certificateFingerprint, on: db) else {
                return "signed with an unknown certificate"
            }
            do { try await platform.pki.validateChain(certificate, at: time, on: db) } catch { return "certificate does not verify: \(error)" }
            guard let key = P256.Signing.PublicKey(certificate.publicKey) else { return "certificate key is not P-256" }
            signer = KnownSigner(key: key, purpose: model.purpose, agencyID: model.$agency.id, notBefore: certificate.notValidBefore,
                                 notAfter: certificate.notValidAfter)
            cache.signers[signature.certificateFingerprint] = signer
        }
        guard let signer else { return "no signer" }
        switch expected {
        case .agency(let id):
            if signer.purpose != KeyPurpose.agency.rawValue || signer.agencyID?.uuidString != id { return "signed by the wrong key" }
        case .platform:
            if signer.purpose != KeyPurpose.platform.rawValue { return "not signed by the platform key" }
        }
        if time < signer.notBefore || time > signer.notAfter { return "certificate not valid at the entry's time" }
        guard let der = Data(base64Encoded: signature.signature), let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: der),
              signer.key.isValidSignature(ecdsa, for: bytes)
        else { return "signature does not match" }
        return nil
    }

    func verifyLog(progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) async throws -> ExchangeLogVerification {
        let cache = SignerCache()
        // Purge records: each signed by the platform, in order; the last one anchors the chain.
        var anchorSeq: Int64 = 0
        var anchorHash = AuditChain.genesisHash
        var purged: Int64 = 0
        for purge in try await PurgeModel.query(on: db).sort(\.$id).all() {
            let statement = PurgeStatement(purge: purge.id ?? 0, through_seq: purge.throughSeq, through_hash: purge.throughHash, count: purge.count,
                                           cutoff_ms: purge.cutoffMillis, at_ms: purge.atMillis)
            let bytes = try CanonicalJSON.encode(statement)
            if String(decoding: bytes, as: UTF8.self) != purge.statement || purge.throughSeq <= anchorSeq {
                return ExchangeLogVerification(entries: 0, purged: purged, unsigned: 0, failure: (purge.throughSeq, "purge record \(purge.id ?? 0) altered"))
            }
            if let problem = try await check(purge.signature, over: bytes, by: .platform, at: Timestamp.date(millis: purge.atMillis), cache: cache) {
                return ExchangeLogVerification(entries: 0, purged: purged, unsigned: 0, failure: (purge.throughSeq, "purge record \(purge.id ?? 0): \(problem)"))
            }
            anchorSeq = purge.throughSeq
            anchorHash = purge.throughHash
            purged += purge.count
        }
        guard let head = try await LogHeadModel.find(1, on: db) else {
            return ExchangeLogVerification(entries: 0, purged: purged, unsigned: 0, failure: (0, "the log head is missing"))
        }
        let total = Int(max(0, head.lastSeq - anchorSeq))
        var expectedSeq = anchorSeq + 1
        var previous = anchorHash
        var checked = 0
        var unsigned = 0
        func failed(_ seq: Int64, _ reason: String) -> ExchangeLogVerification {
            ExchangeLogVerification(entries: checked, purged: purged, unsigned: unsigned, failure: (seq, reason))
        }
        while true {
            let page = try await LogEntryModel.query(on: db).filter(\.$id >= expectedSeq).sort(\.$id).limit(1000).all()
            if page.isEmpty { break }
            for entry in page {
                let seq = entry.id ?? 0
                if seq != expectedSeq { return failed(expectedSeq, "entry \(expectedSeq) is missing") }
                if entry.prevHash != previous { return failed(seq, "does not follow the entry before it") }
                if try ExchangeHash.entryHash(prev: previous, content: LogContent(entry)) != entry.hash { return failed(seq, "content altered") }
                let at = Timestamp.date(millis: entry.atMillis)
                if entry.timestampSignature == nil && entry.requestSignature == nil && entry.responseSignature == nil {
                    unsigned += 1
                } else {
                    let statement = TimestampStatement(seq: seq, hash: entry.hash, at_ms: entry.atMillis).canonical
                    if let problem = try await check(entry.timestampSignature, over: statement, by: .platform, at: at, cache: cache) {
                        return failed(seq, "time-stamp: \(problem)")
                    }
                    if let problem = try await check(entry.requestSignature, over: Data(entry.requestCanonical.utf8), by: .agency(entry.consumerAgencyID),
                                                     at: at, cache: cache) {
                        return failed(seq, "request: \(problem)")
                    }
                    let responder: Expected = entry.providerAgencyID.map { .agency($0) } ?? .platform
                    if let problem = try await check(entry.responseSignature, over: Data(entry.responseCanonical.utf8), by: responder, at: at, cache: cache) {
                        return failed(seq, "response: \(problem)")
                    }
                }
                previous = entry.hash
                expectedSeq += 1
                checked += 1
                if checked % 500 == 0 { progress?(checked, total) }
            }
        }
        if expectedSeq - 1 != head.lastSeq || previous != head.lastHash {
            return failed(expectedSeq, "the log ends at \(expectedSeq - 1) but its head records \(head.lastSeq): entries were removed")
        }
        progress?(checked, total)
        return ExchangeLogVerification(entries: checked, purged: purged, unsigned: unsigned, failure: nil)
    }

    @discardableResult
    func purgeExpired() async throws -> Int64 {
        let now = platform.clock.now()
        let cutoff = Timestamp.millis(now) - Int64(platform.configuration.exchangeRetentionDays) * 86_400_000
        return try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("UPDATE exchange_log_head SET last_seq = last_seq WHERE id = 1").run()
            // Entries are appended in time order; purge the oldest run older than the cut-off.
            guard let last = try await LogEntryModel.query(on: tx).filter(\.$atMillis < cutoff).sort(\.$id, .descending).first(),
                  let through = last.id
            else { return 0 }
            let first = try await LogEntryModel.query(on: tx).sort(\.$id).first()?.id ?? through
            let count = through - first + 1
            let previous = try await PurgeModel.query(on: tx).sort(\.$id, .descending).first()?.id ?? 0
            let statement = PurgeStatement(purge: previous + 1, through_seq: through, through_hash: last.hash, count: count, cutoff_ms: cutoff,
                                           at_ms: Timestamp.millis(now))
            let bytes = try CanonicalJSON.encode(statement)
            let identity = try await self.platform.pki.identity(purpose: .platform, agencyID: nil, on: tx)
            let purge = PurgeModel()
            purge.id = previous + 1
            purge.throughSeq = through
            purge.throughHash = last.hash
            purge.count = count
            purge.cutoffMillis = cutoff
            purge.atMillis = statement.at_ms
            purge.statement = String(decoding: bytes, as: UTF8.self)
            purge.signature = ExchangeHash.encodeSignature(try self.platform.pki.sign(bytes, with: identity)) ?? ""
            try await purge.create(on: tx)
            try await LogEntryModel.query(on: tx).filter(\.$id <= through).delete()
            try await self.platform.audit.append(AuditRecord(action: "exchange.log.purge", objectType: "exchange_log", objectID: String(through),
                                                              detail: "\(count) entries older than \(self.platform.configuration.exchangeRetentionDays) days"),
                                                 by: .system("exchange-retention"), on: tx)
            return count
        }
    }
}
