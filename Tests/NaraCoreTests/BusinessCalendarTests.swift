import Foundation
import NaraCore
import Testing

/// A small deterministic generator so that property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Business calendar")
struct BusinessCalendarTests {
    static let seoul = TimeZone(identifier: "Asia/Seoul")!
    static let holidays = Set(KoreanPublicHolidays.y2026And2027.compactMap { LocalDay($0.day) })
    static let calendar = BusinessCalendar(timeZone: seoul, holidays: holidays)

    static func day(_ text: String) -> LocalDay { LocalDay(text)! }
    static func at(_ text: String, _ hour: Int, _ minute: Int = 0) -> Date { calendar.instant(day(text), minute: hour * 60 + minute) }

    @Test("the seeded Korean holidays include substitutes and the 2026 local election")
    func seededHolidays() {
        let c = Self.calendar
        #expect(!c.isWorkingDay(Self.day("2026-03-02")))  // substitute for 1 March (Sunday)
        #expect(!c.isWorkingDay(Self.day("2026-06-03")))  // local elections
        #expect(!c.isWorkingDay(Self.day("2027-02-09")))  // substitute for Seollal on a Sunday
        #expect(!c.isWorkingDay(Self.day("2027-12-27")))  // substitute for Christmas on a Saturday
        #expect(c.isWorkingDay(Self.day("2026-09-28")))   // Monday after Chuseok (Chuseok 2026 ended on a Saturday: no substitute)
        #expect(KoreanPublicHolidays.y2026And2027.count == Set(KoreanPublicHolidays.y2026And2027.map(\.day)).count)
    }

    @Test("working days skip weekends and Chuseok")
    func workingDays() {
        let c = Self.calendar
        // Wednesday 23 September 2026: Thursday to Saturday are Chuseok, then Sunday.
        #expect(c.addingWorkingDays(1, to: Self.day("2026-09-23")) == Self.day("2026-09-28"))
        #expect(c.deadline(for: .workingDays(1), from: Self.at("2026-09-23", 15)) == Self.at("2026-09-29", 0))
        #expect(c.workingDays(after: Self.day("2026-09-23"), through: Self.day("2026-09-30")) == 3)
    }

    @Test("calendar days: the first day is not counted and a last day off moves to the next working day")
    func calendarDays() {
        let c = Self.calendar
        // Sunday 20 September + 5 days = Friday 25th (Chuseok) → Monday 28th, by its end.
        #expect(c.deadline(for: .calendarDays(5), from: Self.at("2026-09-20", 11)) == Self.at("2026-09-29", 0))
        // Tuesday 24 November + 3 = Friday 27th.
        #expect(c.deadline(for: .calendarDays(3), from: Self.at("2026-11-24", 9)) == Self.at("2026-11-28", 0))
    }

    @Test("working hours count 09:00-12:00 and 13:00-18:00 on working days")
    func workingHours() {
        let c = Self.calendar
        // Friday 27 November 17:00 + 2 hours: 1 hour on Friday, 1 on Monday from 09:00.
        #expect(c.deadline(for: .workingHours(2), from: Self.at("2026-11-27", 17)) == Self.at("2026-11-30", 10))
        // 11:30 + 1 hour crosses lunch: 30 minutes before, 30 after.
        #expect(c.deadline(for: .workingHours(1), from: Self.at("2026-11-26", 11, 30)) == Self.at("2026-11-26", 13, 30))
        // Started on a Saturday evening: counting starts Monday 09:00.
        #expect(c.deadline(for: .workingHours(8), from: Self.at("2026-11-28", 20)) == Self.at("2026-11-30", 18))
        #expect(c.workingMinutesPerDay == 480)
    }

    @Test("a deadline inside a declared outage moves to the end of the next working day after recovery")
    func outageExtension() {
        let outage = BusinessCalendar.Outage(start: Self.at("2026-11-27", 22), end: Self.at("2026-11-28", 3))
        let c = BusinessCalendar(timeZone: Self.seoul, holidays: Self.holidays, outages: [outage])
        // Due at the end of Friday 27 November (Saturday 00:00), inside the outage → end of Monday 30th.
        let due = c.deadline(for: .workingDays(2), from: Self.at("2026-11-25", 10))
        #expect(due == Self.at("2026-11-28", 0))
        #expect(c.extend(due) == Self.at("2026-12-01", 0))
        // A deadline before the outage began does not move.
        #expect(c.extend(Self.at("2026-11-27", 18)) == Self.at("2026-11-27", 18))
        // Procurement rule: within 2 hours after recovery still moves, to 48 hours after it.
        let rule = OutageRule.minimumAfterRecovery(minimum: 48 * 3600, grace: 2 * 3600)
        #expect(c.extend(Self.at("2026-11-28", 4, 30), rule: rule) == Self.at("2026-11-30", 3))
        #expect(c.extend(Self.at("2026-11-28", 5, 30), rule: rule) == Self.at("2026-11-28", 5, 30))
    }

    // MARK: Properties over random inputs (fixed seeds, so failures reproduce)

    static func randomDay(_ rng: inout SplitMix64) -> LocalDay {
        Self.day("2026-01-01").adding(days: Int.random(in: 0..<700, using: &rng))
    }

    @Test("LocalDay agrees with Foundation's Gregorian calendar", arguments: [1 as UInt64, 2, 3])
    func localDayMatchesFoundation(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        for _ in 0..<2000 {
            // From 1697 on: before October 1582 Foundation switches to the Julian calendar.
            let ordinal = Int.random(in: -100_000...200_000, using: &rng)
            let day = LocalDay(ordinal: ordinal)
            let date = Date(timeIntervalSince1970: TimeInterval(ordinal) * 86400)
            let c = gregorian.dateComponents([.year, .month, .day, .weekday], from: date)
            #expect(day.components.year == c.year && day.components.month == c.month && day.components.day == c.day)
            #expect(day.isoWeekday == (c.weekday! + 5) % 7 + 1)
            #expect(LocalDay(day.description) == day)
        }
    }

    @Test("adding n working days lands on a working day exactly n working days later", arguments: [11 as UInt64, 12])
    func workingDayCount(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let c = Self.calendar
        for _ in 0..<500 {
            let start = Self.randomDay(&rng)
            let n = Int.random(in: 1...40, using: &rng)
            let end = c.addingWorkingDays(n, to: start)
            #expect(c.isWorkingDay(end))
            #expect(c.workingDays(after: start, through: end) == n)
            #expect(c.workingDays(after: start, through: end.adding(days: -1)) == n - 1)
        }
    }

    @Test("working-day addition composes and is monotonic", arguments: [21 as UInt64, 22])
    func workingDayComposition(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let c = Self.calendar
        for _ in 0..<500 {
            let start = Self.randomDay(&rng)
            let a = Int.random(in: 0...20, using: &rng), b = Int.random(in: 1...20, using: &rng)
            #expect(c.addingWorkingDays(a + b, to: start) == c.addingWorkingDays(b, to: c.addingWorkingDays(a, to: start)))
            #expect(c.addingWorkingDays(a, to: start) < c.addingWorkingDays(a + b, to: start))
        }
    }

    @Test("calendar-day deadlines end on the first working day on or after start + n", arguments: [31 as UInt64])
    func calendarDayProperty(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let c = Self.calendar
        for _ in 0..<500 {
            let start = Self.randomDay(&rng)
            let n = Int.random(in: 1...60, using: &rng)
            let deadline = c.deadline(for: .calendarDays(n), from: c.instant(start, minute: 600))
            let lastDay = c.localDay(of: deadline.addingTimeInterval(-1))
            #expect(c.isWorkingDay(lastDay))
            #expect(lastDay >= start.adding(days: n))
            var d = start.adding(days: n)
            while d < lastDay { #expect(!c.isWorkingDay(d)); d = d.adding(days: 1) }
        }
    }

    @Test("working time added is working time elapsed", arguments: [41 as UInt64, 42])
    func workingHoursRoundTrip(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let c = Self.calendar
        for _ in 0..<300 {
            let start = c.instant(Self.randomDay(&rng), minute: Int.random(in: 0..<1440, using: &rng))
            let seconds = TimeInterval(Int.random(in: 1...(60 * 60 * 60), using: &rng))
            let end = c.addingWorkingTime(seconds, to: start)
            #expect(abs(c.workingSeconds(from: start, to: end) - seconds) < 0.001)
            #expect(end > start)
        }
    }

    @Test("after extension no deadline lies inside an outage, and none moves earlier", arguments: [51 as UInt64, 52])
    func outageProperty(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let base = Self.calendar
        for _ in 0..<200 {
            var outages: [BusinessCalendar.Outage] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let start = base.instant(Self.randomDay(&rng), minute: Int.random(in: 0..<1440, using: &rng))
                outages.append(.init(start: start, end: start.addingTimeInterval(TimeInterval(Int.random(in: 600...(3 * 86400), using: &rng)))))
            }
            let c = BusinessCalendar(timeZone: Self.seoul, holidays: Self.holidays, outages: outages)
            let deadline = c.deadline(for: .workingDays(Int.random(in: 1...20, using: &rng)), from: base.instant(Self.randomDay(&rng), minute: 600))
            let extended = c.extend(deadline)
            #expect(extended >= deadline)
            for outage in outages { #expect(!(outage.start < extended && extended <= outage.end)) }
        }
    }
}
