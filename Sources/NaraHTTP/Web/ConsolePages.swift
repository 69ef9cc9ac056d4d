import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

struct OutboxRow: Sendable {
    let channel: String, recipient: String, subject: String, status: String, attempts: Int, lastError: String?
}

struct ConsoleOverviewPage: Sendable {
    let onOverview = true
    let facts: [FactModel]
    let outbox: [OutboxRow]
    let hasOutbox: Bool
}

struct AgencyRow: Sendable {
    let code: String, name: String, kind: String, parent: String
}

struct ConsoleAgenciesPage: Sendable {
    let onAgencies = true
    let agencies: [AgencyRow]
    let fields: [FieldModel]
    let kinds: [OptionModel]
    let parents: [OptionModel]
    let parentError: String?
    let errorSummary: ErrorSummaryModel?
}

struct AccountRow: Sendable {
    let id: String, username: String, name: String, kind: String, agency: String, roles: String, status: String, statusLabel: String
    let toggleTo: String, toggleLabel: String
    let secondFactor: Bool
}

struct SystemRow: Sendable {
    let id: String, name: String, agency: String, clientID: String, permissions: String, status: String, statusLabel: String, active: Bool
}

struct CreatedSystemModel: Sendable {
    let name: String, clientID: String, secret: String
}

struct ConsoleSystemsPage: Sendable {
    let onSystems = true
    let systems: [SystemRow]
    let hasSystems: Bool
    let created: CreatedSystemModel?
    let name: FieldModel
    let agencies: [OptionModel]
    let permissions: [OptionModel]
    let errorSummary: ErrorSummaryModel?
}

struct CreatedAccountModel: Sendable {
    let username: String
    let totpSecret: String?
    let totpURI: String?
}

struct ConsoleAccountsPage: Sendable {
    let onAccounts = true
    let accounts: [AccountRow]
    let created: CreatedAccountModel?
    let kinds: [OptionModel]
    let fields: [FieldModel]
    let agencies: [OptionModel]
    let roles: [OptionModel]
    let errorSummary: ErrorSummaryModel?
}

struct ConsoleHolidayRow: Sendable {
    let id: String, date: String, name: String, kind: String
}

struct OutageRow: Sendable {
    let start: String, end: String, reason: String
}

struct ConsoleCalendarPage: Sendable {
    let onCalendar = true
    let holidays: [ConsoleHolidayRow]
    let holidayFields: [FieldModel]
    let outages: [OutageRow]
    let hasOutages: Bool
    let outageFields: [FieldModel]
    let errorSummary: ErrorSummaryModel?
}

struct AuditRow: Sendable {
    let seq: Int64, time: String, actor: String, action: String, object: String
}

struct VerificationModel: Sendable {
    let intact: Bool
    let headline: String
    let detail: String
}

struct ConsoleAuditPage: Sendable {
    let onAudit = true
    let verification: VerificationModel?
    let entries: [AuditRow]
}

/// The agency registry as the console's tables and menus need it.
struct AgencyDirectory {
    let all: [AgencySummary]
    let byID: [UUID: AgencySummary]
    let language: Language

    init(_ portal: Portal, language: Language) async throws {
        all = try await portal.platform.identity.agencies(on: portal.platform.db)
        byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
        self.language = language
    }

    func name(_ id: UUID?) -> String { id.flatMap { byID[$0]?.name(for: language) } ?? "—" }

    func options(selected code: String?, where include: (AgencySummary) -> Bool = { _ in true }) -> [OptionModel] {
        all.filter(include).map { OptionModel(value: $0.code, label: "\($0.code) \($0.name(for: language))", selected: code == $0.code) }
    }
}

/// The operator console: agencies, accounts, holidays and outage windows, the audit chain.
enum ConsolePages {
    static func register(_ routes: RouteRegistry, portal: Portal) {
        routes.web(.get, "/console") { request, context in try await overview(request, context, portal) }
        routes.web(.get, "/console/agencies") { request, context in
            _ = try requireOperator(context, .adminAgencies)
            return try await agenciesPage(request, context, portal, form: FormFields(), errors: [], status: .ok)
        }
        routes.web(.post, "/console/agencies") { request, context in
            let actor = try requireOperator(context, .adminAgencies)
            let form = context.form
            guard let kind = AgencyKind(rawValue: form["kind"] ?? "") else {
                return try await agenciesPage(request, context, portal, form: form,
                                              errors: [FieldError(field: "kind", code: "required", message: "Choose the kind of agency.")], status: .unprocessableContent)
            }
            do {
                _ = try await portal.platform.identity.createAgency(
                    NewAgency(code: form["code"] ?? "", nameEN: form["nameEn"] ?? "", nameKO: form["nameKo"] ?? "", kind: kind, parentCode: form["parentCode"]),
                    by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await agenciesPage(request, context, portal, form: form, errors: error.fieldErrors, status: .unprocessableContent)
            }
            return .redirect("/console/agencies?notice=agency_created")
        }
        routes.web(.get, "/console/accounts") { request, context in
            let actor = try requireOperator(context, .adminAccounts)
            // The list shows people's names and e-mail addresses: the viewing is on the record.
            try await portal.platform.audit.append(AuditRecord(action: "account.list", objectType: "account", purpose: "operator console"),
                                                   by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
            return try await accountsPage(request, context, portal, form: FormFields(), errors: [], created: nil, status: .ok)
        }
        routes.web(.post, "/console/accounts") { request, context in
            let actor = try requireOperator(context, .adminAccounts)
            let form = context.form
            guard let kind = AccountKind(rawValue: form["kind"] ?? "") else {
                return try await accountsPage(request, context, portal, form: form, errors: [FieldError(field: "kind", code: "required", message: "Choose a kind of account.")],
                                              created: nil, status: .unprocessableContent)
            }
            let input = NewAccount(username: form["username"] ?? "", password: form["password"] ?? "", displayName: form["displayName"] ?? "", kind: kind,
                                   agencyCode: form["agencyCode"], nationalID: form["nationalId"], businessNumber: form["businessNumber"],
                                   businessName: form["businessName"], email: form["email"], phone: nil, extraRoles: form.all("roles"))
            do {
                let created = try await portal.platform.identity.createAccount(input, by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
                let model = CreatedAccountModel(username: created.account.username, totpSecret: created.totpSecret.map(Base32.encode), totpURI: created.totpURI)
                return try await accountsPage(request, context, portal, form: FormFields(), errors: [], created: model, status: .created)
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await accountsPage(request, context, portal, form: form, errors: error.fieldErrors, created: nil, status: .unprocessableContent)
            }
        }
        routes.web(.post, "/console/accounts/:id/status") { request, context in
            let actor = try requireOperator(context, .adminAccounts)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The account") }
            guard let status = AccountStatus(rawValue: context.form["status"] ?? "") else {
                throw NaraError.validation([FieldError(field: "status", code: "unknown", message: "Status must be active or disabled.")])
            }
            if id == actor.accountID && status == .disabled {
                throw NaraError.conflict("You cannot disable your own account.")
            }
            try await portal.platform.identity.setStatus(accountID: id, status: status, by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
            return .redirect("/console/accounts?notice=account_\(status.rawValue)")
        }
        routes.web(.post, "/console/accounts/:id/second-factor") { request, context in
            let actor = try requireOperator(context, .adminAccounts)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let account = try await portal.platform.identity.account(id: id, on: portal.platform.db) else { throw NaraError.notFound("The account") }
            let (secret, uri) = try await portal.platform.identity.resetSecondFactor(accountID: id, by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
            return try await accountsPage(request, context, portal, form: FormFields(), errors: [],
                                          created: CreatedAccountModel(username: account.username, totpSecret: Base32.encode(secret), totpURI: uri), status: .ok)
        }
        routes.web(.get, "/console/systems") { request, context in
            _ = try requireOperator(context, .adminAccounts)
            return try await systemsPage(request, context, portal, form: FormFields(), errors: [], created: nil, status: .ok)
        }
        routes.web(.post, "/console/systems") { request, context in
            let actor = try requireOperator(context, .adminAccounts)
            let form = context.form
            var validator = Validator()
            validator.require(form["name"], "name", maxLength: 120)
            if form.all("permissions").isEmpty { validator.add("permissions", "required", "Choose at least one permission.") }
            do {
                try validator.check()
                let credentials = try await portal.platform.identity.createAgencySystem(
                    agencyCode: form["agencyCode"] ?? "", name: form["name"] ?? "", permissions: form.all("permissions").map { Permission(rawValue: $0) },
                    by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
                return try await systemsPage(request, context, portal, form: FormFields(), errors: [],
                                             created: CreatedSystemModel(name: form["name"] ?? "", clientID: credentials.clientID, secret: credentials.clientSecret),
                                             status: .created)
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await systemsPage(request, context, portal, form: form, errors: error.fieldErrors, created: nil, status: .unprocessableContent)
            }
        }
        routes.web(.post, "/console/systems/:id/revoke") { request, context in
            let actor = try requireOperator(context, .adminAccounts)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The agency system") }
            try await portal.platform.identity.revokeAgencySystem(id: id, by: AuditActor(actor, requestID: context.requestID), on: portal.platform.db)
            return .redirect("/console/systems?notice=system_revoked")
        }
        routes.web(.get, "/console/calendar") { request, context in
            _ = try requireOperator(context, .adminCalendar)
            return try await calendarPage(request, context, portal, form: FormFields(), errors: [], status: .ok)
        }
        routes.web(.post, "/console/holidays") { request, context in
            let actor = try requireOperator(context, .adminCalendar)
            let form = context.form
            do {
                _ = try await portal.platform.calendar.addHoliday(day: form["day"] ?? "", nameEN: form["nameEn"] ?? "", nameKO: form["nameKo"] ?? "",
                                                                  by: AuditActor(actor, requestID: context.requestID), audit: portal.platform.audit, on: portal.platform.db)
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await calendarPage(request, context, portal, form: form, errors: error.fieldErrors, status: .unprocessableContent)
            }
            return .redirect("/console/calendar?notice=holiday_added")
        }
        routes.web(.post, "/console/holidays/:id/delete") { request, context in
            let actor = try requireOperator(context, .adminCalendar)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The holiday") }
            try await portal.platform.calendar.removeHoliday(id: id, by: AuditActor(actor, requestID: context.requestID), audit: portal.platform.audit, on: portal.platform.db)
            return .redirect("/console/calendar?notice=holiday_removed")
        }
        routes.web(.post, "/console/outages") { request, context in
            let actor = try requireOperator(context, .adminCalendar)
            let form = context.form
            let calendar = try await portal.platform.calendar.calendar(on: portal.platform.db)
            var errors: [FieldError] = []
            let start = parseLocalDateTime(form["startsAt"], calendar: calendar)
            let end = parseLocalDateTime(form["endsAt"], calendar: calendar)
            if start == nil { errors.append(FieldError(field: "startsAt", code: "format", message: "Enter the start as date and time.")) }
            if end == nil { errors.append(FieldError(field: "endsAt", code: "format", message: "Enter the end as date and time.")) }
            do {
                guard let start, let end else { throw NaraError.validation(errors) }
                _ = try await portal.platform.calendar.declareOutage(start: start, end: end, reason: form["reason"] ?? "",
                                                                     by: AuditActor(actor, requestID: context.requestID), audit: portal.platform.audit, on: portal.platform.db)
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await calendarPage(request, context, portal, form: form, errors: errors.isEmpty ? error.fieldErrors : errors, status: .unprocessableContent)
            }
            return .redirect("/console/calendar?notice=outage_declared")
        }
        routes.web(.get, "/console/audit") { request, context in
            _ = try requireOperator(context, .auditRead)
            return try await auditPage(request, context, portal, verification: nil)
        }
        routes.web(.post, "/console/audit/verify") { request, context in
            let actor = try requireOperator(context, .auditRead)
            let platform = portal.platform
            let result = try await platform.audit.verify(on: platform.db)
            try await platform.audit.append(AuditRecord(action: "audit.verify", objectType: "audit_chain",
                                                        detail: result.failure.map { "broken at \($0.seq)" } ?? "intact \(result.lastSeq)"),
                                            by: AuditActor(actor, requestID: context.requestID), on: platform.db)
            let r = portal.renderer
            let language = context.language
            let model = VerificationModel(
                intact: result.isIntact,
                headline: r.text(result.isIntact ? "audit_intact" : "audit_broken", language),
                detail: result.failure.map { $0.description } ?? r.text("audit_checked", language)
                    .replacingOccurrences(of: "{entries}", with: String(result.entriesChecked))
                    .replacingOccurrences(of: "{checkpoints}", with: String(result.checkpointsChecked)))
            return try await auditPage(request, context, portal, verification: model)
        }
    }

    static func requireOperator(_ context: NaraRequestContext, _ permission: Permission) throws -> Actor {
        let actor = try context.requireActor()
        try AccessPolicy.require(actor, permission, on: .platform)
        return actor
    }

    /// `2026-11-27T14:00` (an HTML datetime-local value) in the platform time zone.
    static func parseLocalDateTime(_ text: String?, calendar: BusinessCalendar) -> Date? {
        DisplayFormat(timeZone: calendar.timeZone, language: .english).parseInputDateTime(text)
    }

    static func overview(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let actor = try requireOperator(context, .adminAccounts)
        let platform = portal.platform
        // The outbox shows recipients' addresses: the viewing is on the record.
        try await platform.audit.append(AuditRecord(action: "outbox.list", objectType: "outbox", purpose: "operator console"),
                                        by: AuditActor(actor, requestID: context.requestID), on: platform.db)
        let db = platform.db
        let r = portal.renderer
        let language = context.language
        let counts = try await platform.statistics()
        let facts = [
            FactModel(label: r.text("console_count_agencies", language), value: String(counts.agencies)),
            FactModel(label: r.text("console_count_accounts", language), value: String(counts.accounts)),
            FactModel(label: r.text("console_count_sessions", language), value: String(counts.activeSessions)),
            FactModel(label: r.text("console_count_audit", language), value: String(counts.auditEntries)),
            FactModel(label: r.text("console_count_outbox_pending", language), value: String(counts.pendingOutbox)),
            FactModel(label: r.text("console_modules", language), value: platform.modules.isEmpty ? "—" : platform.modules.map { $0.id }.joined(separator: ", ")),
        ]
        let outbox = try await platform.notifications.outbox(limit: 20, on: db).map {
            OutboxRow(channel: $0.channel, recipient: $0.recipient, subject: $0.subject, status: $0.status, attempts: $0.attempts, lastError: $0.lastError)
        }
        let page = ConsoleOverviewPage(facts: facts, outbox: outbox, hasOutbox: !outbox.isEmpty)
        return r.render(Page("console", title: r.text("console_title", language), model: page), request: request, context: context)
    }

    static func agenciesPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form: FormFields, errors: [FieldError],
                             status: HTTPResponse.Status) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let directory = try await AgencyDirectory(portal, language: language)
        let rows = directory.all.map {
            AgencyRow(code: $0.code, name: $0.name(for: language), kind: r.text("agency_kind_\($0.kind.rawValue)", language), parent: directory.name($0.parentID))
        }
        let fields = [
            FieldModel(name: "code", label: r.text("col_code", language), value: form["code"] ?? "", hint: r.text("hint_agency_code", language), errors: localized),
            FieldModel(name: "nameEn", label: r.text("field_name_en", language), value: form["nameEn"] ?? "", errors: localized),
            FieldModel(name: "nameKo", label: r.text("field_name_ko", language), value: form["nameKo"] ?? "", errors: localized),
        ]
        let kinds = AgencyKind.allCases.map { OptionModel(value: $0.rawValue, label: r.text("agency_kind_\($0.rawValue)", language), selected: form["kind"] == $0.rawValue) }
        let parents = directory.options(selected: form["parentCode"]) { $0.kind != .office }
        let page = ConsoleAgenciesPage(agencies: rows, fields: fields, kinds: kinds, parents: parents,
                                       parentError: localized.first { $0.field == "parentCode" }?.message, errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("console-agencies", title: r.text("console_agencies", language), model: page, status: status), request: request, context: context)
    }

    static func accountsPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form: FormFields, errors: [FieldError],
                             created: CreatedAccountModel?, status: HTTPResponse.Status) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let directory = try await AgencyDirectory(portal, language: language)
        let accounts = try await portal.platform.identity.accounts(on: portal.platform.db).map { account in
            AccountRow(id: account.id.uuidString, username: account.username, name: account.displayName, kind: r.text("kind_\(account.kind.rawValue)", language),
                       agency: directory.name(account.agencyID), roles: account.roles.joined(separator: ", "),
                       status: account.status.rawValue, statusLabel: r.text("status_\(account.status.rawValue)", language),
                       toggleTo: account.status == .active ? "disabled" : "active",
                       toggleLabel: r.text(account.status == .active ? "console_disable" : "console_enable", language),
                       secondFactor: account.kind.requiresSecondFactor)
        }
        let fields = [
            FieldModel(name: "username", label: r.text("field_username", language), value: form["username"] ?? "", errors: localized, autocomplete: "off"),
            FieldModel(name: "password", label: r.text("field_password", language), type: "password", hint: r.text("hint_password", language), errors: localized, autocomplete: "new-password"),
            FieldModel(name: "displayName", label: r.text("field_display_name", language), value: form["displayName"] ?? "", errors: localized),
            FieldModel(name: "email", label: r.text("field_email", language), type: "email", value: form["email"] ?? "", errors: localized, required: false),
            FieldModel(name: "nationalId", label: r.text("field_national_id", language), hint: r.text("hint_national_id_console", language), errors: localized, required: false),
            FieldModel(name: "businessNumber", label: r.text("field_business_number", language), value: form["businessNumber"] ?? "", errors: localized, required: false),
            FieldModel(name: "businessName", label: r.text("field_business_name", language), value: form["businessName"] ?? "", errors: localized, required: false),
        ]
        let kinds = AccountKind.allCases.map { OptionModel(value: $0.rawValue, label: r.text("kind_\($0.rawValue)", language), selected: (form["kind"] ?? "official") == $0.rawValue) }
        let agencyOptions = directory.options(selected: form["agencyCode"])
        let selectedRoles = Set(form.all("roles"))
        let roles = portal.platform.identity.roleDefinitions.filter { !AccountKind.allCases.map(\.rawValue).contains($0.name) }.map {
            OptionModel(value: $0.name, label: $0.title, selected: selectedRoles.contains($0.name))
        }
        let page = ConsoleAccountsPage(accounts: accounts, created: created, kinds: kinds, fields: fields, agencies: agencyOptions, roles: roles,
                                       errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("console-accounts", title: r.text("console_accounts", language), model: page, status: status), request: request, context: context)
    }

    static func systemsPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form: FormFields, errors: [FieldError],
                            created: CreatedSystemModel?, status: HTTPResponse.Status) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let directory = try await AgencyDirectory(portal, language: language)
        let systems = try await portal.platform.identity.agencySystems(on: portal.platform.db).map {
            SystemRow(id: $0.id.uuidString, name: $0.name, agency: directory.name($0.agencyID), clientID: $0.clientID,
                      permissions: $0.permissions.joined(separator: ", "), status: $0.revokedAt == nil ? "active" : "disabled",
                      statusLabel: r.text($0.revokedAt == nil ? "status_active" : "status_revoked", language), active: $0.revokedAt == nil)
        }
        let chosen = Set(form.all("permissions"))
        let permissions = portal.platform.identity.knownPermissions.sorted().map {
            OptionModel(value: $0.rawValue, label: $0.rawValue, selected: chosen.contains($0.rawValue))
        }
        let page = ConsoleSystemsPage(
            systems: systems, hasSystems: !systems.isEmpty, created: created,
            name: FieldModel(name: "name", label: r.text("col_name", language), value: form["name"] ?? "", errors: localized),
            agencies: directory.options(selected: form["agencyCode"]),
            permissions: permissions, errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("console-systems", title: r.text("console_systems", language), model: page, status: status), request: request, context: context)
    }

    static func calendarPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form: FormFields, errors: [FieldError],
                             status: HTTPResponse.Status) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let platform = portal.platform
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: language)
        let holidays = try await platform.calendar.holidays(on: platform.db).map {
            ConsoleHolidayRow(id: $0.id.uuidString, date: display.day($0.day), name: language == .korean ? $0.nameKO : $0.nameEN,
                              kind: r.text("holiday_kind_\($0.kind)", language))
        }
        let outages = try await platform.calendar.outages(on: platform.db).map {
            OutageRow(start: display.dateTime($0.startsAt), end: display.dateTime($0.endsAt), reason: $0.reason)
        }
        let page = ConsoleCalendarPage(
            holidays: holidays,
            holidayFields: [
                FieldModel(name: "day", label: r.text("col_date", language), type: "date", value: form["day"] ?? "", errors: localized),
                FieldModel(name: "nameEn", label: r.text("field_name_en", language), value: form["nameEn"] ?? "", errors: localized),
                FieldModel(name: "nameKo", label: r.text("field_name_ko", language), value: form["nameKo"] ?? "", errors: localized),
            ],
            outages: outages, hasOutages: !outages.isEmpty,
            outageFields: [
                FieldModel(name: "startsAt", label: r.text("col_start", language), type: "datetime-local", value: form["startsAt"] ?? "", errors: localized),
                FieldModel(name: "endsAt", label: r.text("col_end", language), type: "datetime-local", value: form["endsAt"] ?? "", errors: localized),
                FieldModel(name: "reason", label: r.text("col_reason", language), value: form["reason"] ?? "", errors: localized),
            ],
            errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("console-calendar", title: r.text("console_calendar", language), model: page, status: status), request: request, context: context)
    }

    static func auditPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, verification: VerificationModel?) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: language)
        let entries = try await portal.platform.audit.recentEntries(limit: 100, on: portal.platform.db).map {
            AuditRow(seq: $0.seq, time: display.dateTime($0.at), actor: $0.actor, action: $0.action, object: [$0.objectType, $0.objectID].compactMap { $0 }.joined(separator: " "))
        }
        return r.render(Page("console-audit", title: r.text("console_audit", language), model: ConsoleAuditPage(verification: verification, entries: entries)),
                        request: request, context: context)
    }
}
