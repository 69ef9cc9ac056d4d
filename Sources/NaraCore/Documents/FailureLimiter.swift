import Foundation
import NIOConcurrencyHelpers

/// Counts failures per client in a sliding window and refuses further attempts once `limit`
/// failures fall within it, until the oldest of them leaves the window. An attempt is counted
/// before the work is done (so parallel requests cannot all slip under the limit) and forgiven
/// when it succeeds. IPv6 clients are counted per /64. Kept in the process: each node counts its
/// own (the operations issue adds platform-wide limits).
public final class FailureLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private struct State {
        var failures: [String: [Date]] = [:]
        var lastSweep = Date.distantPast
    }
    private let state = NIOLockedValueBox(State())

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// The counting key of an address: IPv4 as is, IPv6 by its /64 prefix.
    public static func key(_ address: String) -> String {
        guard address.contains(":") else { return address }
        let trimmed = address.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var groups = trimmed.components(separatedBy: ":")
        if let empty = groups.firstIndex(of: ""), groups.count < 8 {
            groups.replaceSubrange(empty...empty, with: Array(repeating: "0", count: 8 - groups.count + 1))
        }
        return groups.prefix(4).joined(separator: ":") + "::/64"
    }

    /// Counts an attempt as a failure unless the client is blocked (then returns the wait in seconds).
    /// Call `forgive` with the same time when the attempt succeeds.
    public func attempt(_ address: String, now: Date) -> Int? {
        let key = Self.key(address)
        return state.withLockedValue { state in
            if let wait = blocked(&state, key, now: now) { return wait }
            record(&state, key, now: now)
            return nil
        }
    }

    public func forgive(_ address: String, at time: Date) {
        let key = Self.key(address)
        state.withLockedValue { state in
            if let index = state.failures[key]?.lastIndex(of: time) { state.failures[key]?.remove(at: index) }
            if state.failures[key]?.isEmpty == true { state.failures[key] = nil }
        }
    }

    private func blocked(_ state: inout State, _ key: String, now: Date) -> Int? {
        guard var times = state.failures[key] else { return nil }
        times.removeAll { now.timeIntervalSince($0) >= window }
        state.failures[key] = times.isEmpty ? nil : times
        guard times.count >= limit else { return nil }
        let oldest = times[times.count - limit]
        return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
    }

    private func record(_ state: inout State, _ key: String, now: Date) {
        state.failures[key, default: []].append(now)
        // Forget clients whose failures have all left the window, at most once a minute, so
        // memory stays bounded without a sweep on every failure.
        if state.failures.count > 50_000 && now.timeIntervalSince(state.lastSweep) > 60 {
            state.failures = state.failures.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
            state.lastSweep = now
        }
    }
}
