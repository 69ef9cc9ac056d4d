import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct CargoEventRow: Sendable {
    let at: String
    let status: String
    let place: String
    let note: String
}

struct CargoDeclarationRow: Sendable {
    let number: String
    let state: String
    let released: String
}

struct CargoPage: Sendable {
    let query: String
    let found: Bool
    let notFound: Bool
    let trackingNumber: String
    let billOfLading: String
    let manifest: String
    let vessel: String
    let port: String
    let mode: String
    let description: String
    let packages: String
    let status: String
    let events: [CargoEventRow]
    let declarations: [CargoDeclarationRow]
    let hasDeclarations: Bool
}

struct ClearanceRow: Sendable {
    let lane: String
    let released: String
    let median: String
    let p95: String
}

struct CustomsHomePage: Sendable {
    let declarations: String
    let released: String
    let clearance: [ClearanceRow]
    let clearanceChart: String
    let sharesChart: String
    let configured: String
    let hitRate: String
    let revenueChart: String
}

struct DeclarationRow: Sendable {
    let link: String
    let number: String
    let reference: String
    let kind: String
    let state: String
    let lane: String
    let laneCode: String
    let lodged: String
    let released: String
}

struct DeclarationsPage: Sendable {
    let isOfficer: Bool
    let rows: [DeclarationRow]
    let hasRows: Bool
    let registered: Bool
    let registerError: String?
}

struct ItemLine: Sendable {
    let sequence: String
    let hsCode: String
    let description: String
    let origin: String
    let quantity: String
    let mass: String
    let value: String
    let duty: String
    let vat: String
    let rate: String
}

struct HistoryLine: Sendable {
    let at: String
    let state: String
    let actor: String
    let note: String
}

struct DeclarationPage: Sendable {
    let id: String
    let number: String
    let kind: String
    let reference: String
    let trader: String
    let declarant: String
    let aeo: Bool
    let office: String
    let cargo: String?
    let cargoLink: String?
    let invoice: String
    let counterpart: String
    let state: String
    let lane: String
    let laneCode: String
    let decision: String?
    let items: [ItemLine]
    let customsValue: String
    let duty: String
    let vat: String
    let due: String
    let payment: String?
    let exchange: String
    let times: [HistoryLine]
    let history: [HistoryLine]
    let isOfficer: Bool
    let canCheckDocuments: Bool
    let canInspect: Bool
    let canReroute: Bool
    let canReject: Bool
    let canInvalidate: Bool
    let canCertify: Bool
    let lanes: [OptionModel]
    let xmlLink: String
    let error: String?
}

/// Public pages (the clearance figures and cargo tracking), the trader's and officer's lists and a
/// declaration's page with the officer's steps.
enum CustomsPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: CustomsService) {
        let platform = portal.platform
        routes.web(.get, "/customs") { request, context in
            let r = portal.renderer, l = context.language
            let d = try await service.dashboard()
            func duration(_ seconds: Double?) -> String {
                guard let seconds else { return "—" }
                if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
                if seconds < 60 { return String(format: "%.1f s", seconds) }
                if seconds < 3600 { return String(format: "%.0f min", seconds / 60) }
                return String(format: "%.1f h", seconds / 3600)
            }
            let rates = d.configuredRates
            let page = CustomsHomePage(
                declarations: String(d.declarations), released: String(d.released),
                clearance: d.clearance.map { ClearanceRow(lane: r.text("customs_lane_\($0.lane.rawValue)", l), released: String($0.released),
                                                          median: duration($0.medianSeconds), p95: duration($0.p95Seconds)) },
                clearanceChart: BarChart.svg(d.clearance.map { DashboardCount(label: r.text("customs_lane_\($0.lane.rawValue)", l), value: ($0.medianSeconds ?? 0) / 60) },
                                             title: r.text("customs_median_minutes", l), unit: " min"),
                sharesChart: BarChart.svg(d.laneShares.map { DashboardCount(label: r.text("customs_lane_\($0.label)", l), value: $0.value) },
                                          title: r.text("customs_lane_shares", l), unit: " %"),
                configured: r.text("customs_configured_rates", l)
                    .replacingOccurrences(of: "{red}", with: percent(rates.red)).replacingOccurrences(of: "{yellow}", with: percent(rates.yellow))
                    .replacingOccurrences(of: "{blue}", with: percent(rates.blue)).replacingOccurrences(of: "{aeoRed}", with: percent(rates.aeoRed))
                    .replacingOccurrences(of: "{aeoYellow}", with: percent(rates.aeoYellow)).replacingOccurrences(of: "{aeoBlue}", with: percent(rates.aeoBlue)),
                hitRate: d.inspectionHitRate.map { String(format: "%.0f %% (%d / %d)", $0, d.inspectionsWithFindings, d.inspections) } ?? "—",
                revenueChart: BarChart.svg(d.revenue.map { DashboardCount(label: r.text("customs_revenue_\($0.label)", l), value: $0.value / 1_000_000) },
                                           title: r.text("customs_revenue", l), unit: " M KRW"))
            return r.render(Page("customs/home", title: r.text("customs_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/customs/cargo") { request, context in
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let query = String((request.uri.queryParameters.get("n") ?? "").trimmingCharacters(in: .whitespaces).prefix(40))
            var view: CargoView?
            if !query.isEmpty { view = try? await service.cargoView(trackingNumber: query) }
            let page = CargoPage(
                query: query, found: view != nil, notFound: !query.isEmpty && view == nil, trackingNumber: view?.trackingNumber ?? "",
                billOfLading: view?.billOfLading ?? "", manifest: view?.manifest ?? "", vessel: view.map { "\($0.vessel) \($0.voyage)" } ?? "",
                port: view.map { "\(CustomsService.ports[$0.port] ?? $0.port) (\($0.port))" } ?? "",
                mode: view.map { r.text("customs_mode_\($0.mode)", l) } ?? "", description: view?.description ?? "",
                packages: view.map { "\($0.packages) · \($0.grossMassKg) kg" } ?? "", status: view.map { r.text("customs_cargo_\($0.status)", l) } ?? "",
                events: (view?.events ?? []).map { CargoEventRow(at: display.dateTime($0.at), status: r.text("customs_cargo_\($0.status)", l), place: $0.place, note: $0.note) },
                declarations: (view?.declarations ?? []).map {
                    CargoDeclarationRow(number: $0.number, state: r.text("customs_state_\($0.state)", l), released: $0.releasedAt.map(display.dateTime) ?? "—")
                },
                hasDeclarations: !(view?.declarations ?? []).isEmpty)
            return r.render(Page("customs/cargo", title: r.text("customs_cargo_title", l), model: page,
                                 status: page.notFound ? .notFound : .ok), request: request, context: context)
        }
        routes.web(.get, "/customs/declarations") { request, context in
            try await declarationsPage(request, context, portal, service, registerError: nil)
        }
        routes.web(.post, "/customs/register") { request, context in
            do {
                _ = try await service.registerTrader(by: try context.requireActor(), roles: [], requestID: context.requestID)
                return .redirect("/customs/declarations?notice=customs_registered")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .forbidden || error.kind == .conflict {
                return try await declarationsPage(request, context, portal, service,
                                                  registerError: error.fieldErrors.isEmpty ? error.message : error.fieldErrors.map(\.message).joined(separator: " "))
            }
        }
        DeclareForm.register(routes, portal: portal, service: service)
        routes.web(.get, "/customs/declarations/:id") { request, context in
            try await declarationPage(request, context, portal, service, error: nil)
        }
        registerSteps(routes, portal: portal, service: service)
    }

    static func declarationsPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: CustomsService,
                                 registerError: String?) async throws -> Response {
        let platform = portal.platform
        let actor = try context.requireActor()
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let isOfficer = try await service.isOfficer(actor)
        let models = isOfficer ? try await service.queue(lane: request.uri.queryParameters.get("lane").flatMap(Lane.init(rawValue:)))
            : try await service.declarations(of: actor)
        let rows = models.map { m in
            DeclarationRow(link: "/customs/declarations/\(m.id!.uuidString.lowercased())", number: m.number, reference: m.traderReference,
                           kind: r.text("customs_kind_\(m.kind)", l), state: r.text("customs_state_\(m.state)", l),
                           lane: m.lane.map { r.text("customs_lane_\($0)", l) } ?? "—", laneCode: m.lane ?? "", lodged: display.dateTime(m.lodgedAt),
                           released: m.releasedAt.map(display.dateTime) ?? "—")
        }
        let registered = isOfficer ? true : (try await service.trader(of: actor)) != nil
        return r.render(Page("customs/declarations", title: r.text(isOfficer ? "customs_queue_title" : "customs_my_declarations", l),
                             model: DeclarationsPage(isOfficer: isOfficer, rows: rows, hasRows: !rows.isEmpty, registered: registered, registerError: registerError),
                             status: registerError == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func registerSteps(_ routes: RouteRegistry, portal: Portal, service: CustomsService) {
        routes.web(.get, "/customs/declarations/:id/wco.xml") { _, context in
            let xml = try await service.wcoXML(id: try CustomsAPI.id(context), by: try context.requireActor())
            var headers = HTTPFields()
            headers[.contentType] = "application/xml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
        routes.web(.post, "/customs/declarations/:id/certificate") { _, context in
            let document = try await service.exportCertificate(id: try CustomsAPI.id(context), by: try context.requireActor())
            return .redirect("/my/documents/\(document.uuidString.lowercased())")
        }
        func officerStep(_ path: String, _ body: @escaping @Sendable (NaraRequestContext, UUID, Actor) async throws -> Void) {
            routes.web(.post, "/customs/declarations/:id/\(path)") { request, context in
                let actor = try context.requireActor()
                let id = try CustomsAPI.id(context)
                do {
                    try await body(context, id, actor)
                    return .redirect("/customs/declarations/\(id.uuidString.lowercased())?notice=customs_updated")
                } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                    let message = error.fieldErrors.isEmpty ? error.message : error.fieldErrors.map(\.message).joined(separator: " ")
                    return try await declarationPage(request, context, portal, service, error: message)
                }
            }
        }
        officerStep("documents-checked") { context, id, actor in
            _ = try await service.documentsChecked(id: id, note: context.form["note"] ?? "", by: actor, requestID: context.requestID)
        }
        officerStep("inspection") { context, id, actor in
            // Corrections per item: only the inputs the officer filled in change the item.
            let f = context.form
            let current = try await service.declaration(id: id, by: actor)
            var corrections: [ItemCorrection] = []
            for item in current.items {
                let hs = (f["correct-\(item.sequence)-hsCode"] ?? "").filter(\.isNumber)
                let origin = (f["correct-\(item.sequence)-origin"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
                let rawValue = (f["correct-\(item.sequence)-value"] ?? "").trimmingCharacters(in: .whitespaces)
                var value: Int64?
                if !rawValue.isEmpty {
                    guard let minor = DeclareForm.minorUnits(rawValue, currency: current.currency) else {
                        throw NaraError.validation([FieldError(field: "corrections", code: "format",
                                                               message: portal.renderer.text("customs_err_amount", context.language))])
                    }
                    value = minor
                }
                if !hs.isEmpty || !origin.isEmpty || value != nil {
                    corrections.append(ItemCorrection(sequence: item.sequence, hsCode: hs.isEmpty ? nil : hs, origin: origin.isEmpty ? nil : origin, valueMinor: value))
                }
            }
            _ = try await service.recordInspection(id: id, findings: f["findings"] ?? "", corrections: corrections, by: actor, requestID: context.requestID)
        }
        officerStep("reroute") { context, id, actor in
            guard let lane = Lane(rawValue: context.form["lane"] ?? "") else {
                throw NaraError.validation([FieldError(field: "lane", code: "unknown", message: "Choose a lane.")])
            }
            _ = try await service.reroute(id: id, to: lane, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
        }
        officerStep("reject") { context, id, actor in
            _ = try await service.reject(id: id, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
        }
        officerStep("invalidate") { context, id, actor in
            _ = try await service.invalidate(id: id, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
        }
    }

    static func percent(_ basisPoints: Int) -> String { String(format: "%.1f %%", Double(basisPoints) / 100) }

    static func declarationPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: CustomsService,
                                error: String?) async throws -> Response {
        let actor = try context.requireActor()
        let d = try await service.declaration(id: try CustomsAPI.id(context), by: actor)
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let isOfficer = d.laneDecision != nil ? true : try await service.isOfficer(actor)
        let assessed = Dictionary(uniqueKeysWithValues: (d.assessment?.lines ?? []).map { ($0.sequence, $0) })
        let krw = { (v: Int64) in Money.format(v, currency: "KRW") }
        let foreign = { (v: Int64) in Money.format(v, currency: d.currency) }
        var times: [HistoryLine] = [HistoryLine(at: display.dateTime(d.times.lodgedAt), state: r.text("customs_time_lodged", l), actor: "", note: "")]
        for (key, date) in [("accepted", d.times.acceptedAt), ("laned", d.times.lanedAt), ("assessed", d.times.assessedAt), ("paid", d.times.paidAt),
                            ("released", d.times.releasedAt), ("cleared", d.times.clearedAt), ("exited", d.times.exitedAt)] {
            if let date {
                let seconds = date.timeIntervalSince(d.times.lodgedAt)
                times.append(HistoryLine(at: display.dateTime(date), state: r.text("customs_time_\(key)", l), actor: "",
                                         note: seconds < 120 ? String(format: "+%.3f s", seconds) : String(format: "+%.1f h", seconds / 3600)))
            }
        }
        let waiting = [DeclarationState.laneAssigned, .documentsRequested, .underInspection].contains(d.state)
        let page = DeclarationPage(
            id: d.id.uuidString.lowercased(), number: d.number, kind: r.text("customs_kind_\(d.kind.rawValue)", l), reference: d.traderReference,
            trader: "\(d.traderName) (\(d.trader))", declarant: "\(d.declarantName) (\(d.declarant))", aeo: d.aeo, office: d.officeCode,
            cargo: d.cargo, cargoLink: d.cargo.map { "/customs/cargo?n=\($0)" }, invoice: "\(d.invoiceNumber) · \(foreign(d.invoiceAmountMinor)) \(d.incoterm)",
            counterpart: "\(d.counterpartName) (\(d.counterpartCountry))", state: r.text("customs_state_\(d.state.rawValue)", l),
            lane: d.lane.map { r.text("customs_lane_\($0.rawValue)", l) } ?? "—", laneCode: d.lane?.rawValue ?? "",
            decision: d.laneDecision.map(CustomsService.describe),
            items: d.items.map { item in
                let line = assessed[item.sequence]
                return ItemLine(sequence: String(item.sequence), hsCode: item.hsCode, description: item.description, origin: item.origin,
                                quantity: "\(CustomsService.kilograms(item.quantityMilli)) \(item.quantityUnit)",
                                mass: "\(CustomsService.kilograms(item.grossMassMilli)) / \(CustomsService.kilograms(item.netMassMilli)) kg",
                                value: foreign(item.valueMinor), duty: line.map { krw($0.dutyKRW) } ?? "—", vat: line.map { krw($0.vatKRW) } ?? "—",
                                rate: line?.rateText ?? "—")
            },
            customsValue: d.assessment.map { krw($0.totalCustomsValueKRW) } ?? "—", duty: d.assessment.map { krw($0.totalDutyKRW) } ?? "—",
            vat: d.assessment.map { krw($0.totalVATKRW) } ?? "—", due: krw(d.amountDueKRW), payment: d.paymentReference,
            exchange: d.assessment.map { "1 \(d.currency) = \(Double($0.exchangeRateHundredths) / 100) KRW (\($0.exchangeWeek))" } ?? "—",
            times: times,
            history: d.history.map { HistoryLine(at: display.dateTime($0.at), state: r.text("customs_state_\($0.to.rawValue)", l), actor: $0.actor, note: $0.note) },
            isOfficer: isOfficer, canCheckDocuments: isOfficer && d.state == .documentsRequested, canInspect: isOfficer && d.state == .underInspection,
            canReroute: isOfficer && waiting, canReject: isOfficer && waiting,
            canInvalidate: [.accepted, .laneAssigned, .documentsRequested, .underInspection, .assessed].contains(d.state),
            canCertify: !isOfficer && d.kind == .export && (d.state == .released || d.state == .exited),
            lanes: Lane.allCases.map { OptionModel(value: $0.rawValue, label: r.text("customs_lane_\($0.rawValue)", l), selected: $0 == d.lane) },
            xmlLink: "/customs/declarations/\(d.id.uuidString.lowercased())/wco.xml", error: error)
        return r.render(Page("customs/declaration", title: "\(r.text("customs_declaration", l)) \(d.number)", model: page,
                             status: error == nil ? .ok : .unprocessableContent), request: request, context: context)
    }
}
