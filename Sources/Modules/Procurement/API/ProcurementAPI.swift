import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/procurement/...`: suppliers, tenders, sealed bids and the opening.
enum ProcurementAPI {
    struct Cancellation: Decodable { let reason: String }
    struct Question: Decodable { let question: String }
    struct Answer: Decodable { let answer: String }
    struct Scores: Decodable { let scores: [String: Int] }
    struct Review: Decodable { let action: String; let decision: String? }
    struct Reason: Decodable { let reason: String? }

    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        defer { registerLifecycle(routes, portal: portal, service: service) }
        routes.schema("Tender", Schema.object([
            "id": Schema.uuid, "reference": Schema.string("TN-YYYY-NNNNNN"), "title": Schema.string, "description": Schema.string,
            "agencyCode": Schema.string, "agencyName": Schema.string,
            "procedure": Schema.string("Procedure", enumValues: Procedure.allCases.map(\.rawValue)),
            "lots": Schema.array(Schema.object(["number": Schema.integer, "title": Schema.string, "estimatedValueMinor": Schema.integer],
                                               required: ["number", "title", "estimatedValueMinor"])),
            "currency": Schema.string, "state": Schema.string("State", enumValues: TenderState.allCases.map(\.rawValue)),
            "publishedAt": Schema.nullable(Schema.dateTime), "deadline": Schema.dateTime, "openedAt": Schema.nullable(Schema.dateTime),
            "cancelReason": Schema.nullable(Schema.string),
            "bids": Schema.nullable(Schema.array(Schema.object([:], additional: true))),
        ], required: ["id", "reference", "title", "procedure", "lots", "state", "deadline"]))
        routes.schema("BidReceipt", Schema.object([
            "bidID": Schema.uuid, "tender": Schema.string, "bidder": Schema.string("Business registration number"),
            "sealedDigest": Schema.string("SHA-256 of the sealed envelope"), "receivedAt": Schema.string("When the request arrived (ISO 8601, ms)"),
            "signature": Schema.nullable(Schema.ref("DetachedSignature")),
        ], required: ["bidID", "tender", "bidder", "sealedDigest", "receivedAt"]))

        routes.api(.post, "/api/v1/procurement/suppliers", APIOperation(
            summary: "Register the caller's business as a supplier, once for every agency (the business registry must list it as active)",
            tag: "procurement", response: Schema.object([:], additional: true), successStatus: 201, errors: [401, 403, 422])) { _, context in
            try .json(try await service.registerSupplier(by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/procurement/tenders", APIOperation(
            summary: "Published tenders (no sign-in); bids appear only after the opening", tag: "procurement", auth: .none,
            response: Schema.array(Schema.ref("Tender")))) { _, _ in
            try .json(try await service.tenders(publicOnly: true))
        }
        routes.api(.post, "/api/v1/procurement/tenders", APIOperation(
            summary: "Create a draft tender (procurement officers); the deadline must leave the procedure's minimum tendering period", tag: "procurement",
            requestBody: Schema.object(["title": Schema.string, "description": Schema.string,
                                        "procedure": Schema.string("Procedure", enumValues: Procedure.allCases.map(\.rawValue)),
                                        "lots": Schema.array(Schema.object(["number": Schema.integer, "title": Schema.string, "estimatedValueMinor": Schema.integer],
                                                                           required: ["number", "title", "estimatedValueMinor"])),
                                        "deadline": Schema.dateTime], required: ["title", "description", "procedure", "lots", "deadline"]),
            response: Schema.ref("Tender"), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let input = try await request.decode(as: NewTender.self, context: context)
            return try .json(try await service.createTender(input, by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/procurement/tenders/:id", APIOperation(
            summary: "One tender; bids appear only after the opening", tag: "procurement", auth: .none, response: Schema.ref("Tender"), errors: [404])) { _, context in
            let view = try await service.tender(id: try id(context))
            // A draft is seen only by the officers of its agency.
            if view.state == .draft {
                let officerAgency = context.actor.flatMap { try? service.officerAgency($0) }
                let tenderAgency = try await TenderModel.find(view.id, on: platform.db)?.agencyID
                guard let officerAgency, officerAgency == tenderAgency else { throw NaraError.notFound("The tender") }
            }
            return try .json(view)
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/publish", APIOperation(
            summary: "Publish a draft: its key pair is created and bids are taken until the deadline", tag: "procurement",
            response: Schema.ref("Tender"), errors: [401, 403, 404, 409, 422])) { _, context in
            try .json(try await service.publish(id: try id(context), by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/cancel", APIOperation(
            summary: "Cancel a draft or open tender, with its reason", tag: "procurement",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: Schema.ref("Tender"),
            errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Cancellation.self, context: context)
            return try .json(try await service.cancel(id: try id(context), reason: body.reason, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/bids", APIOperation(
            summary: "Submit a sealed bid (registered suppliers): prices per lot, declarations, lottery picks and up to 10 documents (PDF, PNG, JPEG or text). The receipt time is taken when the request arrives; the bid is encrypted to the tender's key at once and only its signed receipt is returned. Send an `Idempotency-Key` header: the same key again returns the first receipt. A new bid replaces the supplier's earlier one.",
            tag: "procurement",
            requestBody: Schema.object(["prices": Schema.object([:], additional: true), "declarations": Schema.array(Schema.string),
                                        "lotteryPicks": Schema.array(Schema.integer),
                                        "documents": Schema.array(Schema.object(["title": Schema.string, "fileName": Schema.string, "contentType": Schema.string,
                                                                                 "content": Schema.string("The file, base64")],
                                                                                required: ["title", "fileName", "contentType", "content"]))],
                                       required: ["prices"]),
            response: Schema.ref("BidReceipt"), successStatus: 201, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let tenderID = try id(context)
            // The receipt time, and the request counted as in flight for this tender, in one step:
            // the opening waits for every bid that arrived before the deadline.
            let arrived = platform.clock.now()
            service.intake.arrive(tenderID)
            defer { service.intake.leave(tenderID) }
            let actor = try context.requireActor()
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let content = try await request.decode(as: BidContent.self, context: context)
            return try .json(try await service.submitBid(tenderID: tenderID, content: content, idempotencyKey: key, receivedAt: arrived,
                                                         by: actor, requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/procurement/tenders/:id/bids/mine", APIOperation(
            summary: "The caller's current bids on a tender: receipts and status (submitted, or needs_reconfirmation after an amendment)", tag: "procurement",
            response: Schema.array(Schema.object(["receipt": Schema.ref("BidReceipt"), "status": Schema.string], required: ["receipt", "status"])),
            errors: [401])) { _, context in
            try .json(try await service.myBids(tenderID: try id(context), by: try context.requireActor()))
        }
        routes.api(.delete, "/api/v1/procurement/tenders/:id/bids/:bid", APIOperation(
            summary: "Withdraw one's bid before the deadline", tag: "procurement", successStatus: 204, errors: [401, 404, 409])) { _, context in
            let now = platform.clock.now()
            guard let bid = context.parameters.get("bid").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The bid") }
            try await service.withdrawBid(tenderID: try id(context), bidID: bid, at: now, by: try context.requireActor(), requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/open", APIOperation(
            summary: "Open the bids at or after the deadline (the clock also does it within 15 seconds)", tag: "procurement",
            response: Schema.ref("Tender"), errors: [401, 403, 404, 409])) { _, context in
            let actor = try context.requireActor()
            let agencyID = try service.officerAgency(actor)
            let tenderID = try id(context)
            guard try await TenderModel.find(tenderID, on: platform.db)?.agencyID == agencyID else { throw NaraError.notFound("The tender") }
            return try .json(try await service.open(tenderID: tenderID, by: context.auditActor))
        }
    }

    static func registerLifecycle(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
        let tender = Schema.ref("Tender")
        routes.api(.post, "/api/v1/procurement/tenders/:id/plan", APIOperation(
            summary: "Publish a draft as a procurement plan (budget and rationale); the notice follows with publish", tag: "procurement",
            response: tender, errors: [401, 403, 404, 409, 422])) { _, context in
            try .json(try await service.plan(id: try id(context), by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/amend", APIOperation(
            summary: "Amend an open tender with a rationale. With fewer than 7 days left the deadline moves to 7 days from now; bids already in must be re-confirmed.",
            tag: "procurement",
            requestBody: Schema.object(["rationale": Schema.string, "description": Schema.string, "deadline": Schema.dateTime, "eligibility": Schema.string,
                                        "items": Schema.array(Schema.object([:], additional: true)), "documents": Schema.array(Schema.object([:], additional: true))],
                                       required: ["rationale"]),
            response: tender, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let input = try await request.decode(as: TenderAmendmentInput.self, context: context)
            return try .json(try await service.amend(id: try id(context), input, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/bids/:bid/confirm", APIOperation(
            summary: "Re-confirm one's bid after an amendment, before the deadline", tag: "procurement",
            response: Schema.object(["receipt": Schema.ref("BidReceipt"), "status": Schema.string]), errors: [401, 404, 409])) { _, context in
            let now = platform.clock.now()
            return try .json(try await service.reconfirmBid(tenderID: try id(context), bidID: try uuid(context, "bid", "The bid"), at: now,
                                                            by: try context.requireActor(), requestID: context.requestID))
        }
        let enquiry = Schema.object(["id": Schema.uuid, "question": Schema.string, "askedAt": Schema.dateTime, "answer": Schema.nullable(Schema.string),
                                     "answeredAt": Schema.nullable(Schema.dateTime)], required: ["id", "question", "askedAt"])
        routes.api(.get, "/api/v1/procurement/tenders/:id/enquiries", APIOperation(
            summary: "The tender's public questions and answers (who asked is not shown)", tag: "procurement", auth: .none,
            response: Schema.array(enquiry), errors: [404])) { _, context in
            let tenderID = try id(context)
            guard let model = try await TenderModel.find(tenderID, on: platform.db), model.state != TenderState.draft.rawValue else { throw NaraError.notFound("The tender") }
            return try .json(try await service.enquiries(tenderID: tenderID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/enquiries", APIOperation(
            summary: "Ask a question during the enquiry period (registered suppliers)", tag: "procurement",
            requestBody: Schema.object(["question": Schema.string], required: ["question"]), response: enquiry, successStatus: 201,
            errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Question.self, context: context)
            return try .json(try await service.ask(tenderID: try id(context), question: body.question, by: try context.requireActor(),
                                                   requestID: context.requestID), status: .created)
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/enquiries/:enquiry/answer", APIOperation(
            summary: "Answer a question (the tender's procurement officers); the answer is public at once", tag: "procurement",
            requestBody: Schema.object(["answer": Schema.string], required: ["answer"]), response: enquiry, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Answer.self, context: context)
            return try .json(try await service.answer(tenderID: try id(context), enquiryID: try uuid(context, "enquiry", "The question"), answer: body.answer,
                                                      by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.get, "/api/v1/procurement/tenders/:id/ranking", APIOperation(
            summary: "Each lot's bids in evaluation order (after the opening)", tag: "procurement", auth: .none,
            response: Schema.object([:], additional: true), errors: [404, 409])) { _, context in
            guard let model = try await TenderModel.find(try id(context), on: platform.db), model.state != TenderState.draft.rawValue else {
                throw NaraError.notFound("The tender")
            }
            guard model.openedAt != nil else { throw NaraError(.conflict, code: "before_opening", "The bids are sealed until the opening.") }
            return try .json(Dictionary(uniqueKeysWithValues: try service.ranking(model).map { (String($0.key), $0.value) }))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/quality-scores", APIOperation(
            summary: "Record the evaluation committee's quality scores (0-100, keyed by business registration number) of a price-and-quality tender",
            tag: "procurement", requestBody: Schema.object(["scores": Schema.object([:], additional: true)], required: ["scores"]),
            response: tender, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Scores.self, context: context)
            return try .json(try await service.scoreQuality(tenderID: try id(context), scores: body.scores, by: try context.requireActor(),
                                                            requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/awards/:award/qualify", APIOperation(
            summary: "The pending award passed the qualification check: it becomes active and the standstill starts", tag: "procurement",
            response: tender, errors: [401, 403, 404, 409])) { _, context in
            try .json(try await service.decideAward(tenderID: try id(context), awardID: try uuid(context, "award", "The award"), qualified: true, reason: nil,
                                                    by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/awards/:award/disqualify", APIOperation(
            summary: "Disqualify the pending (or active, before its contract) award with a reason; the next bid in order becomes the pending award",
            tag: "procurement", requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: tender,
            errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.decideAward(tenderID: try id(context), awardID: try uuid(context, "award", "The award"), qualified: false,
                                                           reason: body.reason, by: try context.requireActor(), requestID: context.requestID))
        }
        let complaint = Schema.object(["id": Schema.uuid, "reference": Schema.string, "tenderID": Schema.uuid, "tenderReference": Schema.string,
                                       "awardID": Schema.nullable(Schema.uuid), "complainant": Schema.string, "title": Schema.string, "description": Schema.string,
                                       "status": Schema.string("Status", enumValues: ComplaintStatus.allCases.map(\.rawValue)), "lodgedAt": Schema.dateTime,
                                       "decision": Schema.nullable(Schema.string), "decidedAt": Schema.nullable(Schema.dateTime)],
                                      required: ["id", "reference", "status", "title"])
        routes.api(.get, "/api/v1/procurement/tenders/:id/complaints", APIOperation(
            summary: "Complaints about a tender and their decisions (public)", tag: "procurement", auth: .none, response: Schema.array(complaint),
            errors: [404])) { _, context in
            try .json(try await service.complaints(tenderID: try id(context)))
        }
        routes.api(.post, "/api/v1/procurement/tenders/:id/complaints", APIOperation(
            summary: "Lodge a complaint (bidders of the tender), during the evaluation or an award's standstill; it blocks the contract until decided",
            tag: "procurement", requestBody: Schema.object(["awardID": Schema.uuid, "title": Schema.string, "description": Schema.string],
                                                           required: ["title", "description"]),
            response: complaint, successStatus: 201, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let input = try await request.decode(as: NewComplaint.self, context: context)
            return try .json(try await service.lodgeComplaint(tenderID: try id(context), input, by: try context.requireActor(), requestID: context.requestID),
                             status: .created)
        }
        routes.api(.get, "/api/v1/procurement/complaints", APIOperation(
            summary: "Open complaints awaiting the review body", tag: "procurement", response: Schema.array(complaint), errors: [401, 403])) { _, context in
            try AccessPolicy.require(context.actor, ProcurementModule.reviewPermission, on: .platform)
            return try .json(try await service.complaints(openOnly: true))
        }
        routes.api(.post, "/api/v1/procurement/complaints/:complaint/review", APIOperation(
            summary: "The review body accepts a complaint for review, declines it, or upholds it (satisfy: the award it names is cancelled)",
            tag: "procurement", requestBody: Schema.object(["action": Schema.string("Action", enumValues: ["accept", "decline", "satisfy"]),
                                                            "decision": Schema.string], required: ["action"]),
            response: complaint, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Review.self, context: context)
            guard let action = ProcurementService.ComplaintAction(rawValue: body.action) else {
                throw NaraError.validation([FieldError(field: "action", code: "unknown", message: "Choose accept, decline or satisfy.")])
            }
            return try .json(try await service.reviewComplaint(id: try uuid(context, "complaint", "The complaint"), action: action, decision: body.decision,
                                                               by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/complaints/:complaint/withdraw", APIOperation(
            summary: "Withdraw one's open complaint", tag: "procurement", response: complaint, errors: [401, 404, 409])) { _, context in
            try .json(try await service.withdrawComplaint(id: try uuid(context, "complaint", "The complaint"), by: try context.requireActor(),
                                                          requestID: context.requestID))
        }
        let contract = Schema.ref("Contract")
        routes.schema("Contract", Schema.object([
            "id": Schema.uuid, "reference": Schema.string("CT-YYYY-NNNNNN"), "tenderID": Schema.uuid, "tenderReference": Schema.string, "awardID": Schema.uuid,
            "lot": Schema.integer, "agencyName": Schema.string, "supplierName": Schema.string, "supplierBusinessNumber": Schema.string, "title": Schema.string,
            "valueMinor": Schema.integer, "currency": Schema.string, "periodStart": Schema.dateTime, "periodEnd": Schema.dateTime,
            "status": Schema.string("Status", enumValues: ContractStatus.allCases.map(\.rawValue)), "document": Schema.string("The signed terms (canonical JSON)"),
            "agencySignature": Schema.nullable(Schema.ref("DetachedSignature")), "supplierSignature": Schema.nullable(Schema.ref("DetachedSignature")),
            "agencySignedAt": Schema.nullable(Schema.dateTime), "supplierSignedAt": Schema.nullable(Schema.dateTime),
            "amendments": Schema.array(Schema.object([:], additional: true)), "invoices": Schema.array(Schema.object([:], additional: true)),
            "paidMinor": Schema.integer,
        ], required: ["id", "reference", "status", "valueMinor", "document"]))
        routes.api(.post, "/api/v1/procurement/tenders/:id/awards/:award/contract", APIOperation(
            summary: "Generate the contract of an active award after its standstill, when no complaint is open", tag: "procurement",
            requestBody: Schema.object(["periodStart": Schema.dateTime, "periodEnd": Schema.dateTime], required: ["periodEnd"]),
            response: contract, successStatus: 201, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let input = try await request.decode(as: NewContract.self, context: context)
            return try .json(try await service.createContract(tenderID: try id(context), awardID: try uuid(context, "award", "The award"), input,
                                                              by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/procurement/contracts", APIOperation(
            summary: "Contracts (public)", tag: "procurement", auth: .none, response: Schema.array(contract))) { _, _ in
            try .json(try await service.contracts())
        }
        routes.api(.get, "/api/v1/procurement/contracts/:contract", APIOperation(
            summary: "One contract with its signed terms, signatures, amendments and invoices (public)", tag: "procurement", auth: .none,
            response: contract, errors: [404])) { _, context in
            try .json(try await service.contract(id: try uuid(context, "contract", "The contract")))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/sign", APIOperation(
            summary: "Sign the contract: the buyer's procurement officer with the agency certificate, or the supplier's representative with the business certificate",
            tag: "procurement", response: contract, errors: [401, 403, 404, 409])) { _, context in
            try .json(try await service.signContract(id: try uuid(context, "contract", "The contract"), by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/amend", APIOperation(
            summary: "Propose an amendment of an active contract's value or period, with the rationale, signed by the agency; it takes effect when the supplier counter-signs",
            tag: "procurement",
            requestBody: Schema.object(["rationale": Schema.string, "valueMinor": Schema.integer, "periodEnd": Schema.dateTime], required: ["rationale"]),
            response: contract, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let input = try await request.decode(as: ContractAmendmentInput.self, context: context)
            return try .json(try await service.amendContract(id: try uuid(context, "contract", "The contract"), input, by: try context.requireActor(),
                                                             requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/amendments/:amendment/accept", APIOperation(
            summary: "The supplier counter-signs a proposed amendment with its business certificate: it takes effect", tag: "procurement",
            response: contract, errors: [401, 404, 409])) { _, context in
            guard let amendment = context.parameters.get("amendment") else { throw NaraError.notFound("The amendment") }
            return try .json(try await service.decideAmendment(contractID: try uuid(context, "contract", "The contract"), amendmentID: amendment, accept: true,
                                                               reason: nil, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/amendments/:amendment/decline", APIOperation(
            summary: "The supplier declines a proposed amendment, with the reason", tag: "procurement",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: contract, errors: [400, 401, 404, 409, 422])) { request, context in
            guard let amendment = context.parameters.get("amendment") else { throw NaraError.notFound("The amendment") }
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.decideAmendment(contractID: try uuid(context, "contract", "The contract"), amendmentID: amendment, accept: false,
                                                               reason: body.reason, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/terminate", APIOperation(
            summary: "Terminate an active contract with the reason", tag: "procurement",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: contract, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.terminateContract(id: try uuid(context, "contract", "The contract"), reason: body.reason ?? "",
                                                                 by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/invoices", APIOperation(
            summary: "Send an invoice against an active contract (the supplier), up to the contract's value", tag: "procurement",
            requestBody: Schema.object(["number": Schema.string, "amountMinor": Schema.integer, "description": Schema.string],
                                       required: ["number", "amountMinor", "description"]),
            response: contract, successStatus: 201, errors: [400, 401, 404, 409, 422])) { request, context in
            let input = try await request.decode(as: NewInvoice.self, context: context)
            return try .json(try await service.submitInvoice(contractID: try uuid(context, "contract", "The contract"), input, by: try context.requireActor(),
                                                             requestID: context.requestID), status: .created)
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/invoices/:invoice/approve", APIOperation(
            summary: "Approve an invoice: the payment is put on the ledger, due within 5 working days", tag: "procurement",
            response: contract, errors: [401, 403, 404, 409])) { _, context in
            try .json(try await service.decideInvoice(contractID: try uuid(context, "contract", "The contract"), invoiceID: try uuid(context, "invoice", "The invoice"),
                                                      approve: true, reason: nil, by: try context.requireActor(), requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/contracts/:contract/invoices/:invoice/reject", APIOperation(
            summary: "Reject an invoice with the reason", tag: "procurement", requestBody: Schema.object(["reason": Schema.string], required: ["reason"]),
            response: contract, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.decideInvoice(contractID: try uuid(context, "contract", "The contract"), invoiceID: try uuid(context, "invoice", "The invoice"),
                                                             approve: false, reason: body.reason, by: try context.requireActor(), requestID: context.requestID))
        }
        registerOCDS(routes, portal: portal, service: service)
        registerMall(routes, portal: portal, service: service)
    }

    static func registerMall(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let item = Schema.object(["id": Schema.uuid, "code": Schema.string, "name": Schema.string, "classification": Schema.string("UNSPSC"),
                                  "unitCode": Schema.string, "unitName": Schema.string, "priceMinor": Schema.integer, "deliveryDays": Schema.integer,
                                  "minQuantity": Schema.integer, "supplierName": Schema.string, "frameworkReference": Schema.string],
                                 required: ["id", "code", "name", "priceMinor"])
        let framework = Schema.object(["id": Schema.uuid, "reference": Schema.string("FA-YYYY-NNNNNN"), "agencyName": Schema.string, "supplierName": Schema.string,
                                       "supplierBusinessNumber": Schema.string, "title": Schema.string, "validFrom": Schema.dateTime, "validUntil": Schema.dateTime,
                                       "maxOrderMinor": Schema.integer, "status": Schema.string, "items": Schema.array(item)],
                                      required: ["id", "reference", "title", "items"])
        routes.schema("Order", Schema.object([
            "id": Schema.uuid, "reference": Schema.string("PO-YYYY-NNNNNN"), "agencyName": Schema.string, "supplierName": Schema.string,
            "frameworkReference": Schema.string, "lines": Schema.array(Schema.object([:], additional: true)), "totalMinor": Schema.integer,
            "status": Schema.string("Status", enumValues: OrderStatus.allCases.map(\.rawValue)), "placedAt": Schema.dateTime, "dueAt": Schema.dateTime,
            "deliveredAt": Schema.nullable(Schema.dateTime), "late": Schema.boolean, "cancelReason": Schema.nullable(Schema.string),
            "paymentReference": Schema.nullable(Schema.string),
        ], required: ["id", "reference", "status", "totalMinor", "lines"]))
        let order = Schema.ref("Order")
        routes.api(.get, "/api/v1/procurement/dashboard", APIOperation(
            summary: "Procurement figures and red flags (no sign-in): tenders by status, bids per tender, days from notice to contract, contracts per officer",
            tag: "procurement", auth: .none, response: Schema.object([:], additional: true))) { _, _ in
            try .json(try await service.dashboard())
        }
        routes.api(.get, "/api/v1/procurement/catalogue", APIOperation(
            summary: "The shopping mall: items agencies can order today from framework agreements in force (no sign-in)", tag: "procurement", auth: .none,
            response: Schema.array(item), query: [("q", Schema.string, "Words of the name, the item code, a UNSPSC prefix or the supplier")])) { request, _ in
            try .json(try await service.catalogue(query: request.uri.queryParameters.get("q") ?? ""))
        }
        routes.api(.get, "/api/v1/procurement/frameworks", APIOperation(
            summary: "Framework agreements with their catalogue items (no sign-in)", tag: "procurement", auth: .none, response: Schema.array(framework))) { _, _ in
            try .json(try await service.frameworks())
        }
        routes.api(.post, "/api/v1/procurement/frameworks", APIOperation(
            summary: "Conclude a framework agreement with a registered supplier (Public Procurement Service officers)", tag: "procurement",
            requestBody: Schema.object(["supplierBusinessNumber": Schema.string, "title": Schema.string, "validUntil": Schema.dateTime, "maxOrderMinor": Schema.integer,
                                        "items": Schema.array(Schema.object(["name": Schema.string, "classification": Schema.string, "unitCode": Schema.string,
                                                                             "unitName": Schema.string, "priceMinor": Schema.integer, "deliveryDays": Schema.integer,
                                                                             "minQuantity": Schema.integer],
                                                                            required: ["name", "classification", "unitCode", "unitName", "priceMinor", "deliveryDays"]))],
                                       required: ["supplierBusinessNumber", "title", "validUntil", "maxOrderMinor", "items"]),
            response: framework, successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let input = try await request.decode(as: NewFramework.self, context: context)
            return try .json(try await service.createFramework(input, by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.post, "/api/v1/procurement/orders", APIOperation(
            summary: "Order directly from one framework agreement, within its direct-order limit (procurement officers). Send an Idempotency-Key header.",
            tag: "procurement",
            requestBody: Schema.object(["lines": Schema.array(Schema.object(["itemID": Schema.uuid, "quantity": Schema.integer], required: ["itemID", "quantity"]))],
                                       required: ["lines"]),
            response: order, successStatus: 201, errors: [400, 401, 403, 409, 422])) { request, context in
            let actor = try context.requireActor()
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let input = try await request.decode(as: NewOrder.self, context: context)
            return try .json(try await service.placeOrder(input, idempotencyKey: key, by: actor, requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/procurement/orders", APIOperation(
            summary: "The orders of the caller's agency, or the orders addressed to the calling supplier", tag: "procurement",
            response: Schema.array(order), errors: [401])) { _, context in
            try .json(try await service.orders(by: try context.requireActor()))
        }
        routes.api(.get, "/api/v1/procurement/orders/:order", APIOperation(
            summary: "One order (its agency and its supplier)", tag: "procurement", response: order, errors: [401, 404])) { _, context in
            try .json(try await service.order(id: try uuid(context, "order", "The order"), by: try context.requireActor()))
        }
        routes.api(.post, "/api/v1/procurement/orders/:order/deliver", APIOperation(
            summary: "Confirm the delivery (the ordering agency): the payment is put on the ledger, due in 5 working days", tag: "procurement",
            response: order, errors: [401, 403, 404, 409])) { _, context in
            try .json(try await service.confirmDelivery(orderID: try uuid(context, "order", "The order"), by: try context.requireActor(),
                                                        requestID: context.requestID))
        }
        routes.api(.post, "/api/v1/procurement/orders/:order/cancel", APIOperation(
            summary: "Cancel an order not yet delivered, with the reason (the agency or the supplier)", tag: "procurement",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: order, errors: [400, 401, 404, 409, 422])) { request, context in
            let body = try await request.decode(as: Reason.self, context: context)
            return try .json(try await service.cancelOrder(orderID: try uuid(context, "order", "The order"), reason: body.reason ?? "",
                                                           by: try context.requireActor(), requestID: context.requestID))
        }
    }

    static func registerOCDS(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let base = portal.platform.configuration.effectiveBaseURL
        @Sendable func ocdsResponse(_ data: Data) -> Response {
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        routes.api(.get, "/api/v1/procurement/ocds/releases", APIOperation(
            summary: "Open Contracting Data Standard 1.1.5 release packages: the change feed, oldest first. Follow links.next (cursor `after`) until it is absent.",
            tag: "open data", auth: .none, response: Schema.object([:], additional: true), errors: [422],
            query: [("after", Schema.integer, "Return releases after this cursor (0 from the start)"),
                    ("limit", Schema.integer, "At most this many releases (1-500, default 100)"),
                    ("ocid", Schema.string, "Only this contracting process")])) { request, _ in
            let query = request.uri.queryParameters
            let after = Int64(query.get("after") ?? "0")
            let limit = Int(query.get("limit") ?? "100")
            guard let after, after >= 0, let limit, (1...500).contains(limit) else {
                throw NaraError.validation([FieldError(field: "after", code: "range", message: "after is a cursor of 0 or more; limit is 1 to 500.")])
            }
            if let ocid = query.get("ocid") {
                let models = try await service.releases(ocid: ocid)
                guard !models.isEmpty else { throw NaraError.notFound("The contracting process") }
                return ocdsResponse(try await service.releasePackage(after: 0, limit: 100_000, selfURI: "\(base)/api/v1/procurement/ocds/releases?ocid=\(ocid)",
                                                                     nextURI: { _ in "" }, ocid: ocid))
            }
            let data = try await service.releasePackage(after: after, limit: limit, selfURI: "\(base)/api/v1/procurement/ocds/releases?after=\(after)&limit=\(limit)",
                                                        nextURI: { "\(base)/api/v1/procurement/ocds/releases?after=\($0)&limit=\(limit)" })
            return ocdsResponse(data)
        }
        routes.api(.get, "/api/v1/procurement/ocds/records/:ocid", APIOperation(
            summary: "The OCDS record package of one contracting process: its releases and the compiled release", tag: "open data", auth: .none,
            response: Schema.object([:], additional: true), errors: [404])) { _, context in
            guard let ocid = context.parameters.get("ocid") else { throw NaraError.notFound("The contracting process") }
            return ocdsResponse(try await service.recordPackage(ocid: ocid, selfURI: "\(base)/api/v1/procurement/ocds/records/\(ocid)"))
        }
        routes.api(.get, "/api/v1/procurement/ocds/bulk", APIOperation(
            summary: "Every release in one release package (bulk download)", tag: "open data", auth: .none,
            response: Schema.object([:], additional: true))) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"nara-ocds-releases.json\""
            let data = try await service.releasePackage(after: 0, limit: 1_000_000, selfURI: "\(base)/api/v1/procurement/ocds/bulk", nextURI: { _ in "" })
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
        }
    }

    static func uuid(_ context: NaraRequestContext, _ name: String, _ what: String) throws -> UUID {
        guard let id = context.parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound(what) }
        return id
    }

    static func id(_ context: NaraRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The tender") }
        return id
    }
}
