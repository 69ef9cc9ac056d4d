import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/exchange/...`: the catalogue, look-ups by agency systems and officials, grants and
/// the citizen's own history and consents.
enum ExchangeAPI {
    struct CatalogueEntry: Encodable {
        struct Basis: Encodable {
            let code: String
            let title: String
            let requiresConsent: Bool
            let deferralDays: Int?
        }
        let code: String
        let title: String
        let summary: String
        let providerAgency: String
        let subjectKind: String
        let fields: [InformationField]
        let legalBases: [Basis]
    }

    struct Revocation: Decodable { let reason: String }

    struct ConsentRequest: Decodable {
        let consumerAgency: String
        let informationType: String
        let purpose: String
        let validUntil: String
    }

    static let signed = Schema.object(["canonical": Schema.string("Canonical JSON (sorted keys) that was signed"),
                                       "signature": Schema.nullable(Schema.ref("DetachedSignature"))], required: ["canonical"])

    static func register(_ routes: RouteRegistry, portal: Portal, service: ExchangeService) {
        let platform = portal.platform
        routes.schema("DetachedSignature", Schema.object([
            "algorithm": Schema.string("ES256"), "certificateFingerprint": Schema.string("SHA-256 of the signer's DER certificate (GET /api/v1/pki/certificates)"),
            "signature": Schema.string("Base64 DER ECDSA P-256 signature over the UTF-8 bytes of `canonical`"),
        ], required: ["algorithm", "certificateFingerprint", "signature"]))
        routes.schema("SignedMessage", signed)
        routes.schema("InformationType", Schema.object([
            "code": Schema.string, "title": Schema.string, "summary": Schema.string, "providerAgency": Schema.string("Agency code"),
            "subjectKind": Schema.string("person or business", enumValues: ExchangeSubjectKind.allCases.map(\.rawValue)),
            "fields": Schema.array(Schema.object(["name": Schema.string, "description": Schema.string], required: ["name", "description"])),
            "legalBases": Schema.array(Schema.object(["code": Schema.string, "title": Schema.string, "requiresConsent": Schema.boolean,
                                                      "deferralDays": Schema.nullable(Schema.integer)], required: ["code", "title", "requiresConsent"])),
        ], required: ["code", "title", "summary", "providerAgency", "subjectKind", "fields", "legalBases"]))
        routes.schema("ExchangeResponse", Schema.object([
            "messageID": Schema.uuid, "logSequence": Schema.integer, "informationType": Schema.string, "providerAgencyCode": Schema.string,
            "consumerAgencyCode": Schema.string, "subject": Schema.string("Masked subject"), "issuedAt": Schema.dateTime,
            "data": Schema.object([:], additional: true),
            "request": Schema.ref("SignedMessage"), "response": Schema.ref("SignedMessage"), "timestamp": Schema.ref("SignedMessage"),
        ], required: ["messageID", "logSequence", "informationType", "providerAgencyCode", "consumerAgencyCode", "subject", "issuedAt", "data",
                      "request", "response", "timestamp"]))
        routes.schema("ExchangeGrant", Schema.object([
            "id": Schema.uuid, "informationType": Schema.string, "providerAgency": Schema.string, "consumerAgency": Schema.string,
            "consumerSystemID": Schema.nullable(Schema.uuid), "legalBasis": Schema.string, "validFrom": Schema.date, "validUntil": Schema.date,
            "status": Schema.string("Status", enumValues: ["active", "pending", "expired", "revoked"]), "revokedAt": Schema.nullable(Schema.dateTime),
            "revokeReason": Schema.nullable(Schema.string), "grantedBy": Schema.string,
        ], required: ["id", "informationType", "providerAgency", "consumerAgency", "legalBasis", "validFrom", "validUntil", "status", "grantedBy"]))
        routes.schema("ExchangeConsent", Schema.object([
            "id": Schema.uuid, "reference": Schema.string("CNS-YYYY-NNNNNN, quoted by the consumer with its requests"), "consumerAgency": Schema.string,
            "consumerAgencyName": Schema.string, "informationType": Schema.string, "purpose": Schema.string, "givenAt": Schema.dateTime, "validUntil": Schema.date,
            "status": Schema.string("Status", enumValues: ["active", "withdrawn", "expired"]),
        ], required: ["id", "reference", "consumerAgency", "informationType", "purpose", "givenAt", "validUntil", "status"]))
        routes.schema("ExchangeLookup", Schema.object([
            "at": Schema.dateTime, "consumerAgency": Schema.string, "consumerAgencyName": Schema.string, "requester": Schema.string("Official or system"),
            "informationType": Schema.string, "informationTypeTitle": Schema.string, "purpose": Schema.string, "legalBasis": Schema.string,
            "legalBasisTitle": Schema.string, "messageId": Schema.string,
        ], required: ["at", "consumerAgency", "requester", "informationType", "purpose", "legalBasis", "messageId"]))

        routes.api(.get, "/api/v1/exchange/catalogue", APIOperation(
            summary: "What can be looked up: information types, their providers, fields and legal bases", tag: "exchange", auth: .none,
            response: Schema.array(Schema.ref("InformationType")))) { _, context in
            let l = context.language
            return try .json(service.catalogue().map {
                CatalogueEntry(code: $0.code, title: $0.title.text(l), summary: $0.summary.text(l), providerAgency: $0.providerAgencyCode,
                               subjectKind: $0.subjectKind.rawValue, fields: $0.fields,
                               legalBases: $0.legalBases.map { .init(code: $0.code, title: $0.title.text(l), requiresConsent: $0.requiresConsent, deferralDays: $0.deferralDays) })
            })
        }

        let refusalList = ErrorCode.exchangeRefusals.map { "`\($0.0.rawValue)` (\($0.1)): \($0.2)" }.joined(separator: "; ")
        routes.api(.post, "/api/v1/exchange/requests", APIOperation(
            summary: "Look up another agency's record about a person or business. The answer carries the request signed with the consumer agency's key, the response envelope (with the SHA-256 of `data`) signed with the provider agency's key, and the platform's time-stamp. Every request, granted or refused, is written to the message log. Refusal codes: \(refusalList)",
            tag: "exchange",
            requestBody: Schema.object([
                "consumerAgency": Schema.string("Code of the agency asking; must be the agency of the token's official or system"),
                "informationType": Schema.string("Code from the catalogue, e.g. resident.abstract"),
                "subject": Schema.object(["nationalId": Schema.string("Resident registration number, for information about a person"),
                                          "businessNumber": Schema.string("Business registration number, for information about a business")]),
                "purpose": Schema.string("Why, in words the subject will read"),
                "legalBasis": Schema.string("Code of a legal basis the information type lists"),
                "consentReference": Schema.string("CNS-… reference of the subject's consent, when the legal basis requires consent"),
            ], required: ["consumerAgency", "informationType", "subject", "purpose", "legalBasis"]),
            response: Schema.ref("ExchangeResponse"), errors: [400, 401, 403, 404, 415, 422])) { request, context in
            guard let actor = context.actor else { throw NaraError(.unauthorized, code: .unauthenticated, "Send a bearer token of an agency official or system.") }
            guard actor.agencyID != nil else { throw NaraError.forbidden("Only officials and systems of an agency can request information.") }
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            guard contentType.hasPrefix("application/json") else {
                throw NaraError(.unsupportedMediaType, code: .unsupportedMediaType, "Send the request body as application/json.")
            }
            let body: Data
            do { body = Data(buffer: try await request.body.collect(upTo: context.maxUploadSize)) } catch {
                throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The request body is larger than \(context.maxUploadSize) bytes.")
            }
            let raw: RawExchangeRequest
            do { raw = try NaraJSONDecoder.decode(RawExchangeRequest.self, from: body) } catch let error as NaraError {
                try await service.refuseUnreadable(body: body, actor: actor, correlationID: context.requestID,
                                                   reason: error.fieldErrors.first.map { "\($0.field): \($0.message)" } ?? error.message)
            }
            return try .json(try await service.request(raw, actor: actor, correlationID: context.requestID))
        }

        routes.api(.get, "/api/v1/exchange/grants", APIOperation(
            summary: "Grants where the caller's agency is provider or consumer", tag: "exchange",
            response: Schema.array(Schema.ref("ExchangeGrant")), errors: [401, 403])) { _, context in
            let agencyID = try steward(context, permission: ExchangeModule.logPermission)
            return try .json(try await service.grants(agencyID: agencyID))
        }
        routes.api(.post, "/api/v1/exchange/grants", APIOperation(
            summary: "Grant a consumer agency (or one of its systems) one of the caller's information types under a legal basis", tag: "exchange",
            requestBody: Schema.object(["informationType": Schema.string, "consumerAgency": Schema.string("Agency code"),
                                        "consumerSystemId": Schema.nullable(Schema.uuid), "legalBasis": Schema.string, "validFrom": Schema.date,
                                        "validUntil": Schema.date], required: ["informationType", "consumerAgency", "legalBasis", "validFrom", "validUntil"]),
            response: Schema.ref("ExchangeGrant"), successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            let agencyID = try steward(context, permission: ExchangeModule.grantPermission)
            let input = try await request.decode(as: NewGrant.self, context: context)
            return try .json(try await service.grant(input, providerAgencyID: agencyID, by: context.auditActor), status: .created)
        }
        routes.api(.post, "/api/v1/exchange/grants/:id/revoke", APIOperation(
            summary: "Revoke a grant at once", tag: "exchange", requestBody: Schema.object(["reason": Schema.string], required: ["reason"]),
            response: Schema.ref("ExchangeGrant"), errors: [401, 403, 404, 409, 422])) { request, context in
            let agencyID = try steward(context, permission: ExchangeModule.grantPermission)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The grant") }
            let body = try await request.decode(as: Revocation.self, context: context)
            return try .json(try await service.revokeGrant(id: id, reason: body.reason, providerAgencyID: agencyID, by: context.auditActor))
        }

        routes.api(.get, "/api/v1/me/lookups", APIOperation(
            summary: "Who looked at my data: every delivered look-up about the caller (deferred ones after their date)", tag: "me",
            response: Schema.array(Schema.ref("ExchangeLookup")), errors: [401])) { _, context in
            let accountID = try citizen(context)
            return try .json(try await service.lookups(subjectRefs: try await platform.identity.subjectRefs(accountID: accountID, on: platform.db),
                                                       language: context.language))
        }
        routes.api(.get, "/api/v1/me/consents", APIOperation(
            summary: "The consents the caller gave", tag: "me", response: Schema.array(Schema.ref("ExchangeConsent")), errors: [401])) { _, context in
            try .json(try await service.consents(accountID: try citizen(context)))
        }
        routes.api(.post, "/api/v1/me/consents", APIOperation(
            summary: "Consent to one agency looking up one type of the caller's records for one purpose", tag: "me",
            requestBody: Schema.object(["consumerAgency": Schema.string, "informationType": Schema.string, "purpose": Schema.string, "validUntil": Schema.date],
                                       required: ["consumerAgency", "informationType", "purpose", "validUntil"]),
            response: Schema.ref("ExchangeConsent"), successStatus: 201, errors: [400, 401, 422])) { request, context in
            let accountID = try citizen(context)
            let body = try await request.decode(as: ConsentRequest.self, context: context)
            return try .json(try await service.giveConsent(accountID: accountID, consumerAgency: body.consumerAgency, informationType: body.informationType,
                                                           purpose: body.purpose, validUntil: body.validUntil, by: context.auditActor), status: .created)
        }
        routes.api(.post, "/api/v1/me/consents/:id/withdraw", APIOperation(
            summary: "Withdraw a consent; requests citing it are refused from now on", tag: "me",
            response: Schema.ref("ExchangeConsent"), errors: [401, 404, 409])) { _, context in
            let accountID = try citizen(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The consent") }
            return try .json(try await service.withdrawConsent(id: id, accountID: accountID, by: context.auditActor))
        }
    }

    /// The caller's agency, after checking the permission for it.
    static func steward(_ context: NaraRequestContext, permission: Permission) throws -> UUID {
        let actor = try context.requireActor()
        guard let agencyID = actor.agencyID else { throw NaraError.forbidden("Grants are managed by agencies.") }
        try AccessPolicy.require(actor, permission, on: .agency(agencyID))
        return agencyID
    }

    /// The signed-in person or business representative.
    static func citizen(_ context: NaraRequestContext) throws -> UUID {
        let actor = try context.requireActor()
        guard let id = actor.accountID, actor.accountKind == .citizen || actor.accountKind == .business else {
            throw NaraError.forbidden("This is for citizens and businesses.")
        }
        return id
    }
}
