import FluentKit
import Foundation
import NIOConcurrencyHelpers

public struct HolidayInfo: Sendable, Codable, Equatable {
    public let id: UUID
    public let day: LocalDay
    public let nameEN: String
    public let nameKO: String
    public let kind: String
}

public struct OutageInfo: Sendable, Codable, Equatable {
    public let id: UUID
    public let startsAt: Date
    public let endsAt: Date
    public let reason: String
    public let declaredBy: String
}

/// Loads holidays and outage windows from storage and hands out `BusinessCalendar` values.
/// The calendar is cached and rebuilt when an operator changes holidays or outages on this node;
/// other nodes pick changes up within `refreshInterval`.
public final class CalendarService: Sendable {
    public let timeZone: TimeZone
    private let clock: any NaraClock
    private let cached = NIOLockedValueBox<(calendar: BusinessCalendar, loadedAt: Date)?>(nil)
    public let refreshInterval: TimeInterval = 60

    public init(timeZone: TimeZone, clock: any NaraClock) {
        self.timeZone = timeZone
        self.clock = clock
    }

    public func calendar(on db: any Database) async throws -> BusinessCalendar {
        if let entry = cached.withLockedValue({ $0 }), clock.now().timeIntervalSince(entry.loadedAt) < refreshInterval,
           clock.now() >= entry.loadedAt {
            return entry.calendar
        }
        let holidays = try await HolidayModel.query(on: db).all().compactMap { LocalDay($0.day) }
        let outages = try await OutageWindowModel.query(on: db).all().map { BusinessCalendar.Outage(start: $0.startsAt, end: $0.endsAt) }
        let calendar = BusinessCalendar(timeZone: timeZone, holidays: Set(holidays), outages: outages)
        cached.withLockedValue { $0 = (calendar, clock.now()) }
        return calendar
    }

    public func invalidate() { cached.withLockedValue { $0 = nil } }

    /// The calendar day of an instant in the platform's time zone (no holidays needed).
    public func localDay(of date: Date) -> LocalDay {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = timeZone
        let c = gregorian.dateComponents([.year, .month, .day], from: date)
        return LocalDay(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Today in the platform's time zone: the latest date a past fact may carry.
    public var today: LocalDay { localDay(of: clock.now()) }

    public func holidays(year: Int? = nil, on db: any Database) async throws -> [HolidayInfo] {
        var query = HolidayModel.query(on: db).sort(\.$day)
        if let year { query = query.filter(\.$day >= "\(year)-01-01").filter(\.$day <= "\(year)-12-31") }
        return try await query.all().compactMap { m in
            guard let day = LocalDay(m.day) else { return nil }
            return HolidayInfo(id: m.id!, day: day, nameEN: m.nameEN, nameKO: m.nameKO, kind: m.kind)
        }
    }

    public func addHoliday(day: String, nameEN: String, nameKO: String, by actor: AuditActor, audit: AuditChain, on db: any Database) async throws -> HolidayInfo {
        var validator = Validator()
        let parsed = LocalDay(day)
        if parsed == nil { validator.add("day", "format", "Enter a date as YYYY-MM-DD.") }
        validator.require(nameEN, "nameEn", maxLength: 120)
        validator.require(nameKO, "nameKo", maxLength: 120)
        try validator.check()
        let info = try await db.transaction { tx -> HolidayInfo in
            if try await HolidayModel.query(on: tx).filter(\.$day == parsed!.description).first() != nil {
                throw NaraError.validation([FieldError(field: "day", code: "duplicate", message: "This day is already a holiday.")])
            }
            let model = HolidayModel(day: parsed!.description, nameEN: nameEN.trimmingCharacters(in: .whitespaces),
                                     nameKO: nameKO.trimmingCharacters(in: .whitespaces), kind: .designated, createdAt: self.clock.now())
            try await model.create(on: tx)
            try await audit.append(AuditRecord(action: "calendar.holiday.add", objectType: "holiday", objectID: model.day, detail: model.nameEN), by: actor, on: tx)
            return HolidayInfo(id: model.id!, day: parsed!, nameEN: model.nameEN, nameKO: model.nameKO, kind: model.kind)
        }
        invalidate()
        return info
    }

    public func removeHoliday(id: UUID, by actor: AuditActor, audit: AuditChain, on db: any Database) async throws {
        try await db.transaction { tx in
            guard let model = try await HolidayModel.find(id, on: tx) else { throw NaraError.notFound("The holiday") }
            try await model.delete(on: tx)
            try await audit.append(AuditRecord(action: "calendar.holiday.remove", objectType: "holiday", objectID: model.day, detail: model.nameEN), by: actor, on: tx)
        }
        invalidate()
    }

    public func outages(on db: any Database) async throws -> [OutageInfo] {
        try await OutageWindowModel.query(on: db).sort(\.$startsAt, .descending).all().map {
            OutageInfo(id: $0.id!, startsAt: $0.startsAt, endsAt: $0.endsAt, reason: $0.reason, declaredBy: $0.declaredBy)
        }
    }

    /// Declares an outage window; deadlines inside it move (see `OutageRule`).
    public func declareOutage(start: Date, end: Date, reason: String, by actor: AuditActor, audit: AuditChain, on db: any Database) async throws -> OutageInfo {
        var validator = Validator()
        if end <= start { validator.add("endsAt", "order", "The end must be after the start.") }
        if end.timeIntervalSince(start) > 30 * 86400 { validator.add("endsAt", "too_long", "An outage window is at most 30 days long.") }
        validator.require(reason, "reason", maxLength: 500)
        try validator.check()
        let info = try await db.transaction { tx -> OutageInfo in
            let model = OutageWindowModel()
            model.id = UUID()
            model.startsAt = start
            model.endsAt = end
            model.reason = reason
            model.declaredBy = actor.name
            model.createdAt = self.clock.now()
            try await model.create(on: tx)
            try await audit.append(AuditRecord(action: "calendar.outage.declare", objectType: "outage", objectID: model.id!.uuidString,
                                               detail: "\(Timestamp.iso8601Millis(start))/\(Timestamp.iso8601Millis(end))"), by: actor, on: tx)
            return OutageInfo(id: model.id!, startsAt: start, endsAt: end, reason: reason, declaredBy: actor.name)
        }
        invalidate()
        return info
    }
}
