import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct PetitionsHomePage: Sendable {
    let signedIn: Bool
    let isOfficial: Bool
    let compliance: TableModel
    let types: TableModel
}

struct StatisticsPage: Sendable {
    let weeks: [OptionModel]
    let period: String
    let filed: String
    let answered: String
    let averageDays: String
    let onTime: String
    let satisfaction: String
    let weeklyChart: String
    let weekly: TableModel
    let averageChart: String
    let p95Chart: String
    let complianceChart: String
    let agencies: TableModel
    let hasRatings: Bool
    let satisfactionChart: String
    let hasCategories: Bool
    let categoriesChart: String
}

struct NewComplaintPage: Sendable {
    let signedIn: Bool
    let errorSummary: ErrorSummaryModel?
    let selects: [SelectModel]
    let title: FieldModel
    let body: String
    let bodyError: String?
    let location: FieldModel
    let isPublic: Bool
}

struct FiledPage: Sendable {
    let number: String
    let accessCode: String
    let agency: String
    let due: String
}

struct ComplaintListPage: Sendable {
    let heading: String
    let canFile: Bool
    let table: TableModel
}

struct ComplaintPage: Sendable {
    let id: String
    let number: String
    let title: String
    let state: String
    let overdue: Bool
    let escalated: Bool
    let type: String
    let agency: String
    let submitted: String
    let due: String
    let location: String?
    let routing: String?
    let rating: String?
    let body: String
    let answer: String?
    let draft: String?
    let history: TableModel
    let hasSteps: Bool
    let canDraft: Bool
    let forms: [FormSection]
    let error: String?
    let mergedInto: String?
    let mergedWith: String?
    let collective: String?
    let hasSimilar: Bool
    let similar: [SimilarItem]
    let attachments: [AttachmentLink]
    let hasAttachments: Bool
    /// The complainant's upload form (while the agency handles the complaint).
    let uploadAction: String?
    /// An anonymous complainant's access code, sent again in the upload form.
    let uploadCode: String?
}

struct AttachmentLink: Sendable {
    let name: String
    let link: String
    let size: String
    /// For an anonymous complainant: the file is fetched by a form that posts the access code.
    let code: String?
}

/// A like complaint offered for merging on an official's complaint page.
struct SimilarItem: Sendable {
    let id: String
    let number: String
    let title: String
    let why: String
}

/// The complainant's pages (file, follow, rate, object), the agency's queue and steps, and the
/// public page with deadline compliance.
enum PetitionsPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: PetitionsService) {
        let platform = portal.platform
        routes.web(.get, "/petitions") { request, context in
            let r = portal.renderer, l = context.language
            let compliance = try await service.compliance()
            let types = try await service.types().filter(\.active)
            let page = PetitionsHomePage(
                signedIn: context.actor != nil, isOfficial: context.actor?.accountKind == .official,
                compliance: TableModel(id: "compliance", caption: r.text("petitions_compliance", l),
                                       headers: [r.text("petitions_agency", l), r.text("petitions_answered", l), r.text("petitions_on_time", l),
                                                 r.text("petitions_open", l), r.text("petitions_overdue", l)],
                                       rows: compliance.map { c in
                                           TableModel.Row([.init(c.agencyName), .init(String(c.answered)), .init(c.onTimeRate.map { String(format: "%.1f %%", $0) } ?? "—"),
                                                           .init(String(c.open)), .init(String(c.overdueOpen))])
                                       }, empty: r.text("petitions_none", l)),
                types: TableModel(id: "types", caption: r.text("petitions_types", l),
                                  headers: [r.text("petitions_type", l), r.text("petitions_period", l), r.text("petitions_anonymous", l)],
                                  rows: types.map { t in
                                      TableModel.Row([.init(l == .korean ? t.nameKO : t.nameEN),
                                                      .init(r.text("petitions_working_days", l).replacingOccurrences(of: "{n}", with: String(t.periodWorkingDays))),
                                                      .init(r.text(t.anonymousAllowed ? "petitions_yes" : "petitions_no", l))])
                                  }, empty: r.text("petitions_none", l)))
            return r.render(Page("petitions/home", title: r.text("petitions_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/petitions/statistics") { request, context in
            let r = portal.renderer, l = context.language
            let s = try await service.statistics(weeks: try PetitionsService.statisticsWeeks(request.uri.queryParameters.get("weeks")))
            return r.render(Page("petitions/statistics", title: r.text("petitions_statistics", l), model: statisticsPage(s, r, l)),
                            request: request, context: context)
        }
        routes.web(.get, "/petitions/new") { request, context in
            try await newPage(request, context, portal, service, input: nil, errors: [])
        }
        routes.web(.post, "/petitions/complaints") { request, context in
            let f = context.form
            let input = NewComplaint(type: f["type"] ?? "", category: f["category"], title: f["title"] ?? "", body: f["body"] ?? "", location: f["location"],
                                     public: f["public"] == "yes")
            do {
                let view = try await service.file(input, by: context.actor, requestID: context.requestID)
                if let code = view.accessCode {
                    let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: context.language)
                    let r = portal.renderer
                    return r.render(Page("petitions/filed", title: r.text("petitions_filed_title", context.language),
                                         model: FiledPage(number: view.number, accessCode: code, agency: view.agencyName, due: display.dateTime(view.dueAt))),
                                    request: request, context: context)
                }
                return .redirect("/petitions/complaints/\(view.id.uuidString.lowercased())?notice=petitions_filed")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .unauthorized {
                let errors = error.fieldErrors.isEmpty ? [FieldError(field: "type", code: error.code.rawValue, message: error.message)] : error.fieldErrors
                return try await newPage(request, context, portal, service, input: input, errors: errors)
            }
        }
        routes.web(.post, "/petitions/lookup") { request, context in
            let f = context.form
            let view = try await service.complaint(number: (f["number"] ?? "").trimmingCharacters(in: .whitespaces),
                                                   accessCode: (f["accessCode"] ?? "").trimmingCharacters(in: .whitespaces))
            return try await complaintPage(request, context, portal, service, view: view, accessCode: (f["accessCode"] ?? "").trimmingCharacters(in: .whitespaces),
                                           error: nil)
        }
        routes.web(.get, "/petitions/complaints") { request, context in
            let actor = try context.requireActor()
            let r = portal.renderer, l = context.language
            let rows = try await service.complaints(of: actor)
            return r.render(Page("petitions/list", title: r.text("petitions_my_complaints", l),
                                 model: ComplaintListPage(heading: r.text("petitions_my_complaints", l), canFile: true,
                                                          table: table(rows, caption: r.text("petitions_my_complaints", l), portal: portal, language: l))),
                            request: request, context: context)
        }
        routes.web(.get, "/petitions/queue") { request, context in
            let actor = try context.requireActor()
            let r = portal.renderer, l = context.language
            let rows = try await service.queue(for: actor)
            return r.render(Page("petitions/list", title: r.text("petitions_queue_title", l),
                                 model: ComplaintListPage(heading: r.text("petitions_queue_title", l), canFile: false,
                                                          table: table(rows, caption: r.text("petitions_queue_title", l), portal: portal, language: l))),
                            request: request, context: context)
        }
        routes.web(.get, "/petitions/complaints/:id") { request, context in
            let view = try await service.complaint(id: try PetitionsAPI.id(context), by: try context.requireActor())
            return try await complaintPage(request, context, portal, service, view: view, accessCode: nil, error: nil)
        }
        // The complainant's upload: signed in, or anonymous with the access code in the form (never in the address).
        routes.web(.post, "/petitions/complaints/:id/attachments") { request, context in
            let id = try PetitionsAPI.id(context)
            let form = try await MultipartForm.parse(request, limit: context.maxUploadSize)
            let accessCode = form["accessCode"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            let actor = accessCode == nil ? try context.requireActor() : nil
            func current() async throws -> ComplaintView {
                if let accessCode { return try await service.complaint(id: id, accessCode: accessCode) }
                return try await service.complaint(id: id, by: actor)
            }
            do {
                guard let file = form.file("file") else {
                    throw NaraError.validation([FieldError(field: "file", code: "required", message: portal.renderer.text("petitions_choose_file", context.language))])
                }
                let view = try await service.attach(id, data: file.data, name: file.fileName, contentType: file.contentType, by: actor,
                                                    accessCode: accessCode, requestID: context.requestID)
                if accessCode != nil { return try await complaintPage(request, context, portal, service, view: view, accessCode: accessCode, error: nil) }
                return .redirect("/petitions/complaints/\(id.uuidString.lowercased())?notice=petitions_updated")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict || error.kind == .unsupportedMediaType
                || error.kind == .payloadTooLarge {
                let message = error.fieldErrors.isEmpty ? error.message : error.fieldErrors.map(\.message).joined(separator: " ")
                return try await complaintPage(request, context, portal, service, view: try await current(), accessCode: accessCode, error: message)
            }
        }
        routes.web(.get, "/petitions/complaints/:id/attachments/:attachment") { _, context in
            let actor = try context.requireActor()
            guard let attachmentID = context.parameters.get("attachment").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The attachment") }
            return try await FileDownload.response(try await service.attachment(try PetitionsAPI.id(context), attachmentID: attachmentID, by: actor), portal: portal)
        }
        // An anonymous complainant's download: the access code comes in the form.
        routes.web(.post, "/petitions/complaints/:id/attachments/:attachment") { _, context in
            guard let attachmentID = context.parameters.get("attachment").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The attachment") }
            let accessCode = (context.form["accessCode"] ?? "").trimmingCharacters(in: .whitespaces)
            return try await FileDownload.response(try await service.attachment(try PetitionsAPI.id(context), attachmentID: attachmentID, by: context.actor,
                                                                                accessCode: accessCode.isEmpty ? nil : accessCode), portal: portal)
        }
        routes.web(.post, "/petitions/complaints/:id/step/:event") { request, context in
            let id = try PetitionsAPI.id(context)
            let f = context.form
            let event = context.parameters.get("event") ?? ""
            let accessCode = f["accessCode"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            do {
                let view: ComplaintView
                switch event {
                case "rate":
                    view = try await service.complainantAct(id, .rate(score: Int(f["score"] ?? "") ?? 0, comment: f["comment"]), by: context.actor,
                                                            accessCode: accessCode, requestID: context.requestID)
                case "object":
                    view = try await service.complainantAct(id, .object(grounds: f["grounds"] ?? ""), by: context.actor, accessCode: accessCode, requestID: context.requestID)
                case "accept":
                    view = try await service.complainantAct(id, .close, by: context.actor, accessCode: accessCode, requestID: context.requestID)
                default:
                    let step: PetitionsService.OfficialStep
                    switch event {
                    case "receive": step = .receive
                    case "transfer": step = .transfer(agencyCode: f["agency"] ?? "", reason: f["reason"] ?? "")
                    case "start_review": step = .startReview
                    case "extend":
                        guard let day = LocalDay(f["dueDate"] ?? "") else {
                            throw NaraError.validation([FieldError(field: "dueAt", code: "format", message: portal.renderer.text("petitions_err_date", context.language))])
                        }
                        let calendar = try await platform.calendar.calendar(on: platform.db)
                        step = .extend(reason: f["reason"] ?? "", dueAt: calendar.endOfDay(day))
                    case "draft": step = .draft(text: f["text"] ?? "")
                    case "approve": step = .approve(draft: request.uri.queryParameters.get("draft") ?? "")
                    case "close": step = .close
                    case "merge":
                        view = try await service.merge(f.all("complaints"), into: id, by: try context.requireActor(), requestID: context.requestID)
                        return .redirect("/petitions/complaints/\(view.id.uuidString.lowercased())?notice=petitions_updated")
                    case "separate":
                        view = try await service.separate(id, reason: f["reason"] ?? "", by: try context.requireActor(), requestID: context.requestID)
                        return .redirect("/petitions/complaints/\(view.id.uuidString.lowercased())?notice=petitions_updated")
                    default: throw NaraError.notFound("The step")
                    }
                    view = try await service.act(id, step, by: try context.requireActor(), requestID: context.requestID)
                }
                if accessCode != nil { return try await complaintPage(request, context, portal, service, view: view, accessCode: accessCode, error: nil) }
                return .redirect("/petitions/complaints/\(view.id.uuidString.lowercased())?notice=petitions_updated")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                let message = error.fieldErrors.isEmpty ? error.message : error.fieldErrors.map(\.message).joined(separator: " ")
                let view = accessCode != nil ? try await service.complaint(id: id, accessCode: accessCode!)
                    : try await service.complaint(id: id, by: try context.requireActor())
                return try await complaintPage(request, context, portal, service, view: view, accessCode: accessCode, error: message)
            }
        }
    }

    static func table(_ rows: [ComplaintQueueItem], caption: String, portal: Portal, language l: Language) -> TableModel {
        let r = portal.renderer
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        return TableModel(id: "complaints", caption: caption,
                          headers: [r.text("petitions_number", l), r.text("petitions_subject", l), r.text("col_status", l), r.text("petitions_submitted", l),
                                    r.text("petitions_due", l)],
                          rows: rows.map { c in
                              TableModel.Row([.init(c.number, link: "/petitions/complaints/\(c.id.uuidString.lowercased())"), .init(c.title),
                                              .init(r.text("petitions_state_\(c.state.rawValue)", l) + (c.overdue ? " · " + r.text("petitions_overdue", l) : "")
                                                    + (c.collectivePeople.map { " · " + r.text("petitions_collective", l) + " (" + r.text("petitions_people", l).replacingOccurrences(of: "{count}", with: String($0)) + ")" } ?? "")),
                                              .init(display.dateTime(c.submittedAt)), .init(display.dateTime(c.dueAt))])
                          }, empty: r.text("petitions_none", l))
    }

    static func statisticsPage(_ s: ComplaintStatistics, _ r: PageRenderer, _ l: Language) -> StatisticsPage {
        func days(_ value: Double?) -> String { value.map(BarChart.format) ?? "—" }
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0) } ?? "—" }
        func week(_ day: LocalDay) -> String { let c = day.components; return String(format: "%02d-%02d", c.month, c.day) }
        let name = { (a: AgencyProcessing) in l == .korean ? a.agencyNameKO : a.agencyName }
        let answered = s.agencies.filter { $0.answered > 0 }
        let dayUnit = " " + r.text("petitions_working_days_short", l)
        return StatisticsPage(
            weeks: [4, 12, 26, 52].map { OptionModel(value: String($0), label: r.text("petitions_last_weeks", l).replacingOccurrences(of: "{n}", with: String($0)), selected: $0 == s.weeks) },
            period: "\(s.from) – \(s.through)", filed: String(s.filed), answered: String(s.answered),
            averageDays: days(s.averageWorkingDays), onTime: percent(s.onTimeRate),
            satisfaction: s.satisfaction.average.map { String(format: "%.1f / 5 (%d)", $0, s.satisfaction.rated) } ?? "—",
            weeklyChart: ColumnChart.svg(labels: s.perWeek.map { week($0.weekStart) },
                                         series: [.init(name: r.text("petitions_filed", l), values: s.perWeek.map { Double($0.filed) }),
                                                  .init(name: r.text("petitions_answered", l), values: s.perWeek.map { Double($0.answered) })],
                                         title: r.text("petitions_per_week", l)),
            weekly: TableModel(id: "weekly", caption: r.text("petitions_per_week", l),
                               headers: [r.text("petitions_week_of", l), r.text("petitions_filed", l), r.text("petitions_answered", l)],
                               rows: s.perWeek.map { TableModel.Row([.init(String(describing: $0.weekStart)), .init(String($0.filed)), .init(String($0.answered))]) },
                               empty: r.text("petitions_none", l)),
            averageChart: BarChart.svg(answered.map { DashboardCount(label: name($0), value: $0.averageWorkingDays ?? 0) },
                                       title: r.text("petitions_average_days", l), unit: dayUnit),
            p95Chart: BarChart.svg(answered.map { DashboardCount(label: name($0), value: $0.p95WorkingDays ?? 0) },
                                   title: r.text("petitions_p95_days", l), unit: dayUnit),
            complianceChart: BarChart.svg(answered.map { DashboardCount(label: name($0), value: $0.onTimeRate ?? 0) },
                                          title: r.text("petitions_on_time_rate", l), unit: " %"),
            agencies: TableModel(id: "agencies", caption: r.text("petitions_by_agency", l),
                                 headers: [r.text("petitions_agency", l), r.text("petitions_answered", l), r.text("petitions_average_days", l),
                                           r.text("petitions_p95_days", l), r.text("petitions_on_time", l), r.text("petitions_open", l), r.text("petitions_overdue", l)],
                                 rows: s.agencies.map { a in
                                     TableModel.Row([.init(name(a)), .init(String(a.answered)), .init(days(a.averageWorkingDays)), .init(days(a.p95WorkingDays)),
                                                     .init(percent(a.onTimeRate)), .init(String(a.open)), .init(String(a.overdueOpen))])
                                 }, empty: r.text("petitions_none", l)),
            hasRatings: s.satisfaction.rated > 0,
            satisfactionChart: BarChart.svg(s.satisfaction.distribution.enumerated().map { DashboardCount(label: "\($0.offset + 1) / 5", value: Double($0.element)) },
                                            title: r.text("petitions_satisfaction", l)),
            hasCategories: !s.topCategories.isEmpty,
            categoriesChart: BarChart.svg(s.topCategories.map { DashboardCount(label: l == .korean ? $0.nameKO : $0.nameEN, value: Double($0.count)) },
                                          title: r.text("petitions_top_categories", l)))
    }

    static func newPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: PetitionsService, input: NewComplaint?,
                        errors: [FieldError]) async throws -> Response {
        let r = portal.renderer, l = context.language
        let signedIn = context.actor != nil
        let types = try await service.types().filter { $0.active && (signedIn || $0.anonymousAllowed) }
        let typeOptions = types.map { OptionModel(value: $0.code, label: l == .korean ? $0.nameKO : $0.nameEN, selected: $0.code == input?.type) }
        let categories = [OptionModel(value: "", label: r.text("petitions_category_unsure", l), selected: (input?.category ?? "").isEmpty)]
            + ComplaintCatalogue.categories.map { OptionModel(value: $0.code, label: l == .korean ? $0.nameKO : $0.nameEN, selected: $0.code == input?.category) }
        let page = NewComplaintPage(
            signedIn: signedIn, errorSummary: ErrorSummaryModel(errors),
            selects: [SelectModel(name: "type", label: r.text("petitions_type", l), options: typeOptions, errors: errors),
                      SelectModel(name: "category", label: r.text("petitions_subject", l), options: categories, errors: errors)],
            title: FieldModel(name: "title", label: r.text("petitions_title_field", l), value: input?.title ?? "", errors: errors),
            body: input?.body ?? "", bodyError: errors.first { $0.field == "body" }?.message,
            location: FieldModel(name: "location", label: r.text("petitions_location", l), value: input?.location ?? "", hint: r.text("petitions_location_hint", l),
                                 errors: errors, required: false),
            isPublic: input?.public ?? false)
        return r.render(Page("petitions/new", title: r.text("petitions_file", l), model: page, status: errors.isEmpty ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func complaintPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: PetitionsService, view c: ComplaintView,
                              accessCode: String?, error: String?) async throws -> Response {
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        let official = c.routing != nil
        let base = "/petitions/complaints/\(c.id.uuidString.lowercased())/step/"
        var forms: [FormSection] = []
        let code = accessCode.map { [FieldModel(name: "accessCode", label: r.text("petitions_access_code", l), value: $0, autocomplete: "off", idPrefix: "rate-")] } ?? []
        if official {
            if c.state.awaitsAcceptance {
                forms.append(FormSection(id: "receive", title: r.text("petitions_receive", l), action: base + "receive", fields: [], submit: r.text("petitions_receive", l)))
            }
            if [.submitted, .transferred, .received].contains(c.state) {
                forms.append(FormSection(id: "transfer", title: r.text("petitions_transfer", l), hint: r.text("petitions_transfer_hint", l), action: base + "transfer",
                                         fields: [FieldModel(name: "agency", label: r.text("petitions_agency_code", l), idPrefix: "transfer-"),
                                                  FieldModel(name: "reason", label: r.text("petitions_reason", l), idPrefix: "transfer-")],
                                         submit: r.text("petitions_transfer", l)))
            }
            if [.received, .reopened].contains(c.state) {
                forms.append(FormSection(id: "review", title: r.text("petitions_start_review", l), action: base + "start_review", fields: [],
                                         submit: r.text("petitions_start_review", l)))
            }
            if [.received, .underReview].contains(c.state), !c.extended {
                forms.append(FormSection(id: "extend", title: r.text("petitions_extend", l), hint: r.text("petitions_extend_hint", l), action: base + "extend",
                                         fields: [FieldModel(name: "dueDate", label: r.text("petitions_new_due", l), type: "date", idPrefix: "extend-"),
                                                  FieldModel(name: "reason", label: r.text("petitions_reason", l), idPrefix: "extend-")],
                                         submit: r.text("petitions_extend", l)))
            }
            if let fingerprint = c.draftHash {
                forms.append(FormSection(id: "approve", title: r.text("petitions_approve", l), hint: r.text("petitions_approve_hint", l),
                                         action: base + "approve?draft=" + fingerprint,
                                         fields: [], submit: r.text("petitions_approve", l)))
            }
            if c.state == .answered {
                forms.append(FormSection(id: "close", title: r.text("petitions_close", l), action: base + "close", fields: [], submit: r.text("petitions_close", l)))
            }
            if c.state == .merged {
                forms.append(FormSection(id: "separate", title: r.text("petitions_separate", l), hint: r.text("petitions_separate_hint", l), action: base + "separate",
                                         fields: [FieldModel(name: "reason", label: r.text("petitions_reason", l), idPrefix: "separate-")],
                                         submit: r.text("petitions_separate", l)))
            }
        } else {
            if [.answered, .closed].contains(c.state), c.rating == nil {
                let scores = (1...5).reversed().map { OptionModel(value: String($0), label: "\($0)", selected: $0 == 5) }
                forms.append(FormSection(id: "rate", title: r.text("petitions_rate", l), action: base + "rate",
                                         fields: code + [FieldModel(name: "comment", label: r.text("petitions_comment", l), required: false, idPrefix: "rate-")],
                                         selects: [SelectModel(name: "score", label: r.text("petitions_rating", l), options: scores, idPrefix: "rate-")],
                                         submit: r.text("petitions_rate", l)))
            }
            if [.answered, .closed].contains(c.state), c.objection == nil {
                forms.append(FormSection(id: "object", title: r.text("petitions_object", l), hint: r.text("petitions_object_hint", l), action: base + "object",
                                         fields: code.map { FieldModel(name: $0.name, label: $0.label, value: $0.value, autocomplete: "off", idPrefix: "object-") }
                                            + [FieldModel(name: "grounds", label: r.text("petitions_grounds", l), idPrefix: "object-")],
                                         submit: r.text("petitions_object", l)))
            }
            if c.state == .answered {
                forms.append(FormSection(id: "accept", title: r.text("petitions_accept", l), action: base + "accept",
                                         fields: code.map { FieldModel(name: $0.name, label: $0.label, value: $0.value, autocomplete: "off", idPrefix: "accept-") },
                                         submit: r.text("petitions_accept", l)))
            }
        }
        let canDraft = official && c.state.waitsForAgency && !c.state.awaitsAcceptance
        var similar: [SimilarItem] = []
        if official, c.state.waitsForAgency, let actor = context.actor {
            similar = try await service.similar(to: c.id, by: actor).map { s in
                let why = s.samePlace ? r.text("petitions_similar_place", l) : r.text("petitions_similar_text", l).replacingOccurrences(of: "{percent}", with: String(s.likeness))
                let people = s.people > 1 ? " · " + r.text("petitions_people", l).replacingOccurrences(of: "{count}", with: String(s.people)) : ""
                return SimilarItem(id: s.id.uuidString.lowercased(), number: s.number, title: s.title, why: why + people)
            }
        }
        let page = ComplaintPage(
            id: c.id.uuidString.lowercased(), number: c.number, title: c.title, state: r.text("petitions_state_\(c.state.rawValue)", l), overdue: c.overdue,
            escalated: c.escalated, type: c.typeName, agency: c.agencyName, submitted: display.dateTime(c.submittedAt), due: display.dateTime(c.dueAt),
            location: c.location, routing: c.routing.map { $0.reasons.joined(separator: "; ") }, rating: c.rating.map(String.init), body: c.body, answer: c.answer,
            draft: c.draft,
            history: TableModel(id: "history", caption: r.text("petitions_history", l),
                                headers: [r.text("petitions_when", l), r.text("col_status", l), r.text("petitions_agency", l), r.text("petitions_note", l)],
                                rows: c.history.map { h in
                                    TableModel.Row([.init(display.dateTime(h.at)), .init(r.text("petitions_state_\(h.to.rawValue)", l)), .init(h.agencyName), .init(h.note)])
                                }, empty: r.text("petitions_none", l)),
            hasSteps: !forms.isEmpty || canDraft || error != nil || !similar.isEmpty, canDraft: canDraft, forms: forms, error: error,
            mergedInto: c.mergedInto, mergedWith: c.mergedWith.isEmpty ? nil : c.mergedWith.joined(separator: ", "),
            collective: c.people.map { r.text("petitions_people", l).replacingOccurrences(of: "{count}", with: String($0)) },
            hasSimilar: !similar.isEmpty, similar: similar,
            attachments: c.attachments.map { a in
                AttachmentLink(name: a.name, link: "/petitions/complaints/\(c.id.uuidString.lowercased())/attachments/\(a.id.uuidString.lowercased())",
                               size: a.size < 1024 ? "\(a.size) B" : "\((a.size + 1023) / 1024) KB", code: accessCode)
            },
            hasAttachments: !c.attachments.isEmpty,
            uploadAction: !official && (accessCode != nil || context.actor != nil) && (c.state.waitsForAgency || c.state == .merged)
                && c.attachments.count < PetitionsService.attachmentLimit
                ? "/petitions/complaints/\(c.id.uuidString.lowercased())/attachments?_csrf=\(context.csrfToken)" : nil,
            uploadCode: accessCode)
        return r.render(Page("petitions/complaint", title: "\(c.number) \(c.title)", model: page, status: error == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }
}
