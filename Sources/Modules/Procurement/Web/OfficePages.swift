import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct TaskRow: Sendable {
    let link: String
    let reference: String
    let title: String
    let state: String
    let tasks: String
    let due: String
    let urgent: Bool
}

struct OfficePage: Sendable {
    let agency: String
    let tenders: [TaskRow]
    let hasTenders: Bool
    let contracts: [TaskRow]
    let hasContracts: Bool
    let orders: [TaskRow]
    let hasOrders: Bool
    let reviewer: Bool
    let concludesFrameworks: Bool
}

/// One row of the new-tender form (a lot, an item or a document).
struct FormRow: Sendable {
    let legend: String
    let selects: [SelectModel]
    let fields: [FieldModel]
}

struct NewTenderPage: Sendable {
    let selects: [SelectModel]
    let fields: [FieldModel]
    let description: String
    let descriptionError: String?
    let eligibility: String
    let eligibilityError: String?
    let lots: [FormRow]
    let items: [FormRow]
    let documents: [FormRow]
    let evaluation: [SelectModel]
    let evaluationFields: [FieldModel]
    let lottery: Bool
    let qualified: String
    let qualifiedError: String?
    let plan: [FieldModel]
    let planRationale: String
    let errorSummary: ErrorSummaryModel?
}

struct NewFrameworkPage: Sendable {
    let fields: [FieldModel]
    let items: [FormRow]
    let errorSummary: ErrorSummaryModel?
}

struct ComplaintCase: Sendable {
    let id: String
    let reference: String
    let tender: String
    let tenderLink: String
    let complainant: String
    let title: String
    let description: String
    let status: String
    let lodged: String
    let canAccept: Bool
    let error: String?
}

struct ReviewPage: Sendable {
    let cases: [ComplaintCase]
    let hasCases: Bool
}

struct OrderPageLine: Sendable {
    let code: String
    let name: String
    let quantity: String
    let price: String
    let amount: String
}

struct OrderPage: Sendable {
    let id: String
    let reference: String
    let agency: String
    let supplier: String
    let framework: String
    let status: String
    let placed: String
    let due: String
    let late: Bool
    let delivered: String?
    let cancelReason: String?
    let payment: String?
    let total: String
    let lines: [OrderPageLine]
    let canDeliver: Bool
    let canCancel: Bool
    let error: String?
}

/// The procurement officer's office (`/procurement/office`): the agency's tenders, contracts and
/// orders with what each waits for, and the new-tender form; the review body's complaints; orders.
enum OfficePages {
    static let lotRows = 5
    static let itemRows = 8
    static let documentRows = 3
    static let documentTypes = ["technicalSpecifications", "biddingDocuments", "eligibilityCriteria", "evaluationCriteria", "contractDraft", "clarifications"]

    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        routes.web(.get, "/procurement/office") { request, context in
            let actor = try context.requireActor()
            let agencyID = try service.officerAgency(actor)
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            func tasks(_ list: [ProcurementTask]) -> String { list.map { r.text("procurement_task_\($0.rawValue)", l) }.joined(separator: ", ") }
            let tenders = try await service.officeTenders(agencyID: agencyID).map { t in
                TaskRow(link: "/procurement/tenders/\(t.id.uuidString.lowercased())", reference: t.reference, title: t.title,
                        state: r.text("procurement_state_\(t.state.rawValue)", l), tasks: tasks(t.tasks), due: t.dueAt.map(display.dateTime) ?? "—",
                        urgent: !t.tasks.isEmpty)
            }
            let contracts = try await service.officeContracts(agencyID: agencyID).map { c in
                TaskRow(link: "/procurement/contracts/\(c.id.uuidString.lowercased())", reference: c.reference, title: "\(c.title) · \(c.party)",
                        state: r.text("procurement_contract_\(c.status.rawValue)", l), tasks: tasks(c.tasks), due: Money.format(c.valueMinor, currency: "KRW"),
                        urgent: !c.tasks.isEmpty)
            }
            let orders = try await service.orders(by: actor).map { o in
                TaskRow(link: "/procurement/orders/\(o.id.uuidString.lowercased())", reference: o.reference, title: "\(o.supplierName) · \(Money.format(o.totalMinor, currency: "KRW"))",
                        state: r.text("procurement_order_\(o.status.rawValue)", l), tasks: o.status == .placed ? tasks([.deliver]) : "",
                        due: display.date(o.dueAt), urgent: o.status == .placed && o.late)
            }
            let agency = try await platform.identity.agency(id: agencyID, on: platform.db)
            let page = OfficePage(agency: agency?.name(for: l) ?? "", tenders: tenders, hasTenders: !tenders.isEmpty, contracts: contracts,
                                  hasContracts: !contracts.isEmpty, orders: orders, hasOrders: !orders.isEmpty,
                                  reviewer: AccessPolicy.decide(actor, ProcurementModule.reviewPermission, on: .platform).isAllowed,
                                  concludesFrameworks: agency?.code == ProcurementService.registryAgencyCode)
            return r.render(Page("procurement/office", title: r.text("procurement_office_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/procurement/office/tenders/new") { request, context in
            _ = try service.officerAgency(try context.requireActor())
            return newTenderPage(request, context, portal, form: FormFields(), errors: [])
        }
        routes.web(.post, "/procurement/office/tenders") { request, context in
            let actor = try context.requireActor()
            _ = try service.officerAgency(actor)
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)
            let (input, parseErrors, rows) = parseTender(context.form, display: display, text: { portal.renderer.text($0, context.language) })
            do {
                guard parseErrors.isEmpty else { throw NaraError.validation(parseErrors) }
                let tender = try await service.createTender(input, by: actor, requestID: context.requestID)
                return .redirect("/procurement/tenders/\(tender.id.uuidString.lowercased())?notice=procurement_draft_saved")
            } catch let error as NaraError where error.kind == .unprocessable {
                let errors = parseErrors.isEmpty ? error.fieldErrors.map { rows.formField($0) } : parseErrors
                return newTenderPage(request, context, portal, form: context.form, errors: errors)
            }
        }

        // Framework agreements of the shopping mall (the Public Procurement Service).
        routes.web(.get, "/procurement/office/frameworks/new") { request, context in
            _ = try service.officerAgency(try context.requireActor())
            return newFrameworkPage(request, context, portal, form: FormFields(), errors: [])
        }
        routes.web(.post, "/procurement/office/frameworks") { request, context in
            let actor = try context.requireActor()
            let f = context.form
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)
            let text = { portal.renderer.text($0, context.language) }
            var errors: [FieldError] = []
            func value(_ name: String) -> String { (f[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            func number(_ name: String, required: Bool = true) -> Int64? {
                let raw = value(name).replacingOccurrences(of: ",", with: "")
                if raw.isEmpty && !required { return nil }
                guard let n = Int64(raw) else {
                    errors.append(FieldError(field: name, code: "format", message: text("procurement_err_amount")))
                    return nil
                }
                return n
            }
            var rows: [Int] = []
            var items: [NewCatalogueItem] = []
            for n in 1...frameworkRows where !value("fi-\(n)-name").isEmpty {
                items.append(NewCatalogueItem(name: value("fi-\(n)-name"), classification: value("fi-\(n)-classification"), unitCode: value("fi-\(n)-unitCode").uppercased(),
                                              unitName: value("fi-\(n)-unitName"), priceMinor: number("fi-\(n)-priceMinor") ?? 0,
                                              deliveryDays: Int(number("fi-\(n)-deliveryDays") ?? 0), minQuantity: number("fi-\(n)-minQuantity", required: false).map { Int($0) }))
                rows.append(n)
            }
            let until = display.parseInputDate(value("validUntil"))
            if until == nil { errors.append(FieldError(field: "validUntil", code: "format", message: text("procurement_err_date"))) }
            let limit = number("maxOrderMinor")
            do {
                guard errors.isEmpty else { throw NaraError.validation(errors) }
                _ = try await service.createFramework(NewFramework(supplierBusinessNumber: value("supplierBusinessNumber"), title: value("title"),
                                                                   validUntil: Timestamp.iso8601Millis(until!.addingTimeInterval(86_400 - 1)),
                                                                   maxOrderMinor: limit ?? 0, items: items),
                                                      by: actor, requestID: context.requestID)
                return .redirect("/procurement/mall?notice=procurement_framework_concluded")
            } catch let error as NaraError where error.kind == .unprocessable {
                // `items/0/name` is the first filled row's name input.
                let mapped = (errors.isEmpty ? error.fieldErrors : errors).map { e -> FieldError in
                    let parts = e.field.split(separator: "/").map(String.init)
                    guard parts.first == "items" else { return e }
                    let row = parts.count > 1 ? Int(parts[1]).flatMap { $0 < rows.count ? rows[$0] : nil } ?? 1 : 1
                    return FieldError(field: "fi-\(row)-\(parts.count > 2 ? parts[2] : "name")", code: e.code, message: e.message)
                }
                return newFrameworkPage(request, context, portal, form: f, errors: mapped)
            }
        }

        // The review body.
        routes.web(.get, "/procurement/review") { request, context in
            try await reviewPage(request, context, portal, service, failed: nil, errors: [])
        }
        routes.web(.post, "/procurement/complaints/:complaint/review") { request, context in
            let actor = try context.requireActor()
            let id = try ProcurementAPI.uuid(context, "complaint", "The complaint")
            do {
                guard let action = ProcurementService.ComplaintAction(rawValue: context.form["action"] ?? "") else {
                    throw NaraError.validation([FieldError(field: "action", code: "unknown", message: portal.renderer.text("procurement_err_review_action", context.language))])
                }
                _ = try await service.reviewComplaint(id: id, action: action, decision: context.form["decision"], by: actor, requestID: context.requestID)
                return .redirect("/procurement/review?notice=procurement_complaint_decided")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                return try await reviewPage(request, context, portal, service, failed: id, errors: TenderPages.problems(error))
            }
        }

        // Orders from the shopping mall.
        routes.web(.post, "/procurement/mall/order") { request, context in
            let actor = try context.requireActor()
            let f = context.form
            guard let item = f["item"].flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The catalogue item") }
            let quantity = Int((f["quantity"] ?? "").trimmingCharacters(in: .whitespaces))
            do {
                guard let quantity else {
                    throw NaraError.validation([FieldError(field: "quantity", code: "format", message: portal.renderer.text("procurement_err_quantity", context.language))])
                }
                let order = try await service.placeOrder(NewOrder(lines: [OrderLineInput(itemID: item, quantity: quantity)]), idempotencyKey: f["key"] ?? "",
                                                         by: actor, requestID: context.requestID)
                return .redirect("/procurement/orders/\(order.id.uuidString.lowercased())?notice=procurement_order_placed")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                return try await ProcurementPages.mallPage(request, context, portal, service, failedItem: item,
                                                           error: TenderPages.problems(error).map(\.message).joined(separator: " "))
            }
        }
        routes.web(.get, "/procurement/orders/:order") { request, context in
            try await orderPage(request, context, portal, service, error: nil)
        }
        for (verb, notice) in [("deliver", "procurement_order_delivered"), ("cancel", "procurement_order_cancelled")] {
            routes.web(.post, "/procurement/orders/:order/\(verb)") { request, context in
                let actor = try context.requireActor()
                let id = try ProcurementAPI.uuid(context, "order", "The order")
                do {
                    if verb == "deliver" {
                        _ = try await service.confirmDelivery(orderID: id, by: actor, requestID: context.requestID)
                    } else {
                        _ = try await service.cancelOrder(orderID: id, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
                    }
                    return .redirect("/procurement/orders/\(id.uuidString.lowercased())?notice=\(notice)")
                } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                    return try await orderPage(request, context, portal, service, error: TenderPages.problems(error).map(\.message).joined(separator: " "))
                }
            }
        }
    }

    /// Which form row each lot, item and document of the parsed tender came from, so that the
    /// service's refusals (`lots/0/title`) land on the right input (`lot-2-title`).
    struct RowMap: Sendable {
        var lots: [Int] = []
        var items: [Int] = []
        var documents: [Int] = []

        func formField(_ error: FieldError) -> FieldError {
            let parts = error.field.split(separator: "/").map(String.init)
            func row(_ list: [Int], _ prefix: String) -> String {
                guard parts.count >= 2, let index = Int(parts[1]), index < list.count else { return "\(prefix)-1-\(parts.count > 2 ? parts[2] : "title")" }
                return "\(prefix)-\(list[index])-\(parts.count > 2 ? parts[2] : "title")"
            }
            let field: String
            switch parts.first ?? "" {
            case "lots": field = parts.count == 1 ? "lot-1-title" : row(lots, "lot")
            case "items": field = parts.count == 1 ? "item-1-description" : row(items, "item")
            case "documents": field = row(documents, "doc")
            case "evaluation":
                switch parts.last ?? "" {
                case "floorRatePPM": field = "floorRate"
                case "rangeBasisPoints": field = "lotteryRange"
                case "picks": field = "lotteryPicks"
                case "priceWeight", "qualityWeight": field = "priceWeight"
                case "baseAmountMinor": field = "baseAmount"
                default: field = "method"
                }
            case "planBudgetMinor": field = "planBudget"
            case "qualifiedSuppliers": field = "qualified"
            default: field = error.field
            }
            return FieldError(field: field, code: error.code, message: error.message)
        }
    }

    /// The new-tender form as a `NewTender`: empty rows are left out; amounts and percentages are
    /// read as people write them (commas allowed); unreadable numbers are refused here, by field.
    static func parseTender(_ f: FormFields, display: DisplayFormat, text: (String) -> String) -> (NewTender, [FieldError], RowMap) {
        var errors: [FieldError] = []
        var rows = RowMap()
        func value(_ name: String) -> String { (f[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        func amount(_ name: String, required: Bool) -> Int64? {
            let raw = value(name).replacingOccurrences(of: ",", with: "")
            if raw.isEmpty {
                if required { errors.append(FieldError(field: name, code: "required", message: text("procurement_err_amount"))) }
                return nil
            }
            guard let number = Int64(raw), number > 0 else {
                errors.append(FieldError(field: name, code: "format", message: text("procurement_err_amount")))
                return nil
            }
            return number
        }
        func decimal(_ name: String) -> Double? {
            let raw = value(name).replacingOccurrences(of: ",", with: "")
            guard !raw.isEmpty else { return nil }
            guard let number = Double(raw), number.isFinite else {
                errors.append(FieldError(field: name, code: "format", message: text("procurement_err_number")))
                return nil
            }
            return number
        }
        var lots: [Lot] = []
        for n in 1...lotRows where !value("lot-\(n)-title").isEmpty || !value("lot-\(n)-estimatedValueMinor").isEmpty {
            let estimate = amount("lot-\(n)-estimatedValueMinor", required: true) ?? 0
            lots.append(Lot(number: n, title: value("lot-\(n)-title"), estimatedValueMinor: estimate))
            rows.lots.append(n)
        }
        var items: [TenderItem] = []
        for n in 1...itemRows where !value("item-\(n)-description").isEmpty || !value("item-\(n)-classification").isEmpty {
            let quantity = decimal("item-\(n)-quantity") ?? 0
            items.append(TenderItem(id: nil, lot: Int(value("item-\(n)-lot")) ?? 1, description: value("item-\(n)-description"),
                                    scheme: value("item-\(n)-scheme").isEmpty ? "UNSPSC" : value("item-\(n)-scheme"), classification: value("item-\(n)-classification"),
                                    classificationDescription: value("item-\(n)-classificationDescription"), quantity: quantity,
                                    unitCode: value("item-\(n)-unitCode").uppercased(), unitName: value("item-\(n)-unitName")))
            rows.items.append(n)
        }
        var documents: [TenderDocument] = []
        for n in 1...documentRows where !value("doc-\(n)-title").isEmpty || !value("doc-\(n)-url").isEmpty {
            documents.append(TenderDocument(id: nil, documentType: value("doc-\(n)-documentType"), title: value("doc-\(n)-title"), url: value("doc-\(n)-url")))
            rows.documents.append(n)
        }
        let method = EvaluationMethod(rawValue: value("method")) ?? .lowestPrice
        var rules = EvaluationRules(method: method)
        switch method {
        case .lowestPrice: break
        case .floorPrice:
            rules.floorRatePPM = decimal("floorRate").map { Int(($0 * 10_000).rounded()) } ?? 0
            if f["lottery"] != nil {
                rules.lottery = LotteryRules(rangeBasisPoints: decimal("lotteryRange").map { Int(($0 * 100).rounded()) } ?? 200,
                                             picks: Int(value("lotteryPicks")) ?? 2)
            }
            rules.baseAmountMinor = amount("baseAmount", required: false)
        case .priceQuality:
            rules.priceWeight = Int(value("priceWeight")) ?? 0
            rules.qualityWeight = Int(value("qualityWeight")) ?? 0
        }
        func dateTime(_ name: String, required: Bool) -> String? {
            let raw = value(name)
            if raw.isEmpty {
                if required { errors.append(FieldError(field: name, code: "required", message: text("procurement_err_datetime"))) }
                return nil
            }
            guard let date = display.parseInputDateTime(raw) else {
                errors.append(FieldError(field: name, code: "format", message: text("procurement_err_datetime")))
                return nil
            }
            return Timestamp.iso8601Millis(date)
        }
        let deadline = dateTime("deadline", required: true)
        let enquiry = dateTime("enquiryDeadline", required: false)
        let qualified = value("qualified").split(whereSeparator: { $0 == "," || $0.isNewline || $0 == " " }).map(String.init)
        let budget = amount("planBudget", required: false)
        let input = NewTender(title: value("title"), description: value("description"), procedure: value("procedure"), category: value("category"),
                              lots: lots, items: items, documents: documents, eligibility: value("eligibility"), evaluation: rules,
                              deadline: deadline ?? "", enquiryDeadline: enquiry, qualifiedSuppliers: qualified.isEmpty ? nil : qualified,
                              planBudgetMinor: budget, planRationale: value("planRationale").isEmpty ? nil : value("planRationale"))
        return (input, errors, rows)
    }

    static func newTenderPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form f: FormFields, errors rawErrors: [FieldError]) -> Response {
        let r = portal.renderer, l = context.language
        let errors = r.localized(rawErrors, l)
        func v(_ name: String) -> String { f[name] ?? "" }
        func field(_ name: String, _ label: String, type: String = "text", hint: String? = nil, required: Bool = false) -> FieldModel {
            FieldModel(name: name, label: label, type: type, value: v(name), hint: hint, errors: errors, required: required)
        }
        func options(_ name: String, _ values: [String], key: String, default first: String? = nil) -> [OptionModel] {
            let chosen = f[name] ?? first ?? values.first ?? ""
            return values.map { OptionModel(value: $0, label: r.text("\(key)\($0)", l), selected: $0 == chosen) }
        }
        let lots = (1...lotRows).map { n in
            FormRow(legend: "\(r.text("procurement_lot", l)) \(n)", selects: [],
                    fields: [field("lot-\(n)-title", r.text("procurement_lot_title", l)),
                             field("lot-\(n)-estimatedValueMinor", r.text("procurement_estimate_krw", l))])
        }
        let items = (1...itemRows).map { n in
            FormRow(legend: "\(r.text("procurement_item", l)) \(n)",
                    selects: [SelectModel(name: "item-\(n)-scheme", label: r.text("procurement_scheme", l),
                                          options: ["UNSPSC", "CPV"].map { OptionModel(value: $0, label: $0, selected: (f["item-\(n)-scheme"] ?? "UNSPSC") == $0) },
                                          errors: errors)],
                    fields: [field("item-\(n)-lot", r.text("procurement_item_lot", l), type: "number"),
                             field("item-\(n)-description", r.text("procurement_item_description", l)),
                             field("item-\(n)-classification", r.text("procurement_classification_code", l), hint: n == 1 ? r.text("procurement_classification_hint", l) : nil),
                             field("item-\(n)-classificationDescription", r.text("procurement_classification_name", l)),
                             field("item-\(n)-quantity", r.text("procurement_quantity", l)),
                             field("item-\(n)-unitCode", r.text("procurement_unit_code", l), hint: n == 1 ? r.text("procurement_unit_hint", l) : nil),
                             field("item-\(n)-unitName", r.text("procurement_unit_name", l))])
        }
        let documents = (1...documentRows).map { n in
            FormRow(legend: "\(r.text("procurement_document", l)) \(n)",
                    selects: [SelectModel(name: "doc-\(n)-documentType", label: r.text("procurement_document_type", l),
                                          options: options("doc-\(n)-documentType", documentTypes, key: "procurement_doctype_"), errors: errors)],
                    fields: [field("doc-\(n)-title", r.text("procurement_doc_title", l)), field("doc-\(n)-url", r.text("procurement_document_url", l), type: "url")])
        }
        var summaryFields: [String: String] = [:]
        for e in errors where e.field == "description" || e.field == "eligibility" || e.field == "qualified" || e.field == "planRationale" { summaryFields[e.field] = e.field }
        let page = NewTenderPage(
            selects: [SelectModel(name: "procedure", label: r.text("procurement_procedure", l), options: options("procedure", Procedure.allCases.map(\.rawValue), key: "procurement_procedure_"), errors: errors),
                      SelectModel(name: "category", label: r.text("procurement_category", l), options: options("category", ["goods", "services", "works"], key: "procurement_category_"), errors: errors)],
            fields: [field("title", r.text("procurement_tender_title", l), required: true),
                     field("deadline", r.text("procurement_deadline", l), type: "datetime-local", hint: r.text("procurement_deadline_hint", l), required: true),
                     field("enquiryDeadline", r.text("procurement_enquiry_deadline", l), type: "datetime-local", hint: r.text("procurement_enquiry_hint", l))],
            description: v("description"), descriptionError: errors.first { $0.field == "description" }?.message,
            eligibility: f["eligibility"] ?? r.text("procurement_eligibility_default", l), eligibilityError: errors.first { $0.field == "eligibility" }?.message,
            lots: lots, items: items, documents: documents,
            evaluation: [SelectModel(name: "method", label: r.text("procurement_evaluation", l),
                                     options: options("method", EvaluationMethod.allCases.map(\.rawValue), key: "procurement_method_"), errors: errors)],
            evaluationFields: [field("floorRate", r.text("procurement_floor_rate", l), hint: r.text("procurement_floor_rate_hint", l)),
                               field("baseAmount", r.text("procurement_base_amount", l)),
                               field("lotteryRange", r.text("procurement_lottery_range", l)), field("lotteryPicks", r.text("procurement_lottery_picks", l), type: "number"),
                               field("priceWeight", r.text("procurement_price_weight", l), type: "number"),
                               field("qualityWeight", r.text("procurement_quality_weight", l), type: "number")],
            lottery: f["lottery"] != nil, qualified: v("qualified"), qualifiedError: errors.first { $0.field == "qualified" }?.message,
            plan: [field("planBudget", r.text("procurement_plan_budget", l), hint: r.text("procurement_plan_hint", l))], planRationale: v("planRationale"),
            errorSummary: ErrorSummaryModel(errors, fieldNames: summaryFields))
        return r.render(Page("procurement/tender-new", title: r.text("procurement_new_tender", l), model: page,
                             status: rawErrors.isEmpty ? .ok : .unprocessableContent), request: request, context: context)
    }

    static let frameworkRows = 5

    static func newFrameworkPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form f: FormFields, errors rawErrors: [FieldError]) -> Response {
        let r = portal.renderer, l = context.language
        let errors = r.localized(rawErrors, l)
        func field(_ name: String, _ label: String, type: String = "text", hint: String? = nil, required: Bool = false) -> FieldModel {
            FieldModel(name: name, label: label, type: type, value: f[name] ?? "", hint: hint, errors: errors, required: required)
        }
        let items = (1...frameworkRows).map { n in
            FormRow(legend: "\(r.text("procurement_item", l)) \(n)", selects: [],
                    fields: [field("fi-\(n)-name", r.text("procurement_item_description", l)),
                             field("fi-\(n)-classification", r.text("procurement_classification_code", l), hint: n == 1 ? r.text("procurement_unspsc_hint", l) : nil),
                             field("fi-\(n)-unitCode", r.text("procurement_unit_code", l)), field("fi-\(n)-unitName", r.text("procurement_unit_name", l)),
                             field("fi-\(n)-priceMinor", r.text("procurement_mall_price", l) + " (KRW)"),
                             field("fi-\(n)-deliveryDays", r.text("procurement_delivery_days", l), type: "number"),
                             field("fi-\(n)-minQuantity", r.text("procurement_min_quantity", l), type: "number")])
        }
        let page = NewFrameworkPage(
            fields: [field("supplierBusinessNumber", r.text("procurement_business_number", l), required: true),
                     field("title", r.text("procurement_tender_title", l), required: true),
                     field("validUntil", r.text("procurement_mall_valid_until", l), type: "date", required: true),
                     field("maxOrderMinor", r.text("procurement_direct_order_limit", l), required: true)],
            items: items, errorSummary: ErrorSummaryModel(errors))
        return r.render(Page("procurement/framework-new", title: r.text("procurement_new_framework", l), model: page,
                             status: rawErrors.isEmpty ? .ok : .unprocessableContent), request: request, context: context)
    }

    static func reviewPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ProcurementService,
                           failed: UUID?, errors: [FieldError]) async throws -> Response {
        let actor = try context.requireActor()
        try AccessPolicy.require(actor, ProcurementModule.reviewPermission, on: .platform)
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let messages = r.localized(errors, l).map(\.message).joined(separator: " ")
        let cases = try await service.complaints(openOnly: true).map { c in
            ComplaintCase(id: c.id.uuidString.lowercased(), reference: c.reference, tender: c.tenderReference,
                          tenderLink: "/procurement/tenders/\(c.tenderID.uuidString.lowercased())", complainant: c.complainant, title: c.title,
                          description: c.description, status: r.text("procurement_complaint_\(c.status.rawValue)", l), lodged: display.dateTime(c.lodgedAt),
                          canAccept: c.status == .submitted, error: c.id == failed ? messages : nil)
        }
        return r.render(Page("procurement/review", title: r.text("procurement_review_title", l), model: ReviewPage(cases: cases, hasCases: !cases.isEmpty),
                             status: errors.isEmpty ? .ok : .unprocessableContent), request: request, context: context)
    }

    static func orderPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ProcurementService, error: String?) async throws -> Response {
        let actor = try context.requireActor()
        let o = try await service.order(id: try ProcurementAPI.uuid(context, "order", "The order"), by: actor)
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let money = { (v: Int64) in Money.format(v, currency: "KRW") }
        let isAgency = (try? service.officerAgency(actor)) != nil
        let page = OrderPage(
            id: o.id.uuidString.lowercased(), reference: o.reference, agency: o.agencyName, supplier: o.supplierName, framework: o.frameworkReference,
            status: r.text("procurement_order_\(o.status.rawValue)", l), placed: display.dateTime(o.placedAt), due: display.date(o.dueAt), late: o.late,
            delivered: o.deliveredAt.map(display.dateTime), cancelReason: o.cancelReason, payment: o.paymentReference, total: money(o.totalMinor),
            lines: o.lines.map { OrderPageLine(code: $0.code, name: $0.name, quantity: "\($0.quantity) \($0.unitName)", price: money($0.unitPriceMinor),
                                               amount: money($0.amountMinor)) },
            canDeliver: isAgency && o.status == .placed, canCancel: o.status == .placed, error: error)
        return r.render(Page("procurement/order", title: "\(r.text("procurement_order", l)) \(o.reference)", model: page,
                             status: error == nil ? .ok : .conflict), request: request, context: context)
    }
}
