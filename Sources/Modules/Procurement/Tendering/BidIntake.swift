import FluentKit
import Foundation
import NaraCore
import Synchronization

/// A bid sealed, validated and signed in its request, waiting for its durable write.
struct PreparedBid: Sendable {
    let bidID: UUID
    let tenderID: UUID
    let tenderReference: String
    let supplierID: UUID
    let envelope: SealedEnvelope
    let receivedAt: Date
    let idempotencyKey: String
    let receipt: BidReceipt
    let receiptJSON: String
    let actor: AuditActor
}

/// Where bids meet the disk in the deadline rush.
///
/// - Requests in flight are counted per tender from the moment they arrive (in the same step that
///   takes the receipt time), so that the opening waits for every bid that arrived before the
///   deadline, however long its sealing takes.
/// - Durable writes are grouped: one writer commits whatever bids have queued up in one
///   transaction (group commit), so that a burst costs a few disk syncs instead of one per bid.
///   Each request is answered only after the transaction that holds its bid committed.
final class BidIntake: Sendable {
    private let inFlight = Mutex<[UUID: Int]>([:])
    let writer: BidWriter

    init(write: @escaping @Sendable ([PreparedBid]) async throws -> [Result<BidReceipt, any Error>]) {
        writer = BidWriter(batchLimit: 512, write: write)
    }

    /// Registers a request for a tender; call `leave` when it is answered.
    func arrive(_ tenderID: UUID) {
        inFlight.withLock { $0[tenderID, default: 0] += 1 }
    }

    func leave(_ tenderID: UUID) {
        inFlight.withLock { counts in
            let left = (counts[tenderID] ?? 1) - 1
            counts[tenderID] = left > 0 ? left : nil
        }
    }

    func pending(_ tenderID: UUID) -> Int { inFlight.withLock { $0[tenderID] ?? 0 } }

    /// Waits until no request for the tender is in flight (at most `timeout` seconds).
    func settle(_ tenderID: UUID, timeout: TimeInterval = 30) async {
        let limit = Date().addingTimeInterval(timeout)
        while pending(tenderID) > 0, Date() < limit {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }
}

/// The single writer of the bids' group commit, at most 512 bids per transaction.
typealias BidWriter = GroupCommit<PreparedBid, BidReceipt>
