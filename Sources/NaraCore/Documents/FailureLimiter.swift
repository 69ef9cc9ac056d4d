import Foundation
import NIOConcurrencyHelpers

/// Counts failures per key (a client address) in a sliding window and refuses further attempts
/// once `limit` failures fall within it, until the oldest of them leaves the window. Kept in the
/// process: each node counts its own (the operations issue adds platform-wide limits).
public final class FailureLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let failures = NIOLockedValueBox<[String: [Date]]>([:])

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait before the key may try again, or nil when it may try now.
    public func retryAfter(_ key: String, now: Date) -> Int? {
        failures.withLockedValue { table in
            guard var times = table[key] else { return nil }
            times.removeAll { now.timeIntervalSince($0) >= window }
            table[key] = times.isEmpty ? nil : times
            guard times.count >= limit else { return nil }
            let oldest = times[times.count - limit]
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    public func recordFailure(_ key: String, now: Date) {
        failures.withLockedValue { table in
            table[key, default: []].append(now)
            if table.count > 50_000 {
                // Forget keys whose failures have all left the window, so memory stays bounded.
                table = table.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
            }
        }
    }
}
