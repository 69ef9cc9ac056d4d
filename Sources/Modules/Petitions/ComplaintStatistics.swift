import FluentKit
import Foundation
import NaraCore

/// Complaints filed and answered in one week (Monday to Sunday, in the platform time zone).
public struct ComplaintWeek: Sendable, Codable, Equatable {
    public let weekStart: LocalDay
    public let filed: Int
    public let answered: Int
}

/// How fast and how punctually one agency answered in the period, and what it has open now.
public struct AgencyProcessing: Sendable, Codable, Equatable {
    public let agencyCode: String
    public let agencyName: String
    public let agencyNameKO: String
    /// First answers given in the period.
    public let answered: Int
    /// Working days from filing to the first answer, as the legal periods count them.
    public let averageWorkingDays: Double?
    public let p95WorkingDays: Double?
    public let answeredOnTime: Int
    /// Per cent of the period's first answers given by the due date then in force.
    public let onTimeRate: Double?
    /// Open now, and open now past the due date.
    public let open: Int
    public let overdueOpen: Int
}

/// The complainants' ratings (1 to 5) of the answers given in the period.
public struct SatisfactionSummary: Sendable, Codable, Equatable {
    public let rated: Int
    public let average: Double?
    /// Ratings of 1, 2, 3, 4 and 5, in that order.
    public let distribution: [Int]
}

public struct CategoryCount: Sendable, Codable, Equatable {
    /// The category's code, or nil for complaints filed without one.
    public let code: String?
    public let nameEN: String
    public let nameKO: String
    public let count: Int
}

/// The e-People statistics: complaints per week, processing time and deadline compliance by
/// agency, satisfaction and the top categories, over the last `weeks` weeks.
public struct ComplaintStatistics: Sendable, Codable, Equatable {
    public let weeks: Int
    public let from: LocalDay
    public let through: LocalDay
    public let filed: Int
    public let answered: Int
    public let averageWorkingDays: Double?
    public let onTimeRate: Double?
    public let perWeek: [ComplaintWeek]
    public let agencies: [AgencyProcessing]
    public let satisfaction: SatisfactionSummary
    public let topCategories: [CategoryCount]
    public let generatedAt: Date
}

extension PetitionsService {
    static let statisticsWeeks = 1...104

    /// The period asked for in an address (`?weeks=`): 12 when absent, a whole number otherwise.
    /// The range is checked by `statistics(weeks:)`.
    public static func statisticsWeeks(_ raw: String?) throws -> Int {
        guard let raw else { return 12 }
        guard let weeks = Int(raw) else {
            throw NaraError.validation([FieldError(field: "weeks", code: "format", message: "Give the number of weeks as a whole number.")])
        }
        return weeks
    }

    static func oneDecimal(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// Statistics over the current week and the `weeks - 1` before it. Filings count in the week
    /// they were submitted, answers in the week of the first answer (an objection's second answer
    /// does not count again); open and overdue complaints are counted as they stand now.
    public func statistics(weeks: Int = 12, on database: (any Database)? = nil) async throws -> ComplaintStatistics {
        guard Self.statisticsWeeks.contains(weeks) else {
            throw NaraError.validation([FieldError(field: "weeks", code: "range",
                                                   message: "Give between \(Self.statisticsWeeks.lowerBound) and \(Self.statisticsWeeks.upperBound) weeks.")])
        }
        let db = database ?? self.db
        let now = clock.now()
        let calendar = try await platform.calendar.calendar(on: db)
        let today = calendar.localDay(of: now)
        let thisMonday = today.adding(days: 1 - today.isoWeekday)
        let firstMonday = thisMonday.adding(days: -7 * (weeks - 1))
        let start = calendar.instant(firstMonday)
        func weekIndex(_ date: Date) -> Int? {
            let index = (calendar.localDay(of: date).ordinal - firstMonday.ordinal) / 7
            return (0..<weeks).contains(index) ? index : nil
        }

        var filedPerWeek = Array(repeating: 0, count: weeks)
        var answeredPerWeek = Array(repeating: 0, count: weeks)
        var categories: [String?: Int] = [:]
        let filed = try await ComplaintModel.query(on: db).filter(\.$submittedAt >= start)
            .field(\.$submittedAt).field(\.$category).all()
        for m in filed {
            guard let week = weekIndex(m.submittedAt) else { continue }
            filedPerWeek[week] += 1
            categories[m.category, default: 0] += 1
        }

        struct Answers { var days: [Double] = []; var onTime = 0 }
        var byAgency: [UUID: Answers] = [:]
        var ratings = Array(repeating: 0, count: 5)
        let answered = try await ComplaintModel.query(on: db).filter(\.$firstAnsweredAt >= start)
            .field(\.$agencyID).field(\.$submittedAt).field(\.$firstAnsweredAt).field(\.$firstAnswerOnTime).field(\.$rating).all()
        for m in answered {
            guard let at = m.firstAnsweredAt, let week = weekIndex(at) else { continue }
            answeredPerWeek[week] += 1
            var a = byAgency[m.agencyID] ?? Answers()
            a.days.append(Double(calendar.workingDays(after: calendar.localDay(of: m.submittedAt), through: calendar.localDay(of: at))))
            if m.firstAnswerOnTime == true { a.onTime += 1 }
            byAgency[m.agencyID] = a
            if let rating = m.rating, (1...5).contains(rating) { ratings[rating - 1] += 1 }
        }

        let waiting = ComplaintState.allCases.filter(\.waitsForAgency).map(\.rawValue)
        var open: [UUID: (open: Int, overdue: Int)] = [:]
        for m in try await ComplaintModel.query(on: db).filter(\.$state ~~ waiting).field(\.$agencyID).field(\.$dueAt).all() {
            var row = open[m.agencyID] ?? (0, 0)
            row.open += 1
            if now > m.dueAt { row.overdue += 1 }
            open[m.agencyID] = row
        }

        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        let rows: [AgencyProcessing] = Set(byAgency.keys).union(open.keys).compactMap { id in
            guard let agency = agencies[id] else { return nil }
            let a = byAgency[id] ?? Answers()
            let days = a.days.sorted()
            return AgencyProcessing(
                agencyCode: agency.code, agencyName: agency.nameEN, agencyNameKO: agency.nameKO, answered: days.count,
                averageWorkingDays: days.isEmpty ? nil : Self.oneDecimal(days.reduce(0, +) / Double(days.count)),
                p95WorkingDays: Percentile.nearestRank(days, 0.95), answeredOnTime: a.onTime,
                onTimeRate: days.isEmpty ? nil : Self.oneDecimal(Double(a.onTime) * 100 / Double(days.count)),
                open: open[id]?.open ?? 0, overdueOpen: open[id]?.overdue ?? 0)
        }.sorted { $0.agencyCode < $1.agencyCode }

        let catalogue = Dictionary(uniqueKeysWithValues: ComplaintCatalogue.categories.map { ($0.code, $0) })
        let top = categories.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key ?? "~") < ($1.key ?? "~") }.prefix(8).map { code, count in
            let c = code.flatMap { catalogue[$0] }
            return CategoryCount(code: code, nameEN: c?.nameEN ?? code ?? "No category given", nameKO: c?.nameKO ?? code ?? "분야 미지정", count: count)
        }

        let allDays = byAgency.values.flatMap(\.days)
        let onTime = byAgency.values.reduce(0) { $0 + $1.onTime }
        let rated = ratings.reduce(0, +)
        return ComplaintStatistics(
            weeks: weeks, from: firstMonday, through: thisMonday.adding(days: 6),
            filed: filedPerWeek.reduce(0, +), answered: allDays.count,
            averageWorkingDays: allDays.isEmpty ? nil : Self.oneDecimal(allDays.reduce(0, +) / Double(allDays.count)),
            onTimeRate: allDays.isEmpty ? nil : Self.oneDecimal(Double(onTime) * 100 / Double(allDays.count)),
            perWeek: (0..<weeks).map { ComplaintWeek(weekStart: firstMonday.adding(days: 7 * $0), filed: filedPerWeek[$0], answered: answeredPerWeek[$0]) },
            agencies: rows,
            satisfaction: SatisfactionSummary(
                rated: rated,
                average: rated == 0 ? nil : Self.oneDecimal(Double(ratings.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }) / Double(rated)),
                distribution: ratings),
            topCategories: Array(top), generatedAt: now)
    }
}
