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

struct ItemRow: Sendable {
    let lot: String
    let description: String
    let classification: String
    let quantity: String
}

struct LinkRow: Sendable {
    let title: String
    let url: String
}

struct QARow: Sendable {
    let question: String
    let asked: String
    let answer: String?
    let answered: String?
}

struct AwardRow: Sendable {
    let lot: String
    let bidder: String
    let amount: String
    let status: String
    let detail: String?
}

struct ComplaintRow: Sendable {
    let reference: String
    let title: String
    let complainant: String
    let status: String
    let decision: String?
}

struct ContractRow: Sendable {
    let reference: String
    let supplier: String
    let value: String
    let status: String
    let period: String
    let signed: String
    let paid: String
    let link: String
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
    let category: String
    let eligibility: String
    let evaluation: String
    let enquiryDeadline: String?
    let items: [ItemRow]
    let documents: [LinkRow]
    let hasDocuments: Bool
    let amendments: [QARow]
    let hasAmendments: Bool
    let enquiries: [QARow]
    let hasEnquiries: Bool
    let plan: String?
    let lottery: String?
    let awards: [AwardRow]
    let hasAwards: Bool
    let complaints: [ComplaintRow]
    let hasComplaints: Bool
    let contracts: [ContractRow]
    let hasContracts: Bool
    let ocdsLink: String
}

struct MallItemRow: Sendable {
    let code: String
    let name: String
    let classification: String
    let price: String
    let delivery: String
    let supplier: String
    let framework: String
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
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let query = String((request.uri.queryParameters.get("q") ?? "").prefix(100))
            let items = try await service.catalogue(query: query).map {
                MallItemRow(code: $0.code, name: $0.name, classification: "UNSPSC \($0.classification)",
                            price: "\(Money.format($0.priceMinor, currency: "KRW")) / \($0.unitName)",
                            delivery: "\($0.deliveryDays) \(r.text("procurement_mall_days", l))", supplier: $0.supplierName, framework: $0.frameworkReference)
            }
            let frameworks = try await service.frameworks().map {
                FrameworkRow(reference: $0.reference, title: $0.title, supplier: $0.supplierName, limit: Money.format($0.maxOrderMinor, currency: "KRW"),
                             valid: display.date($0.validUntil), status: $0.status)
            }
            return r.render(Page("procurement/mall", title: r.text("procurement_mall_title", l),
                                 model: MallPage(query: query, items: items, hasItems: !items.isEmpty, frameworks: frameworks)),
                            request: request, context: context)
        }
        routes.web(.get, "/procurement/tenders/:id") { request, context in
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let t = try await service.tender(id: try ProcurementAPI.id(context))
            guard t.state != .draft else { throw NaraError.notFound("The tender") }
            let status: String
            switch t.state {
            case .planned: status = r.text("procurement_status_planned", l)
            case .open:
                let now = platform.clock.now()
                status = r.text(now >= t.deadline ? "procurement_status_opening"
                                : (t.enquiryDeadline.map { now < $0 } ?? false) ? "procurement_status_enquiries" : "procurement_status_open", l)
            case .opened: status = r.text("procurement_status_opened", l)
            case .awarded: status = r.text("procurement_status_awarded", l)
            case .contracted: status = r.text("procurement_status_contracted", l)
            case .unsuccessful: status = r.text("procurement_status_unsuccessful", l)
            case .cancelled: status = r.text("procurement_status_cancelled", l)
            case .draft: status = ""
            }
            let bids = (t.bids ?? []).enumerated().map { index, bid in
                BidRow(rank: bid.problem == nil ? String(index + 1) : "—", bidder: "\(bid.bidderName) (\(bid.bidder))", received: display.dateTime(bid.receivedAt),
                       total: bid.total.map { Money.format($0, currency: t.currency) } ?? "—", problem: bid.problem)
            }
            let money = { (value: Int64) in Money.format(value, currency: t.currency) }
            let evaluation: String
            switch t.evaluation.method {
            case .lowestPrice: evaluation = "Lowest valid price per lot (최저가)"
            case .floorPrice:
                evaluation = String(format: "Lowest price at or above %.3f %% of the reserve price (적격심사 하한)", Double(t.evaluation.floorRatePPM ?? 0) / 10_000)
                    + (t.evaluation.lottery.map { " — reserve price by lottery of 15 preliminary prices within ±\(Double($0.rangeBasisPoints) / 100) %, \($0.picks) picks per bidder (복수예비가격)" } ?? "")
            case .priceQuality: evaluation = "Price \(t.evaluation.priceWeight ?? 0) + quality \(t.evaluation.qualityWeight ?? 0) points (종합평가)"
            }
            var lottery: String?
            if let l = t.lottery {
                lottery = "Seed SHA-256 published with the notice: \(l.commitment)."
                if let seed = l.seed, let reserve = t.reservePriceMinor, let floor = t.floorPriceMinor {
                    lottery! += " Seed revealed at the opening: \(seed). Numbers drawn most: \((l.chosen ?? []).map(String.init).joined(separator: ", ")); reserve price \(money(reserve)); floor \(money(floor))."
                }
            } else if let reserve = t.reservePriceMinor, let floor = t.floorPriceMinor {
                lottery = "Reserve price \(money(reserve)); floor \(money(floor))."
            }
            let enquiries = try await service.enquiries(tenderID: t.id).map {
                QARow(question: $0.question, asked: display.dateTime($0.askedAt), answer: $0.answer, answered: $0.answeredAt.map(display.dateTime))
            }
            let complaints = try await service.complaints(tenderID: t.id).map {
                ComplaintRow(reference: $0.reference, title: $0.title, complainant: $0.complainant, status: $0.status.rawValue, decision: $0.decision)
            }
            let contracts = try await service.contracts(tenderID: t.id).map { c in
                ContractRow(reference: c.reference, supplier: "\(c.supplierName) (\(c.supplierBusinessNumber))", value: money(c.valueMinor), status: c.status.rawValue,
                            period: "\(display.date(c.periodStart)) – \(display.date(c.periodEnd))",
                            signed: [c.agencySignedAt.map { "agency \(display.dateTime($0))" }, c.supplierSignedAt.map { "supplier \(display.dateTime($0))" }]
                                .compactMap { $0 }.joined(separator: "; "),
                            paid: "\(money(c.paidMinor)) of \(money(c.valueMinor))", link: "/api/v1/procurement/contracts/\(c.id.uuidString.lowercased())")
            }
            let awards = t.awards.map { a in
                AwardRow(lot: String(a.lot), bidder: "\(a.bidderName) (\(a.bidder))", amount: money(a.amountMinor), status: a.status.rawValue,
                         detail: a.reason ?? a.standstillEnd.map { "Standstill until \(display.dateTime($0))" })
            }
            let page = TenderPage(
                reference: t.reference, title: t.title, description: t.description, agency: t.agencyName,
                procedure: r.text("procurement_procedure_\(t.procedure.rawValue)", l), state: r.text("procurement_state_\(t.state.rawValue)", l),
                stateCode: t.state.rawValue, status: status, published: t.publishedAt.map(display.dateTime), deadline: display.dateTime(t.deadline),
                opened: t.openedAt.map(display.dateTime), cancelReason: t.cancelReason,
                lots: t.lots.map { LotRow(number: String($0.number), title: $0.title, estimate: money($0.estimatedValueMinor)) },
                bids: bids, hasBids: !bids.isEmpty, bidsSealed: t.bids == nil, category: t.category, eligibility: t.eligibility, evaluation: evaluation,
                enquiryDeadline: t.publishedAt == nil ? nil : t.enquiryDeadline.map(display.dateTime),
                items: t.items.map { ItemRow(lot: String($0.lot), description: $0.description, classification: "\($0.scheme) \($0.classification) \($0.classificationDescription)",
                                             quantity: "\(ProcurementService.quantity($0.quantity)) \($0.unitName)") },
                documents: t.documents.map { LinkRow(title: $0.title, url: $0.url) }, hasDocuments: !t.documents.isEmpty,
                amendments: t.amendments.map { QARow(question: $0.rationale, asked: display.dateTime($0.date), answer: $0.description, answered: nil) },
                hasAmendments: !t.amendments.isEmpty, enquiries: enquiries, hasEnquiries: !enquiries.isEmpty,
                plan: t.planBudgetMinor.map { "Budget \(money($0)). \(t.planRationale ?? "")" }, lottery: lottery,
                awards: awards, hasAwards: !awards.isEmpty, complaints: complaints, hasComplaints: !complaints.isEmpty,
                contracts: contracts, hasContracts: !contracts.isEmpty,
                ocdsLink: "/api/v1/procurement/ocds/records/\(t.ocid)")
            return r.render(Page("procurement/tender", title: t.title, model: page), request: request, context: context)
        }
    }
}
