import Foundation
import Hummingbird
import Mustache
import NaraCore

struct CardModel: Sendable, MustacheParent {
    let title: String
    let summary: String
    let path: String

    func child(named name: String) -> Any? {
        switch name {
        case "title": return title
        case "summary": return summary
        case "path": return path
        default: return nil
        }
    }
}

struct FactModel: Sendable, MustacheParent {
    let label: String
    let value: String

    func child(named name: String) -> Any? {
        switch name {
        case "label": return label
        case "value": return value
        default: return nil
        }
    }
}

struct HomePage: Sendable, MustacheParent {
    let moduleServices: [CardModel]
    let hasModuleServices: Bool
    let platformServices: [CardModel]
    let facts: [FactModel]

    func child(named name: String) -> Any? {
        switch name {
        case "moduleServices": return moduleServices
        case "hasModuleServices": return hasModuleServices
        case "platformServices": return platformServices
        case "facts": return facts
        default: return nil
        }
    }
}

struct AgencyNode: Sendable {
    let name: String
    let code: String
    let kind: String
    let children: [AgencyNode]
    let hasChildren: Bool
}

struct AgenciesPage: Sendable {
    let tree: [AgencyNode]
}

struct HolidayRow: Sendable {
    let date: String
    let weekday: String
    let name: String
}

struct CalendarPage: Sendable {
    let year: Int
    let previousYear: Int?
    let nextYear: Int?
    let holidays: [HolidayRow]
    let start: FieldModel
    let count: FieldModel
    let periods: [OptionModel]
    let result: String?
    let resultNote: String?
    let errorSummary: ErrorSummaryModel?
}

/// Pages anyone can see: the service catalogue, the agency directory, the business calendar.
enum PublicPages {
    static func register(_ routes: RouteRegistry, portal: Portal) {
        routes.web(.get, "/") { request, context in try await home(request, context, portal) }
        routes.web(.get, "/agencies") { request, context in try await agencies(request, context, portal) }
        routes.web(.get, "/calendar") { request, context in try await calendar(request, context, portal) }
        routes.web(.get, "/language/:code") { request, context in
            guard let code = context.parameters.get("code"), let language = Language(rawValue: code) else {
                throw NaraError.notFound("The language")
            }
            let target = request.uri.queryParameters.get("return").flatMap { $0.removingPercentEncoding } ?? "/"
            return .redirect(target, cookies: [portal.cookieHeader(name: PlatformContextMiddleware.languageCookie, value: language.rawValue,
                                                                    maxAge: 365 * 86400, httpOnly: false)])
        }
    }

    static func home(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        // For visitors the home page depends only on the language and the module list, both fixed
        // while the process runs: it is rendered once per language. Signed-in users get it rendered.
        if context.actor == nil && context.session == nil && request.uri.description == "/" {
            return try await portal.renderer.cached(key: "home:\(context.language.rawValue)", { try await homePage(context, portal) },
                                                    request: request, context: context)
        }
        return portal.renderer.render(try await homePage(context, portal), request: request, context: context)
    }

    static func homePage(_ context: NaraRequestContext, _ portal: Portal) async throws -> Page<HomePage> {
        let r = portal.renderer
        let language = context.language
        let modules = portal.platform.menu.filter { $0.audience == .everyone || $0.audience == .citizens }.map {
            CardModel(title: $0.title.text(language), summary: $0.summary.text(language), path: $0.path)
        }
        var platform = [
            CardModel(title: r.text("nav_my", language), summary: r.text("home_my_summary", language), path: "/my"),
            CardModel(title: r.text("nav_calendar", language), summary: r.text("home_calendar_summary", language), path: "/calendar"),
            CardModel(title: r.text("nav_agencies", language), summary: r.text("home_agencies_summary", language), path: "/agencies"),
            CardModel(title: r.text("home_api", language), summary: r.text("home_api_summary", language), path: "/api/openapi.json"),
        ]
        if context.actor == nil {
            platform.insert(CardModel(title: r.text("register", language), summary: r.text("home_register_summary", language), path: "/register"), at: 0)
        }
        let facts = [
            FactModel(label: r.text("home_fact_services", language), value: String(modules.count + platform.count)),
            FactModel(label: r.text("home_fact_languages", language), value: "English · 한국어"),
            FactModel(label: r.text("home_fact_timezone", language), value: portal.platform.configuration.timeZone.identifier),
        ]
        let page = HomePage(moduleServices: modules, hasModuleServices: !modules.isEmpty, platformServices: platform, facts: facts)
        return Page("home", title: r.text("home_title", language), model: page)
    }

    static func agencies(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let language = context.language
        let all = try await portal.platform.identity.agencies(on: portal.platform.db).filter(\.active)
        func node(_ agency: AgencySummary, depth: Int) -> AgencyNode {
            let children = depth < 2 ? all.filter { $0.parentID == agency.id }.map { node($0, depth: depth + 1) } : []
            return AgencyNode(name: agency.name(for: language), code: agency.code,
                              kind: portal.renderer.text("agency_kind_\(agency.kind.rawValue)", language), children: children, hasChildren: !children.isEmpty)
        }
        let tree = all.filter { $0.parentID == nil }.map { node($0, depth: 0) }
        return portal.renderer.render(Page("agencies", title: portal.renderer.text("agencies_title", language), model: AgenciesPage(tree: tree)),
                                      request: request, context: context)
    }

    static func calendar(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let platform = portal.platform
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: language)
        let businessCalendar = try await platform.calendar.calendar(on: platform.db)
        let today = businessCalendar.localDay(of: platform.clock.now())
        let query = request.uri.queryParameters
        let year = query.get("year").flatMap(Int.init).flatMap { (1900...2200).contains($0) ? $0 : nil } ?? today.components.year
        let holidays = try await platform.calendar.holidays(year: year, on: platform.db).map {
            HolidayRow(date: $0.day.description, weekday: display.weekday($0.day), name: language == .korean ? $0.nameKO : $0.nameEN)
        }
        let years = try await platform.calendar.holidays(on: platform.db).map { $0.day.components.year }

        // The deadline calculator runs on GET: it changes nothing.
        var errors: [FieldError] = []
        var result: String?
        var note: String?
        let startText = query.get("start") ?? today.description
        let countText = query.get("count") ?? "7"
        let periodKind = query.get("period") ?? "workingDays"
        if query.get("start") != nil {
            let start = LocalDay(startText)
            if start == nil { errors.append(FieldError(field: "start", code: "format", message: r.text("err_date_format", language))) }
            let count = Int(countText)
            if count == nil || !(1...3650).contains(count!) {
                errors.append(FieldError(field: "count", code: "range", message: r.text("err_count_range", language)))
            }
            let period: LegalPeriod? = switch periodKind {
            case "calendarDays": count.map { .calendarDays($0) }
            case "workingDays": count.map { .workingDays($0) }
            case "workingHours": count.map { .workingHours($0) }
            default: nil
            }
            if period == nil && errors.isEmpty { errors.append(FieldError(field: "period", code: "unknown", message: r.text("err_period", language))) }
            if errors.isEmpty, let start, let period {
                // A period started on a day counts from 09:00 of that day for working hours.
                let startInstant = businessCalendar.instant(start, minute: 9 * 60)
                let plain = businessCalendar.deadline(for: period, from: startInstant)
                let extended = businessCalendar.extend(plain)
                result = display.deadline(extended)
                if extended != plain { note = r.text("calendar_extended_note", language) + " " + display.deadline(plain) }
            }
        }
        let periods = ["calendarDays", "workingDays", "workingHours"].map {
            OptionModel(value: $0, label: r.text("period_\($0)", language), selected: $0 == periodKind)
        }
        let page = CalendarPage(
            year: year,
            previousYear: years.contains(year - 1) ? year - 1 : nil,
            nextYear: years.contains(year + 1) ? year + 1 : nil,
            holidays: holidays,
            start: FieldModel(name: "start", label: r.text("calendar_start", language), type: "date", value: startText,
                              hint: r.text("calendar_start_hint", language), errors: errors),
            count: FieldModel(name: "count", label: r.text("calendar_count", language), type: "number", value: countText, errors: errors),
            periods: periods, result: result, resultNote: note, errorSummary: ErrorSummaryModel(errors))
        return r.render(Page("calendar", title: r.text("calendar_title", language), model: page), request: request, context: context)
    }
}
