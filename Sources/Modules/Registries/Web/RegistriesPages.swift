import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

struct RegistryCard: Sendable {
    let title: String
    let summary: String
    let path: String
    let count: String
}

struct HubPage: Sendable {
    let registries: [RegistryCard]
    let hasRegistries: Bool
}

struct ListPage: Sendable {
    let heading: String
    let path: String
    let newLabel: String
    let search: FieldModel
    let table: TableModel
}

struct NewRecordPage: Sendable {
    let heading: String
    let back: String
    let form: FormSection
    let errorSummary: ErrorSummaryModel?
}

struct RecordPage: Sendable {
    let heading: String
    let back: String
    let facts: [FactRow]
    let tables: [TableModel]
    let forms: [FormSection]
    let errorSummary: ErrorSummaryModel?
}

struct FactRow: Sendable {
    let label: String
    let value: String
}

/// The agency workspace pages of the registries: search, register, see a record with its history,
/// and change or close it.
enum RegistriesPages {
    static func register(_ routes: RouteRegistry, portal: Portal, service: RegistryService) {
        let platform = portal.platform

        routes.web(.get, "/registries") { request, context in
            let actor = try context.requireActor()
            let kept = try await RegistryAccess.kept(by: actor, platform: platform)
            if kept.isEmpty { throw NaraError.forbidden("Your agency keeps no registry.") }
            let r = portal.renderer
            let language = context.language
            let counts = try await service.counts(on: platform.db)
            let cards = kept.map { kind in
                RegistryCard(title: r.text("reg_\(kind.rawValue)_title", language), summary: r.text("reg_\(kind.rawValue)_summary", language),
                             path: "/registries/\(kind.pathSegment)",
                             count: r.text("reg_count", language).replacingOccurrences(of: "{count}", with: String(counts[kind] ?? 0)))
            }
            return r.render(Page("registries/hub", title: r.text("reg_title", language), model: HubPage(registries: cards, hasRegistries: !cards.isEmpty)),
                            request: request, context: context)
        }

        routes.web(.get, "/registries/:registry") { request, context in
            let kind = try registryKind(context)
            try await RegistryAccess.require(context.actor, kind, write: false, platform: platform)
            let query = request.uri.queryParameters.get("q") ?? ""
            return try await listPage(kind, query: query, request, context, portal, service)
        }

        routes.web(.get, "/registries/:registry/new") { request, context in
            let kind = try registryKind(context)
            try await RegistryAccess.require(context.actor, kind, write: true, platform: platform)
            return newPage(kind, form: FormFields(), errors: [], status: .ok, request, context, portal)
        }

        routes.web(.post, "/registries/:registry") { request, context in
            let kind = try registryKind(context)
            try await RegistryAccess.require(context.actor, kind, write: true, platform: platform)
            let form = context.form
            func text(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
            do {
                let id: UUID
                switch kind {
                case .resident:
                    id = try await service.createPerson(
                        NewPerson(nationalID: form["nationalId"] ?? "", name: form["name"] ?? "", householdNumber: text("householdNumber"),
                                  relationship: form["relationship"] ?? "", address: text("address"), postalCode: text("postalCode"), movedIn: form["movedIn"] ?? ""),
                        by: context.auditActor, on: platform.db).id
                case .business:
                    id = try await service.createBusiness(
                        NewBusiness(businessNumber: form["businessNumber"] ?? "", name: form["name"] ?? "", representativeName: form["representativeName"] ?? "",
                                    representativeNationalID: text("representativeNationalId"), address: form["address"] ?? "",
                                    industryCode: form["industryCode"] ?? "", openedOn: form["openedOn"] ?? ""),
                        by: context.auditActor, on: platform.db).id
                case .vehicle:
                    guard let year = Int(form["modelYear"] ?? "") else {
                        throw NaraError.validation([FieldError(field: "modelYear", code: "format", message: "Enter the model year as a number.")])
                    }
                    id = try await service.createVehicle(
                        NewVehicle(plate: form["plate"] ?? "", vin: form["vin"] ?? "", ownerNationalID: text("ownerNationalId"),
                                   ownerBusinessNumber: text("ownerBusinessNumber"), ownerName: form["ownerName"] ?? "", model: form["model"] ?? "",
                                   modelYear: year, firstRegistered: form["firstRegistered"] ?? "", lastInspection: text("lastInspection"),
                                   nextInspection: form["nextInspection"] ?? ""),
                        by: context.auditActor, on: platform.db).id
                }
                return .redirect("/registries/\(kind.pathSegment)/\(id.uuidString)?notice=reg_saved")
            } catch let error as NaraError where error.kind == .unprocessable {
                return newPage(kind, form: form, errors: error.fieldErrors, status: .unprocessableContent, request, context, portal)
            }
        }

        routes.web(.get, "/registries/:registry/:id") { request, context in
            let kind = try registryKind(context)
            try await RegistryAccess.require(context.actor, kind, write: false, platform: platform)
            return try await recordPage(kind, id: try recordID(context), failed: nil, request, context, portal, service)
        }

        routes.web(.post, "/registries/:registry/:id/:action") { request, context in
            let kind = try registryKind(context)
            try await RegistryAccess.require(context.actor, kind, write: true, platform: platform)
            let id = try recordID(context)
            let action = context.parameters.get("action") ?? ""
            let form = context.form
            func text(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
            let by = context.auditActor
            do {
                switch (kind, action) {
                case (.resident, "change"):
                    _ = try await service.changePerson(personID: id, name: text("name"), relationship: text("relationship"), reason: form["reason"] ?? "",
                                                       by: by, on: platform.db)
                case (.resident, "move"):
                    _ = try await service.moveIn(personID: id, MoveIn(householdNumber: text("householdNumber"), address: text("address"),
                                                                      postalCode: text("postalCode"), relationship: form["relationship"] ?? "",
                                                                      movedIn: form["movedIn"] ?? "", reason: form["reason"] ?? ""), by: by, on: platform.db)
                case (.resident, "close"):
                    _ = try await service.closePerson(personID: id, Closure(effectiveOn: form["effectiveOn"] ?? "", reason: form["reason"] ?? ""), by: by, on: platform.db)
                case (.business, "change"):
                    _ = try await service.changeBusiness(id: id, BusinessChange(name: text("name"), representativeName: text("representativeName"),
                                                                                representativeNationalID: text("representativeNationalId"), address: text("address"),
                                                                                industryCode: text("industryCode"), reason: form["reason"] ?? ""), by: by, on: platform.db)
                case (.business, "status"):
                    _ = try await service.changeBusiness(id: id, BusinessChange(status: text("status"), effectiveOn: text("effectiveOn"), reason: form["reason"] ?? ""),
                                                         by: by, on: platform.db)
                case (.vehicle, "transfer"):
                    _ = try await service.changeVehicle(id: id, VehicleChange(ownerNationalID: text("ownerNationalId"), ownerBusinessNumber: text("ownerBusinessNumber"),
                                                                              ownerName: text("ownerName"), reason: form["reason"] ?? ""), by: by, on: platform.db)
                case (.vehicle, "inspection"):
                    _ = try await service.changeVehicle(id: id, VehicleChange(lastInspection: text("lastInspection"), nextInspection: text("nextInspection"),
                                                                              reason: form["reason"] ?? ""), by: by, on: platform.db)
                case (.vehicle, "lien"):
                    guard let amount = Int64(form["amountMinor"] ?? "") else {
                        throw NaraError.validation([FieldError(field: "amountMinor", code: "format", message: "Enter the secured amount in won.")])
                    }
                    _ = try await service.addLien(vehicleID: id, NewLien(creditor: form["creditor"] ?? "", amountMinor: amount,
                                                                        registeredOn: form["registeredOn"] ?? "", reason: form["reason"] ?? ""), by: by, on: platform.db)
                case (.vehicle, "release"):
                    guard let lien = (text("lienId") ?? request.uri.queryParameters.get("lienId")).flatMap(UUID.init(uuidString:)) else {
                        throw NaraError.notFound("The lien")
                    }
                    _ = try await service.releaseLien(vehicleID: id, lienID: lien, Closure(effectiveOn: form["effectiveOn"] ?? "", reason: form["reason"] ?? ""),
                                                      by: by, on: platform.db)
                case (.vehicle, "close"):
                    _ = try await service.deregisterVehicle(id: id, Closure(effectiveOn: form["effectiveOn"] ?? "", reason: form["reason"] ?? ""), by: by, on: platform.db)
                default:
                    throw NaraError.notFound("The action")
                }
                return .redirect("/registries/\(kind.pathSegment)/\(id.uuidString)?notice=reg_saved")
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await recordPage(kind, id: id, failed: (action, form, error.fieldErrors), request, context, portal, service)
            }
        }
    }

    static func registryKind(_ context: NaraRequestContext) throws -> RegistryKind {
        guard let kind = context.parameters.get("registry").flatMap(RegistryKind.init(pathSegment:)) else { throw NaraError.notFound("The registry") }
        return kind
    }

    static func recordID(_ context: NaraRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The record") }
        return id
    }

    // MARK: Pages

    static func listPage(_ kind: RegistryKind, query: String, _ request: Request, _ context: NaraRequestContext, _ portal: Portal,
                         _ service: RegistryService) async throws -> Response {
        let r = portal.renderer
        let l = context.language
        let db = portal.platform.db
        let path = "/registries/\(kind.pathSegment)"
        let table: TableModel
        switch kind {
        case .resident:
            let rows = try await service.searchPersons(query, on: db).map {
                TableModel.Row([.init($0.name, link: "\(path)/\($0.id.uuidString)"), .init($0.nationalIDMasked), .init($0.householdNumber),
                                .init($0.address), .init(r.text("reg_status_\($0.status)", l))])
            }
            table = TableModel(id: "results", caption: r.text("reg_results", l),
                               headers: ["reg_f_name", "reg_f_national_id", "reg_f_household", "reg_f_address", "reg_f_status"].map { r.text($0, l) },
                               rows: rows, empty: r.text("reg_no_results", l))
        case .business:
            let rows = try await service.searchBusinesses(query, on: db).map {
                TableModel.Row([.init($0.name, link: "\(path)/\($0.id.uuidString)"), .init((try? BusinessNumber($0.businessNumber).formatted) ?? $0.businessNumber),
                                .init($0.representativeName), .init($0.industryCode), .init(r.text("reg_status_\($0.status)", l))])
            }
            table = TableModel(id: "results", caption: r.text("reg_results", l),
                               headers: ["reg_f_name", "reg_f_business_number", "reg_f_representative", "reg_f_industry", "reg_f_status"].map { r.text($0, l) },
                               rows: rows, empty: r.text("reg_no_results", l))
        case .vehicle:
            let rows = try await service.searchVehicles(query, on: db).map {
                TableModel.Row([.init($0.plate, link: "\(path)/\($0.id.uuidString)"), .init($0.model), .init($0.ownerName), .init($0.nextInspection),
                                .init(r.text("reg_status_\($0.status)", l))])
            }
            table = TableModel(id: "results", caption: r.text("reg_results", l),
                               headers: ["reg_f_plate", "reg_f_model", "reg_f_owner", "reg_f_next_inspection", "reg_f_status"].map { r.text($0, l) },
                               rows: rows, empty: r.text("reg_no_results", l))
        }
        let page = ListPage(heading: r.text("reg_\(kind.rawValue)_title", l), path: path, newLabel: r.text("reg_new_\(kind.rawValue)", l),
                            search: FieldModel(name: "q", label: r.text("reg_search_\(kind.rawValue)", l), type: "search", value: query, required: false),
                            table: table)
        return r.render(Page("registries/list", title: page.heading, model: page), request: request, context: context)
    }

    static func relationshipOptions(_ selected: String?, _ r: PageRenderer, _ l: Language) -> [OptionModel] {
        Relationship.allCases.map { OptionModel(value: $0.rawValue, label: r.text("reg_rel_\($0.rawValue)", l), selected: $0.rawValue == selected) }
    }

    static func newPage(_ kind: RegistryKind, form: FormFields, errors: [FieldError], status: HTTPResponse.Status, _ request: Request,
                        _ context: NaraRequestContext, _ portal: Portal) -> Response {
        let r = portal.renderer
        let l = context.language
        let e = r.localized(errors, l)
        func field(_ name: String, _ label: String, type: String = "text", hint: String? = nil, required: Bool = true) -> FieldModel {
            FieldModel(name: name, label: r.text(label, l), type: type, value: form[name] ?? "", hint: hint.map { r.text($0, l) }, errors: e, required: required)
        }
        let path = "/registries/\(kind.pathSegment)"
        let section: FormSection
        switch kind {
        case .resident:
            section = FormSection(id: "new", title: r.text("reg_new_resident", l), hint: r.text("reg_new_resident_hint", l), action: path, fields: [
                field("nationalId", "reg_f_national_id", hint: "hint_national_id"), field("name", "reg_f_name"),
                field("householdNumber", "reg_f_household", hint: "reg_h_household", required: false),
                field("address", "reg_f_address", required: false), field("postalCode", "reg_f_postal_code", required: false),
                field("movedIn", "reg_f_moved_in", type: "date"),
            ], selects: [SelectModel(name: "relationship", label: r.text("reg_f_relationship", l), options: relationshipOptions(form["relationship"] ?? "head", r, l), errors: e)],
                                  submit: r.text("reg_register", l))
        case .business:
            section = FormSection(id: "new", title: r.text("reg_new_business", l), action: path, fields: [
                field("businessNumber", "reg_f_business_number", hint: "hint_business_number"), field("name", "reg_f_name"),
                field("representativeName", "reg_f_representative"), field("representativeNationalId", "reg_f_representative_id", required: false),
                field("address", "reg_f_address"), field("industryCode", "reg_f_industry", hint: "reg_h_industry"), field("openedOn", "reg_f_opened_on", type: "date"),
            ], submit: r.text("reg_register", l))
        case .vehicle:
            section = FormSection(id: "new", title: r.text("reg_new_vehicle", l), action: path, fields: [
                field("plate", "reg_f_plate", hint: "reg_h_plate"), field("vin", "reg_f_vin"),
                field("ownerNationalId", "reg_f_owner_national_id", required: false), field("ownerBusinessNumber", "reg_f_owner_business_number", required: false),
                field("ownerName", "reg_f_owner"), field("model", "reg_f_model"), field("modelYear", "reg_f_model_year", type: "number"),
                field("firstRegistered", "reg_f_first_registered", type: "date"), field("lastInspection", "reg_f_last_inspection", type: "date", required: false),
                field("nextInspection", "reg_f_next_inspection", type: "date"),
            ], submit: r.text("reg_register", l))
        }
        let page = NewRecordPage(heading: section.title, back: path, form: section, errorSummary: ErrorSummaryModel(e))
        return r.render(Page("registries/new", title: page.heading, model: page, status: status), request: request, context: context)
    }

    /// A record with its history and the forms that change it; after a refused form, that form
    /// shows its errors and keeps what was typed.
    static func recordPage(_ kind: RegistryKind, id: UUID, failed: (action: String, form: FormFields, errors: [FieldError])?, _ request: Request,
                           _ context: NaraRequestContext, _ portal: Portal, _ service: RegistryService) async throws -> Response {
        let r = portal.renderer
        let l = context.language
        let db = portal.platform.db
        let path = "/registries/\(kind.pathSegment)"
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        func errors(for action: String) -> [FieldError] { failed?.action == action ? r.localized(failed!.errors, l) : [] }
        func value(_ action: String, _ name: String) -> String { failed?.action == action ? (failed!.form[name] ?? "") : "" }
        func field(_ action: String, _ name: String, _ label: String, type: String = "text", required: Bool = true) -> FieldModel {
            FieldModel(name: name, label: r.text(label, l), type: type, value: value(action, name), errors: errors(for: action), required: required, idPrefix: action + "-")
        }
        func section(_ action: String, _ title: String, _ fields: [FieldModel], selects: [SelectModel] = [], hint: String? = nil, danger: Bool = false,
                     submit: String = "reg_save", target: String? = nil) -> FormSection {
            FormSection(id: action, title: r.text(title, l), hint: hint.map { r.text($0, l) }, action: target ?? "\(path)/\(id.uuidString)/\(action)",
                        fields: fields, selects: selects, submit: r.text(submit, l), danger: danger)
        }
        func fact(_ label: String, _ value: String?) -> FactRow { FactRow(label: r.text(label, l), value: value ?? "—") }
        func historyTable(_ entries: [ChangeEntry]) -> TableModel {
            TableModel(id: "history", caption: r.text("reg_history", l), headers: ["reg_f_version", "reg_f_action", "reg_f_reason", "reg_f_by", "reg_f_at"].map { r.text($0, l) },
                       rows: entries.map { TableModel.Row([.init(String($0.version)), .init(r.text("reg_action_\($0.action.replacingOccurrences(of: ".", with: "_"))", l)),
                                                           .init($0.reason), .init($0.changedBy), .init(display.dateTime($0.changedAt))]) },
                       empty: r.text("reg_no_history", l))
        }
        let heading: String
        var facts: [FactRow] = []
        var tables: [TableModel] = []
        var forms: [FormSection] = []
        switch kind {
        case .resident:
            guard let p = try await service.person(id: id, on: db) else { throw NaraError.notFound("The person") }
            heading = p.name
            facts = [fact("reg_f_national_id", p.nationalIDMasked), fact("reg_f_birth_date", p.birthDate), fact("reg_f_sex", r.text("reg_sex_\(p.sex)", l)),
                     fact("reg_f_household", p.householdNumber), fact("reg_f_relationship", r.text("reg_rel_\(p.relationship)", l)),
                     fact("reg_f_address", "\(p.address) (\(p.postalCode))"), fact("reg_f_moved_in", p.movedIn),
                     fact("reg_f_status", r.text("reg_status_\(p.status)", l) + (p.closedReason.map { " — \($0)" } ?? "")), fact("reg_f_version", String(p.version))]
            let addresses = try await service.addressHistory(personID: id, on: db)
            tables.append(TableModel(id: "addresses", caption: r.text("reg_addresses", l),
                                     headers: ["reg_f_address", "reg_f_postal_code", "reg_f_moved_in", "reg_f_moved_out"].map { r.text($0, l) },
                                     rows: addresses.map { TableModel.Row([.init($0.address), .init($0.postalCode), .init($0.movedIn), .init($0.movedOut ?? "—")]) },
                                     empty: r.text("reg_no_results", l)))
            let members = try await service.householdMembers(personID: id, on: db)
            tables.append(TableModel(id: "household", caption: r.text("reg_household", l),
                                     headers: ["reg_f_name", "reg_f_relationship", "reg_f_birth_date"].map { r.text($0, l) },
                                     rows: members.map { TableModel.Row([.init($0.name), .init(r.text("reg_rel_\($0.relationship)", l)), .init($0.birthDate)]) },
                                     empty: r.text("reg_no_results", l)))
            tables.append(historyTable(try await service.history(.resident, recordID: id, on: db)))
            if p.status == PersonStatus.registered.rawValue {
                forms.append(section("move", "reg_form_move", [field("move", "householdNumber", "reg_f_household", required: false),
                                                               field("move", "address", "reg_f_address", required: false),
                                                               field("move", "postalCode", "reg_f_postal_code", required: false),
                                                               field("move", "movedIn", "reg_f_moved_in", type: "date"), field("move", "reason", "reg_f_reason")],
                                     selects: [SelectModel(name: "relationship", label: r.text("reg_f_relationship", l),
                                                           options: relationshipOptions(failed?.action == "move" ? failed!.form["relationship"] : p.relationship, r, l),
                                                           errors: errors(for: "move"), idPrefix: "move-")], hint: "reg_form_move_hint"))
                forms.append(section("change", "reg_form_change", [field("change", "name", "reg_f_name", required: false), field("change", "reason", "reg_f_reason")]))
                forms.append(section("close", "reg_form_close_person", [field("close", "effectiveOn", "reg_f_effective_on", type: "date"),
                                                                        field("close", "reason", "reg_f_reason")], danger: true, submit: "reg_close"))
            }
        case .business:
            guard let b = try await service.business(id: id, on: db) else { throw NaraError.notFound("The business") }
            heading = b.name
            facts = [fact("reg_f_business_number", (try? BusinessNumber(b.businessNumber).formatted) ?? b.businessNumber), fact("reg_f_representative", b.representativeName),
                     fact("reg_f_address", b.address), fact("reg_f_industry", b.industryCode), fact("reg_f_status", r.text("reg_status_\(b.status)", l)),
                     fact("reg_f_opened_on", b.openedOn), fact("reg_f_suspended_on", b.suspendedOn), fact("reg_f_closed_on", b.closedOn),
                     fact("reg_f_version", String(b.version))]
            tables.append(historyTable(try await service.history(.business, recordID: id, on: db)))
            if b.status != BusinessStatus.closed.rawValue {
                let targets = BusinessStatus.allCases.filter { (BusinessStatus(rawValue: b.status) ?? .active).canMove(to: $0) }
                forms.append(section("status", "reg_form_status", [field("status", "effectiveOn", "reg_f_effective_on", type: "date"), field("status", "reason", "reg_f_reason")],
                                     selects: [SelectModel(name: "status", label: r.text("reg_f_status", l),
                                                           options: targets.map { OptionModel(value: $0.rawValue, label: r.text("reg_status_\($0.rawValue)", l), selected: false) },
                                                           errors: errors(for: "status"), idPrefix: "status-")]))
                forms.append(section("change", "reg_form_change", [field("change", "name", "reg_f_name", required: false),
                                                                   field("change", "representativeName", "reg_f_representative", required: false),
                                                                   field("change", "representativeNationalId", "reg_f_representative_id", required: false),
                                                                   field("change", "address", "reg_f_address", required: false),
                                                                   field("change", "industryCode", "reg_f_industry", required: false),
                                                                   field("change", "reason", "reg_f_reason")]))
            }
        case .vehicle:
            guard let v = try await service.vehicle(id: id, on: db) else { throw NaraError.notFound("The vehicle") }
            heading = "\(v.plate) · \(v.model)"
            facts = [fact("reg_f_plate", v.plate), fact("reg_f_vin", v.vin), fact("reg_f_model", "\(v.model) (\(v.modelYear))"),
                     fact("reg_f_owner", "\(v.ownerName) (\(r.text("reg_owner_\(v.ownerKind)", l)))"), fact("reg_f_first_registered", v.firstRegistered),
                     fact("reg_f_last_inspection", v.lastInspection), fact("reg_f_next_inspection", v.nextInspection),
                     fact("reg_f_status", r.text("reg_status_\(v.status)", l)), fact("reg_f_version", String(v.version))]
            tables.append(TableModel(id: "liens", caption: r.text("reg_liens", l),
                                     headers: ["reg_f_creditor", "reg_f_amount", "reg_f_registered_on", "reg_f_released_on"].map { r.text($0, l) },
                                     rows: v.liens.map { TableModel.Row([.init($0.creditor), .init(Money.format($0.amountMinor, currency: $0.currency)),
                                                                         .init($0.registeredOn), .init($0.releasedOn ?? "—")]) },
                                     empty: r.text("reg_no_liens", l)))
            tables.append(historyTable(try await service.history(.vehicle, recordID: id, on: db)))
            if v.status == VehicleStatus.registered.rawValue {
                forms.append(section("transfer", "reg_form_transfer", [field("transfer", "ownerNationalId", "reg_f_owner_national_id", required: false),
                                                                       field("transfer", "ownerBusinessNumber", "reg_f_owner_business_number", required: false),
                                                                       field("transfer", "ownerName", "reg_f_owner"), field("transfer", "reason", "reg_f_reason")]))
                forms.append(section("inspection", "reg_form_inspection", [field("inspection", "lastInspection", "reg_f_last_inspection", type: "date"),
                                                                           field("inspection", "nextInspection", "reg_f_next_inspection", type: "date"),
                                                                           field("inspection", "reason", "reg_f_reason")]))
                forms.append(section("lien", "reg_form_lien", [field("lien", "creditor", "reg_f_creditor"), field("lien", "amountMinor", "reg_f_amount", type: "number"),
                                                               field("lien", "registeredOn", "reg_f_registered_on", type: "date"), field("lien", "reason", "reg_f_reason")]))
                for lien in v.liens where lien.releasedOn == nil {
                    let action = "release-\(lien.id.uuidString.prefix(8))"
                    var fields = [field("release", "effectiveOn", "reg_f_released_on", type: "date"), field("release", "reason", "reg_f_reason")]
                    fields = fields.map { f in FieldModel(name: f.name, label: f.label, type: f.type, value: f.value, errors: errors(for: "release"), required: true, idPrefix: action + "-") }
                    let release = FormSection(id: action, title: r.text("reg_form_release", l).replacingOccurrences(of: "{creditor}", with: lien.creditor),
                                              action: "\(path)/\(id.uuidString)/release?lienId=\(lien.id.uuidString)", fields: fields,
                                              submit: r.text("reg_release", l))
                    forms.append(release)
                }
                forms.append(section("close", "reg_form_close_vehicle", [field("close", "effectiveOn", "reg_f_effective_on", type: "date"),
                                                                         field("close", "reason", "reg_f_reason")], danger: true, submit: "reg_close"))
            }
        }
        let summaryPrefix = failed.map { $0.action + "-" } ?? ""
        let page = RecordPage(heading: heading, back: path, facts: facts, tables: tables, forms: forms,
                              errorSummary: ErrorSummaryModel(failed.map { r.localized($0.errors, l) } ?? [], idPrefix: summaryPrefix))
        return r.render(Page("registries/record", title: heading, model: page, status: failed == nil ? .ok : .unprocessableContent), request: request, context: context)
    }
}
