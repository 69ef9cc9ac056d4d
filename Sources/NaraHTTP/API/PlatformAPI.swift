import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

/// The platform's JSON API under `/api/v1`.
enum PlatformAPI {
    struct TokenRequest: Decodable {
        let grantType: String
        let username: String?
        let password: String?
        let totp: String?
        let clientID: String?
        let clientSecret: String?
        let scope: String?

        enum CodingKeys: String, CodingKey {
            case grantType = "grant_type", username, password, totp, clientID = "client_id", clientSecret = "client_secret", scope
        }
    }

    struct RevokeRequest: Decodable { let token: String }

    struct MeResponse: Encodable {
        let id: UUID
        let username: String
        let displayName: String
        let kind: String
        let agencyCode: String?
        let nationalId: String?
        let businessNumber: String?
        let roles: [String]
        let permissions: [String]
    }

    struct DeadlineRequest: Decodable {
        struct Period: Decodable {
            let unit: String
            let count: Int
        }
        let start: Date
        let period: Period
        let outageRule: String?
    }

    struct DeadlineResponse: Encodable {
        let start: Date
        let period: String
        let deadline: Date
        let deadlineWithoutOutages: Date
        let extendedByOutage: Bool
        let timeZone: String
    }

    struct ReconcileRequest: Decodable {
        let reference: String
        let amountMinor: Int64
        let currency: String
        let bankTransactionId: String
        let paidAt: Date
    }

    struct ReconcileResponse: Encodable {
        let result: String
        let payment: PaymentSummary
    }

    struct SignRequest: Decodable { let content: String }
    struct JWSRequest: Decodable { let document: JSONValue }
    struct VerifyRequest: Decodable {
        let content: String?
        let signature: DetachedSignature?
        let jws: String?
    }
    struct VerifyResponse: Encodable {
        let valid: Bool
        let signer: String
        let certificateFingerprint: String
        let agencyId: UUID?
        let document: JSONValue?
    }

    struct AuditVerifyResponse: Encodable {
        let intact: Bool
        let entriesChecked: Int64
        let checkpointsChecked: Int
        let lastSeq: Int64
        let firstBrokenEntry: Int64?
        let reason: String?
    }

    static let accountSchema = Schema.object([
        "id": Schema.uuid, "username": Schema.string, "displayName": Schema.string, "kind": Schema.string("Account kind", enumValues: AccountKind.allCases.map(\.rawValue)),
        "agencyCode": Schema.nullable(Schema.string), "nationalId": Schema.nullable(Schema.string("Masked resident registration number")),
        "businessNumber": Schema.nullable(Schema.string), "roles": Schema.array(Schema.string), "permissions": Schema.array(Schema.string),
    ], required: ["id", "username", "displayName", "kind", "roles", "permissions"])

    static let paymentSchema = Schema.object([
        "id": Schema.uuid, "reference": Schema.string("14-digit virtual account reference"), "accountID": Schema.nullable(Schema.uuid),
        "agencyID": Schema.nullable(Schema.uuid), "module": Schema.string, "purpose": Schema.string, "amountMinor": Schema.integer,
        "currency": Schema.string("ISO 4217"), "status": Schema.string("Payment status", enumValues: PaymentStatus.allCases.map(\.rawValue)),
        "createdAt": Schema.dateTime, "dueAt": Schema.dateTime, "paidAt": Schema.nullable(Schema.dateTime), "bankTransactionID": Schema.nullable(Schema.string),
        "direction": Schema.string("incoming (a fee paid to an agency) or outgoing (a payment the government makes)", enumValues: ["incoming", "outgoing"]),
    ], required: ["id", "reference", "module", "purpose", "amountMinor", "currency", "status", "createdAt", "dueAt"])

    static let signatureSchema = Schema.object([
        "algorithm": Schema.string("ES256"), "certificateFingerprint": Schema.string("SHA-256 of the signer certificate (hex)"),
        "signature": Schema.string("Base64 DER ECDSA signature"),
    ], required: ["algorithm", "certificateFingerprint", "signature"])

    static func register(_ routes: RouteRegistry, portal: Portal) {
        let platform = portal.platform
        routes.schema("Account", accountSchema)
        routes.schema("Payment", paymentSchema)
        routes.schema("DetachedSignature", signatureSchema)

        routes.api(.post, "/api/v1/auth/token", APIOperation(
            summary: "Issue a bearer token (password grant for accounts, client_credentials for agency systems)", tag: "auth", auth: .none,
            requestBody: Schema.object([
                "grant_type": Schema.string("password or client_credentials", enumValues: ["password", "client_credentials"]),
                "username": Schema.string, "password": Schema.string, "totp": Schema.string("Current one-time code (officials and operators)"),
                "client_id": Schema.string, "client_secret": Schema.string, "scope": Schema.string("Space-separated permissions to limit the token to"),
            ], required: ["grant_type"]),
            response: Schema.object(["access_token": Schema.string, "token_type": Schema.string, "expires_in": Schema.integer, "scope": Schema.string],
                                    required: ["access_token", "token_type", "expires_in", "scope"]),
            errors: [429])
        ) { request, context in
            let body = try await request.decode(as: TokenRequest.self, context: context)
            let token: IssuedToken
            switch body.grantType {
            case "password":
                var v = Validator()
                v.require(body.username, "username")
                v.require(body.password, "password", maxLength: 200)
                try v.check()
                token = try await platform.identity.issueToken(username: body.username!, password: body.password!, totp: body.totp, scope: body.scope,
                                                               address: context.clientAddress, requestID: context.requestID, on: platform.db)
            case "client_credentials":
                var v = Validator()
                v.require(body.clientID, "client_id")
                v.require(body.clientSecret, "client_secret")
                try v.check()
                token = try await platform.identity.issueToken(clientID: body.clientID!, clientSecret: body.clientSecret!, scope: body.scope,
                                                               address: context.clientAddress, requestID: context.requestID, on: platform.db)
            default:
                throw NaraError.validation([FieldError(field: "grant_type", code: "unknown", message: "Use password or client_credentials.")])
            }
            return try .json(token)
        }

        routes.api(.post, "/api/v1/auth/revoke", APIOperation(
            summary: "Revoke a bearer token (RFC 7009: unknown tokens are not an error)", tag: "auth",
            requestBody: Schema.object(["token": Schema.string], required: ["token"]), successStatus: 204)
        ) { request, context in
            let actor = try context.requireActor()
            let body = try await request.decode(as: RevokeRequest.self, context: context)
            // A client may revoke its own token, or any token it presents itself.
            try await platform.identity.revokeToken(body.token, by: AuditActor(actor, requestID: context.requestID), on: platform.db)
            return Response(status: .noContent)
        }

        routes.api(.get, "/api/v1/me", APIOperation(summary: "The account behind the token", tag: "me", response: Schema.ref("Account"))) { _, context in
            let actor = try context.requireActor()
            guard let accountID = actor.accountID, let account = try await platform.identity.account(id: accountID, on: platform.db) else {
                throw NaraError(.forbidden, code: .forbidden, "Agency system tokens have no account.")
            }
            try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: accountID))
            let agencyCode = try await account.agencyID.asyncMap { try await platform.identity.agency(id: $0, on: platform.db)?.code } ?? nil
            return try .json(MeResponse(id: account.id, username: account.username, displayName: account.displayName, kind: account.kind.rawValue,
                                        agencyCode: agencyCode, nationalId: account.nationalIDMasked, businessNumber: account.businessNumber,
                                        roles: account.roles, permissions: actor.permissions.sorted().map(\.rawValue)))
        }

        routes.api(.get, "/api/v1/me/notifications", APIOperation(
            summary: "The account's inbox, newest first", tag: "me",
            response: Schema.array(Schema.object(["id": Schema.uuid, "module": Schema.string, "title": Schema.string, "body": Schema.string,
                                                  "link": Schema.nullable(Schema.string), "createdAt": Schema.dateTime, "readAt": Schema.nullable(Schema.dateTime)],
                                                 required: ["id", "module", "title", "body", "createdAt"])))
        ) { _, context in
            let accountID = try requireSelf(context)
            return try .json(try await platform.notifications.inbox(accountID: accountID, on: platform.db))
        }

        routes.api(.post, "/api/v1/me/notifications/:id/read", APIOperation(summary: "Mark one of the account's messages read", tag: "me",
                                                                             successStatus: 204, errors: [404])) { _, context in
            let accountID = try requireSelf(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The message") }
            try await platform.notifications.markRead(messageID: id, accountID: accountID, on: platform.db)
            return Response(status: .noContent)
        }

        routes.api(.get, "/api/v1/me/payments", APIOperation(summary: "The account's fees and payments", tag: "me",
                                                             response: Schema.array(Schema.ref("Payment")))) { _, context in
            let accountID = try requireSelf(context)
            return try .json(try await platform.payments.payments(accountID: accountID, on: platform.db))
        }

        routes.api(.get, "/api/v1/me/access-log", APIOperation(
            summary: "Who looked at or changed my data (audit entries about me)", tag: "me",
            response: Schema.array(Schema.object(["seq": Schema.integer, "at": Schema.dateTime, "actor": Schema.string, "agencyID": Schema.nullable(Schema.string),
                                                  "action": Schema.string, "objectType": Schema.string, "objectID": Schema.nullable(Schema.string),
                                                  "purpose": Schema.nullable(Schema.string), "legalBasis": Schema.nullable(Schema.string),
                                                  "requestID": Schema.nullable(Schema.string), "detail": Schema.nullable(Schema.string)],
                                                 required: ["seq", "at", "actor", "action", "objectType"])))
        ) { _, context in
            let accountID = try requireSelf(context)
            let refs = try await platform.identity.subjectRefs(accountID: accountID, on: platform.db)
            return try .json(try await platform.audit.entries(aboutSubjects: refs, on: platform.db))
        }

        routes.api(.get, "/api/v1/agencies", APIOperation(
            summary: "The agency registry (public)", tag: "platform", auth: .none,
            response: Schema.array(Schema.object(["id": Schema.uuid, "code": Schema.string, "nameEN": Schema.string, "nameKO": Schema.string,
                                                  "kind": Schema.string("Level", enumValues: AgencyKind.allCases.map(\.rawValue)),
                                                  "parentID": Schema.nullable(Schema.uuid), "active": Schema.boolean],
                                                 required: ["id", "code", "nameEN", "nameKO", "kind", "active"])))
        ) { _, _ in
            try .json(try await platform.identity.agencies(on: platform.db))
        }

        routes.api(.get, "/api/v1/calendar/holidays", APIOperation(
            summary: "Public holidays (public)", tag: "calendar", auth: .none,
            response: Schema.array(Schema.object(["id": Schema.uuid, "day": Schema.date, "nameEN": Schema.string, "nameKO": Schema.string, "kind": Schema.string],
                                                 required: ["id", "day", "nameEN", "nameKO", "kind"])),
            errors: [422], query: [("year", Schema.integer, "Only this year")])
        ) { request, _ in
            var year: Int?
            if let text = request.uri.queryParameters.get("year") {
                guard let value = Int(text), (1900...2200).contains(value) else {
                    throw NaraError.validation([FieldError(field: "year", code: "range", message: "Give a year from 1900 to 2200.")])
                }
                year = value
            }
            return try .json(try await platform.calendar.holidays(year: year, on: platform.db))
        }

        routes.api(.post, "/api/v1/calendar/deadline", APIOperation(
            summary: "Compute a legal deadline from the business calendar, including declared outages (public)", tag: "calendar", auth: .none,
            requestBody: Schema.object([
                "start": Schema.dateTime,
                "period": Schema.object(["unit": Schema.string("Period unit", enumValues: ["calendarDays", "workingDays", "workingHours"]),
                                         "count": Schema.integer], required: ["unit", "count"]),
                "outageRule": Schema.string("Outage rule", enumValues: ["nextWorkingDay", "procurement"]),
            ], required: ["start", "period"]),
            response: Schema.object(["start": Schema.dateTime, "period": Schema.string, "deadline": Schema.dateTime, "deadlineWithoutOutages": Schema.dateTime,
                                     "extendedByOutage": Schema.boolean, "timeZone": Schema.string],
                                    required: ["start", "period", "deadline", "deadlineWithoutOutages", "extendedByOutage", "timeZone"]))
        ) { request, context in
            let body = try await request.decode(as: DeadlineRequest.self, context: context)
            guard (1...3650).contains(body.period.count) else {
                throw NaraError.validation([FieldError(field: "period/count", code: "range", message: "The count must be from 1 to 3650.")])
            }
            let period: LegalPeriod
            switch body.period.unit {
            case "calendarDays": period = .calendarDays(body.period.count)
            case "workingDays": period = .workingDays(body.period.count)
            case "workingHours": period = .workingHours(body.period.count)
            default: throw NaraError.validation([FieldError(field: "period/unit", code: "unknown", message: "Use calendarDays, workingDays or workingHours.")])
            }
            let rule: OutageRule
            switch body.outageRule ?? "nextWorkingDay" {
            case "nextWorkingDay": rule = .nextWorkingDayAfterRecovery
            case "procurement": rule = .minimumAfterRecovery(minimum: 48 * 3600, grace: 2 * 3600)
            default: throw NaraError.validation([FieldError(field: "outageRule", code: "unknown", message: "Use nextWorkingDay or procurement.")])
            }
            let calendar = try await platform.calendar.calendar(on: platform.db)
            let plain = calendar.deadline(for: period, from: body.start)
            let extended = calendar.extend(plain, rule: rule)
            return try .json(DeadlineResponse(start: body.start, period: period.description, deadline: extended, deadlineWithoutOutages: plain,
                                              extendedByOutage: extended != plain, timeZone: calendar.timeZone.identifier))
        }

        // Banks report fees received; the treasury reports payments the government made. Same notice, same answers.
        for (path, summary, outgoing) in [
            ("/api/v1/payments/reconcile", "A bank reports a payment received for a reference (idempotent per reference)", false),
            ("/api/v1/payments/transfers", "The treasury reports the transfer of a payment the government owed, such as a supplier's invoice (idempotent per reference)", true),
        ] {
            routes.api(.post, path, APIOperation(
                summary: summary, tag: "payments",
                requestBody: Schema.object(["reference": Schema.string("14 digits"), "amountMinor": Schema.integer, "currency": Schema.string("ISO 4217"),
                                            "bankTransactionId": Schema.string, "paidAt": Schema.dateTime],
                                           required: ["reference", "amountMinor", "currency", "bankTransactionId", "paidAt"]),
                response: Schema.object(["result": Schema.string("recorded or already_recorded", enumValues: ["recorded", "already_recorded"]),
                                         "payment": Schema.ref("Payment")], required: ["result", "payment"]),
                errors: [404, 409])
            ) { request, context in
                let actor = try context.requireActor()
                try AccessPolicy.require(actor, .paymentsReconcile, on: .platform)
                let body = try await request.decode(as: ReconcileRequest.self, context: context)
                let notice = PaymentNotice(reference: body.reference, amountMinor: body.amountMinor, currency: body.currency,
                                           bankTransactionID: body.bankTransactionId, paidAt: body.paidAt)
                let auditActor = AuditActor(actor, requestID: context.requestID)
                let result = outgoing ? try await platform.payments.confirmTransfer(notice, by: auditActor, on: platform.db)
                    : try await platform.payments.reconcile(notice, by: auditActor, on: platform.db)
                switch result {
                case .recorded(let payment): return try .json(ReconcileResponse(result: "recorded", payment: payment))
                case .alreadyRecorded(let payment): return try .json(ReconcileResponse(result: "already_recorded", payment: payment))
                }
            }
        }

        routes.api(.post, "/api/v1/files", APIOperation(
            summary: "Upload a file (raw body; name in the X-File-Name header). PDF, PNG, JPEG, plain text or CSV.", tag: "files",
            requestBody: ["type": "string", "contentMediaType": "application/octet-stream"], requestContentType: "application/octet-stream",
            response: Schema.object(["id": Schema.uuid, "sha256": Schema.string, "name": Schema.string, "contentType": Schema.string, "size": Schema.integer,
                                     "ownerAccountID": Schema.nullable(Schema.uuid), "createdAt": Schema.dateTime],
                                    required: ["id", "sha256", "name", "contentType", "size", "createdAt"]),
            successStatus: 201)
        ) { request, context in
            let accountID = try requireSelf(context)
            let actor = try context.requireActor()
            try AccessPolicy.require(actor, .filesUpload, on: .ownedBy(accountID: accountID))
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: context.maxUploadSize)
            } catch {
                throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "Files may be at most \(context.maxUploadSize) bytes.")
            }
            let name = request.headers[HTTPField.Name("X-File-Name")!]?.removingPercentEncoding
            let file = try await platform.files.store(Data(buffer: buffer), name: name, declaredType: request.headers[.contentType],
                                                      ownerAccountID: accountID, by: AuditActor(actor, requestID: context.requestID), on: platform.db)
            return try .json(file, status: .created)
        }

        routes.api(.get, "/api/v1/files/:id", APIOperation(
            summary: "Download one of the account's files", tag: "files", response: ["type": "string", "contentMediaType": "application/octet-stream"],
            responseContentType: "application/octet-stream", errors: [404])
        ) { _, context in
            let actor = try context.requireActor()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let file = try await platform.files.file(id: id, on: platform.db), let owner = file.ownerAccountID,
                  AccessPolicy.decide(actor, .selfService, on: .ownedBy(accountID: owner)).isAllowed
            else { throw NaraError.notFound("The file") }
            return try await FileDownload.response(file, portal: portal)
        }

        routes.api(.get, "/api/v1/pki/certificates", APIOperation(
            summary: "Platform root and agency certificates (public, PEM)", tag: "pki", auth: .none,
            response: Schema.array(Schema.object(["purpose": Schema.string, "agencyID": Schema.nullable(Schema.uuid), "subject": Schema.string,
                                                  "issuer": Schema.string, "fingerprint": Schema.string, "notBefore": Schema.dateTime,
                                                  "notAfter": Schema.dateTime, "certificatePEM": Schema.string],
                                                 required: ["purpose", "subject", "issuer", "fingerprint", "notBefore", "notAfter", "certificatePEM"])))
        ) { _, _ in
            try .json(try await platform.pki.certificates(on: platform.db).filter { $0.purpose != "test" })
        }

        routes.api(.post, "/api/v1/signatures/sign", APIOperation(
            summary: "Sign content (base64) with the caller's agency certificate: a detached ES256 signature", tag: "pki",
            requestBody: Schema.object(["content": Schema.string("Base64 of the canonical bytes")], required: ["content"]),
            response: Schema.ref("DetachedSignature"))
        ) { request, context in
            let actor = try context.requireActor()
            guard let agencyID = actor.agencyID else { throw NaraError.forbidden("Only an agency can sign.") }
            try AccessPolicy.require(actor, .agencySign, on: .agency(agencyID))
            let body = try await request.decode(as: SignRequest.self, context: context)
            guard let content = Data(base64Encoded: body.content) else {
                throw NaraError.validation([FieldError(field: "content", code: "base64", message: "Give the content as base64.")])
            }
            let identity = try await platform.pki.identity(purpose: .agency, agencyID: agencyID, on: platform.db)
            let signature = try platform.pki.sign(content, with: identity)
            try await platform.audit.append(AuditRecord(action: "signature.sign", objectType: "content", objectID: Digest.sha256Hex(content)),
                                            by: AuditActor(actor, requestID: context.requestID), on: platform.db)
            return try .json(signature)
        }

        routes.api(.post, "/api/v1/signatures/jws", APIOperation(
            summary: "Sign a JSON document as a compact JWS (ES256) with the caller's agency certificate", tag: "pki",
            requestBody: Schema.object(["document": ["type": "object"]], required: ["document"]),
            response: Schema.object(["jws": Schema.string], required: ["jws"]))
        ) { request, context in
            let actor = try context.requireActor()
            guard let agencyID = actor.agencyID else { throw NaraError.forbidden("Only an agency can sign.") }
            try AccessPolicy.require(actor, .agencySign, on: .agency(agencyID))
            let body = try await request.decode(as: JWSRequest.self, context: context)
            guard body.document.objectValue != nil else {
                throw NaraError.validation([FieldError(field: "document", code: "type", message: "The document must be a JSON object.")])
            }
            let identity = try await platform.pki.identity(purpose: .agency, agencyID: agencyID, on: platform.db)
            let jws = try await platform.pki.signJWS(body.document, with: identity)
            try await platform.audit.append(AuditRecord(action: "signature.jws", objectType: "document", objectID: Digest.sha256Hex(jws)),
                                            by: AuditActor(actor, requestID: context.requestID), on: platform.db)
            return try .json(["jws": jws])
        }

        routes.api(.post, "/api/v1/signatures/verify", APIOperation(
            summary: "Verify a detached signature over content, or a compact JWS (public)", tag: "pki", auth: .none,
            requestBody: Schema.object(["content": Schema.string("Base64 content"), "signature": Schema.ref("DetachedSignature"), "jws": Schema.string]),
            response: Schema.object(["valid": Schema.boolean, "signer": Schema.string, "certificateFingerprint": Schema.string,
                                     "agencyId": Schema.nullable(Schema.uuid), "document": ["type": ["object", "null"]]],
                                    required: ["valid", "signer", "certificateFingerprint"]))
        ) { request, context in
            let body = try await request.decode(as: VerifyRequest.self, context: context)
            if let jws = body.jws {
                let (document, signer) = try await platform.pki.verifyJWS(jws, as: JSONValue.self, on: platform.db)
                return try .json(VerifyResponse(valid: true, signer: signer.subject, certificateFingerprint: signer.fingerprint, agencyId: signer.agencyID, document: document))
            }
            guard let contentText = body.content, let signature = body.signature else {
                throw NaraError.validation([FieldError(field: "jws", code: "required", message: "Give either jws, or content and signature.")])
            }
            guard let content = Data(base64Encoded: contentText) else {
                throw NaraError.validation([FieldError(field: "content", code: "base64", message: "Give the content as base64.")])
            }
            let signer = try await platform.pki.verify(content, signature: signature, on: platform.db)
            return try .json(VerifyResponse(valid: true, signer: signer.subject, certificateFingerprint: signer.fingerprint, agencyId: signer.agencyID, document: nil))
        }

        routes.api(.post, "/api/v1/audit/verify", APIOperation(
            summary: "Walk the audit chain and its signed checkpoints; report the first broken entry", tag: "audit",
            response: Schema.object(["intact": Schema.boolean, "entriesChecked": Schema.integer, "checkpointsChecked": Schema.integer, "lastSeq": Schema.integer,
                                     "firstBrokenEntry": Schema.nullable(Schema.integer), "reason": Schema.nullable(Schema.string)],
                                    required: ["intact", "entriesChecked", "checkpointsChecked", "lastSeq"]))
        ) { _, context in
            let actor = try context.requireActor()
            try AccessPolicy.require(actor, .auditRead, on: .platform)
            let result = try await platform.audit.verify(on: platform.db)
            return try .json(AuditVerifyResponse(intact: result.isIntact, entriesChecked: result.entriesChecked, checkpointsChecked: result.checkpointsChecked,
                                                 lastSeq: result.lastSeq, firstBrokenEntry: result.failure?.seq, reason: result.failure?.reason))
        }
    }

    /// The account behind the token, for routes about "me".
    static func requireSelf(_ context: NaraRequestContext) throws -> UUID {
        let actor = try context.requireActor()
        guard let accountID = actor.accountID else { throw NaraError(.forbidden, code: .forbidden, "Agency system tokens have no account.") }
        try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: accountID))
        return accountID
    }
}

