import Foundation
import Testing
@testable import NaraCore

@Suite("Group commit")
struct GroupCommitTests {
    struct Refused: Error {}

    @Test("items queued while a batch commits go together; each caller gets its own result, in order")
    func batching() async throws {
        let commit = GroupCommit<Int, Int>(batchLimit: 8) { batch in
            try await Task.sleep(for: .milliseconds(20))
            return batch.map { $0 % 5 == 0 ? .failure(Refused()) : .success($0 * 10) }
        }
        let results = await withTaskGroup(of: (Int, Int?).self) { group in
            for i in 1...20 { group.addTask { (i, try? await commit.submit(i)) } }
            var all: [Int: Int?] = [:]
            for await (i, r) in group { all[i] = r }
            return all
        }
        for i in 1...20 { #expect(results[i]! == (i % 5 == 0 ? nil : i * 10)) }
        let (batches, written) = await commit.statistics()
        #expect(written == 16)
        #expect(batches < 20 && batches >= 3, "20 items in batches of at most 8: \(batches) batches")
    }

    @Test("a writer that answers fewer items than it was given leaves no caller waiting")
    func unanswered() async throws {
        let commit = GroupCommit<Int, Int>(batchLimit: 4) { batch in Array(batch.dropFirst().map { .success($0) }) }
        let results = await withTaskGroup(of: Result<Int, GroupCommitError>?.self) { group in
            for i in 1...4 {
                group.addTask {
                    do { return .success(try await commit.submit(i)) } catch let e as GroupCommitError { return .failure(e) } catch { return nil }
                }
            }
            var all: [Result<Int, GroupCommitError>?] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 4)
        #expect(results.allSatisfy { $0 != nil })
        // The writer drops the first item of every batch, so at least one caller is refused.
        #expect(results.filter { if case .failure(.unanswered) = $0 { true } else { false } }.count >= 1)
    }
}
