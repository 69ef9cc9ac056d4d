import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct ExchangeHubPage: Sendable {
    let agencyName: String
    let catalogue: TableModel
    let grants: TableModel
    let log: TableModel
    let forms: [FormSection]
    let errorSummary: ErrorSummaryModel?
}

struct LookupsPage: Sendable {
    let lookups: TableModel
    let consents: TableModel
    let forms: [FormSection]
    let errorSummary: ErrorSummaryModel?
    let hasLookups: Bool
}

/// The agency workspace of the exchange (`/exchange`) and the citizen's "who looked at my data"
/// with consents (`/my/lookups`).
enum ExchangePages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: ExchangeService) {
        let platform = portal.platform

        routes.web(.get, "/exchange") { request, context in
            try await hub(failed: nil, request, context, portal, service)
        }
        routes.web(.post, "/exchange/grants") { request, context in
            let agencyID = try ExchangeAPI.steward(context, permission: ExchangeModule.grantPermission)
            let form = context.form
            do {
                let systemID = form["consumerSystemId"].flatMap { $0.isEmpty ? nil : UUID(uuidString: $0) }
                _ = try await service.grant(NewGrant(informationType: form["informationType"] ?? "", consumerAgency: form["consumerAgency"] ?? "",
                                                     consumerSystemId: systemID, legalBasis: form["legalBasis"] ?? "", validFrom: form["validFrom"] ?? "",
                                                     validUntil: form["validUntil"] ?? ""),
                                            providerAgencyID: agencyID, by: context.auditActor)
                return .redirect("/exchange?notice=exchange_granted#grants")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await hub(failed: ("grant", form, error.fieldErrors), request, context, portal, service)
            }
        }
        routes.web(.post, "/exchange/revoke") { request, context in
            let agencyID = try ExchangeAPI.steward(context, permission: ExchangeModule.grantPermission)
            let form = context.form
            do {
                guard let id = form["grant"].flatMap(UUID.init(uuidString:)) else {
                    throw NaraError.validation([FieldError(field: "grant", code: "required", message: "Choose the grant to revoke.")])
                }
                _ = try await service.revokeGrant(id: id, reason: form["reason"] ?? "", providerAgencyID: agencyID, by: context.auditActor)
                return .redirect("/exchange?notice=exchange_revoked#grants")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await hub(failed: ("revoke", form, error.fieldErrors), request, context, portal, service)
            }
        }

        routes.web(.get, "/my/lookups") { request, context in
            try await lookups(failed: nil, request, context, portal, service)
        }
        routes.web(.get, "/my/lookups.csv") { _, context in
            let accountID = try ExchangeAPI.citizen(context)
            let entries = try await service.lookups(subjectRefs: try await platform.identity.subjectRefs(accountID: accountID, on: platform.db),
                                                    language: context.language)
            return download(csv(entries), type: "text/csv; charset=utf-8", name: "nara-lookups.csv")
        }
        routes.web(.get, "/my/lookups.json") { _, context in
            let accountID = try ExchangeAPI.citizen(context)
            let entries = try await service.lookups(subjectRefs: try await platform.identity.subjectRefs(accountID: accountID, on: platform.db),
                                                    language: context.language)
            return download(String(decoding: try CanonicalJSON.encode(entries), as: UTF8.self), type: "application/json", name: "nara-lookups.json")
        }
        routes.web(.post, "/my/consents") { request, context in
            let accountID = try ExchangeAPI.citizen(context)
            let form = context.form
            do {
                _ = try await service.giveConsent(accountID: accountID, consumerAgency: form["consumerAgency"] ?? "", informationType: form["informationType"] ?? "",
                                                  purpose: form["purpose"] ?? "", validUntil: form["validUntil"] ?? "", by: context.auditActor)
                return .redirect("/my/lookups?notice=exchange_consent_given#consents")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await lookups(failed: ("consent", form, error.fieldErrors), request, context, portal, service)
            }
        }
        routes.web(.post, "/my/consents/withdraw") { request, context in
            let accountID = try ExchangeAPI.citizen(context)
            let form = context.form
            guard let id = form["consent"].flatMap(UUID.init(uuidString:)) else {
                return try await lookups(failed: ("withdraw", form, [FieldError(field: "consent", code: "required", message: "Choose the consent to withdraw.")]),
                                         request, context, portal, service)
            }
            _ = try await service.withdrawConsent(id: id, accountID: accountID, by: context.auditActor)
            return .redirect("/my/lookups?notice=exchange_consent_withdrawn#consents")
        }
    }

    static func download(_ text: String, type: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// RFC 4180 CSV with a header line; CRLF line ends.
    static func csv(_ entries: [LookupEntry]) -> String {
        func field(_ value: String) -> String {
            // A leading =, +, - or @ would run as a formula in a spreadsheet.
            let safe = ["=", "+", "-", "@"].contains(where: value.hasPrefix) ? "'" + value : value
            return safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
        }
        var lines = ["time,agency_code,agency,requester,information_type,information,purpose,legal_basis,message_id"]
        for e in entries {
            lines.append([Timestamp.iso8601Millis(e.at), e.consumerAgency, e.consumerAgencyName, e.requester, e.informationType, e.informationTypeTitle,
                          e.purpose, e.legalBasis, e.messageId].map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    typealias Failure = (action: String, form: FormFields, errors: [FieldError])

    static func hub(failed: Failure?, _ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ExchangeService) async throws -> Response {
        let actor = try context.requireActor()
        guard let agencyID = actor.agencyID else { throw NaraError.forbidden("The exchange workspace is for agencies.") }
        let exchangePermissions: [Permission] = [ExchangeModule.logPermission, ExchangeModule.grantPermission, ExchangeModule.requestPermission]
        guard exchangePermissions.contains(where: { AccessPolicy.decide(actor, $0, on: .agency(agencyID)).isAllowed }) else {
            throw NaraError.forbidden("Your role does not include the exchange.")
        }
        let r = portal.renderer
        let l = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        guard let agency = try await service.agency(id: agencyID.uuidString) else { throw NaraError.forbidden() }
        let catalogue = service.catalogue()
        let catalogueTable = TableModel(
            id: "catalogue", caption: r.text("exchange_catalogue", l),
            headers: ["exchange_col_type", "exchange_col_provider", "exchange_col_subject", "exchange_col_bases"].map { r.text($0, l) },
            rows: catalogue.map { type in
                TableModel.Row([.init("\(type.title.text(l)) (\(type.code))"), .init(type.providerAgencyCode),
                                .init(r.text("exchange_subject_\(type.subjectKind.rawValue)", l)),
                                .init(type.legalBases.map { $0.code + ($0.requiresConsent ? " *" : "") }.joined(separator: ", "))])
            }, empty: r.text("exchange_none", l))
        let grants = try await service.grants(agencyID: agencyID)
        let grantsTable = TableModel(
            id: "grants", caption: r.text("exchange_grants", l),
            headers: ["exchange_col_type", "exchange_col_provider", "exchange_col_consumer", "exchange_col_basis", "exchange_col_valid", "exchange_col_status"]
                .map { r.text($0, l) },
            rows: grants.map { g in
                TableModel.Row([.init(g.informationType), .init(g.providerAgency), .init(g.consumerAgency + (g.consumerSystemID == nil ? "" : " · system")),
                                .init(g.legalBasis), .init("\(g.validFrom) – \(g.validUntil)"),
                                .init(r.text("exchange_status_\(g.status)", l) + (g.revokeReason.map { " — \($0)" } ?? ""))])
            }, empty: r.text("exchange_none", l))
        var agencyNames: [String: String] = [:]
        let log = try await service.agencyLog(agencyID: agencyID)
        for line in log where agencyNames[line.consumerAgencyID] == nil {
            agencyNames[line.consumerAgencyID] = try await service.agency(id: line.consumerAgencyID)?.code ?? "?"
        }
        let logTable = TableModel(
            id: "log", caption: r.text("exchange_log", l),
            headers: ["exchange_col_seq", "exchange_col_time", "exchange_col_consumer", "exchange_col_requester", "exchange_col_type", "exchange_col_subject",
                      "exchange_col_purpose", "exchange_col_outcome"].map { r.text($0, l) },
            rows: log.map { e in
                TableModel.Row([.init(String(e.seq)), .init(display.dateTime(e.at)), .init(agencyNames[e.consumerAgencyID] ?? "?"), .init(e.requesterName),
                                .init(e.informationType ?? "—"), .init(e.subjectMasked ?? "—"), .init(e.purpose ?? "—"), .init(e.outcome)])
            }, empty: r.text("exchange_none", l))

        var forms: [FormSection] = []
        let errors = failed.map { r.localized($0.errors, l) } ?? []
        func value(_ action: String, _ name: String, _ fallback: String = "") -> String { failed?.action == action ? (failed!.form[name] ?? "") : fallback }
        func errs(_ action: String) -> [FieldError] { failed?.action == action ? errors : [] }
        if AccessPolicy.decide(actor, ExchangeModule.grantPermission, on: .agency(agencyID)).isAllowed {
            let own = catalogue.filter { $0.providerAgencyCode == agency.code }
            if !own.isEmpty {
                let agencies = try await portal.platform.identity.agencies(on: portal.platform.db).filter { $0.id != agencyID && $0.active }
                let today = service.today
                forms.append(FormSection(
                    id: "grant", title: r.text("exchange_form_grant", l), hint: r.text("exchange_form_grant_hint", l), action: "/exchange/grants",
                    fields: [FieldModel(name: "validFrom", label: r.text("exchange_f_valid_from", l), type: "date", value: value("grant", "validFrom", today.description),
                                        errors: errs("grant"), required: true, idPrefix: "grant-"),
                             FieldModel(name: "validUntil", label: r.text("exchange_f_valid_until", l), type: "date",
                                        value: value("grant", "validUntil", today.adding(days: 365).description), errors: errs("grant"), required: true, idPrefix: "grant-")],
                    selects: [
                        SelectModel(name: "informationType", label: r.text("exchange_col_type", l),
                                    options: own.map { OptionModel(value: $0.code, label: "\($0.title.text(l)) (\($0.code))", selected: value("grant", "informationType") == $0.code) },
                                    errors: errs("grant"), idPrefix: "grant-"),
                        SelectModel(name: "consumerAgency", label: r.text("exchange_col_consumer", l),
                                    options: agencies.map { OptionModel(value: $0.code, label: "\($0.name(for: l)) (\($0.code))", selected: value("grant", "consumerAgency") == $0.code) },
                                    errors: errs("grant"), idPrefix: "grant-"),
                        SelectModel(name: "legalBasis", label: r.text("exchange_col_basis", l),
                                    options: uniqueBases(own).map { OptionModel(value: $0.code, label: $0.title.text(l), selected: value("grant", "legalBasis") == $0.code) },
                                    errors: errs("grant"), idPrefix: "grant-"),
                    ],
                    submit: r.text("exchange_grant", l)))
            }
            let revocable = grants.filter { $0.providerAgency == agency.code && $0.status != "revoked" }
            if !revocable.isEmpty {
                forms.append(FormSection(
                    id: "revoke", title: r.text("exchange_form_revoke", l), hint: r.text("exchange_form_revoke_hint", l), action: "/exchange/revoke",
                    fields: [FieldModel(name: "reason", label: r.text("exchange_f_reason", l), value: value("revoke", "reason"), errors: errs("revoke"), required: true,
                                        idPrefix: "revoke-")],
                    selects: [SelectModel(name: "grant", label: r.text("exchange_grants", l),
                                          options: revocable.map { OptionModel(value: $0.id.uuidString, label: "\($0.informationType) → \($0.consumerAgency) (\($0.legalBasis), \($0.validUntil))",
                                                                               selected: value("revoke", "grant") == $0.id.uuidString) },
                                          errors: errs("revoke"), idPrefix: "revoke-")],
                    submit: r.text("exchange_revoke", l), danger: true))
            }
        }
        let page = ExchangeHubPage(agencyName: agency.name(for: l), catalogue: catalogueTable, grants: grantsTable, log: logTable, forms: forms,
                                   errorSummary: ErrorSummaryModel(errors, idPrefix: failed.map { $0.action + "-" } ?? ""))
        return r.render(Page("exchange/hub", title: r.text("exchange_title", l), model: page, status: failed == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }

    static func uniqueBases(_ types: [InformationType]) -> [LegalBasis] {
        var seen = Set<String>()
        return types.flatMap(\.legalBases).filter { seen.insert($0.code).inserted }
    }

    static func lookups(failed: Failure?, _ request: Request, _ context: NaraRequestContext, _ portal: Portal, _ service: ExchangeService) async throws -> Response {
        let accountID = try ExchangeAPI.citizen(context)
        let platform = portal.platform
        let r = portal.renderer
        let l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let entries = try await service.lookups(subjectRefs: try await platform.identity.subjectRefs(accountID: accountID, on: platform.db), language: l)
        let lookupTable = TableModel(
            id: "lookups", caption: r.text("exchange_lookups", l),
            headers: ["exchange_col_time", "exchange_col_consumer", "exchange_col_requester", "exchange_col_type", "exchange_col_purpose", "exchange_col_basis"]
                .map { r.text($0, l) },
            rows: entries.map { e in
                TableModel.Row([.init(display.dateTime(e.at)), .init(e.consumerAgencyName), .init(e.requester), .init(e.informationTypeTitle), .init(e.purpose),
                                .init(e.legalBasisTitle)])
            }, empty: r.text("exchange_no_lookups", l))
        let consents = try await service.consents(accountID: accountID)
        var agencyNames: [String: String] = [:]
        for c in consents { agencyNames[c.consumerAgency] = try await service.agency(code: c.consumerAgency)?.name(for: l) ?? c.consumerAgencyName }
        let consentTable = TableModel(
            id: "consents", caption: r.text("exchange_consents", l),
            headers: ["exchange_col_reference", "exchange_col_consumer", "exchange_col_type", "exchange_col_purpose", "exchange_f_valid_until", "exchange_col_status"]
                .map { r.text($0, l) },
            rows: consents.map { c in
                TableModel.Row([.init(c.reference), .init(agencyNames[c.consumerAgency] ?? c.consumerAgency),
                                .init(service.informationType(c.informationType)?.title.text(l) ?? c.informationType), .init(c.purpose), .init(c.validUntil),
                                .init(r.text("exchange_status_\(c.status)", l))])
            }, empty: r.text("exchange_no_consents", l))
        let errors = failed.map { r.localized($0.errors, l) } ?? []
        func value(_ action: String, _ name: String, _ fallback: String = "") -> String { failed?.action == action ? (failed!.form[name] ?? "") : fallback }
        func errs(_ action: String) -> [FieldError] { failed?.action == action ? errors : [] }
        var forms: [FormSection] = []
        // Only what this account can be the subject of: a person's records, a represented business's.
        let account = try await platform.identity.account(id: accountID, on: platform.db)
        let kinds: Set<ExchangeSubjectKind> = Set([account?.nationalIDMasked != nil ? .person : nil, account?.businessNumber != nil ? .business : nil].compactMap { $0 })
        let consentable = service.catalogue().filter { $0.legalBases.contains(where: \.requiresConsent) && kinds.contains($0.subjectKind) }
        let agencies = try await platform.identity.agencies(on: platform.db).filter(\.active)
        forms.append(FormSection(
            id: "consent", title: r.text("exchange_form_consent", l), hint: r.text("exchange_form_consent_hint", l), action: "/my/consents",
            fields: [FieldModel(name: "purpose", label: r.text("exchange_col_purpose", l), value: value("consent", "purpose"), errors: errs("consent"), required: true,
                                idPrefix: "consent-"),
                     FieldModel(name: "validUntil", label: r.text("exchange_f_valid_until", l), type: "date",
                                value: value("consent", "validUntil", service.today.adding(days: 90).description), errors: errs("consent"), required: true,
                                idPrefix: "consent-")],
            selects: [SelectModel(name: "consumerAgency", label: r.text("exchange_col_consumer", l),
                                  options: agencies.map { OptionModel(value: $0.code, label: $0.name(for: l), selected: value("consent", "consumerAgency") == $0.code) },
                                  errors: errs("consent"), idPrefix: "consent-"),
                      SelectModel(name: "informationType", label: r.text("exchange_col_type", l),
                                  options: consentable.map { OptionModel(value: $0.code, label: $0.title.text(l), selected: value("consent", "informationType") == $0.code) },
                                  errors: errs("consent"), idPrefix: "consent-")],
            submit: r.text("exchange_give_consent", l)))
        let active = consents.filter { $0.status == "active" }
        if !active.isEmpty {
            forms.append(FormSection(
                id: "withdraw", title: r.text("exchange_form_withdraw", l), hint: r.text("exchange_form_withdraw_hint", l), action: "/my/consents/withdraw",
                fields: [],
                selects: [SelectModel(name: "consent", label: r.text("exchange_consents", l),
                                      options: active.map { OptionModel(value: $0.id.uuidString, label: "\($0.reference) · \(agencyNames[$0.consumerAgency] ?? $0.consumerAgency) · \($0.purpose)",
                                                                        selected: false) },
                                      errors: errs("withdraw"), idPrefix: "withdraw-")],
                submit: r.text("exchange_withdraw", l), danger: true))
        }
        let page = LookupsPage(lookups: lookupTable, consents: consentTable, forms: forms,
                               errorSummary: ErrorSummaryModel(errors, idPrefix: failed.map { $0.action + "-" } ?? ""), hasLookups: !entries.isEmpty)
        return r.render(Page("exchange/lookups", title: r.text("exchange_lookups_title", l), model: page, status: failed == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }
}
