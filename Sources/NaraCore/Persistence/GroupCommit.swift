import Foundation

/// The writer returned no result for an item (a defect of the writer: the item's fate is unknown
/// to the caller, who is answered with this instead of waiting forever).
public enum GroupCommitError: Error, CustomStringConvertible {
    case unanswered
    public var description: String { "the group commit's writer returned no result for this item" }
}

/// Group commit: one writer commits whatever items queued up while the previous transaction was
/// on disk, so that a burst costs a few durable commits instead of one per request. Each caller is
/// answered only after the transaction holding its item committed (or with its own refusal: the
/// write returns one result per item). Used for sealed bids and customs declarations.
public actor GroupCommit<Item: Sendable, Output: Sendable> {
    private struct Waiting {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    private var queue: [Waiting] = []
    private var draining = false
    private let batchLimit: Int
    private let write: @Sendable ([Item]) async throws -> [Result<Output, any Error>]
    /// Transactions committed and items written (for tests and benchmarks).
    public private(set) var batches = 0
    public private(set) var written = 0

    /// `write` commits a batch in one transaction and returns one result per item, in order.
    public init(batchLimit: Int, write: @escaping @Sendable ([Item]) async throws -> [Result<Output, any Error>]) {
        self.batchLimit = batchLimit
        self.write = write
    }

    public func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiting(item: item, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    /// Commits queued items batch by batch; items that arrive while a batch commits form the next one.
    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(batchLimit))
            queue.removeFirst(batch.count)
            do {
                let results = try await write(batch.map(\.item))
                batches += 1
                for (index, waiting) in batch.enumerated() {
                    // A writer that answers fewer items than it was given leaves no caller waiting forever.
                    let result = index < results.count ? results[index] : .failure(GroupCommitError.unanswered)
                    if case .success = result { written += 1 }
                    waiting.continuation.resume(with: result)
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }

    public func statistics() -> (batches: Int, written: Int) { (batches, written) }
}
