import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct TenderRow: Sendable {
    let link: String
    let reference: String
    let title: String
    let agency: String
    let procedure: String
    let state: String
    let stateCode: String
    let deadline: String
    let statusLine: String
}

struct TenderListPage: Sendable {
    let query: String
    let states: [OptionModel]
    let procedures: [OptionModel]
    let tenders: [TenderRow]
    let hasTenders: Bool
    let count: Int
}

struct MallItemRow: Sendable {
    let id: String
    let code: String
    let name: String
    let classification: String
    let price: String
    let delivery: String
    let supplier: String
    let framework: String
    let minQuantity: String
    let error: String?
}

struct FrameworkRow: Sendable {
    let reference: String
    let title: String
    let supplier: String
    let limit: String
    let valid: String
    let status: String
}

struct MallPage: Sendable {
    let query: String
    let canOrder: Bool
    let orderKey: String
    let items: [MallItemRow]
    let hasItems: Bool
    let frameworks: [FrameworkRow]
}

struct FlagRow: Sendable {
    let kind: String
    let tender: String
    let link: String?
    let title: String
    let detail: String
}

struct DashboardPage: Sendable {
    let averageBidders: String
    let averageDays: String
    let byStateChart: String
    let daysChart: String
    let officerChart: String
    let flags: [FlagRow]
    let hasFlags: Bool
}

/// Public pages: tender notices with search and a live status line, the dashboard and the
/// shopping mall (where procurement officers order).
enum ProcurementPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        routes.web(.get, "/procurement") { request, context in
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let q = request.uri.queryParameters
            let query = String((q.get("q") ?? "").prefix(100))
            let state = q.get("state").flatMap(TenderState.init(rawValue:)).flatMap { $0 == .draft ? nil : $0 }
            let procedure = q.get("procedure").flatMap(Procedure.init(rawValue:))
            let now = platform.clock.now()
            let rows = try await service.publicTenders(query: query, state: state, procedure: procedure).map { t in
                TenderRow(link: "/procurement/tenders/\(t.id.uuidString.lowercased())", reference: t.reference, title: t.title, agency: t.agencyName,
                          procedure: r.text("procurement_procedure_\(t.procedure.rawValue)", l), state: r.text("procurement_state_\(t.state.rawValue)", l),
                          stateCode: t.state.rawValue, deadline: display.dateTime(t.deadline), statusLine: statusLine(t, now: now, r, l))
            }
            let states = [OptionModel(value: "", label: r.text("procurement_all_states", l), selected: state == nil)]
                + TenderState.allCases.filter { $0 != .draft }.map { OptionModel(value: $0.rawValue, label: r.text("procurement_state_\($0.rawValue)", l), selected: $0 == state) }
            let procedures = [OptionModel(value: "", label: r.text("procurement_all_procedures", l), selected: procedure == nil)]
                + Procedure.allCases.map { OptionModel(value: $0.rawValue, label: r.text("procurement_procedure_\($0.rawValue)", l), selected: $0 == procedure) }
            return r.render(Page("procurement/tenders", title: r.text("procurement_title", l),
                                 model: TenderListPage(query: query, states: states, procedures: procedures, tenders: rows, hasTenders: !rows.isEmpty, count: rows.count)),
                            request: request, context: context)
        }
        routes.web(.get, "/procurement/dashboard") { request, context in
            let r = portal.renderer, l = context.language
            let d = try await service.dashboard()
            let states = d.tendersByState.map { DashboardCount(label: r.text("procurement_state_\($0.label)", l), value: $0.value) }
            let page = DashboardPage(
                averageBidders: d.averageBidders.map { String(format: "%.1f", $0) } ?? "—",
                averageDays: d.averageDaysNoticeToContract.map { String(format: "%.1f", $0) } ?? "—",
                byStateChart: BarChart.svg(states, title: r.text("procurement_dashboard_by_state", l)),
                daysChart: BarChart.svg(d.daysNoticeToContract, title: r.text("procurement_dashboard_days", l), unit: " d"),
                officerChart: BarChart.svg(d.contractsPerOfficer, title: r.text("procurement_dashboard_per_officer", l)),
                flags: d.redFlags.map { FlagRow(kind: r.text("procurement_flag_\($0.kind)", l), tender: $0.tender ?? "", link: $0.tenderID.map { "/procurement/tenders/\($0.uuidString.lowercased())" },
                                                title: $0.title, detail: $0.detail) },
                hasFlags: !d.redFlags.isEmpty)
            return r.render(Page("procurement/dashboard", title: r.text("procurement_dashboard_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/procurement/mall") { request, context in
            try await mallPage(request, context, portal, service, failedItem: nil, error: nil)
        }
    }

    /// One line on where a tender stands now: time left to bid, the opening, bids in, the standstill.
    static func statusLine(_ t: TenderSummary, now: Date, _ r: PageRenderer, _ l: Language) -> String {
        switch t.state {
        case .open:
            guard now < t.deadline else { return r.text("procurement_line_opening", l) }
            let minutes = Int(t.deadline.timeIntervalSince(now) / 60)
            let left = minutes >= 1440 ? "\(minutes / 1440) \(r.text("procurement_unit_days", l)) \(minutes % 1440 / 60) \(r.text("procurement_unit_hours", l))"
                : "\(minutes / 60) \(r.text("procurement_unit_hours", l)) \(minutes % 60) \(r.text("procurement_unit_minutes", l))"
            return r.text("procurement_line_open", l).replacingOccurrences(of: "{left}", with: left)
        case .opened, .awarded, .contracted, .unsuccessful:
            return r.text("procurement_line_\(t.state.rawValue)", l).replacingOccurrences(of: "{bids}", with: String(t.validBids ?? 0))
        case .planned, .cancelled, .draft:
            return r.text("procurement_line_\(t.state.rawValue)", l)
        }
    }

    static func mallPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ProcurementService,
                         failedItem: UUID?, error: String?) async throws -> Response {
        let platform = portal.platform
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let query = String((request.uri.queryParameters.get("q") ?? "").prefix(100))
        let items = try await service.catalogue(query: query).map {
            MallItemRow(id: $0.id.uuidString.lowercased(), code: $0.code, name: $0.name, classification: "UNSPSC \($0.classification)",
                        price: "\(Money.format($0.priceMinor, currency: "KRW")) / \($0.unitName)",
                        delivery: "\($0.deliveryDays) \(r.text("procurement_mall_days", l))", supplier: $0.supplierName, framework: $0.frameworkReference,
                        minQuantity: String($0.minQuantity), error: $0.id == failedItem ? error : nil)
        }
        let frameworks = try await service.frameworks().map {
            FrameworkRow(reference: $0.reference, title: $0.title, supplier: $0.supplierName, limit: Money.format($0.maxOrderMinor, currency: "KRW"),
                         valid: display.date($0.validUntil), status: r.text("procurement_framework_\($0.status)", l))
        }
        let canOrder = context.actor.map { (try? service.officerAgency($0)) != nil } ?? false
        return r.render(Page("procurement/mall", title: r.text("procurement_mall_title", l),
                             model: MallPage(query: query, canOrder: canOrder, orderKey: UUID().uuidString.lowercased(), items: items, hasItems: !items.isEmpty,
                                             frameworks: frameworks),
                             status: error == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }
}
