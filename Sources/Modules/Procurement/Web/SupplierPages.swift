import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct SupplierPage: Sendable {
    let isBusiness: Bool
    let registered: Bool
    let businessNumber: String?
    let name: String?
    let since: String?
    let registerError: String?
    let bids: [TaskRow]
    let hasBids: Bool
    let awards: [TaskRow]
    let hasAwards: Bool
    let contracts: [TaskRow]
    let hasContracts: Bool
    let orders: [TaskRow]
    let hasOrders: Bool
    let complaints: [TaskRow]
    let hasComplaints: Bool
}

struct SignatureRow: Sendable {
    let party: String
    let at: String
    let fingerprint: String
}

struct AmendmentRow: Sendable {
    let id: String
    let date: String
    let rationale: String
    let description: String
    let status: String
    let canDecide: Bool
}

struct InvoiceRow: Sendable {
    let id: String
    let number: String
    let amount: String
    let description: String
    let status: String
    let submitted: String
    let detail: String?
    let canDecide: Bool
}

struct ContractPage: Sendable {
    let id: String
    let reference: String
    let title: String
    let tender: String
    let tenderLink: String
    let agency: String
    let supplier: String
    let value: String
    let period: String
    let status: String
    let termination: String?
    let document: String
    let signatures: [SignatureRow]
    let hasSignatures: Bool
    let amendments: [AmendmentRow]
    let hasAmendments: Bool
    let invoices: [InvoiceRow]
    let hasInvoices: Bool
    let paid: String
    let canSign: Bool
    let isAgency: Bool
    let isSupplier: Bool
    let canAmend: Bool
    let canTerminate: Bool
    let canInvoice: Bool
    let periodEndValue: String
    let error: String?
    let errorForm: String?
}

/// The supplier's desk (`/procurement/supplier`): one-time registration, bids with their receipts'
/// state, awards, contracts to sign, orders and complaints. And the contract page for both parties.
enum SupplierPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        routes.web(.get, "/procurement/supplier") { request, context in
            try await deskPage(request, context, portal, service, error: nil)
        }
        routes.web(.post, "/procurement/supplier/register") { request, context in
            do {
                _ = try await service.registerSupplier(by: try context.requireActor(), requestID: context.requestID)
                return .redirect("/procurement/supplier?notice=procurement_supplier_registered")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .forbidden {
                return try await deskPage(request, context, portal, service, error: TenderPages.problems(error).map(\.message).joined(separator: " "))
            }
        }
        routes.web(.get, "/procurement/contracts/:contract") { request, context in
            try await contractPage(request, context, portal, service, form: nil, errors: [])
        }
        func contractAction(_ path: String, form: String, notice: String,
                            _ body: @escaping @Sendable (NaraRequestContext, UUID, Actor) async throws -> Void) {
            routes.web(.post, "/procurement/contracts/:contract/\(path)") { request, context in
                let actor = try context.requireActor()
                let id = try ProcurementAPI.uuid(context, "contract", "The contract")
                do {
                    try await body(context, id, actor)
                    return .redirect("/procurement/contracts/\(id.uuidString.lowercased())?notice=\(notice)")
                } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                    return try await contractPage(request, context, portal, service, form: form, errors: TenderPages.problems(error))
                }
            }
        }
        contractAction("sign", form: "sign", notice: "procurement_contract_signed") { context, id, actor in
            _ = try await service.signContract(id: id, by: actor, requestID: context.requestID)
        }
        contractAction("amend", form: "amend", notice: "procurement_contract_amendment_proposed") { context, id, actor in
            let f = context.form
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)
            let text = { portal.renderer.text($0, context.language) }
            var value: Int64?
            if let raw = f["valueMinor"]?.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                guard let number = Int64(raw) else {
                    throw NaraError.validation([FieldError(field: "valueMinor", code: "format", message: text("procurement_err_amount"))])
                }
                value = number
            }
            var end: String?
            if let raw = f["periodEnd"], !raw.isEmpty {
                guard let date = display.parseInputDate(raw) else {
                    throw NaraError.validation([FieldError(field: "periodEnd", code: "format", message: text("procurement_err_date"))])
                }
                end = Timestamp.iso8601Millis(date.addingTimeInterval(86_400 - 1))
            }
            _ = try await service.amendContract(id: id, ContractAmendmentInput(rationale: f["rationale"] ?? "", valueMinor: value, periodEnd: end),
                                                by: actor, requestID: context.requestID)
        }
        contractAction("amendments/:amendment/accept", form: "amendments", notice: "procurement_contract_amendment_decided") { context, id, actor in
            _ = try await service.decideAmendment(contractID: id, amendmentID: context.parameters.get("amendment") ?? "", accept: true, reason: nil,
                                                  by: actor, requestID: context.requestID)
        }
        contractAction("amendments/:amendment/decline", form: "amendments", notice: "procurement_contract_amendment_decided") { context, id, actor in
            _ = try await service.decideAmendment(contractID: id, amendmentID: context.parameters.get("amendment") ?? "", accept: false,
                                                  reason: context.form["reason"], by: actor, requestID: context.requestID)
        }
        contractAction("terminate", form: "terminate", notice: "procurement_contract_terminated") { context, id, actor in
            _ = try await service.terminateContract(id: id, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
        }
        contractAction("invoices", form: "invoice", notice: "procurement_invoice_sent") { context, id, actor in
            let f = context.form
            guard let amount = Int64((f["amountMinor"] ?? "").replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)) else {
                throw NaraError.validation([FieldError(field: "amountMinor", code: "format", message: portal.renderer.text("procurement_err_amount", context.language))])
            }
            _ = try await service.submitInvoice(contractID: id, NewInvoice(number: f["number"] ?? "", amountMinor: amount, description: f["description"] ?? ""),
                                                by: actor, requestID: context.requestID)
        }
        contractAction("invoices/:invoice/approve", form: "invoices", notice: "procurement_invoice_decided") { context, id, actor in
            _ = try await service.decideInvoice(contractID: id, invoiceID: try ProcurementAPI.uuid(context, "invoice", "The invoice"), approve: true, reason: nil,
                                                by: actor, requestID: context.requestID)
        }
        contractAction("invoices/:invoice/reject", form: "invoices", notice: "procurement_invoice_decided") { context, id, actor in
            _ = try await service.decideInvoice(contractID: id, invoiceID: try ProcurementAPI.uuid(context, "invoice", "The invoice"), approve: false,
                                                reason: context.form["reason"], by: actor, requestID: context.requestID)
        }
    }

    static func deskPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ProcurementService, error: String?) async throws -> Response {
        let actor = try context.requireActor()
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let money = { (v: Int64) in Money.format(v, currency: "KRW") }
        let desk = try await service.supplierDesk(by: actor)
        func tasks(_ list: [ProcurementTask]) -> String { list.map { r.text("procurement_task_\($0.rawValue)", l) }.joined(separator: ", ") }
        let now = portal.platform.clock.now()
        let bids = desk.bids.map { b in
            TaskRow(link: "/procurement/tenders/\(b.tenderID.uuidString.lowercased())#my-bids", reference: b.tenderReference, title: b.tenderTitle,
                    state: b.tenderState == .open ? r.text("procurement_bid_\(b.status)", l) : r.text("procurement_state_\(b.tenderState.rawValue)", l), tasks: b.status == "needs_reconfirmation" && now < b.deadline ? tasks([.reconfirm]) : "",
                    due: display.dateTime(b.deadline), urgent: b.status == "needs_reconfirmation")
        }
        let awards = desk.awards.map { w in
            let a = w.award
            return TaskRow(link: "/procurement/tenders/\(w.tenderID.uuidString.lowercased())", reference: w.tender,
                    title: "\(r.text("procurement_lot", l)) \(a.lot) · \(money(a.amountMinor))", state: r.text("procurement_award_\(a.status.rawValue)", l), tasks: "",
                    due: a.standstillEnd.map(display.dateTime) ?? "—", urgent: false)
        }
        let contracts = desk.contracts.map { c in
            TaskRow(link: "/procurement/contracts/\(c.id.uuidString.lowercased())", reference: c.reference, title: "\(c.title) · \(c.party)",
                    state: r.text("procurement_contract_\(c.status.rawValue)", l), tasks: tasks(c.tasks), due: money(c.valueMinor), urgent: !c.tasks.isEmpty)
        }
        let orders = try await service.orders(by: actor).map { o in
            TaskRow(link: "/procurement/orders/\(o.id.uuidString.lowercased())", reference: o.reference, title: "\(o.agencyName) · \(money(o.totalMinor))",
                    state: r.text("procurement_order_\(o.status.rawValue)", l), tasks: "", due: display.date(o.dueAt), urgent: o.status == .placed && o.late)
        }
        let complaints = desk.complaints.map { c in
            TaskRow(link: "/procurement/tenders/\(c.tenderID.uuidString.lowercased())", reference: c.reference, title: "\(c.tenderReference) · \(c.title)",
                    state: r.text("procurement_complaint_\(c.status.rawValue)", l), tasks: "", due: display.dateTime(c.lodgedAt), urgent: false)
        }
        let page = SupplierPage(
            isBusiness: actor.accountKind == .business, registered: desk.supplier != nil, businessNumber: desk.supplier?.businessNumber,
            name: desk.supplier?.name, since: desk.supplier.map { display.date($0.registeredAt) }, registerError: error,
            bids: bids, hasBids: !bids.isEmpty, awards: awards, hasAwards: !awards.isEmpty, contracts: contracts, hasContracts: !contracts.isEmpty,
            orders: orders, hasOrders: !orders.isEmpty, complaints: complaints, hasComplaints: !complaints.isEmpty)
        return r.render(Page("procurement/supplier", title: r.text("procurement_supplier_title", l), model: page,
                             status: error == nil ? .ok : .unprocessableContent), request: request, context: context)
    }

    static func contractPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ProcurementService,
                             form: String?, errors: [FieldError]) async throws -> Response {
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let id = try ProcurementAPI.uuid(context, "contract", "The contract")
        let parties = try await context.actor.asyncMap { try await service.contractParties(id: id, actor: $0) } ?? (agency: false, supplier: false)
        let c = try await service.contract(id: id, forParties: parties.agency || parties.supplier)
        let money = { (v: Int64) in Money.format(v, currency: c.currency) }
        var signatures: [SignatureRow] = []
        if let at = c.agencySignedAt, let s = c.agencySignature {
            signatures.append(SignatureRow(party: "\(r.text("procurement_signed_agency", l)): \(c.agencyName)", at: display.dateTime(at), fingerprint: s.certificateFingerprint))
        }
        if let at = c.supplierSignedAt, let s = c.supplierSignature {
            signatures.append(SignatureRow(party: "\(r.text("procurement_signed_supplier", l)): \(c.supplierName)", at: display.dateTime(at), fingerprint: s.certificateFingerprint))
        }
        let amendments = c.amendments.map { a in
            AmendmentRow(id: a.id, date: display.dateTime(a.date), rationale: a.rationale, description: a.description,
                         status: r.text("procurement_amendment_\(a.status)", l) + (a.declineReason.map { " — \($0)" } ?? ""),
                         canDecide: parties.supplier && a.status == "proposed")
        }
        let invoices = c.invoices.map { i in
            InvoiceRow(id: i.id.uuidString.lowercased(), number: i.number, amount: money(i.amountMinor), description: i.description,
                       status: r.text("procurement_invoice_\(i.status.rawValue)", l), submitted: display.dateTime(i.submittedAt),
                       detail: i.reason ?? i.paymentReference.map { "\(r.text("procurement_payment_reference", l)) \($0)" },
                       canDecide: parties.agency && i.status == .submitted)
        }
        let signed = parties.agency ? c.agencySignedAt != nil : c.supplierSignedAt != nil
        let messages = r.localized(errors, l).map(\.message).joined(separator: " ")
        let page = ContractPage(
            id: c.id.uuidString.lowercased(), reference: c.reference, title: c.title, tender: c.tenderReference,
            tenderLink: "/procurement/tenders/\(c.tenderID.uuidString.lowercased())", agency: c.agencyName, supplier: "\(c.supplierName) (\(c.supplierBusinessNumber))",
            value: money(c.valueMinor), period: "\(display.date(c.periodStart)) – \(display.date(c.periodEnd))",
            status: r.text("procurement_contract_\(c.status.rawValue)", l), termination: c.terminationReason, document: c.document,
            signatures: signatures, hasSignatures: !signatures.isEmpty, amendments: amendments, hasAmendments: !amendments.isEmpty,
            invoices: invoices, hasInvoices: !invoices.isEmpty, paid: "\(money(c.paidMinor)) / \(money(c.valueMinor))",
            canSign: (parties.agency || parties.supplier) && c.status == .pending && !signed, isAgency: parties.agency, isSupplier: parties.supplier,
            canAmend: parties.agency && c.status == .active && !c.amendments.contains { $0.status == "proposed" },
            canTerminate: parties.agency && c.status == .active, canInvoice: parties.supplier && c.status == .active,
            periodEndValue: display.date(c.periodEnd), error: messages.isEmpty ? nil : messages, errorForm: form)
        return r.render(Page("procurement/contract", title: "\(r.text("procurement_contract", l)) \(c.reference)", model: page,
                             status: errors.isEmpty ? .ok : (errors.contains { $0.field.isEmpty } ? .conflict : .unprocessableContent)),
                        request: request, context: context)
    }
}
