import Foundation
import NaraCore

/// Dates and amounts as people read them, in the platform time zone.
public struct DisplayFormat: Sendable {
    public let timeZone: TimeZone
    public let language: Language

    public init(timeZone: TimeZone, language: Language) {
        self.timeZone = timeZone
        self.language = language
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    static let weekdaysEN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let weekdaysKO = ["월", "화", "수", "목", "금", "토", "일"]

    public func weekday(_ day: LocalDay) -> String {
        (language == .korean ? Self.weekdaysKO : Self.weekdaysEN)[day.isoWeekday - 1]
    }

    /// `2026-11-27 (Fri)`.
    public func day(_ day: LocalDay) -> String { "\(day) (\(weekday(day)))" }

    /// `2026-11-27 14:05`.
    public func dateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    public func date(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// A deadline that is the end of a day reads as that day "24:00"; other instants as is.
    public func deadline(_ date: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        if c.hour == 0 && c.minute == 0 && c.second == 0 {
            let previous = date.addingTimeInterval(-1)
            let pc = calendar.dateComponents([.year, .month, .day], from: previous)
            let day = LocalDay(year: pc.year!, month: pc.month!, day: pc.day!)!
            return "\(self.day(day)) 24:00"
        }
        let dc = calendar.dateComponents([.year, .month, .day], from: date)
        let day = LocalDay(year: dc.year!, month: dc.month!, day: dc.day!)!
        return "\(self.day(day)) " + String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// The value of an HTML `datetime-local` input: `2026-11-27T14:05`.
    public func inputDateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    /// `2026-11-27T14:00` (an HTML datetime-local value) in this time zone; nil when it is not one.
    public func parseInputDateTime(_ text: String?) -> Date? {
        guard let text, text.count >= 16 else { return nil }
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = LocalDay(String(parts[0])) else { return nil }
        let time = parts[1].split(separator: ":")
        guard time.count >= 2, let h = Int(time[0]), let m = Int(time[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        let c = day.components
        return calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: h, minute: m))
    }

    /// `2026-11-27` (an HTML date value): the start of that day in this time zone.
    public func parseInputDate(_ text: String?) -> Date? {
        guard let text, let day = LocalDay(text) else { return nil }
        let c = day.components
        return calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day))
    }

    public func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1024 * 1024 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return String(format: "%.1f MiB", Double(count) / 1024 / 1024)
    }
}
