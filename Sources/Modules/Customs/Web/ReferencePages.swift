import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct CriterionRow: Sendable {
    let code: String
    let name: String
    let lane: String
    let conditions: String
    let validity: String
    let inForce: Bool
}

struct TariffRow: Sendable {
    let code: String
    let description: String
    let unit: String
    let rate: String
    let preferences: String
    let controls: String
}

struct RateRow: Sendable {
    let currency: String
    let rate: String
}

struct ShareRow: Sendable {
    let lane: String
    let count: String
    let share: String
    let configured: String
    let configuredAEO: String
}

struct SimulationView: Sendable {
    let declarations: String
    let aeo: String
    let shares: [ShareRow]
    let hits: String
}

struct ReferencePage: Sendable {
    let canRisk: Bool
    let canTariff: Bool
    let criteria: [CriterionRow]
    let criterionFields: [FieldModel]
    let criterionSelects: [SelectModel]
    let conditionRows: [DeclareRow]
    let rateFields: [FieldModel]
    let simulationFields: [FieldModel]
    let simulation: SimulationView?
    let tariff: [TariffRow]
    let tariffFields: [FieldModel]
    let tariffSelects: [SelectModel]
    let week: String
    let rates: [RateRow]
    let exchangeFields: [FieldModel]
    let errorSummary: ErrorSummaryModel?
    let failed: String?
}

/// The risk analysts' and tariff officers' page (`/customs/reference`): criteria with a form to
/// add one, the selection rates, the lane simulator, the tariff with a form to add or change a
/// line, and the week's exchange rates. Every form refuses bad input by field and changes nothing.
enum ReferencePages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: CustomsService) {
        let platform = portal.platform
        routes.web(.get, "/customs/reference") { request, context in
            try await page(request, context, portal, service, form: FormFields(), failed: nil, errors: [], simulation: nil)
        }
        func action(_ path: String, form: String, notice: String, _ body: @escaping @Sendable (NaraRequestContext, Actor) async throws -> SimulationReport?) {
            routes.web(.post, "/customs/reference/\(path)") { request, context in
                let actor = try context.requireActor()
                do {
                    if let report = try await body(context, actor) {
                        return try await page(request, context, portal, service, form: context.form, failed: nil, errors: [], simulation: report)
                    }
                    return .redirect("/customs/reference?notice=\(notice)#\(form)-title")
                } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                    let errors = error.fieldErrors.isEmpty ? [FieldError(field: form, code: error.code.rawValue, message: error.message)] : error.fieldErrors
                    return try await page(request, context, portal, service, form: context.form, failed: form, errors: errors.map { prefixed($0, form) }, simulation: nil)
                }
            }
        }
        action("criteria", form: "criterion", notice: "customs_criterion_saved") { context, actor in
            _ = try await service.saveCriterion(try criterion(context.form, display: DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)),
                                                by: actor, requestID: context.requestID)
            return nil
        }
        action("selectivity", form: "rates", notice: "customs_rates_saved") { context, actor in
            let f = context.form
            func bp(_ name: String) throws -> Int {
                guard let percent = Double((f[name] ?? "").trimmingCharacters(in: .whitespaces)), percent >= 0, percent <= 100 else {
                    throw NaraError.validation([FieldError(field: name, code: "range", message: "Give a percentage from 0 to 100.")])
                }
                return Int((percent * 100).rounded())
            }
            try await service.setSelectivity(SelectivityRates(red: try bp("red"), yellow: try bp("yellow"), blue: try bp("blue"), aeoRed: try bp("aeoRed"),
                                                              aeoYellow: try bp("aeoYellow"), aeoBlue: try bp("aeoBlue")), by: actor, requestID: context.requestID)
            return nil
        }
        action("simulate", form: "simulation", notice: "") { context, actor in
            let count = Int(context.form["count"] ?? "") ?? 0
            let seed = UInt64(context.form["seed"] ?? "") ?? 2026
            return try await service.simulate(count: count, seed: seed, draft: nil, by: actor)
        }
        action("tariff", form: "tariff", notice: "customs_tariff_saved") { context, actor in
            _ = try await service.saveTariffLine(try tariffLine(context.form), by: actor, requestID: context.requestID)
            return nil
        }
        action("rates", form: "exchange", notice: "customs_exchange_saved") { context, actor in
            let f = context.form
            guard let rate = Decimal(string: (f["rate"] ?? "").replacingOccurrences(of: ",", with: "")), rate > 0 else {
                throw NaraError.validation([FieldError(field: "rateHundredths", code: "format", message: "Give the rate in won per unit, such as 1,385.20.")])
            }
            var scaled = rate * 100, rounded = Decimal()
            NSDecimalRound(&rounded, &scaled, 0, .plain)
            try await service.setExchangeRate(currency: (f["currency"] ?? "").uppercased(), weekStart: f["weekStart"] ?? "",
                                              rateHundredths: NSDecimalNumber(decimal: rounded).int64Value, by: actor, requestID: context.requestID)
            return nil
        }
    }

    /// A form's errors carry the form's prefix, so that each links to its own input.
    static func prefixed(_ error: FieldError, _ form: String) -> FieldError {
        let field: String
        switch (form, error.field) {
        case ("exchange", "rateHundredths"): field = "exchange-rate"
        case ("exchange", let name): field = "exchange-\(name)"
        case ("criterion", let name) where name.hasPrefix("conditions/"): field = "criterion-condition-\((Int(name.split(separator: "/")[1]) ?? 0) + 1)-type"
        case ("tariff", let name) where name.hasPrefix("rate/"):
            field = name.hasSuffix("adValoremBasisPoints") ? "tariff-percent" : name.hasSuffix("specificUnit") ? "tariff-specificUnit" : "tariff-specific"
        case ("tariff", let name) where name.hasPrefix("preferential/"):
            field = name.hasSuffix("origins") ? "tariff-origins" : name.contains("/rate/") ? "tariff-preferentialPercent" : "tariff-agreement"
        default: field = "\(form)-\(error.field)"
        }
        return FieldError(field: field, code: error.code, message: error.message)
    }

    static func criterion(_ f: FormFields, display: DisplayFormat) throws -> NewRiskCriterion {
        var conditions: [RiskCondition] = []
        for n in 1...3 {
            guard let raw = f["condition-\(n)-type"], !raw.isEmpty else { continue }
            guard let type = RiskConditionType(rawValue: raw) else {
                throw NaraError.validation([FieldError(field: "conditions/\(n - 1)", code: "unknown", message: "Choose a condition.")])
            }
            let values = (f["condition-\(n)-values"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            conditions.append(RiskCondition(type, values: values.isEmpty ? nil : values,
                                            amountKRW: Int64((f["condition-\(n)-amount"] ?? "").replacingOccurrences(of: ",", with: "")),
                                            percent: Int(f["condition-\(n)-percent"] ?? ""), count: Int(f["condition-\(n)-count"] ?? "")))
        }
        let until = display.parseInputDate(f["validUntil"])
        return NewRiskCriterion(code: (f["code"] ?? "").uppercased(), name: f["name"] ?? "", lane: f["lane"] ?? "", conditions: conditions, validFrom: nil,
                                validUntil: until.map { Timestamp.iso8601Millis($0.addingTimeInterval(86_399)) } ?? "", active: true)
    }

    static func tariffLine(_ f: FormFields) throws -> TariffLine {
        func text(_ name: String) -> String { (f[name] ?? "").trimmingCharacters(in: .whitespaces) }
        let basis = DutyBasis(rawValue: text("basis")) ?? .adValorem
        func bp(_ name: String) -> Int? { Double(text(name)).map { Int(($0 * 100).rounded()) } }
        let rate = DutyRate(basis: basis, adValoremBasisPoints: basis == .specific ? nil : bp("percent") ?? -1,
                            specificPerUnitKRW: basis == .adValorem ? nil : Int64(text("specific").replacingOccurrences(of: ",", with: "")) ?? 0,
                            specificUnit: basis == .adValorem ? nil : text("specificUnit").uppercased())
        var preferential: [PreferentialRate] = []
        if !text("agreement").isEmpty {
            preferential.append(PreferentialRate(agreement: text("agreement").uppercased(),
                                                 origins: text("origins").uppercased().split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init),
                                                 rate: .adValorem(bp("preferentialPercent") ?? -1)))
        }
        return TariffLine(code: text("code").filter(\.isNumber), descriptionEN: text("descriptionEN"), descriptionKO: text("descriptionKO"),
                          quantityUnit: text("quantityUnit").uppercased(), rate: rate, preferential: preferential,
                          importLicence: text("importLicence").isEmpty ? nil : text("importLicence"),
                          exportLicence: text("exportLicence").isEmpty ? nil : text("exportLicence"), prohibited: f["prohibited"] != nil)
    }

    static func conditionText(_ c: RiskCondition) -> String {
        let values = (c.values ?? []).joined(separator: ", ")
        switch c.type {
        case .trader: return "trader ∈ {\(values)}"
        case .hsPrefix: return "HS starts with {\(values)}"
        case .origin: return "origin ∈ {\(values)}"
        case .kind: return "kind = \(values)"
        case .valuePerKgBelow: return "value/kg < \(DutyRate.grouped(c.amountKRW ?? 0)) KRW"
        case .valuePerKgAbove: return "value/kg > \(DutyRate.grouped(c.amountKRW ?? 0)) KRW"
        case .belowExpectedValue: return "value/kg < \(c.percent ?? 0) % of \(DutyRate.grouped(c.amountKRW ?? 0)) KRW"
        case .findingsAtLeast: return "findings in 365 days ≥ \(c.count ?? 0)"
        }
    }

    static func page(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: CustomsService, form f: FormFields,
                     failed: String?, errors rawErrors: [FieldError], simulation: SimulationReport?) async throws -> Response {
        let actor = try context.requireActor()
        let canRisk = try await service.isOfficer(actor, CustomsPermission.risk)
        let canTariff = try await service.isOfficer(actor, CustomsPermission.reference)
        guard canRisk || canTariff else { throw NaraError.forbidden("The reference data are kept by risk analysts and tariff officers.") }
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let errors = r.localized(rawErrors, l)
        let now = portal.platform.clock.now()
        func field(_ prefix: String, _ name: String, _ label: String, type: String = "text", hint: String? = nil, value: String? = nil) -> FieldModel {
            FieldModel(name: name, label: label, type: type, value: f[name] ?? value ?? "", hint: hint, errors: errors, errorField: "\(prefix)-\(name)",
                       required: false, idPrefix: "\(prefix)-")
        }
        func select(_ prefix: String, _ name: String, _ label: String, _ options: [(String, String)], default first: String) -> SelectModel {
            let chosen = f[name] ?? first
            return SelectModel(name: name, label: label, options: options.map { OptionModel(value: $0.0, label: $0.1, selected: $0.0 == chosen) },
                               errors: errors.map { FieldError(field: $0.field.replacingOccurrences(of: "\(prefix)-", with: ""), code: $0.code, message: $0.message) },
                               idPrefix: "\(prefix)-")
        }
        let risk = try? await service.riskData(fresh: true)
        let rates = risk?.selectivity ?? .standard
        let criteria = canRisk ? try await service.criteria() : []
        let ref = try await service.referenceData()
        let week = service.rateWeek(of: now)
        let conditionTypes = [("", "—")] + RiskConditionType.allCases.map { ($0.rawValue, r.text("customs_condition_\($0.rawValue)", l)) }
        let percent = { (bp: Int) in String(format: "%.2f", Double(bp) / 100) }
        let page = ReferencePage(
            canRisk: canRisk, canTariff: canTariff,
            criteria: criteria.map { c in
                CriterionRow(code: c.code, name: c.name, lane: r.text("customs_lane_\(c.lane.rawValue)", l), conditions: c.conditions.map(conditionText).joined(separator: " ∧ "),
                             validity: "\(display.date(c.validFrom)) – \(display.date(c.validUntil))", inForce: c.active && c.validFrom <= now && now < c.validUntil)
            },
            criterionFields: [field("criterion", "code", r.text("customs_criterion_code", l), hint: "RC-0101"), field("criterion", "name", r.text("customs_criterion_name", l)),
                              field("criterion", "validUntil", r.text("customs_valid_until", l), type: "date", value: display.date(now.addingTimeInterval(365 * 86_400)))],
            criterionSelects: [select("criterion", "lane", r.text("customs_lane", l), [("red", r.text("customs_lane_red", l)), ("yellow", r.text("customs_lane_yellow", l)),
                                                                                        ("blue", r.text("customs_lane_blue", l))], default: "yellow")],
            conditionRows: (1...3).map { n in
                DeclareRow(legend: "\(r.text("customs_condition", l)) \(n)",
                           selects: [select("criterion", "condition-\(n)-type", r.text("customs_condition_type", l), conditionTypes, default: "")],
                           fields: [field("criterion", "condition-\(n)-values", r.text("customs_condition_values", l), hint: n == 1 ? r.text("customs_condition_values_hint", l) : nil),
                                    field("criterion", "condition-\(n)-amount", r.text("customs_condition_amount", l)),
                                    field("criterion", "condition-\(n)-percent", r.text("customs_condition_percent", l), type: "number"),
                                    field("criterion", "condition-\(n)-count", r.text("customs_condition_count", l), type: "number")])
            },
            rateFields: [("red", rates.red), ("yellow", rates.yellow), ("blue", rates.blue), ("aeoRed", rates.aeoRed), ("aeoYellow", rates.aeoYellow),
                         ("aeoBlue", rates.aeoBlue)].map { field("rates", $0.0, r.text("customs_rate_\($0.0)", l), value: percent($0.1)) },
            simulationFields: [field("simulation", "count", r.text("customs_simulation_count", l), type: "number", value: "10000"),
                               field("simulation", "seed", r.text("customs_simulation_seed", l), type: "number", value: "2026")],
            simulation: simulation.map { s in
                SimulationView(declarations: String(s.declarations), aeo: String(s.aeoDeclarations),
                               shares: s.shares.map { ShareRow(lane: r.text("customs_lane_\($0.lane.rawValue)", l), count: String($0.count),
                                                               share: percent($0.basisPoints) + " %", configured: percent($0.configuredBasisPoints) + " %",
                                                               configuredAEO: percent($0.configuredAEOBasisPoints) + " %") },
                               hits: s.hits.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
            },
            tariff: ref.tariff.values.sorted { $0.code < $1.code }.map { t in
                TariffRow(code: t.code, description: l == .korean ? t.descriptionKO : t.descriptionEN, unit: t.quantityUnit, rate: t.rate.text,
                          preferences: t.preferential.map { "\($0.agreement) \($0.rate.text) (\($0.origins.joined(separator: " ")))" }.joined(separator: "; "),
                          controls: [t.prohibited ? r.text("customs_prohibited", l) : nil, t.importLicence.map { "\(r.text("customs_import_licence", l)): \($0)" },
                                     t.exportLicence.map { "\(r.text("customs_export_licence", l)): \($0)" }].compactMap { $0 }.joined(separator: "; "))
            },
            tariffFields: [field("tariff", "code", r.text("customs_hs_code", l)), field("tariff", "descriptionEN", r.text("customs_description_en", l)),
                           field("tariff", "descriptionKO", r.text("customs_description_ko", l)), field("tariff", "quantityUnit", r.text("customs_quantity_unit", l)),
                           field("tariff", "percent", r.text("customs_percent", l)), field("tariff", "specific", r.text("customs_specific", l)),
                           field("tariff", "specificUnit", r.text("customs_specific_unit", l)), field("tariff", "agreement", r.text("customs_agreement", l)),
                           field("tariff", "origins", r.text("customs_agreement_origins", l)), field("tariff", "preferentialPercent", r.text("customs_preferential_percent", l)),
                           field("tariff", "importLicence", r.text("customs_import_licence", l)), field("tariff", "exportLicence", r.text("customs_export_licence", l))],
            tariffSelects: [select("tariff", "basis", r.text("customs_basis", l), DutyBasis.allCases.map { ($0.rawValue, r.text("customs_basis_\($0.rawValue)", l)) },
                                   default: "adValorem")],
            week: week,
            rates: ref.rates.compactMap { currency, weeks in weeks[week].map { RateRow(currency: currency, rate: String(format: "%.2f", Double($0) / 100)) } }
                .sorted { $0.currency < $1.currency },
            exchangeFields: [field("exchange", "currency", r.text("customs_currency", l)), field("exchange", "weekStart", r.text("customs_week_start", l), type: "date", value: week),
                             field("exchange", "rate", r.text("customs_rate_krw", l))],
            errorSummary: ErrorSummaryModel(errors), failed: failed)
        return r.render(Page("customs/reference", title: r.text("customs_reference_title", l), model: page,
                             status: rawErrors.isEmpty ? .ok : .unprocessableContent), request: request, context: context)
    }
}
