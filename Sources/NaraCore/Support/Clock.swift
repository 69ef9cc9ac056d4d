import Foundation
import NIOConcurrencyHelpers

/// The time source used everywhere in Nara; tests inject a clock they set and advance.
public protocol NaraClock: Sendable {
    func now() -> Date
}

public struct SystemClock: NaraClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to. Used by tests and by deterministic tools.
public final class ManualClock: NaraClock {
    private let current: NIOLockedValueBox<Date>

    public init(_ start: Date) {
        self.current = NIOLockedValueBox(start)
    }

    public func now() -> Date { current.withLockedValue { $0 } }

    public func set(_ date: Date) { current.withLockedValue { $0 = date } }

    public func advance(by seconds: TimeInterval) {
        current.withLockedValue { $0 = $0.addingTimeInterval(seconds) }
    }
}
