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
        writer = BidWriter(write: write)
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

/// The single writer of the group commit.
actor BidWriter {
    private struct Waiting {
        let bid: PreparedBid
        let continuation: CheckedContinuation<BidReceipt, any Error>
    }

    private var queue: [Waiting] = []
    private var draining = false
    private let write: @Sendable ([PreparedBid]) async throws -> [Result<BidReceipt, any Error>]
    /// Bids per transaction at most.
    static let batchLimit = 512
    private(set) var batches = 0
    private(set) var written = 0

    init(write: @escaping @Sendable ([PreparedBid]) async throws -> [Result<BidReceipt, any Error>]) {
        self.write = write
    }

    func submit(_ bid: PreparedBid) async throws -> BidReceipt {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiting(bid: bid, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    /// Commits queued bids batch by batch; bids that arrive while a batch commits form the next one.
    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.batchLimit))
            queue.removeFirst(batch.count)
            do {
                let results = try await write(batch.map(\.bid))
                batches += 1
                for (waiting, result) in zip(batch, results) {
                    if case .success = result { written += 1 }
                    waiting.continuation.resume(with: result)
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }

    func statistics() -> (batches: Int, written: Int) { (batches, written) }
}
