import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/civil/...`: the catalogue, the applicant's applications and the agency's queue.
enum CivilAPI {
    struct NewApplication: Decodable {
        let service: String
        let inputs: [String: String]?
    }
    struct InputsUpdate: Decodable { let inputs: [String: String] }
    struct Submission: Decodable { let consent: Bool? }
    struct EventRequest: Decodable {
        let event: String
        let message: String?
        let reason: String?
        let reasons: String?
        let howToObject: String?
        let grounds: String?
        let agency: String?
        let accepted: Bool?
    }
    struct RefundRequest: Decodable { let reason: String }

    static func register(_ routes: RouteRegistry, portal: Portal, service: CivilService) {
        let platform = portal.platform
        routes.schema("CivilService", Schema.object([
            "code": Schema.string, "nameEN": Schema.string, "nameKO": Schema.string, "agencyCode": Schema.string, "agencyNameEN": Schema.string,
            "agencyNameKO": Schema.string,
            "period": Schema.object(["kind": Schema.string("Kind", enumValues: ["instant", "calendar_days", "working_days", "working_hours"]), "amount": Schema.integer],
                                    required: ["kind", "amount"]),
            "feeMinor": Schema.integer, "currency": Schema.string, "issuesCertificate": Schema.boolean,
            "lifeEvents": Schema.array(Schema.string("Life event", enumValues: LifeEvent.allCases.map(\.rawValue))),
            "definition": Schema.object([:], additional: true),
        ], required: ["code", "nameEN", "nameKO", "agencyCode", "period", "feeMinor", "currency", "issuesCertificate", "lifeEvents", "definition"]))
        routes.schema("CivilApplication", Schema.object([
            "id": Schema.uuid, "receiptNumber": Schema.nullable(Schema.string("CS-YYYY-NNNNNNN, given at submission")),
            "service": Schema.ref("CivilService"), "state": Schema.string("State", enumValues: ApplicationState.allCases.map(\.rawValue)),
            "inputs": Schema.object([:], additional: true), "evidence": Schema.array(Schema.object([:], additional: true)),
            "submittedAt": Schema.nullable(Schema.dateTime), "dueAt": Schema.nullable(Schema.dateTime),
            "clockStoppedAt": Schema.nullable(Schema.dateTime),
            "overdue": Schema.boolean, "transfers": Schema.integer, "documentNumber": Schema.nullable(Schema.string),
            "events": Schema.array(Schema.object([:], additional: true)),
        ], required: ["id", "service", "state", "inputs", "overdue", "transfers", "events"]))

        routes.api(.get, "/api/v1/civil/services", APIOperation(
            summary: "The catalogue of civil services, searchable in English and Korean and by life event or agency", tag: "civil", auth: .none,
            response: Schema.array(Schema.ref("CivilService")),
            query: [("q", Schema.string, "Words to search for (English or Korean)"),
                    ("lifeEvent", Schema.string("Life event", enumValues: LifeEvent.allCases.map(\.rawValue)), "Only services for this life event"),
                    ("agency", Schema.string, "Only services of the agency with this code")])) { request, _ in
            let q = request.uri.queryParameters
            var lifeEvent: LifeEvent?
            if let raw = q.get("lifeEvent"), !raw.isEmpty {
                guard let event = LifeEvent(rawValue: raw) else {
                    throw NaraError.validation([FieldError(field: "lifeEvent", code: "unknown", message: "Use one of: \(LifeEvent.allCases.map(\.rawValue).joined(separator: ", ")).")])
                }
                lifeEvent = event
            }
            return try .json(try await service.catalogue(search: q.get("q"), lifeEvent: lifeEvent, agencyCode: q.get("agency").flatMap { $0.isEmpty ? nil : $0 }))
        }
        routes.api(.get, "/api/v1/civil/services/:code", APIOperation(
            summary: "One service: inputs, evidence looked up for the applicant, uploads, period, fee and legal basis", tag: "civil", auth: .none,
            response: Schema.ref("CivilService"), errors: [404])) { _, context in
            try .json(try await service.service(code: context.parameters.get("code") ?? ""))
        }
        routes.api(.put, "/api/v1/civil/services/:code", APIOperation(
            summary: "Publish a service, or replace its definition (catalogue editors). The body is the full definition, as `GET /api/v1/civil/services/{code}` returns under `definition`; every problem is reported at once.",
            tag: "civil", requestBody: Schema.object([:], additional: true), response: Schema.ref("CivilService"), errors: [400, 401, 403, 422])) { request, context in
            let actor = try context.requireActor()
            try AccessPolicy.require(actor, CivilServicesModule.cataloguePermission, on: .platform)
            let definition = try await request.decode(as: ServiceDefinition.self, context: context)
            guard definition.code == context.parameters.get("code") else {
                throw NaraError.validation([FieldError(field: "code", code: "mismatch", message: "The body's code must be the one in the address.")])
            }
            try await platform.db.transaction { tx in try await service.publish(definition, by: context.auditActor, on: tx) }
            return try .json(try await service.service(code: definition.code))
        }
        routes.api(.delete, "/api/v1/civil/services/:code", APIOperation(
            summary: "Take a service out of the catalogue (catalogue editors); applications already made go on", tag: "civil",
            successStatus: 204, errors: [401, 403, 404])) { _, context in
            let actor = try context.requireActor()
            try AccessPolicy.require(actor, CivilServicesModule.cataloguePermission, on: .platform)
            try await service.retire(code: context.parameters.get("code") ?? "", by: context.auditActor)
            return Response(status: .noContent)
        }
        routes.api(.post, "/api/v1/civil/applications", APIOperation(
            summary: "Start a draft application for a service", tag: "civil",
            requestBody: Schema.object(["service": Schema.string("Service code"), "inputs": Schema.object([:], additional: true)], required: ["service"]),
            response: Schema.ref("CivilApplication"), successStatus: 201, errors: [400, 401, 403, 404, 422])) { request, context in
            let actor = try context.requireActor()
            let body = try await request.decode(as: NewApplication.self, context: context)
            return try .json(try await service.startDraft(serviceCode: body.service, inputs: body.inputs ?? [:], by: actor, requestID: context.requestID),
                             status: .created)
        }
        routes.api(.get, "/api/v1/civil/applications", APIOperation(
            summary: "The caller's applications", tag: "civil", response: Schema.array(Schema.ref("CivilApplication")), errors: [401])) { _, context in
            let actor = try context.requireActor()
            guard let accountID = actor.accountID else { throw NaraError.forbidden() }
            var views: [ApplicationView] = []
            for model in try await service.applications(accountID: accountID) { views.append(try await service.view(model)) }
            return try .json(views)
        }
        routes.api(.get, "/api/v1/civil/applications/:id", APIOperation(
            summary: "One application with its history (the applicant's or the handling agency's)", tag: "civil",
            response: Schema.ref("CivilApplication"), errors: [401, 404])) { _, context in
            try .json(try await service.application(id: try id(context), by: try context.requireActor()))
        }
        routes.api(.patch, "/api/v1/civil/applications/:id", APIOperation(
            summary: "Change a draft's inputs", tag: "civil",
            requestBody: Schema.object(["inputs": Schema.object([:], additional: true)], required: ["inputs"]),
            response: Schema.ref("CivilApplication"), errors: [400, 401, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: InputsUpdate.self, context: context)
            return try .json(try await service.updateDraft(id: try id(context), inputs: body.inputs, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/civil/applications/:id/attachments", APIOperation(
            summary: "Attach a document (PDF, PNG or JPEG as the raw body) for one of the service's upload requirements (or `supplement`)", tag: "civil",
            requestContentType: "application/pdf", response: Schema.ref("CivilApplication"), successStatus: 201, errors: [401, 404, 409, 413, 415, 422],
            query: [("requirement", Schema.string, "Key of the upload requirement"), ("name", Schema.string, "File name")])) { request, context in
            let actor = try context.requireActor()
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: context.maxUploadSize) } catch {
                throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The file is larger than \(context.maxUploadSize) bytes.")
            }
            let q = request.uri.queryParameters
            return try .json(try await service.attach(id: try id(context), requirementKey: q.get("requirement") ?? "", data: Data(buffer: body),
                                                      fileName: q.get("name"), contentType: request.headers[.contentType], by: actor, requestID: context.requestID),
                             status: .created)
        }
        routes.api(.post, "/api/v1/civil/applications/:id/submit", APIOperation(
            summary: "Submit a draft. With `consent`, the agency looks the listed evidence up instead of asking for paper. A fee is charged first: the answer is then 409 `payment_pending` with the payment reference, and the application is submitted when the payment arrives.",
            tag: "civil", requestBody: Schema.object(["consent": Schema.boolean]), response: Schema.ref("CivilApplication"),
            errors: [400, 401, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Submission.self, context: context)
            return try .json(try await service.submit(id: try id(context), consent: body.consent ?? false, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/civil/applications/:id/events", APIOperation(
            summary: "Move an application: the applicant answers a supplement (`answer_supplement`, message), withdraws (`withdraw`, reason) or objects (`file_objection`, grounds); the handling agency receives (`receive`), starts the review (`start_review`), requests a supplement (`request_supplement`, message: the clock stops), transfers (`transfer`, agency code, reason), approves (`approve`), rejects (`reject`, reasons and howToObject, both required) or decides an objection (`decide_objection`, accepted, reasons). Illegal transitions are 409.",
            tag: "civil",
            requestBody: Schema.object(["event": Schema.string("Event", enumValues: ["receive", "start_review", "request_supplement", "answer_supplement", "transfer",
                                                                                   "approve", "reject", "withdraw", "file_objection", "decide_objection"]),
                                        "message": Schema.string, "reason": Schema.string, "reasons": Schema.string, "howToObject": Schema.string,
                                        "grounds": Schema.string, "agency": Schema.string("Agency code (transfer)"), "accepted": Schema.boolean],
                                       required: ["event"]),
            response: Schema.ref("CivilApplication"), errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let actor = try context.requireActor()
            let body = try await request.decode(as: EventRequest.self, context: context)
            return try .json(try await apply(body, id: try id(context), actor: actor, requestID: context.requestID, service: service, platform: platform))
        }
        routes.api(.post, "/api/v1/civil/applications/:id/refund", APIOperation(
            summary: "Refund the fee of a rejected or withdrawn application (handling agency)", tag: "civil",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: Schema.ref("CivilApplication"),
            errors: [400, 401, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: RefundRequest.self, context: context)
            return try .json(try await service.refund(id: try id(context), reason: body.reason, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/civil/queue", APIOperation(
            summary: "Applications waiting for the caller's agency, by due date (overdue first; a stopped clock last)", tag: "civil",
            response: Schema.array(Schema.object(["id": Schema.uuid, "receiptNumber": Schema.string, "state": Schema.string, "dueAt": Schema.nullable(Schema.dateTime),
                                                  "overdue": Schema.boolean, "clockStopped": Schema.boolean], required: ["id", "receiptNumber", "state", "overdue"])),
            errors: [401, 403])) { _, context in
            let actor = try context.requireActor()
            guard let agencyID = actor.agencyID else { throw NaraError.forbidden("The queue is for agency officials.") }
            return try .json(try await service.queue(agencyID: agencyID, by: actor))
        }
    }

    static func id(_ context: NaraRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The application") }
        return id
    }

    /// Maps an event request (API or form) onto the service.
    static func apply(_ body: EventRequest, id: UUID, actor: Actor, requestID: String?, service: CivilService, platform: Platform) async throws -> ApplicationView {
        switch body.event {
        case "answer_supplement":
            return try await service.answerSupplement(id: id, message: body.message ?? "", by: actor, requestID: requestID)
        case "withdraw":
            return try await service.withdraw(id: id, reason: body.reason ?? body.message ?? "", by: actor, requestID: requestID)
        case "file_objection":
            return try await service.fileObjection(id: id, grounds: body.grounds ?? body.message ?? "", by: actor, requestID: requestID)
        case "receive":
            return try await service.act(id: id, .receive, by: actor, requestID: requestID)
        case "start_review":
            return try await service.act(id: id, .startReview, by: actor, requestID: requestID)
        case "request_supplement":
            return try await service.act(id: id, .requestSupplement(message: body.message ?? ""), by: actor, requestID: requestID)
        case "transfer":
            guard let code = body.agency, let agency = try await platform.identity.agency(code: code, on: platform.db) else {
                throw NaraError.validation([FieldError(field: "agency", code: "unknown", message: "Choose the agency to transfer to.")])
            }
            return try await service.act(id: id, .transfer(toAgency: agency.id, reason: body.reason ?? ""), by: actor, requestID: requestID)
        case "approve":
            return try await service.act(id: id, .approve(note: body.message ?? ""), by: actor, requestID: requestID)
        case "reject":
            return try await service.act(id: id, .reject(reasons: body.reasons ?? "", howToObject: body.howToObject ?? ""), by: actor, requestID: requestID)
        case "decide_objection":
            guard let accepted = body.accepted else {
                throw NaraError.validation([FieldError(field: "accepted", code: "required", message: "Say whether the objection is accepted.")])
            }
            return try await service.act(id: id, .decideObjection(accepted: accepted, reasons: body.reasons ?? ""), by: actor, requestID: requestID)
        default:
            throw NaraError.validation([FieldError(field: "event", code: "unknown", message: "Unknown event \(body.event).")])
        }
    }
}
