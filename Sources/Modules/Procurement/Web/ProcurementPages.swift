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
}

struct TenderListPage: Sendable {
    let tenders: [TenderRow]
    let hasTenders: Bool
}

struct LotRow: Sendable {
    let number: String
    let title: String
    let estimate: String
}

struct BidRow: Sendable {
    let rank: String
    let bidder: String
    let received: String
    let total: String
    let problem: String?
}

struct TenderPage: Sendable {
    let reference: String
    let title: String
    let description: String
    let agency: String
    let procedure: String
    let state: String
    let stateCode: String
    let status: String
    let published: String?
    let deadline: String
    let opened: String?
    let cancelReason: String?
    let lots: [LotRow]
    let bids: [BidRow]
    let hasBids: Bool
    let bidsSealed: Bool
}

/// Public pages: tender notices and, after the opening, bidders and prices.
enum ProcurementPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        routes.web(.get, "/procurement") { request, context in
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let rows = try await service.tenders(publicOnly: true).map { t in
                TenderRow(link: "/procurement/tenders/\(t.id.uuidString.lowercased())", reference: t.reference, title: t.title, agency: t.agencyName,
                          procedure: r.text("procurement_procedure_\(t.procedure.rawValue)", l), state: r.text("procurement_state_\(t.state.rawValue)", l),
                          stateCode: t.state.rawValue, deadline: display.dateTime(t.deadline))
            }
            return r.render(Page("procurement/tenders", title: r.text("procurement_title", l), model: TenderListPage(tenders: rows, hasTenders: !rows.isEmpty)),
                            request: request, context: context)
        }
        routes.web(.get, "/procurement/tenders/:id") { request, context in
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let t = try await service.tender(id: try ProcurementAPI.id(context))
            guard t.state != .draft else { throw NaraError.notFound("The tender") }
            let status: String
            switch t.state {
            case .open: status = r.text(platform.clock.now() < t.deadline ? "procurement_status_open" : "procurement_status_opening", l)
            case .opened: status = r.text("procurement_status_opened", l)
            case .unsuccessful: status = r.text("procurement_status_unsuccessful", l)
            case .cancelled: status = r.text("procurement_status_cancelled", l)
            case .draft: status = ""
            }
            let bids = (t.bids ?? []).enumerated().map { index, bid in
                BidRow(rank: bid.problem == nil ? String(index + 1) : "—", bidder: "\(bid.bidderName) (\(bid.bidder))", received: display.dateTime(bid.receivedAt),
                       total: bid.total.map { Money.format($0, currency: t.currency) } ?? "—", problem: bid.problem)
            }
            let page = TenderPage(
                reference: t.reference, title: t.title, description: t.description, agency: t.agencyName,
                procedure: r.text("procurement_procedure_\(t.procedure.rawValue)", l), state: r.text("procurement_state_\(t.state.rawValue)", l),
                stateCode: t.state.rawValue, status: status, published: t.publishedAt.map(display.dateTime), deadline: display.dateTime(t.deadline),
                opened: t.openedAt.map(display.dateTime), cancelReason: t.cancelReason,
                lots: t.lots.map { LotRow(number: String($0.number), title: $0.title, estimate: Money.format($0.estimatedValueMinor, currency: t.currency)) },
                bids: bids, hasBids: !bids.isEmpty, bidsSealed: t.bids == nil)
            return r.render(Page("procurement/tender", title: t.title, model: page), request: request, context: context)
        }
    }
}
