import Foundation

/// A civil date (no time, no zone), with day arithmetic on the proleptic Gregorian calendar.
public struct LocalDay: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Days since 1970-01-01.
    public let ordinal: Int

    public init(ordinal: Int) { self.ordinal = ordinal }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDay.daysIn(month: month, year: year) else { return nil }
        self.ordinal = LocalDay.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) { LocalDay.civilFromDays(ordinal) }

    /// 1 = Monday ... 7 = Sunday (ISO 8601).
    public var isoWeekday: Int {
        let w = (ordinal + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public func adding(days: Int) -> LocalDay { LocalDay(ordinal: ordinal + days) }

    public var description: String {
        let c = components
        return String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool { a.ordinal < b.ordinal }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = LocalDay(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a date as YYYY-MM-DD"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-from-days algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// A legal period, as laws state them.
public enum LegalPeriod: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Counted from the day after the start; a last day that is not a working day moves to the next
    /// working day (Civil Act art. 157 and 161).
    case calendarDays(Int)
    /// The given number of working days after the day of the start.
    case workingDays(Int)
    /// Working hours counted from the start, inside office hours only (8 hours make a working day).
    case workingHours(Int)

    public var description: String {
        switch self {
        case .calendarDays(let n): return "\(n) calendar days"
        case .workingDays(let n): return "\(n) working days"
        case .workingHours(let n): return "\(n) working hours"
        }
    }
}

/// What happens to a deadline that falls inside a declared outage window.
public enum OutageRule: Sendable, Equatable {
    /// The period runs until the end of the first working day after the day the outage ended
    /// (Administrative Procedures Act art. 16(2)). The platform default.
    case nextWorkingDayAfterRecovery
    /// A deadline inside the window, or within `grace` after it, moves to at least `minimum` after
    /// recovery (for example procurement: 2 hours of grace, 48 hours minimum).
    case minimumAfterRecovery(minimum: TimeInterval, grace: TimeInterval)
}

/// Working days, working hours and legal deadlines in one time zone.
public struct BusinessCalendar: Sendable {
    public struct Outage: Sendable, Equatable {
        public let start: Date
        public let end: Date
        public init(start: Date, end: Date) {
            self.start = start
            self.end = end
        }
    }

    public let timeZone: TimeZone
    public let holidays: Set<LocalDay>
    public let outages: [Outage]
    /// Office hours as minutes after midnight: 09:00-12:00 and 13:00-18:00 (8 hours a day).
    public let officeHours: [(start: Int, end: Int)]

    private let gregorian: Calendar

    public init(timeZone: TimeZone, holidays: Set<LocalDay>, outages: [Outage] = [],
                officeHours: [(start: Int, end: Int)] = [(9 * 60, 12 * 60), (13 * 60, 18 * 60)]) {
        self.timeZone = timeZone
        self.holidays = holidays
        self.outages = outages.sorted { $0.start < $1.start }
        self.officeHours = officeHours
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.gregorian = calendar
    }

    public var workingMinutesPerDay: Int { officeHours.reduce(0) { $0 + ($1.end - $1.start) } }

    public func isWorkingDay(_ day: LocalDay) -> Bool { !day.isWeekend && !holidays.contains(day) }

    public func localDay(of date: Date) -> LocalDay {
        let c = gregorian.dateComponents([.year, .month, .day], from: date)
        return LocalDay(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// The instant a local day starts at the given minute after midnight.
    public func instant(_ day: LocalDay, minute: Int = 0) -> Date {
        let c = day.components
        return gregorian.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: minute / 60, minute: minute % 60))!
    }

    /// The first instant after the day: a deadline "by the end of" the day.
    public func endOfDay(_ day: LocalDay) -> Date { instant(day.adding(days: 1)) }

    public func nextWorkingDay(onOrAfter day: LocalDay) -> LocalDay {
        var d = day
        while !isWorkingDay(d) { d = d.adding(days: 1) }
        return d
    }

    /// The `count`-th working day after `day` (count ≥ 0; 0 gives `day` itself).
    public func addingWorkingDays(_ count: Int, to day: LocalDay) -> LocalDay {
        precondition(count >= 0)
        var d = day
        var remaining = count
        while remaining > 0 {
            d = d.adding(days: 1)
            if isWorkingDay(d) { remaining -= 1 }
        }
        return d
    }

    /// Working days in the half-open range (from, to].
    public func workingDays(after from: LocalDay, through to: LocalDay) -> Int {
        guard to > from else { return 0 }
        var count = 0
        var d = from.adding(days: 1)
        while d <= to {
            if isWorkingDay(d) { count += 1 }
            d = d.adding(days: 1)
        }
        return count
    }

    /// Office time between two instants, in seconds.
    public func workingSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        var day = localDay(of: start)
        let lastDay = localDay(of: end)
        while day <= lastDay {
            if isWorkingDay(day) {
                for block in officeHours {
                    let s = max(instant(day, minute: block.start), start)
                    let e = min(instant(day, minute: block.end), end)
                    if e > s { total += e.timeIntervalSince(s) }
                }
            }
            day = day.adding(days: 1)
        }
        return total
    }

    /// The instant at which `seconds` of office time have passed after `start`.
    public func addingWorkingTime(_ seconds: TimeInterval, to start: Date) -> Date {
        precondition(seconds >= 0)
        if seconds == 0 { return start }
        var remaining = seconds
        var day = localDay(of: start)
        while true {
            if isWorkingDay(day) {
                for block in officeHours {
                    let s = max(instant(day, minute: block.start), start)
                    let e = instant(day, minute: block.end)
                    guard e > s else { continue }
                    let available = e.timeIntervalSince(s)
                    if remaining <= available {
                        return s.addingTimeInterval(remaining)
                    }
                    remaining -= available
                }
            }
            day = day.adding(days: 1)
        }
    }

    /// The deadline of a legal period started at `start`, before any outage extension.
    public func deadline(for period: LegalPeriod, from start: Date) -> Date {
        let startDay = localDay(of: start)
        switch period {
        case .calendarDays(let n):
            return endOfDay(nextWorkingDay(onOrAfter: startDay.adding(days: max(n, 0))))
        case .workingDays(let n):
            return endOfDay(addingWorkingDays(max(n, 0), to: startDay))
        case .workingHours(let n):
            return addingWorkingTime(TimeInterval(max(n, 0)) * 3600, to: start)
        }
    }

    /// The deadline after declared outages: a deadline inside a window moves as the rule says,
    /// repeatedly, until it falls inside none.
    public func extend(_ deadline: Date, rule: OutageRule = .nextWorkingDayAfterRecovery) -> Date {
        var current = deadline
        var changed = true
        var guardCount = 0
        while changed && guardCount < 1000 {
            changed = false
            guardCount += 1
            for outage in outages {
                switch rule {
                case .nextWorkingDayAfterRecovery:
                    if outage.start < current && current <= outage.end {
                        let moved = endOfDay(addingWorkingDays(1, to: localDay(of: outage.end)))
                        if moved > current { current = moved; changed = true }
                    }
                case .minimumAfterRecovery(let minimum, let grace):
                    if outage.start < current && current <= outage.end.addingTimeInterval(grace) {
                        let moved = outage.end.addingTimeInterval(minimum)
                        if moved > current { current = moved; changed = true }
                    }
                }
            }
        }
        return current
    }

    /// The deadline of a legal period including outage extensions.
    public func dueDate(for period: LegalPeriod, from start: Date, rule: OutageRule = .nextWorkingDayAfterRecovery) -> Date {
        extend(deadline(for: period, from: start), rule: rule)
    }
}
