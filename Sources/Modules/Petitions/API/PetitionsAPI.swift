import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/petitions/...`: complaint types, filing, the complainant's and the agency's steps,
/// the agency queue and deadline compliance.
enum PetitionsAPI {
    struct OfficialStepRequest: Decodable {
        let event: String
        let agency: String?
        let reason: String?
        let dueAt: String?
        let text: String?
        let draft: String?
        let complaints: [String]?
    }
    struct ComplainantStepRequest: Decodable {
        let event: String
        let score: Int?
        let comment: String?
        let grounds: String?
        let accessCode: String?
    }
    struct Lookup: Decodable {
        let number: String
        let accessCode: String
    }

    static let officialEvents = ["receive", "transfer", "start_review", "extend", "draft", "approve", "close", "merge", "separate"]
    static let complainantEvents = ["close", "rate", "object"]

    static func register(_ routes: RouteRegistry, portal: Portal, service: PetitionsService) {
        let complaintType = Schema.object([
            "code": Schema.string, "nameEN": Schema.string, "nameKO": Schema.string, "periodWorkingDays": Schema.integer,
            "anonymousAllowed": Schema.boolean, "objectionDays": Schema.integer, "active": Schema.boolean,
        ], required: ["code", "nameEN", "nameKO", "periodWorkingDays", "anonymousAllowed", "objectionDays", "active"])
        routes.schema("ComplaintType", complaintType)
        routes.schema("Complaint", Schema.object([
            "id": Schema.uuid, "number": Schema.string("EP-YYYY-NNNNNNN"), "type": Schema.string, "typeName": Schema.string,
            "category": Schema.nullable(Schema.string), "title": Schema.string, "body": Schema.string, "location": Schema.nullable(Schema.string),
            "latitude": Schema.nullable(["type": "number"]), "longitude": Schema.nullable(["type": "number"]),
            "filerKind": Schema.string("Filer", enumValues: ["citizen", "business", "anonymous"]), "public": Schema.boolean,
            "agencyCode": Schema.string, "agencyName": Schema.string,
            "routing": Schema.nullable(Schema.object(["agencyCode": Schema.string, "category": Schema.nullable(Schema.string), "reasons": Schema.array(Schema.string)],
                                                     required: ["agencyCode", "reasons"])),
            "state": Schema.string("State", enumValues: ComplaintState.allCases.map(\.rawValue)), "submittedAt": Schema.dateTime, "dueAt": Schema.dateTime,
            "overdue": Schema.boolean, "receivedAt": Schema.nullable(Schema.dateTime), "transfers": Schema.integer, "escalated": Schema.boolean,
            "extended": Schema.boolean, "extensionReason": Schema.nullable(Schema.string), "draft": Schema.nullable(Schema.string),
            "answer": Schema.nullable(Schema.string), "answeredAt": Schema.nullable(Schema.dateTime), "closedAt": Schema.nullable(Schema.dateTime),
            "rating": Schema.nullable(Schema.integer), "objection": Schema.nullable(Schema.string),
            "history": Schema.array(Schema.object([:], additional: true)),
            "draftHash": Schema.nullable(Schema.string("Officials only: the fingerprint an approval names")),
            "accessCode": Schema.nullable(Schema.string("Only in the answer to an anonymous filing: keep it to follow the complaint")),
            "mergedInto": Schema.nullable(Schema.string("The number of the complaint it was merged with, which is answered for both")),
            "mergedWith": Schema.array(Schema.string("Officials only: the numbers of the complaints merged with this one")),
            "collective": Schema.boolean, "people": Schema.nullable(Schema.integer),
            "attachments": Schema.array(Schema.object(["id": Schema.uuid, "name": Schema.string, "contentType": Schema.string, "size": Schema.integer,
                                                       "uploadedAt": Schema.dateTime], required: ["id", "name", "contentType", "size", "uploadedAt"])),
        ], required: ["id", "number", "type", "title", "body", "filerKind", "public", "agencyCode", "state", "submittedAt", "dueAt", "overdue", "transfers",
                      "escalated", "extended", "history", "mergedWith", "collective", "attachments"]))
        let queueItem = Schema.object(["id": Schema.uuid, "number": Schema.string, "title": Schema.string, "type": Schema.string,
                                       "state": Schema.string("State", enumValues: ComplaintState.allCases.map(\.rawValue)), "submittedAt": Schema.dateTime,
                                       "dueAt": Schema.dateTime, "overdue": Schema.boolean, "escalated": Schema.boolean,
                                       "collectivePeople": Schema.nullable(Schema.integer)],
                                      required: ["id", "number", "title", "type", "state", "submittedAt", "dueAt", "overdue", "escalated"])

        routes.api(.get, "/api/v1/petitions/complaint-types", APIOperation(
            summary: "The kinds of complaint, their legal processing periods (working days) and whether they may be filed anonymously", tag: "petitions",
            auth: .none, response: Schema.array(Schema.ref("ComplaintType")))) { _, _ in
            try .json(try await service.types())
        }
        routes.api(.put, "/api/v1/petitions/complaint-types/:code", APIOperation(
            summary: "Create or change a complaint type (complaint administrators); a new period applies to complaints filed afterwards", tag: "petitions",
            requestBody: complaintType, response: Schema.ref("ComplaintType"), errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: ComplaintType.self, context: context)
            guard body.code == context.parameters.get("code") else {
                throw NaraError.validation([FieldError(field: "code", code: "mismatch", message: "The body's code must be the one in the address.")])
            }
            return try .json(try await service.saveType(body, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/petitions/settings", APIOperation(
            summary: "The handling settings: transfers allowed, working days to accept before escalation, the coordinating agency, the people who make a complaint collective", tag: "petitions",
            auth: .none, response: Schema.object(["maxTransfers": Schema.integer, "acceptanceWorkingDays": Schema.integer, "coordinatorCode": Schema.string,
                                                 "collectiveThreshold": Schema.integer],
                                                 required: ["maxTransfers", "acceptanceWorkingDays", "coordinatorCode"]))) { _, _ in
            try .json(try await service.settings())
        }
        routes.api(.put, "/api/v1/petitions/settings", APIOperation(
            summary: "Change the handling settings (complaint administrators; audited)", tag: "petitions",
            requestBody: Schema.object(["maxTransfers": Schema.integer, "acceptanceWorkingDays": Schema.integer, "coordinatorCode": Schema.string,
                                                 "collectiveThreshold": Schema.integer],
                                       required: ["maxTransfers", "acceptanceWorkingDays", "coordinatorCode"]),
            response: Schema.object([:], additional: true), errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: ComplaintSettings.self, context: context)
            return try .json(try await service.saveSettings(body, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/petitions/categories", APIOperation(
            summary: "The subjects of complaints and the agency that answers each (local subjects go to the local government of the place)",
            tag: "petitions", auth: .none,
            response: Schema.array(Schema.object(["code": Schema.string, "nameEN": Schema.string, "nameKO": Schema.string, "agencyCode": Schema.string,
                                                  "local": Schema.boolean, "keywords": Schema.array(Schema.string)],
                                                 required: ["code", "nameEN", "nameKO", "agencyCode", "local", "keywords"])))) { _, _ in
            try .json(ComplaintCatalogue.categories)
        }
        routes.api(.post, "/api/v1/petitions/complaints", APIOperation(
            summary: "File a complaint. Signed in as a citizen or business, or anonymously for the types that allow it (the answer then carries the access code, shown once). Every field is checked first; the complaint is numbered, given its due date and sent to the agency routing suggests.",
            tag: "petitions", auth: .none,
            requestBody: Schema.object(["type": Schema.string, "category": Schema.nullable(Schema.string), "title": Schema.string, "body": Schema.string,
                                        "location": Schema.nullable(Schema.string), "latitude": Schema.nullable(["type": "number"]),
                                        "longitude": Schema.nullable(["type": "number"]), "public": Schema.nullable(Schema.boolean)],
                                       required: ["type", "title", "body"]),
            response: Schema.ref("Complaint"), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: NewComplaint.self, context: context)
            return try .json(try await service.file(body, by: context.actor, requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/petitions/complaints", APIOperation(
            summary: "The caller's complaints, newest first", tag: "petitions", response: Schema.array(queueItem), errors: [401])) { _, context in
            try .json(try await service.complaints(of: try context.requireActor()))
        }
        routes.api(.post, "/api/v1/petitions/complaints/lookup", APIOperation(
            summary: "An anonymous complaint by its number and access code", tag: "petitions", auth: .none,
            requestBody: Schema.object(["number": Schema.string, "accessCode": Schema.string], required: ["number", "accessCode"]),
            response: Schema.ref("Complaint"), errors: [400, 404, 422])) { request, context in
            let body = try await request.decode(as: Lookup.self, context: context)
            return try .json(try await service.complaint(number: body.number, accessCode: body.accessCode))
        }
        routes.api(.get, "/api/v1/petitions/complaints/:id", APIOperation(
            summary: "One complaint with its history (the complainant's, or the agency's that has it)", tag: "petitions",
            response: Schema.ref("Complaint"), errors: [401, 404])) { _, context in
            try .json(try await service.complaint(id: try id(context), by: try context.requireActor()))
        }
        routes.api(.post, "/api/v1/petitions/complaints/:id/events", APIOperation(
            summary: "An official's step: receive, transfer (agency code and reason), start_review, extend (once: reason and the new due date), draft (the answer's text), approve (another official of the agency, naming the draftHash read), close, merge (complaints: the ids or numbers of like complaints of the agency, answered with this one), separate (reason: take a merged complaint out of its merge)",
            tag: "petitions",
            requestBody: Schema.object(["event": Schema.string("Event", enumValues: officialEvents), "agency": Schema.string("Agency code (transfer)"),
                                        "reason": Schema.string, "dueAt": Schema.dateTime, "text": Schema.string,
                                        "draft": Schema.string("The draftHash of the answer approved (approve)"),
                                        "complaints": Schema.array(Schema.string("Id or number of a complaint to merge with this one (merge)"))], required: ["event"]),
            response: Schema.ref("Complaint"), errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: OfficialStepRequest.self, context: context)
            let step: PetitionsService.OfficialStep
            switch body.event {
            case "receive": step = .receive
            case "transfer": step = .transfer(agencyCode: body.agency ?? "", reason: body.reason ?? "")
            case "start_review": step = .startReview
            case "extend":
                guard let due = body.dueAt.flatMap(Timestamp.parseISO8601) else {
                    throw NaraError.validation([FieldError(field: "dueAt", code: "format", message: "Give the new due date as an ISO 8601 date-time.")])
                }
                step = .extend(reason: body.reason ?? "", dueAt: due)
            case "draft": step = .draft(text: body.text ?? "")
            case "approve":
                guard let draft = body.draft, !draft.isEmpty else {
                    throw NaraError.validation([FieldError(field: "draft", code: "required", message: "Name the draft you approve: its draftHash.")])
                }
                step = .approve(draft: draft)
            case "close": step = .close
            case "merge":
                return try .json(try await service.merge(body.complaints ?? [], into: try id(context), by: try context.requireActor(), requestID: context.requestID))
            case "separate":
                return try .json(try await service.separate(try id(context), reason: body.reason ?? "", by: try context.requireActor(), requestID: context.requestID))
            default:
                throw NaraError.validation([FieldError(field: "event", code: "unknown", message: "Use one of: \(officialEvents.joined(separator: ", ")).")])
            }
            return try .json(try await service.act(try id(context), step, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/petitions/complaints/:id/complainant-events", APIOperation(
            summary: "The complainant's step: close (accept the answer), rate (score 1-5, once), object (grounds; once, within the type's objection period). An anonymous complainant gives the access code.",
            tag: "petitions", auth: .none,
            requestBody: Schema.object(["event": Schema.string("Event", enumValues: complainantEvents), "score": Schema.integer, "comment": Schema.string,
                                        "grounds": Schema.string, "accessCode": Schema.string], required: ["event"]),
            response: Schema.ref("Complaint"), errors: [400, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: ComplainantStepRequest.self, context: context)
            let step: PetitionsService.ComplainantStep
            switch body.event {
            case "close": step = .close
            case "rate":
                guard let score = body.score else { throw NaraError.validation([FieldError(field: "score", code: "required", message: "Rate from 1 to 5.")]) }
                step = .rate(score: score, comment: body.comment)
            case "object": step = .object(grounds: body.grounds ?? "")
            default:
                throw NaraError.validation([FieldError(field: "event", code: "unknown", message: "Use one of: \(complainantEvents.joined(separator: ", ")).")])
            }
            return try .json(try await service.complainantAct(try id(context), step, by: context.actor, accessCode: body.accessCode, requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/petitions/complaints/:id/attachments", APIOperation(
            summary: "Attach a file (PDF, PNG, JPEG or plain text as the raw body, at most 5 per complaint) while the agency handles the complaint: "
                + "the complainant, signed in, or anonymous with the access code in the X-Access-Code header",
            tag: "petitions", requestContentType: "application/pdf", response: Schema.ref("Complaint"), successStatus: 201,
            errors: [401, 403, 404, 409, 413, 415, 422], query: [("name", Schema.string, "File name")])) { request, context in
            let accessCode = Self.accessCode(request)
            let actor = accessCode == nil ? try context.requireActor() : nil
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: context.maxUploadSize) } catch {
                throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The file is larger than \(context.maxUploadSize) bytes.")
            }
            return try .json(try await service.attach(try id(context), data: Data(buffer: body), name: request.uri.queryParameters.get("name"),
                                                      contentType: request.headers[.contentType], by: actor, accessCode: accessCode, requestID: context.requestID),
                             status: .created)
        }
        routes.api(.get, "/api/v1/petitions/complaints/:id/attachments/:attachment", APIOperation(
            summary: "Download an attachment: the complainant (signed in, or with the X-Access-Code header) or the officials of the agency that has the complaint",
            tag: "petitions", responseContentType: "application/octet-stream", errors: [401, 404])) { request, context in
            guard let attachmentID = context.parameters.get("attachment").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The attachment") }
            let accessCode = Self.accessCode(request)
            let actor = accessCode == nil ? try context.requireActor() : nil
            return try await FileDownload.response(try await service.attachment(try id(context), attachmentID: attachmentID, by: actor, accessCode: accessCode),
                                                   portal: portal)
        }
        routes.api(.get, "/api/v1/petitions/complaints/:id/similar", APIOperation(
            summary: "Open complaints of the same agency that look like this one (the same subject at the same place, or a like text): proposed for merging",
            tag: "petitions",
            response: Schema.array(Schema.object(["id": Schema.uuid, "number": Schema.string, "title": Schema.string,
                                                  "state": Schema.string("State", enumValues: ComplaintState.allCases.map(\.rawValue)),
                                                  "submittedAt": Schema.dateTime, "samePlace": Schema.boolean, "likeness": Schema.integer, "people": Schema.integer],
                                                 required: ["id", "number", "title", "state", "submittedAt", "samePlace", "likeness", "people"])),
            errors: [401, 404])) { _, context in
            try .json(try await service.similar(to: try id(context), by: try context.requireActor()))
        }
        routes.api(.get, "/api/v1/petitions/collective", APIOperation(
            summary: "Collective complaints (filed with those merged into them by 20 or more people): every agency's for the coordinating agency, otherwise the caller's agency's",
            tag: "petitions",
            response: Schema.array(Schema.object(["id": Schema.uuid, "number": Schema.string, "title": Schema.string, "agencyCode": Schema.string,
                                                  "agencyName": Schema.string, "state": Schema.string("State", enumValues: ComplaintState.allCases.map(\.rawValue)),
                                                  "people": Schema.integer, "flaggedAt": Schema.dateTime, "dueAt": Schema.dateTime, "overdue": Schema.boolean],
                                                 required: ["id", "number", "title", "agencyCode", "agencyName", "state", "people", "flaggedAt", "dueAt", "overdue"])),
            errors: [401, 403])) { _, context in
            try .json(try await service.collective(for: try context.requireActor()))
        }
        routes.api(.get, "/api/v1/petitions/queue", APIOperation(
            summary: "What waits for the caller's agency, by due date; overdue complaints are flagged", tag: "petitions",
            response: Schema.array(queueItem), errors: [401, 403])) { _, context in
            try .json(try await service.queue(for: try context.requireActor()))
        }
        routes.api(.get, "/api/v1/petitions/compliance", APIOperation(
            summary: "Deadline compliance by agency: first answers on time, open complaints and those past due", tag: "petitions", auth: .none,
            response: Schema.array(Schema.object(["agencyCode": Schema.string, "agencyName": Schema.string, "answered": Schema.integer,
                                                  "answeredOnTime": Schema.integer, "onTimeRate": Schema.nullable(["type": "number"]), "open": Schema.integer,
                                                  "overdueOpen": Schema.integer],
                                                 required: ["agencyCode", "agencyName", "answered", "answeredOnTime", "open", "overdueOpen"])))) { _, _ in
            try .json(try await service.compliance())
        }
        let week = Schema.object(["weekStart": Schema.string, "filed": Schema.integer, "answered": Schema.integer], required: ["weekStart", "filed", "answered"])
        let number = Schema.nullable(["type": "number"])
        let agencyRow = Schema.object(["agencyCode": Schema.string, "agencyName": Schema.string, "agencyNameKO": Schema.string, "answered": Schema.integer,
                                       "averageWorkingDays": number, "p95WorkingDays": number, "answeredOnTime": Schema.integer, "onTimeRate": number,
                                       "open": Schema.integer, "overdueOpen": Schema.integer],
                                      required: ["agencyCode", "agencyName", "agencyNameKO", "answered", "answeredOnTime", "open", "overdueOpen"])
        routes.api(.get, "/api/v1/petitions/statistics", APIOperation(
            summary: "Complaint statistics over the last weeks: filed and answered per week, working days to answer (average and p95) and compliance by agency, satisfaction, top categories",
            tag: "petitions", auth: .none,
            response: Schema.object([
                "weeks": Schema.integer, "from": Schema.string, "through": Schema.string, "filed": Schema.integer, "answered": Schema.integer,
                "averageWorkingDays": number, "onTimeRate": number, "perWeek": Schema.array(week), "agencies": Schema.array(agencyRow),
                "satisfaction": Schema.object(["rated": Schema.integer, "average": number, "distribution": Schema.array(Schema.integer)],
                                              required: ["rated", "distribution"]),
                "topCategories": Schema.array(Schema.object(["code": Schema.nullable(["type": "string"]), "nameEN": Schema.string, "nameKO": Schema.string,
                                                             "count": Schema.integer], required: ["nameEN", "nameKO", "count"])),
                "generatedAt": Schema.dateTime],
                required: ["weeks", "from", "through", "filed", "answered", "perWeek", "agencies", "satisfaction", "topCategories", "generatedAt"]),
            errors: [422], query: [("weeks", Schema.integer, "Weeks to cover, ending with the current one (1 to 104, default 12)")])) { request, _ in
            try .json(try await service.statistics(weeks: try PetitionsService.statisticsWeeks(request.uri.queryParameters.get("weeks"))))
        }
    }

    /// An anonymous complainant's access code, sent in a header (never in the address).
    static func accessCode(_ request: Request) -> String? {
        guard let name = HTTPField.Name("X-Access-Code"), let value = request.headers[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    static func id(_ context: NaraRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The complaint") }
        return id
    }
}
