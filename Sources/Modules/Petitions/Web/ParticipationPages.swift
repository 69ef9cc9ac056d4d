import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// A public list: search, order and state, a link to start one, the table.
struct ParticipationListPage: Sendable {
    let heading: String
    let lead: String
    let errorSummary: ErrorSummaryModel?
    let action: String
    let q: String
    let selects: [SelectModel]
    let createLink: String?
    let createLabel: String
    let table: TableModel
    let forms: [FormSection]
}

/// The form that starts a proposal, a petition or a discussion.
struct ParticipationFormPage: Sendable {
    let heading: String
    let lead: String
    let action: String
    let errorSummary: ErrorSummaryModel?
    let selects: [SelectModel]
    let title: FieldModel
    let bodyLabel: String
    let body: String
    let bodyError: String?
    let extra: [FieldModel]
    let submit: String
}

struct Fact: Sendable {
    let label: String
    let value: String
}

struct Progress: Sendable {
    let value: Int
    let max: Int
    let label: String
}

/// A form with a text area (an answer, an edit, a comment), and maybe selects and fields before it.
struct TextForm: Sendable {
    let id: String
    let title: String
    let hint: String?
    let action: String
    let selects: [SelectModel]
    let fields: [FieldModel]
    let hidden: [Fact]
    let textLabel: String
    let textName: String
    let text: String
    let submit: String
}

struct CommentItem: Sendable {
    let id: String
    let author: String
    let official: Bool
    let body: String?
    let hiddenReason: String?
    let when: String
    let depth: Int
    let reports: String?
    let replyLink: String?
    /// The moderators' queue links each comment to its page.
    let viewLink: String?
    let reportAction: String?
    let moderateAction: String?
    let restore: Bool
}

struct CommentsModel: Sendable {
    let items: [CommentItem]
    let reasons: [OptionModel]
    let form: TextForm?
    let signIn: String?
    let replyingTo: String?
    /// Where report and moderation forms come back to.
    let returnTo: String
}

/// A proposal, a petition or a discussion: facts, the text, the answer, the steps, the comments.
struct ParticipationItemPage: Sendable {
    let heading: String
    let error: String?
    let facts: [Fact]
    let progress: Progress?
    let body: String
    let answerTitle: String
    let answer: String?
    let forms: [FormSection]
    let textForms: [TextForm]
    let comments: CommentsModel?
}

/// The pages of proposals, petitions and discussions, and the moderators' queue.
enum ParticipationPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: ParticipationService) {
        let platform = portal.platform

        // MARK: Proposals
        routes.web(.get, "/petitions/proposals") { request, context in
            let r = portal.renderer, l = context.language
            let query = try ParticipationAPI.query(request)
            let rows = try await service.proposals(query, by: context.actor)
            let display = display(portal, l)
            let table = TableModel(id: "proposals", caption: r.text("part_proposals", l),
                                   headers: [r.text("petitions_number", l), r.text("petitions_subject", l), r.text("col_status", l), r.text("part_supports", l),
                                             r.text("petitions_agency", l), r.text("part_created", l)],
                                   rows: rows.map { p in
                                       TableModel.Row([.init(p.number, link: "/petitions/proposals/\(p.id.uuidString.lowercased())"), .init(p.title),
                                                       .init(r.text("part_proposal_\(p.state.rawValue)", l)), .init(String(p.supports)), .init(p.agencyName),
                                                       .init(display.date(p.createdAt))])
                                   }, empty: r.text("part_none_found", l))
            let page = ParticipationListPage(
                heading: r.text("part_proposals", l), lead: r.text("part_proposals_lead", l), errorSummary: nil, action: "/petitions/proposals", q: query.text ?? "",
                selects: listSelects(r, l, query, sorts: [.newest, .popular], states: ProposalState.allCases.map(\.rawValue), statePrefix: "part_proposal_"),
                createLink: context.actor?.accountKind == .citizen ? "/petitions/proposals/new" : (context.actor == nil ? "/login?return=%2Fpetitions%2Fproposals%2Fnew" : nil),
                createLabel: r.text("part_new_proposal", l), table: table, forms: [])
            return r.render(Page("petitions/participation-list", title: r.text("part_proposals", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/petitions/proposals/new") { request, context in
            _ = try context.requireActor()
            return proposalForm(request, context, portal, input: nil, errors: [])
        }
        routes.web(.post, "/petitions/proposals") { request, context in
            let f = context.form
            let input = NewProposal(title: f["title"] ?? "", body: f["body"] ?? "", category: f["category"], agency: nil)
            do {
                let view = try await service.propose(input, by: try context.requireActor(), requestID: context.requestID)
                return .redirect("/petitions/proposals/\(view.id.uuidString.lowercased())?notice=part_created_notice")
            } catch let error as NaraError where error.kind == .unprocessable {
                return proposalForm(request, context, portal, input: input, errors: error.fieldErrors)
            }
        }
        routes.web(.get, "/petitions/proposals/:id") { request, context in
            let id = try ParticipationAPI.id(context, "The proposal")
            return try await proposalPage(request, context, portal, service, try await service.proposal(id: id, by: context.actor), error: nil)
        }
        routes.web(.post, "/petitions/proposals/:id/:step") { request, context in
            let id = try ParticipationAPI.id(context, "The proposal")
            let actor = try context.requireActor()
            let f = context.form
            do {
                switch context.parameters.get("step") ?? "" {
                case "support": _ = try await service.support(id, by: actor, requestID: context.requestID)
                case "edit": _ = try await service.editProposal(id, title: f["title"] ?? "", body: f["body"] ?? "", by: actor, requestID: context.requestID)
                case "answer":
                    guard let state = ProposalState(rawValue: f["state"] ?? "") else {
                        throw NaraError.validation([FieldError(field: "state", code: "unknown", message: portal.renderer.text("part_err_state", context.language))])
                    }
                    _ = try await service.answerProposal(id, state: state, reasons: f["reasons"] ?? "", by: actor, requestID: context.requestID)
                case "comment":
                    _ = try await service.comment(on: .proposal, id, body: f["body"] ?? "", parent: try parentID(f), by: actor,
                                                  requestID: context.requestID)
                    return .redirect("/petitions/proposals/\(id.uuidString.lowercased())?notice=part_commented#comments-title")
                default: throw NaraError.notFound("The step")
                }
                return .redirect("/petitions/proposals/\(id.uuidString.lowercased())?notice=part_updated")
            } catch let error as NaraError where [.unprocessable, .conflict].contains(error.kind) {
                return try await proposalPage(request, context, portal, service, try await service.proposal(id: id, by: context.actor), error: message(error))
            }
        }

        // MARK: Petitions
        routes.web(.get, "/petitions/e-petitions") { request, context in
            let r = portal.renderer, l = context.language
            let query = try ParticipationAPI.query(request)
            let rows = try await service.petitions(query, by: context.actor)
            let display = display(portal, l)
            let table = TableModel(id: "e-petitions", caption: r.text("part_petitions", l),
                                   headers: [r.text("petitions_number", l), r.text("petitions_subject", l), r.text("col_status", l), r.text("part_signatures", l),
                                             r.text("part_closes", l)],
                                   rows: rows.map { p in
                                       TableModel.Row([.init(p.number, link: "/petitions/e-petitions/\(p.id.uuidString.lowercased())"), .init(p.title),
                                                       .init(r.text("part_petition_\(p.state.rawValue)", l)),
                                                       .init("\(p.signatures.formatted()) / \(p.threshold.formatted())"), .init(display.date(p.closesAt))])
                                   }, empty: r.text("part_none_found", l))
            let page = ParticipationListPage(
                heading: r.text("part_petitions", l), lead: r.text("part_petitions_lead", l), errorSummary: nil, action: "/petitions/e-petitions", q: query.text ?? "",
                selects: listSelects(r, l, query, sorts: ListQuery.Sort.allCases, states: PetitionState.allCases.map(\.rawValue), statePrefix: "part_petition_"),
                createLink: context.actor?.accountKind == .citizen ? "/petitions/e-petitions/new" : (context.actor == nil ? "/login?return=%2Fpetitions%2Fe-petitions%2Fnew" : nil),
                createLabel: r.text("part_new_petition", l), table: table, forms: [])
            return r.render(Page("petitions/participation-list", title: r.text("part_petitions", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/petitions/e-petitions/new") { request, context in
            _ = try context.requireActor()
            return try await petitionForm(request, context, portal, service, input: nil, errors: [])
        }
        routes.web(.post, "/petitions/e-petitions") { request, context in
            let f = context.form
            let input = NewPetition(type: f["type"] ?? "", title: f["title"] ?? "", body: f["body"] ?? "", category: f["category"], agency: nil)
            do {
                let view = try await service.publishPetition(input, by: try context.requireActor(), requestID: context.requestID)
                return .redirect("/petitions/e-petitions/\(view.id.uuidString.lowercased())?notice=part_published")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await petitionForm(request, context, portal, service, input: input, errors: error.fieldErrors)
            }
        }
        routes.web(.get, "/petitions/e-petitions/:id") { request, context in
            let id = try ParticipationAPI.id(context, "The petition")
            return try await petitionPage(request, context, portal, try await service.petition(id: id, by: context.actor), error: nil)
        }
        routes.web(.post, "/petitions/e-petitions/:id/:step") { request, context in
            let id = try ParticipationAPI.id(context, "The petition")
            let actor = try context.requireActor()
            do {
                switch context.parameters.get("step") ?? "" {
                case "sign":
                    let receipt = try await service.sign(id, by: actor)
                    return .redirect("/petitions/e-petitions/\(id.uuidString.lowercased())?notice=\(receipt.counted ? "part_signed" : "part_signed_already")")
                case "answer": _ = try await service.answerPetition(id, text: context.form["text"] ?? "", by: actor, requestID: context.requestID)
                default: throw NaraError.notFound("The step")
                }
                return .redirect("/petitions/e-petitions/\(id.uuidString.lowercased())?notice=part_updated")
            } catch let error as NaraError where [.unprocessable, .conflict].contains(error.kind) {
                return try await petitionPage(request, context, portal, try await service.petition(id: id, by: context.actor), error: message(error))
            }
        }

        // MARK: Discussions
        routes.web(.get, "/petitions/debates") { request, context in
            try await debatesPage(request, context, portal, service, errors: [])
        }
        routes.web(.post, "/petitions/debates") { request, context in
            let f = context.form
            let actor = try context.requireActor()
            do {
                let display = display(portal, context.language)
                var closes: Date?
                if let text = f["closesOn"], !text.isEmpty {
                    guard let day = LocalDay(text) else {
                        throw NaraError.validation([FieldError(field: "closesOn", code: "format", message: portal.renderer.text("petitions_err_date", context.language))])
                    }
                    closes = try await platform.calendar.calendar(on: platform.db).endOfDay(day)
                }
                _ = display
                let view = try await service.openDebate(title: f["title"] ?? "", description: f["description"] ?? "", closesAt: closes, by: actor,
                                                        requestID: context.requestID)
                return .redirect("/petitions/debates/\(view.id.uuidString.lowercased())?notice=part_debate_opened")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await debatesPage(request, context, portal, service,
                                             errors: error.fieldErrors.map { e in
                                                 let field = ["body": "description", "closesAt": "closesOn"][e.field] ?? e.field
                                                 return FieldError(field: field, code: e.code, message: e.message)
                                             })
            }
        }
        routes.web(.get, "/petitions/debates/:id") { request, context in
            let id = try ParticipationAPI.id(context, "The discussion")
            return try await debatePage(request, context, portal, service, try await service.debate(id: id), error: nil)
        }
        routes.web(.post, "/petitions/debates/:id/comment") { request, context in
            let id = try ParticipationAPI.id(context, "The discussion")
            let f = context.form
            do {
                _ = try await service.comment(on: .debate, id, body: f["body"] ?? "", parent: try parentID(f),
                                              by: try context.requireActor(), requestID: context.requestID)
                return .redirect("/petitions/debates/\(id.uuidString.lowercased())?notice=part_commented#comments-title")
            } catch let error as NaraError where [.unprocessable, .conflict].contains(error.kind) {
                return try await debatePage(request, context, portal, service, try await service.debate(id: id), error: message(error))
            }
        }

        // MARK: Reports and moderation
        routes.web(.post, "/petitions/comments/:id/:step") { request, context in
            let id = try ParticipationAPI.id(context, "The comment")
            let actor = try context.requireActor()
            let f = context.form
            let back = LocalPath.isSafe(f["return"] ?? "") ? f["return"]! : "/petitions/debates"
            switch context.parameters.get("step") ?? "" {
            case "report":
                try await service.report(id, reason: f["reason"] ?? "", by: actor, requestID: context.requestID)
                return .redirect(withNotice(back, "part_reported"))
            case "hide", "restore":
                _ = try await service.moderate(id, hide: context.parameters.get("step") == "hide", reason: f["reason"] ?? "", by: actor, requestID: context.requestID)
                return .redirect(withNotice(back, "part_moderated"))
            default: throw NaraError.notFound("The step")
            }
        }
        routes.web(.get, "/petitions/moderation") { request, context in
            let actor = try context.requireActor()
            let r = portal.renderer, l = context.language
            let reported = try await service.reported(by: actor)
            let display = display(portal, l)
            let items = reported.map { rc in
                CommentItem(id: rc.comment.id.uuidString.lowercased(), author: rc.comment.author, official: rc.comment.official, body: rc.text,
                            hiddenReason: rc.comment.hiddenReason, when: display.dateTime(rc.comment.createdAt), depth: 0,
                            reports: "\(rc.comment.reports ?? 0) · " + rc.reasons.map { r.text("part_reason_\($0)", l) }.joined(separator: ", "),
                            replyLink: nil, viewLink: "/petitions/\(rc.subjectKind == "proposal" ? "proposals" : "debates")/\(rc.subjectId.uuidString.lowercased())#comment-\(rc.comment.id.uuidString.lowercased())",
                            reportAction: nil, moderateAction: "/petitions/comments/\(rc.comment.id.uuidString.lowercased())/\(rc.comment.hidden ? "restore" : "hide")",
                            restore: rc.comment.hidden)
            }
            let page = ParticipationItemPage(heading: r.text("part_moderation", l), error: nil, facts: [], progress: nil, body: r.text("part_moderation_lead", l),
                                             answerTitle: "", answer: nil, forms: [], textForms: [],
                                             comments: CommentsModel(items: items, reasons: [], form: nil, signIn: nil, replyingTo: nil,
                                                                                     returnTo: "/petitions/moderation"))
            return r.render(Page("petitions/participation-item", title: r.text("part_moderation", l), model: page), request: request, context: context)
        }
    }

    /// The comment replied to; a value that is not a comment's id is refused, never taken for a new thread.
    static func parentID(_ f: FormFields) throws -> UUID? {
        guard let text = f["parentId"], !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw NaraError.validation([FieldError(field: "parentId", code: "format", message: "Reply to a comment of this page.")])
        }
        return id
    }

    /// The page to come back to with a notice (its own query kept, a fragment after it).
    static func withNotice(_ path: String, _ notice: String) -> String {
        let parts = path.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        return base + (base.contains("?") ? "&" : "?") + "notice=" + notice + (parts.count > 1 ? "#" + parts[1] : "")
    }

    static func display(_ portal: Portal, _ l: Language) -> DisplayFormat { DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l) }

    static func message(_ error: NaraError) -> String {
        error.fieldErrors.isEmpty ? error.message : error.fieldErrors.map(\.message).joined(separator: " ")
    }

    static func listSelects(_ r: PageRenderer, _ l: Language, _ query: ListQuery, sorts: [ListQuery.Sort], states: [String], statePrefix: String) -> [SelectModel] {
        [SelectModel(name: "sort", label: r.text("part_sort", l),
                     options: sorts.map { OptionModel(value: $0.rawValue, label: r.text("part_sort_\($0.rawValue)", l), selected: $0 == query.sort) }),
         SelectModel(name: "state", label: r.text("col_status", l),
                     options: [OptionModel(value: "", label: r.text("part_any_state", l), selected: query.state == nil)]
                        + states.map { OptionModel(value: $0, label: r.text(statePrefix + $0, l), selected: $0 == query.state) })]
    }

    static func categorySelect(_ r: PageRenderer, _ l: Language, selected: String?, errors: [FieldError]) -> SelectModel {
        SelectModel(name: "category", label: r.text("petitions_subject", l),
                    options: [OptionModel(value: "", label: r.text("petitions_category_unsure", l), selected: (selected ?? "").isEmpty)]
                        + ComplaintCatalogue.categories.map { OptionModel(value: $0.code, label: l == .korean ? $0.nameKO : $0.nameEN, selected: $0.code == selected) },
                    errors: errors)
    }

    static func proposalForm(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, input: NewProposal?, errors: [FieldError]) -> Response {
        let r = portal.renderer, l = context.language
        let page = ParticipationFormPage(
            heading: r.text("part_new_proposal", l), lead: r.text("part_new_proposal_lead", l), action: "/petitions/proposals", errorSummary: ErrorSummaryModel(errors),
            selects: [categorySelect(r, l, selected: input?.category, errors: errors)],
            title: FieldModel(name: "title", label: r.text("petitions_title_field", l), value: input?.title ?? "", errors: errors),
            bodyLabel: r.text("part_proposal_body", l), body: input?.body ?? "", bodyError: errors.first { $0.field == "body" }?.message, extra: [],
            submit: r.text("part_submit_proposal", l))
        return r.render(Page("petitions/participation-form", title: r.text("part_new_proposal", l), model: page, status: errors.isEmpty ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func petitionForm(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ParticipationService, input: NewPetition?,
                             errors: [FieldError]) async throws -> Response {
        let r = portal.renderer, l = context.language
        let types = try await service.petitionTypes().filter(\.active)
        let typeSelect = SelectModel(name: "type", label: r.text("part_petition_type", l), options: types.map { t in
            OptionModel(value: t.code, label: (l == .korean ? t.nameKO : t.nameEN) + " · " + r.text("part_threshold_line", l)
                .replacingOccurrences(of: "{n}", with: t.threshold.formatted()).replacingOccurrences(of: "{d}", with: String(t.signingDays)),
                        selected: t.code == input?.type)
        }, errors: errors)
        let page = ParticipationFormPage(
            heading: r.text("part_new_petition", l), lead: r.text("part_new_petition_lead", l), action: "/petitions/e-petitions", errorSummary: ErrorSummaryModel(errors),
            selects: [typeSelect, categorySelect(r, l, selected: input?.category, errors: errors)],
            title: FieldModel(name: "title", label: r.text("petitions_title_field", l), value: input?.title ?? "", errors: errors),
            bodyLabel: r.text("part_petition_body", l), body: input?.body ?? "", bodyError: errors.first { $0.field == "body" }?.message, extra: [],
            submit: r.text("part_submit_petition", l))
        return r.render(Page("petitions/participation-form", title: r.text("part_new_petition", l), model: page, status: errors.isEmpty ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func debatesPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ParticipationService,
                            errors: [FieldError]) async throws -> Response {
        let r = portal.renderer, l = context.language
        let display = display(portal, l)
        let rows = try await service.debates()
        var forms: [FormSection] = []
        if let actor = context.actor, let agency = actor.agencyID,
           AccessPolicy.decide(actor, PetitionsModule.participationPermission, on: .agency(agency)).isAllowed {
            let f = context.form
            forms.append(FormSection(id: "open-debate", title: r.text("part_open_debate", l), hint: r.text("part_open_debate_hint", l), action: "/petitions/debates",
                                     fields: [FieldModel(name: "title", label: r.text("part_topic", l), value: errors.isEmpty ? "" : f["title"] ?? "", errors: errors),
                                              FieldModel(name: "description", label: r.text("part_description", l), value: errors.isEmpty ? "" : f["description"] ?? "",
                                                         errors: errors),
                                              FieldModel(name: "closesOn", label: r.text("part_closes_on", l), type: "date", errors: errors, required: false)],
                                     submit: r.text("part_open_debate", l)))
        }
        let table = TableModel(id: "debates", caption: r.text("part_debates", l),
                               headers: [r.text("part_topic", l), r.text("petitions_agency", l), r.text("part_comments", l), r.text("part_closes", l)],
                               rows: rows.map { d in
                                   TableModel.Row([.init(d.title, link: "/petitions/debates/\(d.id.uuidString.lowercased())"), .init(d.agencyName),
                                                   .init(String(d.comments)),
                                                   .init(d.open ? d.closesAt.map(display.date) ?? r.text("part_no_end", l) : r.text("part_closed", l))])
                               }, empty: r.text("part_none_found", l))
        let page = ParticipationListPage(heading: r.text("part_debates", l), lead: r.text("part_debates_lead", l), errorSummary: ErrorSummaryModel(errors), action: "", q: "", selects: [],
                                         createLink: nil, createLabel: "", table: table, forms: forms)
        return r.render(Page("petitions/participation-list", title: r.text("part_debates", l), model: page, status: errors.isEmpty ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func proposalPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ParticipationService, _ p: ProposalView,
                             error: String?) async throws -> Response {
        let r = portal.renderer, l = context.language
        let display = display(portal, l)
        let base = "/petitions/proposals/\(p.id.uuidString.lowercased())/"
        var forms: [FormSection] = []
        var textForms: [TextForm] = []
        let actor = context.actor
        if actor?.accountKind == .citizen, !p.mine, p.supportedByYou == false, ProposalRules.supportRefusal(p.state) == nil {
            forms.append(FormSection(id: "support", title: r.text("part_support", l), hint: r.text("part_support_hint", l), action: base + "support", fields: [],
                                     submit: r.text("part_support", l)))
        }
        if p.mine, p.state == .open {
            textForms.append(TextForm(id: "edit", title: r.text("part_edit", l), hint: r.text("part_edit_hint", l), action: base + "edit", selects: [],
                                      fields: [FieldModel(name: "title", label: r.text("petitions_title_field", l), value: p.title, idPrefix: "edit-")], hidden: [],
                                      textLabel: r.text("part_proposal_body", l), textName: "body", text: p.body, submit: r.text("part_save", l)))
        }
        if let actor, let agency = try await platform(portal).identity.agency(code: p.agencyCode, on: portal.platform.db),
           AccessPolicy.decide(actor, PetitionsModule.participationPermission, on: .agency(agency.id)).isAllowed, !p.state.isFinal {
            let states = ProposalState.allCases.filter { $0 != .open && !(p.state == .underEvaluation && $0 == .underEvaluation) }
            textForms.append(TextForm(id: "answer-form", title: r.text("part_answer_proposal", l), hint: nil, action: base + "answer",
                                      selects: [SelectModel(name: "state", label: r.text("part_decision", l),
                                                            options: states.map { OptionModel(value: $0.rawValue, label: r.text("part_proposal_\($0.rawValue)", l), selected: false) },
                                                            idPrefix: "answer-")],
                                      fields: [], hidden: [], textLabel: r.text("part_reasons", l), textName: "reasons", text: "", submit: r.text("part_send_answer", l)))
        }
        var facts = [Fact(label: r.text("col_status", l), value: r.text("part_proposal_\(p.state.rawValue)", l)),
                     Fact(label: r.text("part_supports", l), value: p.supports.formatted()),
                     Fact(label: r.text("petitions_agency", l), value: p.agencyName),
                     Fact(label: r.text("part_author", l), value: p.author),
                     Fact(label: r.text("part_created", l), value: display.dateTime(p.createdAt))]
        if let edited = p.editedAt { facts.append(Fact(label: r.text("part_edited", l), value: display.dateTime(edited))) }
        if p.supportedByYou == true { facts.append(Fact(label: r.text("part_you", l), value: r.text("part_you_support", l))) }
        let comments = try await commentsModel(request, context, portal, service, on: .proposal, p.id, page: "/petitions/proposals/\(p.id.uuidString.lowercased())",
                                               action: base + "comment")
        let page = ParticipationItemPage(heading: "\(p.number): \(p.title)", error: error, facts: facts, progress: nil, body: p.body,
                                         answerTitle: r.text("part_agency_answer", l), answer: p.answer, forms: forms, textForms: textForms, comments: comments)
        return r.render(Page("petitions/participation-item", title: "\(p.number) \(p.title)", model: page, status: error == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func platform(_ portal: Portal) -> Platform { portal.platform }

    static func petitionPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ p: PetitionView, error: String?) async throws -> Response {
        let r = portal.renderer, l = context.language
        let display = display(portal, l)
        let base = "/petitions/e-petitions/\(p.id.uuidString.lowercased())/"
        var forms: [FormSection] = []
        var textForms: [TextForm] = []
        if p.signingOpen, p.signedByYou != true, context.actor?.accountKind == .citizen {
            forms.append(FormSection(id: "sign", title: r.text("part_sign", l), hint: r.text("part_sign_hint", l), action: base + "sign", fields: [],
                                     submit: r.text("part_sign", l)))
        }
        if let actor = context.actor, p.state == .awaitingAnswer,
           let agency = try await portal.platform.identity.agency(code: p.agencyCode, on: portal.platform.db),
           AccessPolicy.decide(actor, PetitionsModule.participationPermission, on: .agency(agency.id)).isAllowed {
            textForms.append(TextForm(id: "answer-form", title: r.text("part_answer_petition", l), hint: nil, action: base + "answer", selects: [], fields: [], hidden: [],
                                      textLabel: r.text("part_official_answer", l), textName: "text", text: "", submit: r.text("part_send_answer", l)))
        }
        var facts = [Fact(label: r.text("col_status", l), value: r.text("part_petition_\(p.state.rawValue)", l) + (p.answerOverdue ? " · " + r.text("petitions_overdue", l) : "")),
                     Fact(label: r.text("part_petition_type", l), value: p.typeName),
                     Fact(label: r.text("petitions_agency", l), value: p.agencyName),
                     Fact(label: r.text("part_author", l), value: p.author),
                     Fact(label: r.text("part_window", l), value: display.dateTime(p.openedAt) + " – " + display.dateTime(p.closesAt))]
        if let due = p.answerDueAt { facts.append(Fact(label: r.text("part_answer_due", l), value: display.dateTime(due))) }
        if p.signedByYou == true { facts.append(Fact(label: r.text("part_you", l), value: r.text("part_you_signed", l))) }
        let progress = Progress(value: min(p.signatures, p.threshold), max: p.threshold,
                                label: r.text("part_progress", l).replacingOccurrences(of: "{n}", with: p.signatures.formatted())
                                    .replacingOccurrences(of: "{t}", with: p.threshold.formatted()))
        let page = ParticipationItemPage(heading: "\(p.number): \(p.title)", error: error, facts: facts, progress: progress, body: p.body,
                                         answerTitle: r.text("part_official_answer", l), answer: p.answer, forms: forms, textForms: textForms, comments: nil)
        return r.render(Page("petitions/participation-item", title: "\(p.number) \(p.title)", model: page, status: error == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func debatePage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ParticipationService, _ d: DebateView,
                           error: String?) async throws -> Response {
        let r = portal.renderer, l = context.language
        let display = display(portal, l)
        let path = "/petitions/debates/\(d.id.uuidString.lowercased())"
        let facts = [Fact(label: r.text("petitions_agency", l), value: d.agencyName), Fact(label: r.text("part_opened", l), value: display.dateTime(d.openedAt)),
                     Fact(label: r.text("part_closes", l), value: d.open ? d.closesAt.map(display.dateTime) ?? r.text("part_no_end", l) : r.text("part_closed", l))]
        let comments = try await commentsModel(request, context, portal, service, on: .debate, d.id, page: path, action: d.open ? path + "/comment" : nil)
        let page = ParticipationItemPage(heading: d.title, error: error, facts: facts, progress: nil, body: d.description, answerTitle: "", answer: nil, forms: [],
                                         textForms: [], comments: comments)
        return r.render(Page("petitions/participation-item", title: d.title, model: page, status: error == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func commentsModel(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ParticipationService,
                              on subject: ParticipationService.Subject, _ id: UUID, page: String, action: String?) async throws -> CommentsModel {
        let r = portal.renderer, l = context.language
        let display = display(portal, l)
        let comments = try await service.comments(on: subject, id, by: context.actor)
        let moderator = context.actor.map { AccessPolicy.decide($0, PetitionsModule.moderatePermission, on: .platform).isAllowed } ?? false
        let replyID = request.uri.queryParameters.get("reply").flatMap { UUID(uuidString: String($0)) }
        let replyingTo = comments.first { $0.id == replyID }
        let items = comments.map { c in
            let cid = c.id.uuidString.lowercased()
            return CommentItem(id: cid, author: c.author, official: c.official, body: c.body, hiddenReason: c.hidden ? c.hiddenReason ?? "" : nil,
                               when: display.dateTime(c.createdAt), depth: min(c.depth, DiscussionRules.maxDepth), reports: c.reports.map { String($0) },
                               replyLink: action != nil && context.actor != nil && !c.hidden ? "\(page)?reply=\(cid)#comment-form-title" : nil, viewLink: nil,
                               reportAction: context.actor != nil && !c.mine && !c.hidden ? "/petitions/comments/\(cid)/report" : nil,
                               moderateAction: moderator ? "/petitions/comments/\(cid)/\(c.hidden ? "restore" : "hide")" : nil, restore: c.hidden)
        }
        var form: TextForm?
        if let action, context.actor != nil {
            form = TextForm(id: "comment-form", title: r.text(replyingTo == nil ? "part_add_comment" : "part_reply", l), hint: nil, action: action, selects: [],
                            fields: [], hidden: replyingTo.map { [Fact(label: "parentId", value: $0.id.uuidString.lowercased())] } ?? [],
                            textLabel: r.text("part_comment", l), textName: "body", text: "", submit: r.text("part_post_comment", l))
        }
        return CommentsModel(items: items, reasons: ReportReason.allCases.map { OptionModel(value: $0.rawValue, label: r.text("part_reason_\($0.rawValue)", l), selected: false) },
                             form: form, signIn: context.actor == nil && action != nil ? "/login?return=" + (page.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F") : nil,
                             replyingTo: replyingTo?.author, returnTo: page)
    }
}
