import Foundation
import NaraCore
import Testing

/// Opens once; whoever waits before is resumed then.
private actor Gate {
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if open { return }
        await withCheckedContinuation { waiting.append($0) }
    }
    func release() {
        open = true
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

private actor Counter {
    private(set) var count = 0
    func add() { count += 1 }
}

@Suite("Refreshing value")
struct RefreshingValueTests {
    @Test("a stale value is reloaded by one caller while the others go on with it")
    func oneReload() async throws {
        let value = RefreshingValue<Int>(ttl: 0)
        #expect(try await value.get { 1 } == 1)
        let gate = Gate(), loads = Counter()
        async let refreshed = value.get {
            await loads.add()
            await gate.wait()
            return 2
        }
        while await loads.count == 0 { await Task.yield() }
        for _ in 0..<19 {
            #expect(try await value.get { await loads.add(); return 3 } == 1, "the stale value while the reload runs")
        }
        await gate.release()
        #expect(try await refreshed == 2)
        #expect(await loads.count == 1)
    }

    @Test("a load that began before invalidate() is returned but not kept; a load inside a transaction is not kept")
    func invalidation() async throws {
        let value = RefreshingValue<Int>(ttl: 3600)
        let gate = Gate(), started = Counter()
        async let early = value.get {
            await started.add()
            await gate.wait()
            return 1
        }
        while await started.count == 0 { await Task.yield() }
        value.invalidate()
        await gate.release()
        #expect(try await early == 1)
        #expect(try await value.get { 2 } == 2, "the value read before the change was not kept")
        #expect(try await value.get { 3 } == 2, "kept for its ttl")
        #expect(try await value.get(fresh: true) { 4 } == 4)
        value.invalidate()
        #expect(try await value.get(keep: false) { 5 } == 5)
        #expect(try await value.get { 6 } == 6, "a value loaded with keep: false is not kept")
        // A failed load keeps nothing and leaves the next caller free to load.
        await #expect(throws: NaraError.self) { try await value.get(fresh: true) { throw NaraError.notFound("x") } }
        #expect(try await value.get { 7 } == 6)
    }
}
