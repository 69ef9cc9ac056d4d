import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

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

/// A question awaiting the procuring entity's answer.
struct QuestionForm: Sendable {
    let id: String
    let question: String
    let asked: String
    let error: String?
}

/// One quality score to enter (price-and-quality tenders).
struct ScoreField: Sendable {
    let id: String
    let name: String
    let bidder: String
    let value: String
}

/// An award the officer acts on: qualify or disqualify a pending one, or generate the contract.
struct AwardAction: Sendable {
    let id: String
    let lot: String
    let bidder: String
    let amount: String
    let standstill: String?
    let canContract: Bool
    let startValue: String
    let endValue: String
}

struct OfficerPanel: Sendable {
    let canPublish: Bool
    let canPlan: Bool
    let canCancel: Bool
    let canAmend: Bool
    let canOpen: Bool
    let amendDeadline: String
    let questions: [QuestionForm]
    let hasQuestions: Bool
    let canScore: Bool
    let scores: [ScoreField]
    let pending: [AwardAction]
    let hasPending: Bool
    let active: [AwardAction]
    let hasActive: Bool
}

struct PriceField: Sendable {
    let id: String
    let name: String
    let label: String
    let error: String?
}

struct CheckOption: Sendable {
    let id: String
    let value: String
    let label: String
}

struct ReceiptRow: Sendable {
    let bidID: String
    let status: String
    let needsReconfirmation: Bool
    let received: String
    let digest: String
    let signer: String
    let receiptLink: String
}

struct MyComplaintRow: Sendable {
    let id: String
    let reference: String
    let title: String
    let status: String
    let canWithdraw: Bool
}

struct SupplierPanel: Sendable {
    let registered: Bool
    let notQualified: Bool
    let canBid: Bool
    let bidAction: String
    let prices: [PriceField]
    let hasLottery: Bool
    let picksNeeded: String
    let picks: [CheckOption]
    let declarations: [CheckOption]
    let idempotencyKey: String
    let receipts: [ReceiptRow]
    let hasReceipts: Bool
    let canChangeBids: Bool
    let canAsk: Bool
    let canComplain: Bool
    let complaintAwards: [OptionModel]
    let complaints: [MyComplaintRow]
    let hasComplaints: Bool
}

struct BidDocumentLink: Sendable {
    let title: String
    let name: String
    let size: String
    let link: String
}

struct BidDocumentsRow: Sendable {
    let bidder: String
    let declarations: String
    let documents: [BidDocumentLink]
    let hasDocuments: Bool
}

/// Messages of the form that failed, shown inside that form.
struct TenderFormErrors: Sendable {
    let publish: String?
    let cancel: String?
    let amend: String?
    let open: String?
    let score: String?
    let award: String?
    let bid: String?
    let withdraw: String?
    let ask: String?
    let complain: String?

    init(form: String?, messages: [String]) {
        let text = messages.isEmpty ? nil : messages.joined(separator: " ")
        func on(_ name: String) -> String? { form == name ? text : nil }
        publish = on("publish"); cancel = on("cancel"); amend = on("amend"); open = on("open"); score = on("score")
        award = on("award"); bid = on("bid"); withdraw = on("withdraw"); ask = on("ask"); complain = on("complain")
    }
}

struct TenderPage: Sendable {
    let id: String
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
    let signInLink: String?
    let officer: OfficerPanel?
    let supplier: SupplierPanel?
    let bidDocuments: [BidDocumentsRow]
    let hasBidDocuments: Bool
    let errorSummary: ErrorSummaryModel?
    let errors: TenderFormErrors
}

/// The tender page: the public notice and results for everyone, and the forms of whoever is
/// signed in: the procuring entity's officers (publish, answer, amend, open, qualify, contract)
/// and suppliers (sealed bid with documents, receipts, questions, complaints).
enum TenderPages {
    /// Declarations a bidder can make with a bid (codes stored in the sealed bid).
    static let declarations = ["integrity-pledge", "eligibility-confirmed", "no-subcontracting-above-limit"]

    /// A declaration as made: the platform's standard ones in the reader's language, others as written (API bids).
    static func declaration(_ code: String, _ r: PageRenderer, _ l: Language) -> String {
        declarations.contains(code) ? r.text("procurement_declaration_\(code)", l) : code
    }

    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        routes.web(.get, "/procurement/tenders/:id") { request, context in
            try await page(request, context, portal, service)
        }
        routes.web(.get, "/procurement/tenders/:id/documents/:file") { _, context in
            let file = try await service.bidDocument(tenderID: try ProcurementAPI.id(context), fileID: try ProcurementAPI.uuid(context, "file", "The document"),
                                                     by: try context.requireActor())
            return try await FileDownload.response(file, portal: portal)
        }
        routes.web(.get, "/procurement/tenders/:id/bids/:bid/receipt") { _, context in
            let mine = try await service.myBids(tenderID: try ProcurementAPI.id(context), by: try context.requireActor())
            let bidID = try ProcurementAPI.uuid(context, "bid", "The bid")
            guard let bid = mine.first(where: { $0.receipt.bidID == bidID }) else { throw NaraError.notFound("The bid") }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"bid-receipt-\(bidID.uuidString.lowercased()).json\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try CanonicalJSON.encode(bid.receipt))))
        }

        // The procuring entity's steps.
        action(routes, "/procurement/tenders/:id/publish", form: "publish", notice: "procurement_published", portal, service) { _, context, id, actor in
            _ = try await service.publish(id: id, by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/plan", form: "publish", notice: "procurement_planned", portal, service) { _, context, id, actor in
            _ = try await service.plan(id: id, by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/cancel", form: "cancel", notice: "procurement_cancelled", portal, service) { _, context, id, actor in
            _ = try await service.cancel(id: id, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/amend", form: "amend", notice: "procurement_amended", portal, service) { _, context, id, actor in
            let f = context.form
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)
            var deadline: String?
            if let raw = f["deadline"], !raw.isEmpty {
                guard let date = display.parseInputDateTime(raw) else {
                    throw NaraError.validation([FieldError(field: "deadline", code: "format", message: portal.renderer.text("procurement_err_datetime", context.language))])
                }
                deadline = Timestamp.iso8601Millis(date)
            }
            func changed(_ name: String) -> String? { f[name].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 } }
            _ = try await service.amend(id: id, TenderAmendmentInput(rationale: f["rationale"] ?? "", description: changed("description"), deadline: deadline,
                                                                     eligibility: changed("eligibility")),
                                        by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/enquiries/:enquiry/answer", form: "answer", notice: "procurement_answered", portal, service) { _, context, id, actor in
            _ = try await service.answer(tenderID: id, enquiryID: try ProcurementAPI.uuid(context, "enquiry", "The question"), answer: context.form["answer"] ?? "",
                                         by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/open", form: "open", notice: "procurement_opened", portal, service) { _, context, id, actor in
            guard try await TenderModel.find(id, on: platform.db)?.agencyID == (try service.officerAgency(actor)) else { throw NaraError.notFound("The tender") }
            _ = try await service.open(tenderID: id, by: AuditActor(actor, requestID: context.requestID))
        }
        action(routes, "/procurement/tenders/:id/quality-scores", form: "score", notice: "procurement_scored", portal, service) { _, context, id, actor in
            var scores: [String: Int] = [:]
            var errors: [FieldError] = []
            for (name, value) in context.form.pairs where name.hasPrefix("score.") {
                let bidder = String(name.dropFirst(6))
                guard let score = Int(value.trimmingCharacters(in: .whitespaces)) else {
                    errors.append(FieldError(field: "scores/\(bidder)", code: "format", message: portal.renderer.text("procurement_err_score", context.language)))
                    continue
                }
                scores[bidder] = score
            }
            guard errors.isEmpty else { throw NaraError.validation(errors) }
            _ = try await service.scoreQuality(tenderID: id, scores: scores, by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/awards/:award/qualify", form: "award", notice: "procurement_award_decided", portal, service) { _, context, id, actor in
            _ = try await service.decideAward(tenderID: id, awardID: try ProcurementAPI.uuid(context, "award", "The award"), qualified: true, reason: nil,
                                              by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/awards/:award/disqualify", form: "award", notice: "procurement_award_decided", portal, service) { _, context, id, actor in
            _ = try await service.decideAward(tenderID: id, awardID: try ProcurementAPI.uuid(context, "award", "The award"), qualified: false,
                                              reason: context.form["reason"], by: actor, requestID: context.requestID)
        }
        routes.web(.post, "/procurement/tenders/:id/awards/:award/contract") { request, context in
            let actor = try context.requireActor()
            let id = try ProcurementAPI.id(context)
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)
            let start = display.parseInputDate(context.form["periodStart"]), end = display.parseInputDate(context.form["periodEnd"])
            do {
                guard let end else {
                    throw NaraError.validation([FieldError(field: "periodEnd", code: "format", message: portal.renderer.text("procurement_err_date", context.language))])
                }
                let contract = try await service.createContract(
                    tenderID: id, awardID: try ProcurementAPI.uuid(context, "award", "The award"),
                    NewContract(periodStart: start.map(Timestamp.iso8601Millis), periodEnd: Timestamp.iso8601Millis(end.addingTimeInterval(86_400 - 1))),
                    by: actor, requestID: context.requestID)
                return .redirect("/procurement/contracts/\(contract.id.uuidString.lowercased())?notice=procurement_contract_created")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                return try await page(request, context, portal, service, failed: "award", errors: problems(error))
            }
        }

        // The supplier's steps.
        routes.web(.post, "/procurement/tenders/:id/bid") { request, context in
            let id = try ProcurementAPI.id(context)
            // As on the API: the receipt time and the in-flight mark in one step, before the body is read.
            let arrived = platform.clock.now()
            service.intake.arrive(id)
            defer { service.intake.leave(id) }
            let actor = try context.requireActor()
            let form = try await MultipartForm.parse(request, limit: context.maxUploadSize)
            let l = context.language, r = portal.renderer
            var errors: [FieldError] = []
            var prices: [String: Int64] = [:]
            for (name, value) in form.fields.sorted(by: { $0.key < $1.key }) where name.hasPrefix("price.") {
                let digits = value.filter { $0.isNumber }
                let lot = String(name.dropFirst(6))
                if value.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                guard !digits.isEmpty, digits.count == value.filter({ $0 != "," && $0 != " " }).count, let price = Int64(digits) else {
                    errors.append(FieldError(field: "prices/\(lot)", code: "format", message: r.text("procurement_err_price", l)))
                    continue
                }
                prices[lot] = price
            }
            // Checkboxes carry their value in their name: a multipart form keeps one value per name.
            let picks = form.fields.keys.filter { $0.hasPrefix("pick.") }.compactMap { Int($0.dropFirst(5)) }.sorted()
            let declarations = Self.declarations.filter { form.fields["declaration.\($0)"] != nil }
            var documents: [BidDocument] = []
            for index in 1...3 {
                guard let file = form.file("doc\(index)") else { continue }
                documents.append(BidDocument(title: form["docTitle\(index)"] ?? "", fileName: file.fileName ?? "document",
                                             contentType: file.contentType ?? "application/octet-stream", content: file.data))
            }
            do {
                guard errors.isEmpty else { throw NaraError.validation(errors) }
                _ = try await service.submitBid(tenderID: id, content: BidContent(prices: prices, declarations: declarations,
                                                                                  lotteryPicks: picks.isEmpty ? nil : picks, documents: documents.isEmpty ? nil : documents),
                                                idempotencyKey: form["key"] ?? "", receivedAt: arrived, by: actor, requestID: context.requestID)
                return .redirect("/procurement/tenders/\(id.uuidString.lowercased())?notice=procurement_bid_sealed#my-bids")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                return try await page(request, context, portal, service, failed: "bid", errors: problems(error))
            }
        }
        action(routes, "/procurement/tenders/:id/bids/:bid/withdraw", form: "withdraw", notice: "procurement_bid_withdrawn", portal, service) { _, context, id, actor in
            try await service.withdrawBid(tenderID: id, bidID: try ProcurementAPI.uuid(context, "bid", "The bid"), at: platform.clock.now(), by: actor,
                                          requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/bids/:bid/confirm", form: "withdraw", notice: "procurement_bid_confirmed", portal, service) { _, context, id, actor in
            _ = try await service.reconfirmBid(tenderID: id, bidID: try ProcurementAPI.uuid(context, "bid", "The bid"), at: platform.clock.now(), by: actor,
                                               requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/enquiries", form: "ask", notice: "procurement_asked", portal, service) { _, context, id, actor in
            _ = try await service.ask(tenderID: id, question: context.form["question"] ?? "", by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/complaints", form: "complain", notice: "procurement_complained", portal, service) { _, context, id, actor in
            let f = context.form
            _ = try await service.lodgeComplaint(tenderID: id, NewComplaint(awardID: f["award"].flatMap(UUID.init(uuidString:)), title: f["title"] ?? "",
                                                                            description: f["description"] ?? ""),
                                                 by: actor, requestID: context.requestID)
        }
        action(routes, "/procurement/tenders/:id/complaints/:complaint/withdraw", form: "complain", notice: "procurement_complaint_withdrawn", portal, service) { _, context, id, actor in
            let complaint = try ProcurementAPI.uuid(context, "complaint", "The complaint")
            guard try await service.complaint(id: complaint).tenderID == id else { throw NaraError.notFound("The complaint") }
            _ = try await service.withdrawComplaint(id: complaint, by: actor, requestID: context.requestID)
        }
    }

    /// A POST on the tender page: on success back to the page with a notice; a refusal re-renders
    /// the page with the messages inside the form that was sent, and changes nothing.
    static func action(_ routes: RouteRegistry, _ path: String, form: String, notice: String, _ portal: Portal, _ service: ProcurementService,
                       _ body: @escaping @Sendable (Request, NaraRequestContext, UUID, Actor) async throws -> Void) {
        routes.web(.post, path) { request, context in
            let actor = try context.requireActor()
            let id = try ProcurementAPI.id(context)
            do {
                try await body(request, context, id, actor)
                return .redirect("/procurement/tenders/\(id.uuidString.lowercased())?notice=\(notice)")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                return try await page(request, context, portal, service, failed: form, errors: problems(error))
            }
        }
    }

    static func problems(_ error: NaraError) -> [FieldError] {
        error.fieldErrors.isEmpty ? [FieldError(field: "", code: error.code.rawValue, message: error.message)] : error.fieldErrors
    }

    /// Where a refused field is on the page (the id of its input), per form.
    static func target(_ form: String, _ field: String, lots: [Lot]) -> String {
        let parts = field.split(separator: "/").map(String.init)
        switch form {
        case "bid":
            switch parts.first {
            case "prices": return "f-price-\(parts.count > 1 ? parts[1] : String(lots.first?.number ?? 1))"
            case "lotteryPicks": return "f-pick-1"
            case "declarations": return "f-declaration-1"
            case "documents": return "f-doc-\(parts.count > 1 ? (Int(parts[1]) ?? 0) + 1 : 1)"
            default: return "bid-title"
            }
        case "cancel": return "f-cancel-reason"
        case "amend": return ["rationale", "description", "deadline", "eligibility"].contains(field) ? "f-amend-\(field)" : "amend-title"
        case "ask": return "f-question"
        case "complain": return ["title", "description"].contains(field) ? "f-complaint-\(field)" : "complain-title"
        case "score": return "score-title"
        default: return "\(form)-title"
        }
    }

    static func page(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ProcurementService,
                     failed: String? = nil, errors rawErrors: [FieldError] = []) async throws -> Response {
        let platform = portal.platform
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let tenderID = try ProcurementAPI.id(context)
        guard let model = try await TenderModel.find(tenderID, on: platform.db) else { throw NaraError.notFound("The tender") }
        let roles = try await service.roles(context.actor, agencyID: model.agencyID, tenderID: tenderID)
        // A draft is seen only by the officers of its agency.
        guard model.state != TenderState.draft.rawValue || roles.officer else { throw NaraError.notFound("The tender") }
        let t = try await service.view(model, on: platform.db)
        let now = platform.clock.now()
        let deadline = try await service.effectiveDeadline(model, on: platform.db)
        let money = { (value: Int64) in Money.format(value, currency: t.currency) }
        let status: String
        switch t.state {
        case .open:
            status = r.text(now >= deadline ? "procurement_status_opening"
                            : (t.enquiryDeadline.map { now < $0 } ?? false) ? "procurement_status_enquiries" : "procurement_status_open", l)
        default: status = r.text("procurement_status_\(t.state.rawValue)", l)
        }
        let bids = (t.bids ?? []).enumerated().map { index, bid in
            BidRow(rank: bid.problem == nil ? String(index + 1) : "—", bidder: "\(bid.bidderName) (\(bid.bidder))", received: display.dateTime(bid.receivedAt),
                   total: bid.total.map(money) ?? "—", problem: bid.problem)
        }
        let evaluation: String
        switch t.evaluation.method {
        case .lowestPrice: evaluation = r.text("procurement_eval_lowest", l)
        case .floorPrice:
            evaluation = r.text("procurement_eval_floor", l).replacingOccurrences(of: "{rate}", with: String(format: "%.3f", Double(t.evaluation.floorRatePPM ?? 0) / 10_000))
                + (t.evaluation.lottery.map {
                    " " + r.text("procurement_eval_lottery", l).replacingOccurrences(of: "{range}", with: String(format: "%.2f", Double($0.rangeBasisPoints) / 100))
                        .replacingOccurrences(of: "{picks}", with: String($0.picks))
                } ?? "")
        case .priceQuality:
            evaluation = r.text("procurement_eval_quality", l).replacingOccurrences(of: "{price}", with: String(t.evaluation.priceWeight ?? 0))
                .replacingOccurrences(of: "{quality}", with: String(t.evaluation.qualityWeight ?? 0))
        }
        var lottery: String?
        if let draw = t.lottery {
            lottery = r.text("procurement_lottery_commitment", l) + " " + draw.commitment + "."
            if let seed = draw.seed, let reserve = t.reservePriceMinor, let floor = t.floorPriceMinor {
                lottery! += " " + r.text("procurement_lottery_revealed", l) + " \(seed). " + r.text("procurement_lottery_chosen", l)
                    + " \((draw.chosen ?? []).map(String.init).joined(separator: ", ")); " + r.text("procurement_reserve", l) + " \(money(reserve)); "
                    + r.text("procurement_floor", l) + " \(money(floor))."
            }
        } else if let reserve = t.reservePriceMinor, let floor = t.floorPriceMinor {
            lottery = r.text("procurement_reserve", l) + " \(money(reserve)); " + r.text("procurement_floor", l) + " \(money(floor))."
        }
        let enquiryViews = try await service.enquiries(tenderID: t.id)
        let enquiries = enquiryViews.map {
            QARow(question: $0.question, asked: display.dateTime($0.askedAt), answer: $0.answer, answered: $0.answeredAt.map(display.dateTime))
        }
        let complaintViews = try await service.complaints(tenderID: t.id)
        let complaints = complaintViews.map {
            ComplaintRow(reference: $0.reference, title: $0.title, complainant: $0.complainant, status: r.text("procurement_complaint_\($0.status.rawValue)", l),
                         decision: $0.decision)
        }
        let contractViews = try await service.contracts(tenderID: t.id)
        let contracts = contractViews.map { c in
            ContractRow(reference: c.reference, supplier: "\(c.supplierName) (\(c.supplierBusinessNumber))", value: money(c.valueMinor),
                        status: r.text("procurement_contract_\(c.status.rawValue)", l),
                        period: "\(display.date(c.periodStart)) – \(display.date(c.periodEnd))",
                        signed: [c.agencySignedAt.map { r.text("procurement_signed_agency", l) + " " + display.dateTime($0) },
                                 c.supplierSignedAt.map { r.text("procurement_signed_supplier", l) + " " + display.dateTime($0) }]
                            .compactMap { $0 }.joined(separator: "; "),
                        paid: "\(money(c.paidMinor)) / \(money(c.valueMinor))", link: "/procurement/contracts/\(c.id.uuidString.lowercased())")
        }
        let awards = t.awards.map { a in
            AwardRow(lot: String(a.lot), bidder: "\(a.bidderName) (\(a.bidder))", amount: money(a.amountMinor), status: r.text("procurement_award_\(a.status.rawValue)", l),
                     detail: a.reason ?? a.standstillEnd.map { r.text("procurement_standstill_until", l) + " " + display.dateTime($0) })
        }

        // The officer's forms.
        var officer: OfficerPanel?
        if roles.officer {
            let contracted = Set(contractViews.map(\.awardID))
            let open = complaintViews.contains { $0.status == .submitted || $0.status == .accepted }
            func awardAction(_ a: AwardView) -> AwardAction {
                let ready = a.status == .active && (a.standstillEnd ?? now) <= now && !open && !contracted.contains(a.id)
                return AwardAction(id: a.id.uuidString.lowercased(), lot: String(a.lot), bidder: "\(a.bidderName) (\(a.bidder))", amount: money(a.amountMinor),
                                   standstill: a.standstillEnd.map(display.dateTime), canContract: ready, startValue: display.date(now),
                                   endValue: display.date(now.addingTimeInterval(180 * 86_400)))
            }
            let scoreable = t.state == .opened && t.evaluation.method == .priceQuality && t.awards.isEmpty
            officer = OfficerPanel(
                canPublish: t.state == .draft || t.state == .planned, canPlan: t.state == .draft && t.planBudgetMinor != nil,
                canCancel: [.draft, .planned, .open, .opened, .awarded].contains(t.state) && contractViews.isEmpty,
                canAmend: t.state == .open && now < deadline, canOpen: t.state == .open && now >= deadline,
                amendDeadline: display.inputDateTime(t.deadline),
                questions: enquiryViews.filter { $0.answer == nil }.map {
                    QuestionForm(id: $0.id.uuidString.lowercased(), question: $0.question, asked: display.dateTime($0.askedAt),
                                 error: failed == "answer" && context.parameters.get("enquiry") == $0.id.uuidString.lowercased() ? rawErrors.first?.message : nil)
                },
                hasQuestions: enquiryViews.contains { $0.answer == nil } && [.open, .opened].contains(t.state),
                canScore: scoreable,
                scores: scoreable ? (t.bids ?? []).filter { $0.problem == nil }.map {
                    ScoreField(id: "f-score-\($0.bidder)", name: "score.\($0.bidder)", bidder: "\($0.bidderName) (\($0.bidder))",
                               value: t.qualityScores?[$0.bidder].map(String.init) ?? "")
                } : [],
                pending: t.awards.filter { $0.status == .pending }.map(awardAction), hasPending: t.awards.contains { $0.status == .pending },
                active: t.awards.filter { $0.status == .active && !contracted.contains($0.id) }.map(awardAction),
                hasActive: t.awards.contains { $0.status == .active && !contracted.contains($0.id) })
        }

        // The supplier's forms.
        var supplier: SupplierPanel?
        if let actor = context.actor, actor.accountKind == .business {
            let registered = roles.supplier?.status == "active"
            let own = roles.supplier.flatMap { try? BusinessNumber($0.businessNumber).digits }
            let notQualified = t.qualifiedSuppliers.map { list in own.map { !list.contains($0) } ?? true } ?? false
            let mine = registered ? try await service.myBids(tenderID: t.id, by: actor) : []
            let canBid = registered && !notQualified && t.state == .open && now < deadline
            let liveAwards = t.awards.filter { $0.status == .pending || $0.status == .active }
            let inStandstill = liveAwards.contains { $0.status == .pending || ($0.standstillEnd.map { now < $0 } ?? false) }
            let ownComplaints = try await service.complaintIDs(tenderID: t.id, by: actor)
            let mineComplaints = complaintViews.filter { ownComplaints.contains($0.id) }
            supplier = SupplierPanel(
                registered: registered, notQualified: notQualified, canBid: canBid,
                bidAction: "/procurement/tenders/\(t.id.uuidString.lowercased())/bid?_csrf=\(context.csrfToken)",
                prices: t.lots.map { lot in
                    PriceField(id: "f-price-\(lot.number)", name: "price.\(lot.number)",
                               label: "\(r.text("procurement_lot", l)) \(lot.number): \(lot.title) (\(r.text("procurement_estimate", l)) \(money(lot.estimatedValueMinor)))",
                               error: failed == "bid" ? rawErrors.first { $0.field == "prices/\(lot.number)" }?.message : nil)
                },
                hasLottery: t.evaluation.lottery != nil, picksNeeded: String(t.evaluation.lottery?.picks ?? 0),
                picks: (1...ReserveLottery.count).map { CheckOption(id: "f-pick-\($0)", value: "pick.\($0)", label: String($0)) },
                declarations: declarations.enumerated().map {
                    CheckOption(id: "f-declaration-\($0.offset + 1)", value: "declaration.\($0.element)", label: r.text("procurement_declaration_\($0.element)", l))
                },
                idempotencyKey: UUID().uuidString.lowercased(),
                receipts: mine.map { bid in
                    ReceiptRow(bidID: bid.receipt.bidID.uuidString.lowercased(), status: r.text("procurement_bid_\(bid.status)", l),
                               needsReconfirmation: bid.status == "needs_reconfirmation", received: bid.receipt.receivedAt, digest: bid.receipt.sealedDigest,
                               signer: bid.receipt.signature.map { "\($0.algorithm) · \($0.certificateFingerprint.prefix(16))…" } ?? "—",
                               receiptLink: "/procurement/tenders/\(t.id.uuidString.lowercased())/bids/\(bid.receipt.bidID.uuidString.lowercased())/receipt")
                },
                hasReceipts: !mine.isEmpty, canChangeBids: t.state == .open && now < deadline,
                canAsk: registered && !notQualified && t.state == .open && (t.enquiryDeadline.map { now < $0 } ?? false),
                canComplain: registered && roles.bidder && [.opened, .awarded].contains(t.state) && (liveAwards.isEmpty || inStandstill),
                complaintAwards: [OptionModel(value: "", label: r.text("procurement_complaint_whole", l), selected: true)]
                    + liveAwards.map { OptionModel(value: $0.id.uuidString.lowercased(), label: "\(r.text("procurement_lot", l)) \($0.lot): \($0.bidderName)", selected: false) },
                complaints: mineComplaints.map {
                    MyComplaintRow(id: $0.id.uuidString.lowercased(), reference: $0.reference, title: $0.title, status: r.text("procurement_complaint_\($0.status.rawValue)", l),
                                   canWithdraw: $0.status == .submitted || $0.status == .accepted)
                },
                hasComplaints: !mineComplaints.isEmpty)
        }

        // Opened bids' documents, for the parties who may read them.
        var documentRows: [BidDocumentsRow] = []
        if let actor = context.actor, t.openedAt != nil {
            for bid in try await service.bidDocuments(tenderID: t.id, by: actor) where bid.problem == nil {
                let links = (bid.documents ?? []).map {
                    BidDocumentLink(title: $0.title, name: $0.name, size: display.bytes($0.size),
                                    link: "/procurement/tenders/\(t.id.uuidString.lowercased())/documents/\($0.fileID.uuidString.lowercased())")
                }
                documentRows.append(BidDocumentsRow(bidder: "\(bid.bidderName) (\(bid.bidder))",
                                                    declarations: (bid.declarations ?? []).map { declaration($0, r, l) }.joined(separator: "; "),
                                                    documents: links, hasDocuments: !links.isEmpty))
            }
        }

        let errors = r.localized(rawErrors, l)
        var summaryTargets: [String: String] = [:]
        for e in errors { summaryTargets[e.field] = target(failed ?? "", e.field, lots: t.lots) }
        let summary = ErrorSummaryModel(errors.map { FieldError(field: summaryTargets[$0.field] ?? "", code: $0.code, message: $0.message) })
        let page = TenderPage(
            id: t.id.uuidString.lowercased(), reference: t.reference, title: t.title, description: t.description, agency: t.agencyName,
            procedure: r.text("procurement_procedure_\(t.procedure.rawValue)", l), state: r.text("procurement_state_\(t.state.rawValue)", l),
            stateCode: t.state.rawValue, status: status, published: t.publishedAt.map(display.dateTime), deadline: display.dateTime(deadline),
            opened: t.openedAt.map(display.dateTime), cancelReason: t.cancelReason,
            lots: t.lots.map { LotRow(number: String($0.number), title: $0.title, estimate: money($0.estimatedValueMinor)) },
            bids: bids, hasBids: !bids.isEmpty, bidsSealed: t.bids == nil && t.state != .draft && t.state != .planned,
            category: r.text("procurement_category_\(t.category)", l), eligibility: t.eligibility, evaluation: evaluation,
            enquiryDeadline: t.publishedAt == nil ? nil : t.enquiryDeadline.map(display.dateTime),
            items: t.items.map { ItemRow(lot: String($0.lot), description: $0.description, classification: "\($0.scheme) \($0.classification) \($0.classificationDescription)",
                                         quantity: "\(ProcurementService.quantity($0.quantity)) \($0.unitName)") },
            documents: t.documents.map { LinkRow(title: $0.title, url: $0.url) }, hasDocuments: !t.documents.isEmpty,
            amendments: t.amendments.map { QARow(question: $0.rationale, asked: display.dateTime($0.date), answer: $0.description, answered: nil) },
            hasAmendments: !t.amendments.isEmpty, enquiries: enquiries, hasEnquiries: !enquiries.isEmpty,
            plan: t.planBudgetMinor.map { "\(r.text("procurement_budget", l)) \(money($0)). \(t.planRationale ?? "")" }, lottery: lottery,
            awards: awards, hasAwards: !awards.isEmpty, complaints: complaints, hasComplaints: !complaints.isEmpty,
            contracts: contracts, hasContracts: !contracts.isEmpty,
            ocdsLink: "/api/v1/procurement/ocds/records/\(t.ocid)",
            signInLink: context.actor == nil && t.state == .open ? "/login?next=/procurement/tenders/\(t.id.uuidString.lowercased())" : nil,
            officer: officer, supplier: supplier, bidDocuments: documentRows, hasBidDocuments: !documentRows.isEmpty,
            errorSummary: summary, errors: TenderFormErrors(form: failed, messages: errors.map(\.message)))
        let status2: HTTPResponse.Status = rawErrors.isEmpty ? .ok : (rawErrors.contains { $0.field.isEmpty } ? .conflict : .unprocessableContent)
        return r.render(Page("procurement/tender", title: t.title, model: page, status: status2), request: request, context: context)
    }
}
