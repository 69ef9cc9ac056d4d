import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/customs/...`: traders, declarations, officers' steps, manifests and cargo, reference data.
enum CustomsAPI {
    struct Roles: Decodable { let roles: [String]? }
    struct Delegation: Decodable { let broker: String; let validUntil: String }
    struct Note: Decodable { let note: String? }
    struct Reason: Decodable { let reason: String? }
    struct Reroute: Decodable { let lane: String; let reason: String? }
    struct Inspection: Decodable { let findings: String; let corrections: [ItemCorrection]? }
    struct CargoReport: Decodable { let status: String; let place: String? }
    struct Rate: Decodable { let rateHundredths: Int64 }
    struct AEO: Decodable { let grade: String? }
    struct Simulation: Decodable { let count: Int; let seed: UInt64?; let draft: NewRiskCriterion? }
    struct Amendment: Decodable { let reason: String; let invoiceAmountMinor: Int64; let items: [DeclarationItemInput] }

    static let number: JSONValue = ["type": "number"]

    static func register(_ routes: RouteRegistry, portal: Portal, service: CustomsService) {
        let platform = portal.platform
        let item = Schema.object([
            "hsCode": Schema.string("10-digit HSK line"), "description": Schema.string, "origin": Schema.string("ISO 3166-1 alpha-2"),
            "quantity": number, "quantityUnit": Schema.string("UN/ECE Rec. 20, as the tariff line"), "grossMassKg": number, "netMassKg": number,
            "packages": Schema.integer, "packageType": Schema.string("UN/ECE Rec. 21"), "valueMinor": Schema.integer, "valuationMethod": Schema.integer,
            "preference": Schema.nullable(Schema.string("Trade agreement claimed")), "proofOfOrigin": Schema.nullable(Schema.string),
            "licenceNumber": Schema.nullable(Schema.string),
        ], required: ["hsCode", "description", "origin", "quantity", "quantityUnit", "grossMassKg", "netMassKg", "packages", "packageType", "valueMinor"])
        routes.schema("CustomsDeclaration", Schema.object([
            "id": Schema.uuid, "number": Schema.string("IM-YYYY-NNNNNNN or EX-YYYY-NNNNNNN"),
            "kind": Schema.string("Kind", enumValues: DeclarationKind.allCases.map(\.rawValue)), "traderReference": Schema.string,
            "state": Schema.string("State", enumValues: DeclarationState.allCases.map(\.rawValue)),
            "lane": Schema.nullable(Schema.string("Lane", enumValues: Lane.allCases.map(\.rawValue))),
            "laneDecision": Schema.nullable(Schema.object([:], additional: true)), "assessment": Schema.nullable(Schema.object([:], additional: true)),
            "amountDueKRW": Schema.integer, "times": Schema.object([:], additional: true), "items": Schema.array(Schema.object([:], additional: true)),
            "history": Schema.array(Schema.object([:], additional: true)),
        ], required: ["id", "number", "kind", "state", "items", "times"], additional: true))
        let declaration = Schema.ref("CustomsDeclaration")
        let trader = Schema.object(["id": Schema.uuid, "businessNumber": Schema.string, "name": Schema.string, "roles": Schema.array(Schema.string),
                                    "aeo": Schema.boolean], required: ["id", "businessNumber", "name", "roles", "aeo"], additional: true)

        routes.api(.post, "/api/v1/customs/traders", APIOperation(
            summary: "Register the caller's business as a trader (the business registry must list it as active); roles default to importer, exporter and declarant",
            tag: "customs", requestBody: Schema.object(["roles": Schema.array(Schema.string)]), response: trader, successStatus: 201,
            errors: [400, 401, 403, 409, 422])) { request, context in
            let body = (try? await request.decode(as: Roles.self, context: context)) ?? Roles(roles: nil)
            return try .json(try await service.registerTrader(by: try context.requireActor(), roles: body.roles ?? [], requestID: context.requestID),
                             status: .created)
        }
        routes.api(.post, "/api/v1/customs/delegations", APIOperation(
            summary: "Let a registered customs broker declare for the caller's business until a date", tag: "customs",
            requestBody: Schema.object(["broker": Schema.string("Business registration number"), "validUntil": Schema.dateTime], required: ["broker", "validUntil"]),
            successStatus: 204, errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: Delegation.self, context: context)
            guard let until = Timestamp.parseISO8601(body.validUntil) else {
                throw NaraError.validation([FieldError(field: "validUntil", code: "format", message: "Give the end as an ISO 8601 date-time.")])
            }
            try await service.delegate(brokerNumber: body.broker, until: until, by: try context.requireActor(), requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.api(.post, "/api/v1/customs/declarations", APIOperation(
            summary: "Lodge an import or export declaration. Every field is checked first (errors per field, nothing stored); an accepted declaration gets its lane at once, and on the green and blue lanes it is assessed and (when nothing is due, or for an AEO) released in the same request.",
            tag: "customs",
            requestBody: Schema.object([
                "kind": Schema.string("Kind", enumValues: DeclarationKind.allCases.map(\.rawValue)), "traderReference": Schema.string("Unique per trader"),
                "trader": Schema.nullable(Schema.string("The importer or exporter, when a broker declares")), "officeCode": Schema.string,
                "transportMode": Schema.integer, "cargo": Schema.nullable(Schema.string("Cargo tracking number (imports)")), "currency": Schema.string,
                "invoiceAmountMinor": Schema.integer, "invoiceNumber": Schema.string, "incoterm": Schema.string, "counterpartName": Schema.string,
                "counterpartCountry": Schema.string, "items": Schema.array(item),
            ], required: ["kind", "traderReference", "officeCode", "transportMode", "currency", "invoiceAmountMinor", "invoiceNumber", "incoterm",
                          "counterpartName", "counterpartCountry", "items"]),
            response: declaration, successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let lodged = platform.clock.now()
            let actor = try context.requireActor()
            let input = try await request.decode(as: NewDeclaration.self, context: context)
            return try .json(try await service.declare(input, lodgedAt: lodged, by: actor, requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/customs/declarations", APIOperation(
            summary: "The caller's declarations (traders), or the officers' queue by lane", tag: "customs", response: Schema.array(declaration),
            errors: [401, 422], query: [("lane", Schema.string("Lane", enumValues: Lane.allCases.map(\.rawValue)), "Officers: only this lane")])) { request, context in
            let actor = try context.requireActor()
            let isOfficer = try await service.isOfficer(actor)
            let models: [DeclarationModel]
            if isOfficer {
                let raw = request.uri.queryParameters.get("lane")
                let lane = raw.flatMap(Lane.init(rawValue:))
                if raw != nil && lane == nil { throw NaraError.validation([FieldError(field: "lane", code: "unknown", message: "Choose red, yellow, blue or green.")]) }
                models = try await service.queue(lane: lane)
            } else {
                models = try await service.declarations(of: actor)
            }
            var views: [DeclarationView] = []
            for m in models { views.append(try await service.view(m, for: isOfficer ? .officer : .party)) }
            return try .json(views)
        }
        routes.api(.get, "/api/v1/customs/declarations/:id", APIOperation(
            summary: "One declaration with its history, assessment and inspections (its trader and declarant; officers also see why it got its lane)",
            tag: "customs", response: declaration, errors: [401, 404])) { _, context in
            try .json(try await service.declaration(id: try id(context), by: try context.requireActor()))
        }
        routes.api(.get, "/api/v1/customs/declarations/:id/wco.xml", APIOperation(
            summary: "The declaration in the WCO Data Model 3.6 DEC-DMS XML format", tag: "customs", responseContentType: "application/xml",
            errors: [401, 404])) { _, context in
            let xml = try await service.wcoXML(id: try id(context), by: try context.requireActor())
            var headers = HTTPFields()
            headers[.contentType] = "application/xml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
        routes.api(.post, "/api/v1/customs/declarations/:id/documents-checked", APIOperation(
            summary: "The documents are in order (yellow lane): assess as declared; the release follows when nothing is due", tag: "customs",
            requestBody: Schema.object(["note": Schema.string]), response: declaration, errors: [401, 403, 404, 409])) { request, context in
            let body = (try? await request.decode(as: Note.self, context: context)) ?? Note(note: nil)
            return try .json(try await service.documentsChecked(id: try id(context), note: body.note ?? "", by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/customs/declarations/:id/inspection", APIOperation(
            summary: "Record the inspection: findings and corrections of items; the duty is reassessed from the corrected items", tag: "customs",
            requestBody: Schema.object(["findings": Schema.string, "corrections": Schema.array(Schema.object(["sequence": Schema.integer, "hsCode": Schema.string,
                                                                                                              "origin": Schema.string, "valueMinor": Schema.integer,
                                                                                                              "quantity": number, "netMassKg": number],
                                                                                                             required: ["sequence"]))],
                                       required: ["findings"]),
            response: declaration, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Inspection.self, context: context)
            return try .json(try await service.recordInspection(id: try id(context), findings: body.findings, corrections: body.corrections ?? [],
                                                                by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/customs/declarations/:id/reroute", APIOperation(
            summary: "Send the declaration to another lane, with the reason (audited)", tag: "customs",
            requestBody: Schema.object(["lane": Schema.string("Lane", enumValues: Lane.allCases.map(\.rawValue)), "reason": Schema.string], required: ["lane", "reason"]),
            response: declaration, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reroute.self, context: context)
            guard let lane = Lane(rawValue: body.lane) else { throw NaraError.validation([FieldError(field: "lane", code: "unknown", message: "Choose red, yellow, blue or green.")]) }
            return try .json(try await service.reroute(id: try id(context), to: lane, reason: body.reason ?? "", by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/customs/declarations/:id/reject", APIOperation(
            summary: "Reject the declaration before its assessment, with the reason", tag: "customs",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: declaration, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.reject(id: try id(context), reason: body.reason ?? "", by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/customs/declarations/:id/amend", APIOperation(
            summary: "Amend the declaration's goods items before its release, with the reason (its trader or declarant): checked as new, reassessed and laned again",
            tag: "customs", requestBody: Schema.object(["reason": Schema.string, "invoiceAmountMinor": Schema.integer, "items": Schema.array(item)],
                                                       required: ["reason", "invoiceAmountMinor", "items"]),
            response: declaration, errors: [400, 401, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Amendment.self, context: context)
            return try .json(try await service.amend(id: try id(context), reason: body.reason, items: body.items, invoiceAmountMinor: body.invoiceAmountMinor,
                                                     by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/customs/declarations/:id/invalidate", APIOperation(
            summary: "Invalidate the declaration before its release, with the reason (its trader, declarant or an officer)", tag: "customs",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: declaration, errors: [400, 401, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.invalidate(id: try id(context), reason: body.reason ?? "", by: try context.requireActor(), requestID: context.requestID))
        }

        routes.api(.post, "/api/v1/customs/declarations/:id/certificate", APIOperation(
            summary: "Issue (once) the export declaration certificate of a released export to the exporter: a signed PDF verifiable by anyone",
            tag: "customs", response: Schema.object(["documentID": Schema.uuid], required: ["documentID"]), errors: [401, 404, 409])) { _, context in
            try .json(["documentID": try await service.exportCertificate(id: try id(context), by: try context.requireActor())])
        }

        // Manifests and cargo.
        let cargo = Schema.object(["trackingNumber": Schema.string, "status": Schema.string, "events": Schema.array(Schema.object([:], additional: true)),
                                   "declarations": Schema.array(Schema.object([:], additional: true))],
                                  required: ["trackingNumber", "status", "events", "declarations"], additional: true)
        routes.api(.post, "/api/v1/customs/manifests", APIOperation(
            summary: "Submit a cargo manifest (carriers): each bill of lading gets its cargo tracking number", tag: "customs",
            requestBody: Schema.object(["kind": Schema.string, "mode": Schema.integer, "vessel": Schema.string, "voyage": Schema.string, "port": Schema.string("UN/LOCODE"),
                                        "scheduledAt": Schema.dateTime, "bills": Schema.array(Schema.object([
                                            "billOfLading": Schema.string, "shipper": Schema.string, "consignee": Schema.string, "description": Schema.string,
                                            "packages": Schema.integer, "grossMassKg": number], required: ["billOfLading", "shipper", "consignee", "description",
                                                                                                           "packages", "grossMassKg"]))],
                                       required: ["kind", "mode", "vessel", "voyage", "port", "scheduledAt", "bills"]),
            response: Schema.object([:], additional: true), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let input = try await request.decode(as: NewManifest.self, context: context)
            return try .json(try await service.submitManifest(input, by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/customs/cargo/:tracking", APIOperation(
            summary: "Track cargo by its tracking number (no sign-in): its journey and the declarations covering it", tag: "customs", auth: .none,
            response: cargo, errors: [404])) { _, context in
            try .json(try await service.cargoView(trackingNumber: context.parameters.get("tracking") ?? ""))
        }
        routes.api(.post, "/api/v1/customs/cargo/:tracking/events", APIOperation(
            summary: "Report a cargo movement (carriers, bonded areas): arrived, discharged, gate_out (clears a released import), loaded, departed (an export exits)",
            tag: "customs", requestBody: Schema.object(["status": Schema.string, "place": Schema.string], required: ["status"]), response: cargo,
            errors: [400, 401, 403, 404, 422])) { request, context in
            let body = try await request.decode(as: CargoReport.self, context: context)
            return try .json(try await service.reportCargo(trackingNumber: context.parameters.get("tracking") ?? "", status: body.status, place: body.place ?? "",
                                                           by: try context.requireActor(), requestID: context.requestID))
        }

        // Reference data and risk.
        routes.api(.get, "/api/v1/customs/tariff", APIOperation(
            summary: "The national tariff lines with their duty rates, preferences and controls (no sign-in)", tag: "customs", auth: .none,
            response: Schema.array(Schema.object([:], additional: true)))) { _, _ in
            try .json(try await service.tariff())
        }
        routes.api(.put, "/api/v1/customs/tariff/:code", APIOperation(
            summary: "Add or change a tariff line (tariff officers)", tag: "customs", requestBody: Schema.object([:], additional: true),
            response: Schema.object([:], additional: true), errors: [400, 401, 403, 422])) { request, context in
            var line = try await request.decode(as: TariffLine.self, context: context)
            line.code = context.parameters.get("code") ?? ""
            return try .json(try await service.saveTariffLine(line, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/customs/exchange-rates", APIOperation(
            summary: "The customs exchange rates of a week (KRW per unit, in hundredths; no sign-in)", tag: "customs", auth: .none,
            response: Schema.object([:], additional: true), query: [("week", Schema.date, "The week's Sunday; the current week when left out")])) { request, _ in
            let week = request.uri.queryParameters.get("week") ?? service.rateWeek(of: platform.clock.now())
            return try .json(RatesView(week: week, rates: try await service.exchangeRates(week: week)))
        }
        routes.api(.put, "/api/v1/customs/exchange-rates/:currency/:week", APIOperation(
            summary: "Set a currency's customs exchange rate for the week starting on that Sunday (tariff officers)", tag: "customs",
            requestBody: Schema.object(["rateHundredths": Schema.integer], required: ["rateHundredths"]), successStatus: 204,
            errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: Rate.self, context: context)
            try await service.setExchangeRate(currency: context.parameters.get("currency") ?? "", weekStart: context.parameters.get("week") ?? "",
                                              rateHundredths: body.rateHundredths, by: try context.requireActor(), requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.api(.get, "/api/v1/customs/criteria", APIOperation(
            summary: "Risk criteria (risk analysts)", tag: "customs", response: Schema.array(Schema.object([:], additional: true)), errors: [401, 403])) { _, context in
            _ = try await service.officerAgency(try context.requireActor(), CustomsPermission.risk)
            return try .json(try await service.criteria())
        }
        routes.api(.post, "/api/v1/customs/criteria", APIOperation(
            summary: "Add or replace a risk criterion: conditions, lane and validity (risk analysts; audited)", tag: "customs",
            requestBody: Schema.object(["code": Schema.string, "name": Schema.string, "lane": Schema.string, "conditions": Schema.array(Schema.object([:], additional: true)),
                                        "validFrom": Schema.dateTime, "validUntil": Schema.dateTime, "active": Schema.boolean],
                                       required: ["code", "name", "lane", "conditions", "validUntil"]),
            response: Schema.object([:], additional: true), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let input = try await request.decode(as: NewRiskCriterion.self, context: context)
            return try .json(try await service.saveCriterion(input, by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.put, "/api/v1/customs/selectivity", APIOperation(
            summary: "Set the random selection rates per lane, for traders and for AEOs (basis points; risk analysts)", tag: "customs",
            requestBody: Schema.object(["red": Schema.integer, "yellow": Schema.integer, "blue": Schema.integer, "aeoRed": Schema.integer,
                                        "aeoYellow": Schema.integer, "aeoBlue": Schema.integer],
                                       required: ["red", "yellow", "blue", "aeoRed", "aeoYellow", "aeoBlue"]),
            successStatus: 204, errors: [400, 401, 403, 422])) { request, context in
            let rates = try await request.decode(as: SelectivityRates.self, context: context)
            try await service.setSelectivity(rates, by: try context.requireActor(), requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.api(.post, "/api/v1/customs/simulations", APIOperation(
            summary: "Replay generated declarations against the criteria in force (and a draft criterion) and report the lane shares (risk analysts)",
            tag: "customs", requestBody: Schema.object(["count": Schema.integer, "seed": Schema.integer, "draft": Schema.object([:], additional: true)],
                                                       required: ["count"]),
            response: Schema.object([:], additional: true), errors: [400, 401, 403, 409, 422])) { request, context in
            let body = try await request.decode(as: Simulation.self, context: context)
            return try .json(try await service.simulate(count: body.count, seed: body.seed ?? 2026, draft: body.draft, by: try context.requireActor()))
        }
        routes.api(.put, "/api/v1/customs/traders/:number/roles", APIOperation(
            summary: "Set a registered trader's roles, the licensed broker and carrier roles included (customs officers, after checking the licence)", tag: "customs",
            requestBody: Schema.object(["roles": Schema.array(Schema.string("Role", enumValues: CustomsService.traderRoles))], required: ["roles"]),
            response: trader, errors: [400, 401, 403, 404, 422])) { request, context in
            let body = try await request.decode(as: Roles.self, context: context)
            return try .json(try await service.setTraderRoles(businessNumber: context.parameters.get("number") ?? "", roles: body.roles ?? [],
                                                              by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.put, "/api/v1/customs/traders/:number/aeo", APIOperation(
            summary: "Grant (grade AAA, AA or A) or withdraw (no grade) a trader's AEO status (risk analysts)", tag: "customs",
            requestBody: Schema.object(["grade": Schema.nullable(Schema.string)]), response: trader, errors: [400, 401, 403, 404, 422])) { request, context in
            let body = try await request.decode(as: AEO.self, context: context)
            return try .json(try await service.setAEO(businessNumber: context.parameters.get("number") ?? "", grade: body.grade, by: try context.requireActor(),
                                                      requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/customs/dashboard", APIOperation(
            summary: "Clearance figures (no sign-in): time from lodgement to release by lane (median, p95), lane shares against the configured rates, inspection hit rate, revenue by duty type",
            tag: "customs", auth: .none, response: Schema.object([:], additional: true))) { _, _ in
            try .json(try await service.dashboard())
        }
    }

    static func id(_ context: NaraRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The declaration") }
        return id
    }
}

struct RatesView: Encodable, Sendable {
    let week: String
    /// KRW per unit of each currency, in hundredths.
    let rates: [String: Int64]
}
