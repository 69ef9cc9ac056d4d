import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/petitions/...`: petitions and their signatures, policy proposals and their supports,
/// public discussions, comments, reports and moderation.
enum ParticipationAPI {
    struct TextBody: Decodable { let text: String? }
    struct ProposalEdit: Decodable { let title: String?; let body: String? }
    struct ProposalAnswer: Decodable { let state: String?; let reasons: String? }
    struct NewDebate: Decodable { let title: String?; let description: String?; let closesAt: String? }
    struct NewComment: Decodable { let body: String?; let parentId: String? }
    struct Report: Decodable { let reason: String? }
    struct Moderation: Decodable { let action: String?; let reason: String? }

    static func register(_ routes: RouteRegistry, portal: Portal, service: ParticipationService) {
        let petitionType = Schema.object([
            "code": Schema.string, "nameEN": Schema.string, "nameKO": Schema.string, "threshold": Schema.integer, "signingDays": Schema.integer,
            "answerWorkingDays": Schema.integer, "active": Schema.boolean,
        ], required: ["code", "nameEN", "nameKO", "threshold", "signingDays", "answerWorkingDays", "active"])
        routes.schema("PetitionType", petitionType)
        routes.schema("Petition", Schema.object([
            "id": Schema.uuid, "number": Schema.string("PT-YYYY-NNNNNN"), "type": Schema.string, "typeName": Schema.string, "title": Schema.string,
            "body": Schema.string, "category": Schema.nullable(Schema.string), "agencyCode": Schema.string, "agencyName": Schema.string,
            "author": Schema.string("The petitioner, masked; signers are counted, never named"),
            "state": Schema.string("State", enumValues: PetitionState.allCases.map(\.rawValue)), "openedAt": Schema.dateTime, "closesAt": Schema.dateTime,
            "signingOpen": Schema.boolean, "threshold": Schema.integer, "signatures": Schema.integer, "reachedAt": Schema.nullable(Schema.dateTime),
            "answerDueAt": Schema.nullable(Schema.dateTime), "answerOverdue": Schema.boolean, "answer": Schema.nullable(Schema.string),
            "answeredAt": Schema.nullable(Schema.dateTime), "signedByYou": Schema.nullable(Schema.boolean),
        ], required: ["id", "number", "type", "title", "body", "agencyCode", "author", "state", "openedAt", "closesAt", "signingOpen", "threshold", "signatures",
                      "answerOverdue"]))
        routes.schema("Proposal", Schema.object([
            "id": Schema.uuid, "number": Schema.string("PR-YYYY-NNNNNN"), "title": Schema.string, "body": Schema.string, "category": Schema.nullable(Schema.string),
            "agencyCode": Schema.string, "agencyName": Schema.string, "author": Schema.string,
            "state": Schema.string("State", enumValues: ProposalState.allCases.map(\.rawValue)), "supports": Schema.integer, "createdAt": Schema.dateTime,
            "editedAt": Schema.nullable(Schema.dateTime), "answer": Schema.nullable(Schema.string), "answeredAt": Schema.nullable(Schema.dateTime),
            "supportedByYou": Schema.nullable(Schema.boolean), "mine": Schema.boolean,
        ], required: ["id", "number", "title", "body", "agencyCode", "author", "state", "supports", "createdAt", "mine"]))
        routes.schema("Debate", Schema.object([
            "id": Schema.uuid, "title": Schema.string, "description": Schema.string, "agencyCode": Schema.string, "agencyName": Schema.string,
            "openedAt": Schema.dateTime, "closesAt": Schema.nullable(Schema.dateTime), "open": Schema.boolean, "comments": Schema.integer,
        ], required: ["id", "title", "description", "agencyCode", "openedAt", "open", "comments"]))
        routes.schema("Comment", Schema.object([
            "id": Schema.uuid, "parentId": Schema.nullable(Schema.uuid), "depth": Schema.integer, "author": Schema.string, "official": Schema.boolean,
            "body": Schema.nullable(Schema.string("Null when hidden by the moderators")), "hidden": Schema.boolean, "hiddenReason": Schema.nullable(Schema.string),
            "createdAt": Schema.dateTime, "reports": Schema.nullable(Schema.integer), "mine": Schema.boolean,
        ], required: ["id", "depth", "author", "official", "hidden", "createdAt", "mine"]))
        let listQuery: [(name: String, schema: JSONValue, description: String)] = [
            ("q", Schema.string, "Words to find in the title or text"),
            ("sort", Schema.string("Order", enumValues: ListQuery.Sort.allCases.map(\.rawValue)), "newest (default), popular (most signed or supported), closing (petitions)"),
            ("state", Schema.string, "Only this state"),
            ("limit", Schema.integer, "At most this many (1 to 200, default 50)"),
        ]

        routes.api(.get, "/api/v1/petitions/petition-types", APIOperation(
            summary: "The kinds of petition: signatures needed, days to collect them, working days to answer", tag: "petitions", auth: .none,
            response: Schema.array(Schema.ref("PetitionType")))) { _, _ in
            try .json(try await service.petitionTypes())
        }
        routes.api(.put, "/api/v1/petitions/petition-types/:code", APIOperation(
            summary: "Create or change a petition type (complaint administrators); a new threshold applies to petitions published afterwards", tag: "petitions",
            requestBody: petitionType, response: Schema.ref("PetitionType"), errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: PetitionType.self, context: context)
            guard body.code == context.parameters.get("code") else {
                throw NaraError.validation([FieldError(field: "code", code: "mismatch", message: "The body's code must be the one in the address.")])
            }
            return try .json(try await service.savePetitionType(body, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/petitions/e-petitions", APIOperation(
            summary: "Petitions, for everyone: counts of signatures, never the signers", tag: "petitions", auth: .none,
            response: Schema.array(Schema.ref("Petition")), errors: [422], query: listQuery)) { request, context in
            try .json(try await service.petitions(try query(request), by: context.actor))
        }
        routes.api(.post, "/api/v1/petitions/e-petitions", APIOperation(
            summary: "Publish a petition (citizens): its window opens for the type's days and the petitioner's signature is the first", tag: "petitions",
            requestBody: Schema.object(["type": Schema.string, "title": Schema.string, "body": Schema.string, "category": Schema.nullable(Schema.string),
                                        "agency": Schema.nullable(Schema.string("Agency code; routed from the subject and text when absent"))],
                                       required: ["type", "title", "body"]),
            response: Schema.ref("Petition"), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: NewPetition.self, context: context)
            return try .json(try await service.publishPetition(body, by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/petitions/e-petitions/:id", APIOperation(
            summary: "One petition", tag: "petitions", auth: .none, response: Schema.ref("Petition"), errors: [404])) { _, context in
            try .json(try await service.petition(id: try id(context, "The petition"), by: context.actor))
        }
        routes.api(.post, "/api/v1/petitions/e-petitions/:id/signatures", APIOperation(
            summary: "Sign as the signed-in citizen. One person counts once: a repeated signature answers 200 with counted false; a counted one 201.",
            tag: "petitions",
            response: Schema.object(["petitionId": Schema.uuid, "signatures": Schema.integer, "counted": Schema.boolean,
                                     "state": Schema.string("State", enumValues: PetitionState.allCases.map(\.rawValue))],
                                    required: ["petitionId", "signatures", "counted", "state"]),
            successStatus: 201, errors: [401, 403, 404, 409])) { _, context in
            let receipt = try await service.sign(try id(context, "The petition"), by: try context.requireActor())
            return try .json(receipt, status: receipt.counted ? .created : .ok)
        }
        routes.api(.post, "/api/v1/petitions/e-petitions/:id/answer", APIOperation(
            summary: "The official answer of the agency addressed, once the threshold is reached (participation officers)", tag: "petitions",
            requestBody: Schema.object(["text": Schema.string], required: ["text"]), response: Schema.ref("Petition"),
            errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: TextBody.self, context: context)
            return try .json(try await service.answerPetition(try id(context, "The petition"), text: body.text ?? "", by: try context.requireActor(),
                                                              requestID: context.requestID))
        }

        routes.api(.get, "/api/v1/petitions/proposals", APIOperation(
            summary: "Policy proposals, for everyone", tag: "petitions", auth: .none, response: Schema.array(Schema.ref("Proposal")), errors: [422],
            query: listQuery)) { request, context in
            try .json(try await service.proposals(try query(request), by: context.actor))
        }
        routes.api(.post, "/api/v1/petitions/proposals", APIOperation(
            summary: "Make a policy proposal (citizens); routed to the agency of its subject unless one is named", tag: "petitions",
            requestBody: Schema.object(["title": Schema.string, "body": Schema.string, "category": Schema.nullable(Schema.string),
                                        "agency": Schema.nullable(Schema.string)], required: ["title", "body"]),
            response: Schema.ref("Proposal"), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: NewProposal.self, context: context)
            return try .json(try await service.propose(body, by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/petitions/proposals/:id", APIOperation(
            summary: "One proposal", tag: "petitions", auth: .none, response: Schema.ref("Proposal"), errors: [404])) { _, context in
            try .json(try await service.proposal(id: try id(context, "The proposal"), by: context.actor))
        }
        routes.api(.patch, "/api/v1/petitions/proposals/:id", APIOperation(
            summary: "The author edits an open proposal; its supporters are told", tag: "petitions",
            requestBody: Schema.object(["title": Schema.string, "body": Schema.string], required: ["title", "body"]),
            response: Schema.ref("Proposal"), errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: ProposalEdit.self, context: context)
            return try .json(try await service.editProposal(try id(context, "The proposal"), title: body.title ?? "", body: body.body ?? "",
                                                            by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/petitions/proposals/:id/supports", APIOperation(
            summary: "Support a proposal (citizens; once per person, a repeat changes nothing)", tag: "petitions",
            response: Schema.ref("Proposal"), errors: [401, 403, 404, 409])) { _, context in
            try .json(try await service.support(try id(context, "The proposal"), by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/petitions/proposals/:id/answer", APIOperation(
            summary: "The agency's answer: under_evaluation, accepted, partially_accepted or rejected, with reasons; author and supporters are told",
            tag: "petitions",
            requestBody: Schema.object(["state": Schema.string("State", enumValues: ProposalState.allCases.filter { $0 != .open }.map(\.rawValue)),
                                        "reasons": Schema.string], required: ["state", "reasons"]),
            response: Schema.ref("Proposal"), errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: ProposalAnswer.self, context: context)
            guard let state = body.state.flatMap(ProposalState.init(rawValue:)) else {
                throw NaraError.validation([FieldError(field: "state", code: "unknown", message: "Answer with under_evaluation, accepted, partially_accepted or rejected.")])
            }
            return try .json(try await service.answerProposal(try id(context, "The proposal"), state: state, reasons: body.reasons ?? "",
                                                              by: try context.requireActor(), requestID: context.requestID))
        }

        routes.api(.get, "/api/v1/petitions/debates", APIOperation(
            summary: "Public discussions by topic", tag: "petitions", auth: .none, response: Schema.array(Schema.ref("Debate")))) { _, _ in
            try .json(try await service.debates())
        }
        routes.api(.post, "/api/v1/petitions/debates", APIOperation(
            summary: "Open a discussion on a topic (participation officers, for their agency)", tag: "petitions",
            requestBody: Schema.object(["title": Schema.string, "description": Schema.string, "closesAt": Schema.nullable(Schema.dateTime)],
                                       required: ["title", "description"]),
            response: Schema.ref("Debate"), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let body = try await request.decode(as: NewDebate.self, context: context)
            var closes: Date?
            if let text = body.closesAt {
                guard let date = Timestamp.parseISO8601(text) else {
                    throw NaraError.validation([FieldError(field: "closesAt", code: "format", message: "Give the closing time as an ISO 8601 date-time.")])
                }
                closes = date
            }
            return try .json(try await service.openDebate(title: body.title ?? "", description: body.description ?? "", closesAt: closes,
                                                          by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/petitions/debates/:id", APIOperation(
            summary: "One discussion", tag: "petitions", auth: .none, response: Schema.ref("Debate"), errors: [404])) { _, context in
            try .json(try await service.debate(id: try id(context, "The discussion")))
        }
        for subject in ParticipationService.Subject.allCases {
            let path = subject == .proposal ? "proposals" : "debates"
            let what = subject == .proposal ? "The proposal" : "The discussion"
            routes.api(.get, "/api/v1/petitions/\(path)/:id/comments", APIOperation(
                summary: "The comments in thread order (each reply after its parent); hidden ones show the moderators' reason", tag: "petitions",
                auth: .none, response: Schema.array(Schema.ref("Comment")), errors: [404])) { _, context in
                try .json(try await service.comments(on: subject, try id(context, what), by: context.actor))
            }
            routes.api(.post, "/api/v1/petitions/\(path)/:id/comments", APIOperation(
                summary: "Comment, or reply to a comment (parentId), as a citizen or an official", tag: "petitions",
                requestBody: Schema.object(["body": Schema.string, "parentId": Schema.nullable(Schema.uuid)], required: ["body"]),
                response: Schema.ref("Comment"), successStatus: 201, errors: [400, 401, 403, 404, 409, 422])) { request, context in
                let body = try await request.decode(as: NewComment.self, context: context)
                var parent: UUID?
                if let text = body.parentId {
                    guard let id = UUID(uuidString: text) else {
                        throw NaraError.validation([FieldError(field: "parentId", code: "format", message: "The parent is a comment's id.")])
                    }
                    parent = id
                }
                return try .json(try await service.comment(on: subject, try id(context, what), body: body.body ?? "", parent: parent,
                                                           by: try context.requireActor(), requestID: context.requestID), status: .created)
            }
        }
        routes.api(.post, "/api/v1/petitions/comments/:id/reports", APIOperation(
            summary: "Report a comment to the moderators, once per person", tag: "petitions",
            requestBody: Schema.object(["reason": Schema.string("Reason", enumValues: ReportReason.allCases.map(\.rawValue))], required: ["reason"]),
            successStatus: 204, errors: [400, 401, 403, 404, 422])) { request, context in
            let body = try await request.decode(as: Report.self, context: context)
            try await service.report(try id(context, "The comment"), reason: body.reason ?? "", by: try context.requireActor(), requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.api(.post, "/api/v1/petitions/comments/:id/moderation", APIOperation(
            summary: "Hide a comment with a reason the public reads, or restore it (moderators; audited)", tag: "petitions",
            requestBody: Schema.object(["action": Schema.string("Action", enumValues: ["hide", "restore"]), "reason": Schema.string], required: ["action", "reason"]),
            response: Schema.ref("Comment"), errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Moderation.self, context: context)
            guard let action = body.action, ["hide", "restore"].contains(action) else {
                throw NaraError.validation([FieldError(field: "action", code: "unknown", message: "Use hide or restore.")])
            }
            return try .json(try await service.moderate(try id(context, "The comment"), hide: action == "hide", reason: body.reason ?? "",
                                                        by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/petitions/moderation", APIOperation(
            summary: "Reported comments not yet decided, most reported first (moderators)", tag: "petitions",
            response: Schema.array(Schema.object(["comment": Schema.ref("Comment"), "subjectKind": Schema.string, "subjectId": Schema.uuid,
                                                  "reasons": Schema.array(Schema.string), "text": Schema.string],
                                                 required: ["comment", "subjectKind", "subjectId", "reasons", "text"])),
            errors: [401, 403])) { _, context in
            try .json(try await service.reported(by: try context.requireActor()))
        }
    }

    static func query(_ request: Request) throws -> ListQuery {
        let q = request.uri.queryParameters
        var errors: [FieldError] = []
        var sort = ListQuery.Sort.newest
        if let text = q.get("sort"), !text.isEmpty {
            if let s = ListQuery.Sort(rawValue: text) { sort = s } else {
                errors.append(FieldError(field: "sort", code: "unknown", message: "Sort by \(ListQuery.Sort.allCases.map(\.rawValue).joined(separator: ", "))."))
            }
        }
        var limit = 50
        if let text = q.get("limit"), !text.isEmpty {
            if let n = Int(text), (1...200).contains(n) { limit = n } else {
                errors.append(FieldError(field: "limit", code: "range", message: "The limit is 1 to 200."))
            }
        }
        let words: String? = q.get("q").map { String($0) }
        if let words, words.count > 100 { errors.append(FieldError(field: "q", code: "too_long", message: "Search with at most 100 characters.")) }
        if !errors.isEmpty { throw NaraError.validation(errors) }
        let state: String? = q.get("state").map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
        return ListQuery(text: words, sort: sort, state: state, limit: limit)
    }

    static func id(_ context: NaraRequestContext, _ what: String) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound(what) }
        return id
    }
}
