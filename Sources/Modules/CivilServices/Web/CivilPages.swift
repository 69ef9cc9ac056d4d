import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct ServiceCard: Sendable {
    let code: String
    let name: String
    let summary: String
    let agency: String
    let period: String
    let fee: String
    let certificate: Bool
}

struct LifeEventLink: Sendable {
    let value: String
    let title: String
    let current: Bool
}

struct CataloguePage: Sendable {
    let query: String
    let lifeEvents: [LifeEventLink]
    let agencies: [OptionModel]
    let services: [ServiceCard]
    let hasServices: Bool
    let count: Int
}

struct NamedText: Sendable {
    let label: String
    let value: String
}

struct ServicePage: Sendable {
    let code: String
    let name: String
    let description: String
    let agency: String
    let legalBasis: String
    let period: String
    let fee: String
    let inputs: [NamedText]
    let evidence: [String]
    let hasEvidence: Bool
    let uploads: [String]
    let hasUploads: Bool
    let certificate: String?
    let canApply: Bool
    let signInLink: String
}

struct InputField: Sendable {
    let id: String
    let name: String
    let label: String
    let value: String
    let type: String
    let isSelect: Bool
    let isTextarea: Bool
    let options: [OptionModel]
    let required: Bool
    let error: String?
}

struct FileLink: Sendable {
    let name: String
    let link: String
}

struct UploadRow: Sendable {
    let key: String
    let label: String
    let required: Bool
    let files: [FileLink]
    let hasFiles: Bool
}

struct EventRow: Sendable {
    let at: String
    let actor: String
    let state: String
    let message: String
    let hasMessage: Bool
}

struct StepRow: Sendable {
    let title: String
    let done: Bool
    let current: Bool
}

struct ApplicationPage: Sendable {
    let id: String
    let serviceName: String
    let serviceLink: String
    let receipt: String?
    let state: String
    let stateCode: String
    let agency: String
    let applicant: String
    let submitted: String?
    let due: String?
    let overdue: Bool
    let clockStopped: Bool
    let steps: [StepRow]
    let facts: [NamedText]
    let evidence: [NamedText]
    let hasEvidence: Bool
    let events: [EventRow]
    let decisionReasons: String?
    let howToObject: String?
    let outcome: String?
    let payment: String?
    let paymentPending: Bool
    let documentLink: String?
    let documentNumber: String?
    // Applicant forms
    let isApplicant: Bool
    let isDraft: Bool
    let inputs: [InputField]
    let uploads: [UploadRow]
    let hasUploads: Bool
    let uploadAction: String
    let evidenceNote: [String]
    let needsConsent: Bool
    let canAnswer: Bool
    let canWithdraw: Bool
    let canObject: Bool
    // Official forms
    let isOfficial: Bool
    let canReceive: Bool
    let canStartReview: Bool
    let canRequestSupplement: Bool
    let canTransfer: Bool
    let canDecide: Bool
    let canDecideObjection: Bool
    let canRefund: Bool
    let agencies: [OptionModel]
    let errorSummary: ErrorSummaryModel?
    let errors: ErrorTexts
}

/// Errors shown beside the application page's non-input fields.
struct ErrorTexts: Sendable {
    let file: String?
    let consent: String?
    let submit: String?
    let message: String?
    let grounds: String?
    let reasons: String?
    let howToObject: String?
    let event: String?

    init(_ map: [String: String]) {
        file = map["file"] ?? map["requirement"]
        consent = map["consent"]
        submit = map["submit"] ?? map.first { $0.key.hasPrefix("upload.") }?.value
        message = map["message"]
        grounds = map["grounds"]
        reasons = map["reasons"]
        howToObject = map["howToObject"]
        event = map["event"] ?? map["agency"] ?? map["reason"] ?? map["accepted"]
    }
}

struct ApplicationRow: Sendable {
    let link: String
    let receipt: String
    let service: String
    let state: String
    let stateCode: String
    let updated: String
    let due: String
    let overdue: Bool
}

struct ApplicationsPage: Sendable {
    let applications: [ApplicationRow]
    let hasApplications: Bool
}

struct QueuePage: Sendable {
    let agency: String
    let items: [ApplicationRow]
    let hasItems: Bool
    let overdueCount: Int
}

/// The catalogue (`/services`), applying, "My applications" and the agency queue.
enum CivilPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: CivilService) {
        let platform = portal.platform

        routes.web(.get, "/services") { request, context in
            let r = portal.renderer, l = context.language
            let q = request.uri.queryParameters
            let query = q.get("q") ?? ""
            let lifeEvent = q.get("event").flatMap(LifeEvent.init(rawValue:))
            let agencyCode = q.get("agency").flatMap { $0.isEmpty ? nil : $0 }
            let services = try await service.catalogue(search: query, lifeEvent: lifeEvent, agencyCode: agencyCode)
            let all = try await service.catalogue()
            var agencyOptions = [OptionModel(value: "", label: r.text("civil_all_agencies", l), selected: agencyCode == nil)]
            var seen = Set<String>()
            for s in all where seen.insert(s.agencyCode).inserted {
                agencyOptions.append(OptionModel(value: s.agencyCode, label: l == .korean ? s.agencyNameKO : s.agencyNameEN, selected: s.agencyCode == agencyCode))
            }
            let page = CataloguePage(
                query: query,
                lifeEvents: LifeEvent.allCases.map { LifeEventLink(value: $0.rawValue, title: $0.title.text(l), current: $0 == lifeEvent) },
                agencies: agencyOptions, services: services.map { card($0, l, r) }, hasServices: !services.isEmpty, count: services.count)
            return r.render(Page("civil/catalogue", title: r.text("civil_catalogue_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/services/:code") { request, context in
            let r = portal.renderer, l = context.language
            let s = try await service.service(code: context.parameters.get("code") ?? "")
            let d = s.definition
            let canApply = context.actor.map { $0.accountKind == .citizen || $0.accountKind == .business } ?? false
            let page = ServicePage(
                code: s.code, name: l == .korean ? s.nameKO : s.nameEN, description: l == .korean ? d.descriptionKO : d.descriptionEN,
                agency: l == .korean ? s.agencyNameKO : s.agencyNameEN, legalBasis: l == .korean ? d.legalBasisKO : d.legalBasisEN,
                period: d.period.text.text(l), fee: fee(s, l, r),
                inputs: d.inputs.map { NamedText(label: l == .korean ? $0.labelKO : $0.labelEN, value: r.text($0.required ? "civil_required" : "civil_optional", l)) },
                evidence: d.evidence.map { l == .korean ? $0.labelKO : $0.labelEN }, hasEvidence: !d.evidence.isEmpty,
                uploads: d.uploads.map { (l == .korean ? $0.labelKO : $0.labelEN) + ($0.required ? "" : " (\(r.text("civil_optional", l)))") },
                hasUploads: !d.uploads.isEmpty,
                certificate: d.certificate.map { l == .korean ? $0.titleKO : $0.titleEN }, canApply: canApply,
                signInLink: "/login?next=/services/\(s.code)")
            return r.render(Page("civil/service", title: page.name, model: page), request: request, context: context)
        }
        routes.web(.post, "/services/:code/apply") { _, context in
            let actor = try context.requireActor()
            let view = try await service.startDraft(serviceCode: context.parameters.get("code") ?? "", inputs: [:], by: actor, requestID: context.requestID)
            return .redirect("/civil/applications/\(view.id.uuidString.lowercased())")
        }
        routes.web(.get, "/civil/applications") { request, context in
            let actor = try context.requireActor()
            guard let accountID = actor.accountID else { throw NaraError.forbidden() }
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            var rows: [ApplicationRow] = []
            for model in try await service.applications(accountID: accountID) {
                let v = try await service.view(model)
                rows.append(row(v, display, l))
            }
            let page = ApplicationsPage(applications: rows, hasApplications: !rows.isEmpty)
            return r.render(Page("civil/applications", title: r.text("civil_applications_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/civil/applications/:id") { request, context in
            try await applicationPage(request, context, portal, service, errors: [])
        }
        routes.web(.post, "/civil/applications/:id/inputs") { request, context in
            let actor = try context.requireActor()
            let id = try CivilAPI.id(context)
            var inputs: [String: String] = [:]
            for (name, value) in context.form.pairs where name.hasPrefix("in.") { inputs[String(name.dropFirst(3))] = value }
            do {
                _ = try await service.updateDraft(id: id, inputs: inputs, by: actor, requestID: context.requestID)
                return .redirect("/civil/applications/\(id.uuidString.lowercased())?notice=civil_saved")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await applicationPage(request, context, portal, service, errors: error.fieldErrors, formInputs: inputs)
            }
        }
        routes.web(.post, "/civil/applications/:id/attachments") { request, context in
            let actor = try context.requireActor()
            let id = try CivilAPI.id(context)
            let form = try await MultipartForm.parse(request, limit: context.maxUploadSize)
            guard let file = form.file("file") else {
                return try await applicationPage(request, context, portal, service,
                                                 errors: [FieldError(field: "file", code: "required", message: portal.renderer.text("civil_choose_file", context.language))])
            }
            do {
                _ = try await service.attach(id: id, requirementKey: form["requirement"] ?? "", data: file.data, fileName: file.fileName,
                                             contentType: file.contentType, by: actor, requestID: context.requestID)
                return .redirect("/civil/applications/\(id.uuidString.lowercased())?notice=civil_attached#uploads")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .unsupportedMediaType || error.kind == .payloadTooLarge {
                let errors = error.fieldErrors.isEmpty ? [FieldError(field: "file", code: error.code.rawValue, message: error.message)] : error.fieldErrors
                return try await applicationPage(request, context, portal, service, errors: errors)
            }
        }
        routes.web(.get, "/civil/applications/:id/attachments/:attachment") { _, context in
            let actor = try context.requireActor()
            guard let attachmentID = context.parameters.get("attachment").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The attachment") }
            let file = try await service.attachment(applicationID: try CivilAPI.id(context), attachmentID: attachmentID, by: actor)
            return try await FileDownload.response(file, portal: portal)
        }
        routes.web(.post, "/civil/applications/:id/submit") { request, context in
            let actor = try context.requireActor()
            let id = try CivilAPI.id(context)
            do {
                _ = try await service.submit(id: id, consent: context.form["consent"] == "yes", by: actor, requestID: context.requestID)
                return .redirect("/civil/applications/\(id.uuidString.lowercased())?notice=civil_submitted")
            } catch let error as NaraError where error.kind == .unprocessable || error.code.rawValue == "payment_pending" {
                let errors = error.fieldErrors.isEmpty ? [FieldError(field: "submit", code: error.code.rawValue, message: error.message)] : error.fieldErrors
                return try await applicationPage(request, context, portal, service, errors: errors)
            }
        }
        routes.web(.post, "/civil/applications/:id/events") { request, context in
            let actor = try context.requireActor()
            let id = try CivilAPI.id(context)
            let f = context.form
            let body = CivilAPI.EventRequest(event: f["event"] ?? "", message: f["message"], reason: f["reason"], reasons: f["reasons"],
                                             howToObject: f["howToObject"], grounds: f["grounds"], agency: f["agency"],
                                             accepted: f["accepted"].map { $0 == "yes" })
            do {
                let view = try await CivilAPI.apply(body, id: id, actor: actor, requestID: context.requestID, service: service, platform: platform)
                // An official who transferred it can no longer open it: back to the queue.
                if actor.accountID != view.applicantAccountID && view.agencyID != actor.agencyID {
                    return .redirect("/civil/queue?notice=civil_transferred")
                }
                return .redirect("/civil/applications/\(id.uuidString.lowercased())?notice=civil_updated")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                let errors = error.fieldErrors.isEmpty ? [FieldError(field: "event", code: error.code.rawValue, message: error.message)] : error.fieldErrors
                return try await applicationPage(request, context, portal, service, errors: errors)
            }
        }
        routes.web(.post, "/civil/applications/:id/refund") { request, context in
            let actor = try context.requireActor()
            let id = try CivilAPI.id(context)
            do {
                _ = try await service.refund(id: id, reason: context.form["reason"] ?? "", by: actor, requestID: context.requestID)
                return .redirect("/civil/applications/\(id.uuidString.lowercased())?notice=civil_refunded")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .conflict {
                let errors = error.fieldErrors.isEmpty ? [FieldError(field: "reason", code: error.code.rawValue, message: error.message)] : error.fieldErrors
                return try await applicationPage(request, context, portal, service, errors: errors)
            }
        }
        routes.web(.get, "/civil/queue") { request, context in
            let actor = try context.requireActor()
            guard let agencyID = actor.agencyID else { throw NaraError.forbidden("The queue is for agency officials.") }
            let r = portal.renderer, l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let items = try await service.queue(agencyID: agencyID, by: actor)
            let agency = try await platform.identity.agency(id: agencyID, on: platform.db)
            let rows = items.map { i in
                ApplicationRow(link: "/civil/applications/\(i.id.uuidString.lowercased())", receipt: i.receiptNumber,
                               service: (l == .korean ? i.serviceNameKO : i.serviceNameEN) + " · " + i.applicantName,
                               state: i.state.title.text(l) + (i.clockStopped ? " — " + r.text("civil_clock_stopped", l) : ""), stateCode: i.state.rawValue,
                               updated: display.dateTime(i.submittedAt), due: i.dueAt.map(display.deadline) ?? "—", overdue: i.overdue)
            }
            let page = QueuePage(agency: agency?.name(for: l) ?? "", items: rows, hasItems: !rows.isEmpty, overdueCount: items.filter(\.overdue).count)
            return r.render(Page("civil/queue", title: r.text("civil_queue_title", l), model: page), request: request, context: context)
        }
    }

    static func fee(_ s: ServiceSummary, _ l: Language, _ r: PageRenderer) -> String {
        s.feeMinor == 0 ? r.text("civil_free", l) : Money.format(s.feeMinor, currency: s.currency)
    }

    static func card(_ s: ServiceSummary, _ l: Language, _ r: PageRenderer) -> ServiceCard {
        ServiceCard(code: s.code, name: l == .korean ? s.nameKO : s.nameEN, summary: l == .korean ? s.definition.descriptionKO : s.definition.descriptionEN,
                    agency: l == .korean ? s.agencyNameKO : s.agencyNameEN, period: s.period.text.text(l), fee: fee(s, l, r), certificate: s.issuesCertificate)
    }

    static func row(_ v: ApplicationView, _ display: DisplayFormat, _ l: Language) -> ApplicationRow {
        ApplicationRow(link: "/civil/applications/\(v.id.uuidString.lowercased())", receipt: v.receiptNumber ?? "—",
                       service: l == .korean ? v.service.nameKO : v.service.nameEN, state: v.state.title.text(l), stateCode: v.state.rawValue,
                       updated: display.dateTime(v.events.last?.at ?? v.createdAt), due: v.dueAt.map(display.deadline) ?? "—", overdue: v.overdue)
    }

    /// Where each error in the summary links to on the application page.
    static func summaryTargets(_ d: ServiceDefinition, _ errors: [FieldError]) -> [String: String] {
        var targets: [String: String] = ["submit": "submit-button", "event": "events", "agency": "events", "reason": "events", "accepted": "events",
                                         "requirement": "file"]
        for input in d.inputs { targets[input.key] = "in-" + input.key }
        for e in errors where e.field.hasPrefix("upload.") { targets[e.field] = "file" }
        return targets
    }

    static func applicationPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: CivilService,
                                errors rawErrors: [FieldError], formInputs: [String: String]? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let id = try CivilAPI.id(context)
        let v = try await service.application(id: id, by: actor)
        let platform = portal.platform
        let r = portal.renderer, l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let d = v.service.definition
        let errors = r.localized(rawErrors, l)
        var errorMap: [String: String] = [:]
        for e in errors where errorMap[e.field] == nil { errorMap[e.field] = e.message }
        let isApplicant = actor.accountID == v.applicantAccountID
        let isOfficial = !isApplicant && AccessPolicy.decide(actor, CivilServicesModule.processPermission, on: .agency(v.agencyID)).isAllowed
        let state = v.state
        let inputsShown = formInputs ?? v.inputs
        let inputs = d.inputs.map { input in
            InputField(id: "f-in-" + input.key, name: "in." + input.key, label: l == .korean ? input.labelKO : input.labelEN, value: inputsShown[input.key] ?? "",
                       type: input.kind == .date ? "date" : (input.kind == .number ? "number" : "text"), isSelect: input.kind == .select,
                       isTextarea: input.kind == .textarea,
                       options: [OptionModel(value: "", label: "—", selected: (inputsShown[input.key] ?? "").isEmpty)]
                           + input.options.map { OptionModel(value: $0.value, label: l == .korean ? $0.labelKO : $0.labelEN, selected: inputsShown[input.key] == $0.value) },
                       required: input.required, error: errorMap[input.key])
        }
        let base = "/civil/applications/\(v.id.uuidString.lowercased())/attachments/"
        func links(_ key: String) -> [FileLink] {
            v.attachments.filter { $0.requirementKey == key }.map { FileLink(name: $0.fileName, link: base + $0.id.uuidString.lowercased()) }
        }
        var uploads = d.uploads.map { u in
            let files = links(u.key)
            return UploadRow(key: u.key, label: l == .korean ? u.labelKO : u.labelEN, required: u.required, files: files, hasFiles: !files.isEmpty)
        }
        let supplementFiles = links("supplement")
        if state == .supplementRequested || !supplementFiles.isEmpty {
            uploads.append(UploadRow(key: "supplement", label: r.text("civil_supplement_files", l), required: false, files: supplementFiles, hasFiles: !supplementFiles.isEmpty))
        }
        // The progress bar follows the usual path; transfers and objections show in the history.
        let path: [ApplicationState] = [.draft, .submitted, .received, .underReview, d.issuesCertificate ? .certificateIssued : .approved]
        let position = path.firstIndex(of: state) ?? (state == .supplementRequested || state == .transferred ? 2 : path.count)
        let steps = path.enumerated().map { StepRow(title: $0.element.title.text(l), done: $0.offset < position, current: $0.offset == position) }
        let facts = d.inputs.compactMap { input -> NamedText? in
            guard let value = v.inputs[input.key], !value.isEmpty else { return nil }
            let shown = input.options.first { $0.value == value }.map { l == .korean ? $0.labelKO : $0.labelEN } ?? value
            return NamedText(label: l == .korean ? input.labelKO : input.labelEN, value: shown)
        }
        let evidence = v.evidence.map { e in
            NamedText(label: d.evidence.first { $0.informationType == e.informationType }.map { l == .korean ? $0.labelKO : $0.labelEN } ?? e.informationType,
                      value: r.text("civil_evidence_checked", l) + " (" + e.providerAgencyCode + (e.consentReference.map { ", " + $0 } ?? "") + ")")
        }
        let agencies = try await platform.identity.agencies(on: platform.db).filter { $0.active && $0.id != v.agencyID }
            .map { OptionModel(value: $0.code, label: "\($0.name(for: l)) (\($0.code))", selected: false) }
        let page = ApplicationPage(
            id: v.id.uuidString.lowercased(), serviceName: l == .korean ? v.service.nameKO : v.service.nameEN, serviceLink: "/services/\(v.service.code)",
            receipt: v.receiptNumber, state: state.title.text(l), stateCode: state.rawValue, agency: l == .korean ? v.agencyNameKO : v.agencyNameEN,
            applicant: v.applicantName, submitted: v.submittedAt.map(display.dateTime), due: v.dueAt.map(display.deadline), overdue: v.overdue,
            clockStopped: v.clockStoppedAt != nil, steps: steps, facts: facts, evidence: evidence, hasEvidence: !evidence.isEmpty,
            events: v.events.map { EventRow(at: display.dateTime($0.at), actor: $0.actor, state: $0.toState.title.text(l), message: $0.message,
                                            hasMessage: !$0.message.isEmpty) },
            decisionReasons: v.decisionReasons, howToObject: v.howToObject, outcome: v.outcome,
            payment: v.payment.map { "\(Money.format($0.amountMinor, currency: $0.currency)) · \($0.reference) · \(r.text("payment_\($0.status.rawValue)", l))" },
            paymentPending: v.payment?.status == .pending,
            documentLink: isApplicant ? v.documentID.map { "/my/documents/\($0.uuidString.lowercased())" } : nil,
            documentNumber: v.documentNumber.map(IssuanceNumber.formatted),
            isApplicant: isApplicant, isDraft: state == .draft && isApplicant, inputs: inputs, uploads: uploads, hasUploads: !uploads.isEmpty,
            uploadAction: "/civil/applications/\(v.id.uuidString.lowercased())/attachments?_csrf=\(context.csrfToken)",
            evidenceNote: d.evidence.map { l == .korean ? $0.labelKO : $0.labelEN }, needsConsent: !d.evidence.isEmpty,
            canAnswer: isApplicant && state == .supplementRequested,
            canWithdraw: isApplicant && [.draft, .submitted, .received, .underReview, .supplementRequested, .transferred].contains(state),
            canObject: isApplicant && state == .rejected,
            isOfficial: isOfficial, canReceive: isOfficial && (state == .submitted || state == .transferred),
            canStartReview: isOfficial && state == .received,
            canRequestSupplement: isOfficial && (state == .received || state == .underReview),
            canTransfer: isOfficial && [.submitted, .received, .underReview].contains(state),
            canDecide: isOfficial && (state == .underReview || (state == .objectionDecided && v.objectionAccepted == true)),
            canDecideObjection: isOfficial && state == .objectionFiled,
            canRefund: isOfficial && v.payment?.status == .paid && [.rejected, .withdrawn, .objectionDecided].contains(state),
            agencies: agencies, errorSummary: ErrorSummaryModel(errors, fieldNames: summaryTargets(d, errors)), errors: ErrorTexts(errorMap))
        return r.render(Page("civil/application", title: "\(page.serviceName) \(page.receipt ?? "")", model: page,
                             status: rawErrors.isEmpty ? .ok : .unprocessableContent), request: request, context: context)
    }
}
