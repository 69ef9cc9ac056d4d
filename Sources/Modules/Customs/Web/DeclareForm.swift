import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct DeclareRow: Sendable {
    let legend: String
    let selects: [SelectModel]
    let fields: [FieldModel]
}

struct DeclarePage: Sendable {
    let selects: [SelectModel]
    let fields: [FieldModel]
    let items: [DeclareRow]
    let registered: Bool
    let errorSummary: ErrorSummaryModel?
}

/// The trader's declaration form (`/customs/declarations/new`): the header and up to eight goods
/// items; amounts are written in the invoice currency as people write them (12,345.67); the
/// invoice total is the items' sum. The same checks as the API, every problem linked to its field.
enum DeclareForm {
    static let rows = 8

    static func register(_ routes: RouteRegistry, portal: Portal, service: CustomsService) {
        let platform = portal.platform
        routes.web(.get, "/customs/declarations/new") { request, context in
            let actor = try context.requireActor()
            return try await page(request, context, portal, service, form: FormFields(), errors: [], registered: try await service.trader(of: actor) != nil)
        }
        routes.web(.post, "/customs/declarations") { request, context in
            let lodged = platform.clock.now()
            let actor = try context.requireActor()
            let (input, problems, rowsUsed) = parse(context.form, text: { portal.renderer.text($0, context.language) })
            do {
                guard problems.isEmpty else { throw NaraError.validation(problems) }
                let view = try await service.declare(input, lodgedAt: lodged, by: actor, requestID: context.requestID)
                return .redirect("/customs/declarations/\(view.id.uuidString.lowercased())?notice=customs_lodged")
            } catch let error as NaraError where error.kind == .unprocessable {
                let errors = problems.isEmpty ? error.fieldErrors.map { formField($0, rows: rowsUsed) } : problems
                return try await page(request, context, portal, service, form: context.form, errors: errors, registered: true)
            }
        }
    }

    /// `items/2/hsCode` of the parsed list is the input `item-<row>-hsCode` of the form.
    static func formField(_ error: FieldError, rows: [Int]) -> FieldError {
        let parts = error.field.split(separator: "/").map(String.init)
        guard parts.first == "items" else { return error }
        guard parts.count > 2, let index = Int(parts[1]), index < rows.count else { return FieldError(field: "item-1-hsCode", code: error.code, message: error.message) }
        let field = parts[2] == "valueMinor" ? "value" : parts[2]
        return FieldError(field: "item-\(rows[index])-\(field)", code: error.code, message: error.message)
    }

    /// An amount as written (commas allowed) in minor units of the currency, or nil.
    static func minorUnits(_ text: String, currency: String) -> Int64? {
        let digits = CustomsCurrency.minorDigits[currency] ?? 2
        let cleaned = text.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        guard !cleaned.isEmpty, cleaned.allSatisfy({ $0.isNumber || $0 == "." }), var value = Decimal(string: cleaned) else { return nil }
        for _ in 0..<digits { value *= 10 }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        guard rounded == value, value > 0 else { return nil }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    static func parse(_ f: FormFields, text: (String) -> String) -> (NewDeclaration, [FieldError], [Int]) {
        func value(_ name: String) -> String { (f[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        var problems: [FieldError] = []
        var rows: [Int] = []
        var items: [DeclarationItemInput] = []
        let currency = value("currency")
        func decimal(_ name: String) -> Decimal {
            let raw = value(name).replacingOccurrences(of: ",", with: "")
            guard let number = Decimal(string: raw), raw.allSatisfy({ $0.isNumber || $0 == "." }) else {
                problems.append(FieldError(field: name, code: "format", message: text("customs_err_number")))
                return 0
            }
            return number
        }
        for n in 1...Self.rows where !value("item-\(n)-hsCode").isEmpty || !value("item-\(n)-description").isEmpty {
            let amount = minorUnits(value("item-\(n)-value"), currency: currency)
            if amount == nil { problems.append(FieldError(field: "item-\(n)-value", code: "format", message: text("customs_err_amount"))) }
            items.append(DeclarationItemInput(hsCode: value("item-\(n)-hsCode").filter(\.isNumber), description: value("item-\(n)-description"),
                                              origin: value("item-\(n)-origin").uppercased(), quantity: decimal("item-\(n)-quantity"),
                                              quantityUnit: value("item-\(n)-quantityUnit").uppercased(), grossMassKg: decimal("item-\(n)-grossMassKg"),
                                              netMassKg: decimal("item-\(n)-netMassKg"), packages: Int(value("item-\(n)-packages")) ?? 0,
                                              packageType: value("item-\(n)-packageType"), valueMinor: amount ?? 0, valuationMethod: 1,
                                              preference: value("item-\(n)-preference").isEmpty ? nil : value("item-\(n)-preference"),
                                              proofOfOrigin: value("item-\(n)-proofOfOrigin").isEmpty ? nil : value("item-\(n)-proofOfOrigin"),
                                              licenceNumber: value("item-\(n)-licenceNumber").isEmpty ? nil : value("item-\(n)-licenceNumber")))
            rows.append(n)
        }
        let input = NewDeclaration(kind: value("kind"), traderReference: value("traderReference"), trader: value("trader").isEmpty ? nil : value("trader"),
                                   officeCode: value("officeCode"), transportMode: Int(value("transportMode")) ?? 0,
                                   cargo: value("cargo").isEmpty ? nil : value("cargo"), currency: currency,
                                   invoiceAmountMinor: items.map(\.valueMinor).reduce(0) { $0.addingReportingOverflow($1).partialValue },
                                   invoiceNumber: value("invoiceNumber"), incoterm: value("incoterm"), counterpartName: value("counterpartName"),
                                   counterpartCountry: value("counterpartCountry").uppercased(), items: items)
        return (input, problems, rows)
    }

    static func page(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: CustomsService, form f: FormFields,
                     errors rawErrors: [FieldError], registered: Bool) async throws -> Response {
        let r = portal.renderer, l = context.language
        let errors = r.localized(rawErrors, l)
        let ref = try await service.referenceData()
        func field(_ name: String, _ label: String, hint: String? = nil, required: Bool = false, type: String = "text") -> FieldModel {
            FieldModel(name: name, label: label, type: type, value: f[name] ?? "", hint: hint, errors: errors, required: required)
        }
        func select(_ name: String, _ label: String, _ options: [(String, String)], default first: String) -> SelectModel {
            let chosen = f[name] ?? first
            return SelectModel(name: name, label: label, options: options.map { OptionModel(value: $0.0, label: $0.1, selected: $0.0 == chosen) }, errors: errors)
        }
        let offices = ref.offices.values.sorted { $0.code < $1.code }.map { ($0.code, "\($0.code) \(l == .korean ? $0.nameKO : $0.nameEN)") }
        let countries = CustomsCountry.names.sorted { $0.key < $1.key }.filter { $0.key != "KR" }.map { ($0.key, "\($0.key) \($0.value)") }
        let currencies = CustomsCurrency.minorDigits.keys.sorted().map { ($0, $0) }
        let page = DeclarePage(
            selects: [select("kind", r.text("customs_kind", l), [("export", r.text("customs_kind_export", l)), ("import", r.text("customs_kind_import", l))], default: "export"),
                      select("officeCode", r.text("customs_office", l), offices, default: offices.first?.0 ?? ""),
                      select("transportMode", r.text("customs_transport", l), (1...5).map { (String($0), r.text("customs_mode_\($0)", l)) }, default: "1"),
                      select("currency", r.text("customs_currency", l), currencies, default: "USD"),
                      select("incoterm", r.text("customs_incoterm", l), CustomsService.incoterms.map { ($0, $0) }, default: "FOB"),
                      select("counterpartCountry", r.text("customs_counterpart_country", l), countries, default: "US")],
            fields: [field("traderReference", r.text("customs_reference", l), hint: r.text("customs_reference_hint", l), required: true),
                     field("invoiceNumber", r.text("customs_invoice_number", l), required: true),
                     field("counterpartName", r.text("customs_counterpart", l), required: true),
                     field("cargo", r.text("customs_cargo_number", l), hint: r.text("customs_cargo_hint", l)),
                     field("trader", r.text("customs_for_trader", l), hint: r.text("customs_for_trader_hint", l))],
            items: (1...Self.rows).map { n in
                DeclareRow(legend: "\(r.text("customs_item", l)) \(n)",
                           selects: [select("item-\(n)-packageType", r.text("customs_package_type", l),
                                            CustomsService.packageTypes.map { ($0, r.text("customs_package_\($0)", l)) }, default: "CT")],
                           fields: [field("item-\(n)-hsCode", r.text("customs_hs_code", l), hint: n == 1 ? r.text("customs_hs_hint", l) : nil),
                                    field("item-\(n)-description", r.text("customs_goods", l)),
                                    field("item-\(n)-origin", r.text("customs_origin", l), hint: n == 1 ? r.text("customs_origin_hint", l) : nil),
                                    field("item-\(n)-quantity", r.text("customs_quantity", l)),
                                    field("item-\(n)-quantityUnit", r.text("customs_quantity_unit", l), hint: n == 1 ? r.text("customs_unit_hint", l) : nil),
                                    field("item-\(n)-grossMassKg", r.text("customs_gross_kg", l)), field("item-\(n)-netMassKg", r.text("customs_net_kg", l)),
                                    field("item-\(n)-packages", r.text("customs_packages", l), type: "number"),
                                    field("item-\(n)-value", r.text("customs_item_value", l)),
                                    field("item-\(n)-preference", r.text("customs_preference", l)),
                                    field("item-\(n)-proofOfOrigin", r.text("customs_proof", l)),
                                    field("item-\(n)-licenceNumber", r.text("customs_licence", l))])
            },
            registered: registered,
            errorSummary: ErrorSummaryModel(errors))
        return r.render(Page("customs/declare", title: r.text("customs_new_declaration", l), model: page,
                             status: rawErrors.isEmpty ? .ok : .unprocessableContent), request: request, context: context)
    }
}
