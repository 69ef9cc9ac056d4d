import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/procurement/...`: suppliers, tenders, sealed bids and the opening.
enum ProcurementAPI {
    struct Cancellation: Decodable { let reason: String }

    static func register(_ routes: RouteRegistry, portal: Portal, service: ProcurementService) {
        let platform = portal.platform
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
            summary: "Submit a sealed bid (registered suppliers). The receipt time is taken when the request arrives; the bid is encrypted to the tender's key at once and only its signed receipt is returned. Send an `Idempotency-Key` header: the same key again returns the first receipt. A new bid replaces the supplier's earlier one.",
            tag: "procurement",
            requestBody: Schema.object(["prices": Schema.object([:], additional: true), "declarations": Schema.array(Schema.string)], required: ["prices"]),
            response: Schema.ref("BidReceipt"), successStatus: 201, errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let arrived = platform.clock.now()  // before the body is read or any queue is joined
            let actor = try context.requireActor()
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let content = try await request.decode(as: BidContent.self, context: context)
            return try .json(try await service.submitBid(tenderID: try id(context), content: content, idempotencyKey: key, receivedAt: arrived,
                                                         by: actor, requestID: context.requestID), status: .created)
        }
        routes.api(.get, "/api/v1/procurement/tenders/:id/bids/mine", APIOperation(
            summary: "The receipts of the caller's current bids on a tender", tag: "procurement", response: Schema.array(Schema.ref("BidReceipt")),
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

    static func id(_ context: NaraRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The tender") }
        return id
    }
}
