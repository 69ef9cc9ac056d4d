import Foundation
import Synchronization

/// A value read from the database and kept for `ttl` seconds. When it is stale, one caller reloads
/// it while the others go on with the stale value, so that a busy node reloads it once, not once
/// per request in flight. `invalidate()` drops it (after a change): the next callers load afresh,
/// and a load that started before the change is not kept.
public final class RefreshingValue<Value: Sendable>: Sendable {
    struct State {
        var value: Value?
        var loadedAt = Date.distantPast
        /// Bumped by `invalidate()`: a load that began before it is returned but not kept.
        var generation = 0
        var refreshing = false
    }

    private enum Plan { case cached(Value), load(generation: Int, refresh: Bool) }

    private let state = Mutex(State())
    public let ttl: TimeInterval

    public init(ttl: TimeInterval) { self.ttl = ttl }

    /// The value, loaded by `load` when there is none, when it is older than `ttl` (unless another
    /// caller is reloading it already) or when `fresh`. With `keep: false` (a load inside a
    /// transaction that may roll back) a value loaded is returned but not kept.
    public func get(fresh: Bool = false, keep: Bool = true, _ load: () async throws -> Value) async throws -> Value {
        let now = Date()
        let plan: Plan = state.withLock { s in
            if !fresh, let value = s.value {
                let age = now.timeIntervalSince(s.loadedAt)
                if age >= 0, age < ttl { return .cached(value) }
                if s.refreshing { return .cached(value) }
                if keep {
                    s.refreshing = true
                    return .load(generation: s.generation, refresh: true)
                }
            }
            return .load(generation: s.generation, refresh: false)
        }
        switch plan {
        case .cached(let value):
            return value
        case .load(let generation, let refresh):
            do {
                let value = try await load()
                state.withLock { s in
                    if refresh { s.refreshing = false }
                    if keep, s.generation == generation {
                        s.value = value
                        s.loadedAt = now
                    }
                }
                return value
            } catch {
                if refresh { state.withLock { $0.refreshing = false } }
                throw error
            }
        }
    }

    /// Forgets the value: the next callers load it again.
    public func invalidate() {
        state.withLock { s in
            s.value = nil
            s.generation += 1
            s.refreshing = false
        }
    }
}
