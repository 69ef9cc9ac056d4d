import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

struct LabelValue: Sendable {
    let label: String
    let value: String
}

struct DocumentVerificationModel: Sendable {
    let outcome: String
    let title: String
    let explanation: String
    let tone: String
    let rows: [LabelValue]
    let facts: [LabelValue]
    let hasFacts: Bool
    let originalLink: String?
}

struct VerifyPage: Sendable {
    let number: String
    let code: String
    let result: DocumentVerificationModel?
    let errorSummary: ErrorSummaryModel?
    let numberError: String?
    let uploadAction: String
}

struct DocumentRow: Sendable {
    let title: String
    let number: String
    let agency: String
    let issued: String
    let expires: String
    let status: String
    let statusCode: String
    let link: String
}

struct DocumentsPage: Sendable {
    let documents: [DocumentRow]
    let hasDocuments: Bool
}

struct FactOption: Sendable {
    let key: String
    let label: String
    let value: String
    let checked: Bool
    let id: String
}

struct ViewCodeRow: Sendable {
    let id: String
    let label: String
    let created: String
    let expires: String
    let uses: String
    let live: Bool
    let status: String
}

struct DocumentPage: Sendable {
    let id: String
    let title: String
    let number: String
    let shortCode: String
    let agency: String
    let issued: String
    let expires: String
    let status: String
    let statusCode: String
    let revocationReason: String?
    let subject: String
    let facts: [FactOption]
    let viewCodes: [ViewCodeRow]
    let hasViewCodes: Bool
    let newCode: String?
    let newCodeLink: String?
    let errorSummary: ErrorSummaryModel?
    let labelError: String?
    let daysError: String?
    let labelValue: String
    let daysValue: String
    let source: String?
}

struct AgencyDocumentsPage: Sendable {
    let documents: [DocumentRow]
    let hasDocuments: Bool
    let canRevoke: Bool
    let errorSummary: ErrorSummaryModel?
    let numberValue: String
    let reasonValue: String
    let numberError: String?
    let reasonError: String?
}

/// Issued documents: the public verification (`/verify`), the holder's documents with
/// disclosure and view codes (`/my/documents`), the issuing agency's list with revocation
/// (`/workspace/documents`), and their API.
enum DocumentPages {
    static func register(_ routes: RouteRegistry, portal: Portal) {
        let platform = portal.platform
        let documents = platform.documents

        routes.web(.get, "/verify") { request, context in
            let q = request.uri.queryParameters
            let number = q.get("n") ?? "", code = q.get("c") ?? q.get("v") ?? "", token = q.get("t") ?? ""
            guard !number.isEmpty || !code.isEmpty || !token.isEmpty else {
                return render(VerifyPage(number: "", code: "", result: nil, errorSummary: nil, numberError: nil, uploadAction: uploadAction(context)),
                              request, context, portal)
            }
            let ticket = try limit(context, portal)
            var verification: DocumentVerification
            if !token.isEmpty {
                verification = try await documents.verify(token: token, on: platform.db)
                // The printed code travels with the token: the holder's disclosure applies either way.
                if verification.outcome != .notGenuine, !code.isEmpty, !number.isEmpty {
                    let byNumber = try await documents.verify(number: number, code: code, on: platform.db)
                    if byNumber.outcome == .notGenuine { verification = byNumber }
                }
            } else if number.isEmpty || code.isEmpty {
                forgive(ticket, context, portal)
                let errors = [FieldError(field: number.isEmpty ? "n" : "c", code: "required",
                                         message: portal.renderer.text(number.isEmpty ? "verify_number_required" : "verify_code_required", context.language))]
                return render(VerifyPage(number: number, code: code, result: nil, errorSummary: ErrorSummaryModel(errors), numberError: errors[0].message,
                                         uploadAction: uploadAction(context)), request, context, portal, status: .unprocessableContent)
            } else {
                verification = try await documents.verify(number: number, code: code, on: platform.db)
            }
            settle(verification, ticket, context, portal)
            return render(VerifyPage(number: number, code: code, result: model(verification, code: code, context.language, portal), errorSummary: nil,
                                     numberError: nil, uploadAction: uploadAction(context)), request, context, portal)
        }
        routes.web(.post, "/verify/pdf") { request, context in
            let ticket = try limit(context, portal)
            let form = try await MultipartForm.parse(request, limit: context.maxUploadSize)
            guard let upload = form.file("pdf") else {
                forgive(ticket, context, portal)
                let errors = [FieldError(field: "pdf", code: "required", message: portal.renderer.text("verify_pdf_required", context.language))]
                return render(VerifyPage(number: "", code: "", result: nil, errorSummary: ErrorSummaryModel(errors), numberError: nil,
                                         uploadAction: uploadAction(context)), request, context, portal, status: .unprocessableContent)
            }
            let verification = try await documents.verify(pdf: Array(upload.data), on: platform.db)
            settle(verification, ticket, context, portal)
            return render(VerifyPage(number: verification.number ?? "", code: "", result: model(verification, code: "", context.language, portal),
                                     errorSummary: nil, numberError: nil, uploadAction: uploadAction(context)), request, context, portal)
        }
        routes.web(.get, "/verify/original") { request, context in
            let ticket = try limit(context, portal)
            let q = request.uri.queryParameters
            guard let pdf = try await platform.database.db.transaction({ tx in
                try await documents.original(number: q.get("n") ?? "", viewCode: q.get("v") ?? "", by: context.auditActor, on: tx)
            }) else {
                throw NaraError.notFound("A document for this number and view code")  // the attempt stays counted as a failure
            }
            forgive(ticket, context, portal)
            return pdfResponse(pdf, name: "nara-\(q.get("n") ?? "document").pdf")
        }

        routes.web(.get, "/my/documents") { request, context in
            let accountID = try holder(context)
            let l = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
            let list = try await documents.documents(holderAccountID: accountID, on: platform.db)
            let page = DocumentsPage(documents: list.map { row($0, display, l, portal, link: "/my/documents/\($0.id.uuidString.lowercased())") },
                                     hasDocuments: !list.isEmpty)
            return portal.renderer.render(Page("documents", title: portal.renderer.text("documents_title", l), model: page), request: request, context: context)
        }
        routes.web(.get, "/my/documents/:id") { request, context in
            try await documentPage(request, context, portal, newCode: nil, failed: nil)
        }
        routes.web(.get, "/my/documents/:id/pdf") { _, context in
            let accountID = try holder(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
            let (number, pdf) = try await documents.pdf(documentID: id, holderAccountID: accountID, on: platform.db)
            return pdfResponse(pdf, name: "nara-\(number).pdf")
        }
        routes.web(.post, "/my/documents/:id/disclosure") { _, context in
            let accountID = try holder(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
            try await platform.db.transaction { tx in
                try await documents.setDisclosure(documentID: id, holderAccountID: accountID, keys: context.form.all("keys"), by: context.auditActor, on: tx)
            }
            return .redirect("/my/documents/\(id.uuidString.lowercased())?notice=documents_disclosure_saved")
        }
        routes.web(.post, "/my/documents/:id/view-codes") { request, context in
            let accountID = try holder(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
            do {
                let created = try await platform.db.transaction { tx in
                    try await documents.createViewCode(documentID: id, holderAccountID: accountID, label: context.form["label"] ?? "",
                                                       days: Int(context.form["days"] ?? "") ?? 0, by: context.auditActor, on: tx)
                }
                return try await documentPage(request, context, portal, newCode: created.code, failed: nil)
            } catch let error as NaraError where error.kind == .unprocessable {
                return try await documentPage(request, context, portal, newCode: nil, failed: (context.form, error.fieldErrors))
            }
        }
        routes.web(.post, "/my/documents/:id/view-codes/:code/revoke") { _, context in
            let accountID = try holder(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let codeID = context.parameters.get("code").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The view code") }
            try await platform.db.transaction { tx in
                try await documents.revokeViewCode(documentID: id, viewCodeID: codeID, holderAccountID: accountID, by: context.auditActor, on: tx)
            }
            return .redirect("/my/documents/\(id.uuidString.lowercased())?notice=documents_view_code_revoked#view-codes")
        }

        routes.web(.get, "/workspace/documents") { request, context in
            try await agencyPage(request, context, portal, failed: nil)
        }
        routes.web(.post, "/workspace/documents/revoke") { request, context in
            let agencyID = try signer(context)
            let form = context.form
            do {
                guard let number = IssuanceNumber.normalise(form["number"] ?? "") else {
                    throw NaraError.validation([FieldError(field: "number", code: "format", message: "Enter the 16-digit issuance number.")])
                }
                _ = try await platform.db.transaction { tx in
                    try await documents.revoke(number: number, agencyID: agencyID, reason: form["reason"] ?? "", by: context.auditActor, on: tx)
                }
                return .redirect("/workspace/documents?notice=documents_revoked")
            } catch let error as NaraError where error.kind == .unprocessable || error.kind == .notFound {
                let errors = error.fieldErrors.isEmpty ? [FieldError(field: "number", code: error.code.rawValue, message: error.message)] : error.fieldErrors
                return try await agencyPage(request, context, portal, failed: (form, errors))
            }
        }

        registerAPI(routes, portal: portal)
    }

    // MARK: API

    struct VerifyRequest: Decodable {
        let number: String?
        let code: String?
        let token: String?
    }

    struct ViewCodeRequest: Decodable {
        let label: String
        let days: Int
    }

    struct ViewCodeCreated: Encodable {
        let code: String
        let viewCode: DocumentViewCode
        let link: String
    }

    struct DisclosureRequest: Decodable { let keys: [String] }

    struct IssueFact: Decodable {
        let key: String
        let labelEN: String
        let labelKO: String
        let value: String
        let disclosed: Bool?
    }

    struct IssueRequest: Decodable {
        let documentType: String
        let titleEN: String
        let titleKO: String
        let holderNationalId: String?
        let subjectName: String
        let subjectIdentifier: String
        let facts: [IssueFact]
        let validDays: Int
        let sourceReference: String?
    }

    struct IssueResponse: Encodable {
        let document: IssuedDocumentSummary
        let shortCode: String
        let verificationURL: String
    }

    /// Checks an issuance request from an agency system; the document service checks the rest.
    static func validated(_ body: IssueRequest) throws -> [DocumentFact] {
        var validator = Validator()
        let typeOK = !body.documentType.isEmpty && body.documentType.count <= 60
            && body.documentType.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
        if !typeOK { validator.add("documentType", "format", "Use lower-case letters, digits, dots and dashes (at most 60), e.g. permit.outdoor-advertising.") }
        validator.require(body.titleEN, "titleEN", maxLength: 200)
        validator.require(body.titleKO, "titleKO", maxLength: 200)
        validator.require(body.subjectName, "subjectName", maxLength: 200)
        validator.require(body.subjectIdentifier, "subjectIdentifier", maxLength: 60)
        if body.facts.count > 40 { validator.add("facts", "too_many", "A document states at most 40 facts.") }
        for (index, fact) in body.facts.enumerated() {
            if fact.key.isEmpty || fact.key.count > 60 { validator.add("facts/\(index)/key", "required", "Give each fact a key of at most 60 characters.") }
            if fact.labelEN.isEmpty || fact.labelKO.isEmpty || fact.labelEN.count > 100 || fact.labelKO.count > 100 {
                validator.add("facts/\(index)/labelEN", "required", "Give each fact English and Korean labels of at most 100 characters.")
            }
            if fact.value.count > 1000 { validator.add("facts/\(index)/value", "too_long", "A fact's value has at most 1,000 characters.") }
        }
        if let reference = body.sourceReference, reference.count > 60 { validator.add("sourceReference", "too_long", "At most 60 characters.") }
        try validator.check()
        return body.facts.map { DocumentFact(key: $0.key, labelEN: $0.labelEN, labelKO: $0.labelKO, value: $0.value, disclosedByDefault: $0.disclosed ?? false) }
    }
    struct RevokeRequest: Decodable { let reason: String }

    static func registerAPI(_ routes: RouteRegistry, portal: Portal) {
        let platform = portal.platform
        let documents = platform.documents
        routes.schema("DocumentVerification", Schema.object([
            "outcome": Schema.string("valid: issued here, unchanged and valid today; revoked; expired; not_genuine", enumValues: ["valid", "revoked", "expired", "not_genuine"]),
            "method": Schema.string("How it was checked", enumValues: ["number", "view_code", "pdf", "token"]),
            "reason": Schema.nullable(Schema.string("Why not genuine: invalid_number, unknown_number_or_code, no_signature, changed_after_signing, signature_invalid, untrusted_signer, unknown_number, not_the_issued_file, token_malformed, content_changed")),
            "number": Schema.nullable(Schema.string), "documentType": Schema.nullable(Schema.string), "titleEN": Schema.nullable(Schema.string),
            "titleKO": Schema.nullable(Schema.string), "agencyCode": Schema.nullable(Schema.string), "agencyNameEN": Schema.nullable(Schema.string),
            "agencyNameKO": Schema.nullable(Schema.string), "issuedAt": Schema.nullable(Schema.dateTime), "expiresAt": Schema.nullable(Schema.dateTime),
            "revokedAt": Schema.nullable(Schema.dateTime), "revocationReason": Schema.nullable(Schema.string), "signer": Schema.nullable(Schema.string),
            "disclosed": Schema.array(Schema.object(["key": Schema.string, "labelEN": Schema.string, "labelKO": Schema.string, "value": Schema.string],
                                                    required: ["key", "labelEN", "labelKO", "value"])),
            "originalAvailable": Schema.boolean,
        ], required: ["outcome", "method", "disclosed", "originalAvailable"]))
        routes.schema("IssuedDocument", Schema.object([
            "id": Schema.uuid, "number": Schema.string("16 digits, Luhn check digit"), "module": Schema.string, "documentType": Schema.string,
            "titleEN": Schema.string, "titleKO": Schema.string, "agencyCode": Schema.string, "agencyNameEN": Schema.string, "agencyNameKO": Schema.string,
            "issuedAt": Schema.dateTime, "expiresAt": Schema.dateTime, "status": Schema.string("Status", enumValues: DocumentStatus.allCases.map(\.rawValue)),
            "revokedAt": Schema.nullable(Schema.dateTime), "revocationReason": Schema.nullable(Schema.string), "sourceReference": Schema.nullable(Schema.string),
            "holderAccountID": Schema.nullable(Schema.uuid),
        ], required: ["id", "number", "documentType", "titleEN", "titleKO", "agencyCode", "issuedAt", "expiresAt", "status"]))

        routes.api(.post, "/api/v1/documents/verify", APIOperation(
            summary: "Verify an issued document without signing in: JSON {number, code} (the short code printed on it, or a view code), JSON {token} (the signed token from its QR code), or the PDF itself as an application/pdf body. Failed attempts are limited per address (10 per 15 minutes).",
            tag: "documents", auth: .none,
            requestBody: Schema.object(["number": Schema.string, "code": Schema.string, "token": Schema.string]),
            response: Schema.ref("DocumentVerification"), errors: [400, 413, 415, 422, 429])) { request, context in
            let ticket = try limit(context, portal)
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            let verification: DocumentVerification
            if contentType.hasPrefix("application/pdf") {
                let body: ByteBuffer
                do { body = try await request.body.collect(upTo: context.maxUploadSize) } catch {
                    throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The PDF is larger than \(context.maxUploadSize) bytes.")
                }
                verification = try await documents.verify(pdf: Array(body.readableBytesView), on: platform.db)
            } else {
                let body = try await request.decode(as: VerifyRequest.self, context: context)
                if let token = body.token, !token.isEmpty {
                    verification = try await documents.verify(token: token, on: platform.db)
                } else {
                    var errors: [FieldError] = []
                    if (body.number ?? "").isEmpty { errors.append(FieldError(field: "number", code: "required", message: "Give the issuance number (or a token).")) }
                    if (body.code ?? "").isEmpty { errors.append(FieldError(field: "code", code: "required", message: "Give the code printed on the document, or a view code.")) }
                    if !errors.isEmpty { throw NaraError.validation(errors) }
                    verification = try await documents.verify(number: body.number ?? "", code: body.code ?? "", on: platform.db)
                }
            }
            settle(verification, ticket, context, portal)
            return try .json(verification)
        }
        routes.api(.post, "/api/v1/documents", APIOperation(
            summary: "Issue a signed certificate on behalf of the caller's agency (officials with the signer role, or agency systems allowed to sign): the PDF carries the issuance number, the short code, a QR code with the verification address and a signed token, and a PAdES signature by the agency's certificate. With `holderNationalId` the person finds it in My Nara.",
            tag: "documents",
            requestBody: Schema.object([
                "documentType": Schema.string("e.g. permit.outdoor-advertising"), "titleEN": Schema.string, "titleKO": Schema.string,
                "holderNationalId": Schema.string("Resident registration number of the holder (optional)"),
                "subjectName": Schema.string, "subjectIdentifier": Schema.string("As printed, masked: 900101-2******"),
                "facts": Schema.array(Schema.object(["key": Schema.string, "labelEN": Schema.string, "labelKO": Schema.string, "value": Schema.string,
                                                     "disclosed": Schema.boolean], required: ["key", "labelEN", "labelKO", "value"])),
                "validDays": Schema.integer, "sourceReference": Schema.string,
            ], required: ["documentType", "titleEN", "titleKO", "subjectName", "subjectIdentifier", "facts", "validDays"]),
            response: Schema.object(["document": Schema.ref("IssuedDocument"), "shortCode": Schema.string, "verificationURL": Schema.string],
                                    required: ["document", "shortCode", "verificationURL"]),
            successStatus: 201, errors: [400, 401, 403, 413, 415, 422])) { request, context in
            let agencyID = try signer(context)
            let body = try await request.decode(as: IssueRequest.self, context: context)
            let facts = try validated(body)
            var holder: UUID?
            var subjectRef: String?
            if let raw = body.holderNationalId, !raw.isEmpty {
                let id: NationalID
                do { id = try NationalID(raw) } catch {
                    throw NaraError.validation([FieldError(field: "holderNationalId", code: "format", message: "Enter a 13-digit resident registration number.")])
                }
                subjectRef = platform.audit.subjectRef(nationalID: id)
                holder = try await platform.identity.accountID(nationalID: id, on: platform.db)
            }
            let issue = DocumentIssueRequest(module: "documents", documentType: body.documentType, titleEN: body.titleEN, titleKO: body.titleKO,
                                             agencyID: agencyID, holderAccountID: holder, subjectRef: subjectRef, subjectName: body.subjectName,
                                             subjectIdentifier: body.subjectIdentifier, facts: facts, validDays: body.validDays,
                                             sourceReference: body.sourceReference)
            // Rendering and signing outside the write transaction; the record and its audit entry commit together.
            let prepared = try await documents.prepare(issue, on: platform.db)
            let summary = try await platform.db.transaction { tx in try await documents.record(prepared, by: context.auditActor, on: tx) }
            return try .json(IssueResponse(document: summary, shortCode: prepared.shortCode,
                                           verificationURL: "\(platform.configuration.effectiveBaseURL)/verify?n=\(summary.number)&c=\(prepared.shortCode)"),
                             status: .created)
        }
        routes.api(.get, "/api/v1/me/documents", APIOperation(
            summary: "Documents issued to the caller", tag: "me", response: Schema.array(Schema.ref("IssuedDocument")), errors: [401])) { _, context in
            try .json(try await documents.documents(holderAccountID: try holder(context), on: platform.db))
        }
        routes.api(.get, "/api/v1/me/documents/:id/pdf", APIOperation(
            summary: "The signed PDF of one of the caller's documents", tag: "me", responseContentType: "application/pdf", errors: [401, 404])) { _, context in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
            let (number, pdf) = try await documents.pdf(documentID: id, holderAccountID: try holder(context), on: platform.db)
            return pdfResponse(pdf, name: "nara-\(number).pdf")
        }
        routes.api(.put, "/api/v1/me/documents/:id/disclosure", APIOperation(
            summary: "Choose which facts of the document the verification page shows (the subject's masked name, the issuer, dates and status are always shown)",
            tag: "me", requestBody: Schema.object(["keys": Schema.array(Schema.string)], required: ["keys"]), successStatus: 204,
            errors: [400, 401, 404, 422])) { request, context in
            let accountID = try holder(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
            let body = try await request.decode(as: DisclosureRequest.self, context: context)
            try await platform.db.transaction { tx in
                try await documents.setDisclosure(documentID: id, holderAccountID: accountID, keys: body.keys, by: context.auditActor, on: tx)
            }
            return Response(status: .noContent)
        }
        routes.api(.post, "/api/v1/me/documents/:id/view-codes", APIOperation(
            summary: "Give a third party a view code (shown once) with which they can see the whole original document until it expires",
            tag: "me", requestBody: Schema.object(["label": Schema.string("Who it is for"), "days": Schema.integer], required: ["label", "days"]),
            response: Schema.object(["code": Schema.string, "viewCode": Schema.object([:], additional: true), "link": Schema.string], required: ["code", "viewCode", "link"]),
            successStatus: 201, errors: [400, 401, 404, 422])) { request, context in
            let accountID = try holder(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
            let body = try await request.decode(as: ViewCodeRequest.self, context: context)
            let (code, view, number) = try await platform.db.transaction { tx in
                let created = try await documents.createViewCode(documentID: id, holderAccountID: accountID, label: body.label, days: body.days,
                                                                 by: context.auditActor, on: tx)
                let detail = try await documents.detail(documentID: id, holderAccountID: accountID, on: tx)
                return (created.code, created.viewCode, detail.summary.number)
            }
            return try .json(ViewCodeCreated(code: code, viewCode: view, link: "\(platform.configuration.effectiveBaseURL)/verify?n=\(number)&v=\(code)"),
                             status: .created)
        }
        routes.api(.post, "/api/v1/documents/:number/revoke", APIOperation(
            summary: "Revoke a document the caller's agency issued; the reason is shown to verifiers", tag: "documents",
            requestBody: Schema.object(["reason": Schema.string], required: ["reason"]), response: Schema.ref("IssuedDocument"),
            errors: [400, 401, 403, 404, 409, 422])) { request, context in
            let agencyID = try signer(context)
            guard let number = context.parameters.get("number").flatMap(IssuanceNumber.normalise) else { throw NaraError.notFound("The document") }
            let body = try await request.decode(as: RevokeRequest.self, context: context)
            return try .json(try await platform.db.transaction { tx in
                try await documents.revoke(number: number, agencyID: agencyID, reason: body.reason, by: context.auditActor, on: tx)
            })
        }
    }

    // MARK: Helpers

    /// Counts the attempt before the work (so parallel guesses cannot all pass the limit) and
    /// returns its time, or answers 429 when the address is blocked.
    static func limit(_ context: NaraRequestContext, _ portal: Portal) throws -> Date {
        let now = portal.platform.clock.now()
        if let wait = portal.platform.documents.verificationLimiter.attempt(context.clientAddress, now: now) {
            throw NaraError(.tooManyRequests(retryAfterSeconds: wait), code: .tooManyRequests,
                            "Too many failed verifications from your address; try again in \(wait / 60 + 1) minutes.")
        }
        return now
    }

    static func forgive(_ ticket: Date, _ context: NaraRequestContext, _ portal: Portal) {
        portal.platform.documents.verificationLimiter.forgive(context.clientAddress, at: ticket)
    }

    /// Guessing numbers and codes fails, and a forged PDF or token counts too: only those stay counted.
    static func settle(_ verification: DocumentVerification, _ ticket: Date, _ context: NaraRequestContext, _ portal: Portal) {
        if verification.outcome != .notGenuine { forgive(ticket, context, portal) }
    }

    static func uploadAction(_ context: NaraRequestContext) -> String { "/verify/pdf?_csrf=" + context.csrfToken }

    static func holder(_ context: NaraRequestContext) throws -> UUID {
        let actor = try context.requireActor()
        guard let accountID = actor.accountID else { throw NaraError.forbidden("Documents are held by people and businesses.") }
        try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: accountID))
        return accountID
    }

    static func signer(_ context: NaraRequestContext) throws -> UUID {
        let actor = try context.requireActor()
        guard let agencyID = actor.agencyID else { throw NaraError.forbidden("Only an agency revokes its documents.") }
        try AccessPolicy.require(actor, .agencySign, on: .agency(agencyID))
        return agencyID
    }

    static func pdfResponse(_ pdf: [UInt8], name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/pdf"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
    }

    static func render(_ page: VerifyPage, _ request: Request, _ context: NaraRequestContext, _ portal: Portal, status: HTTPResponse.Status = .ok) -> Response {
        portal.renderer.render(Page("verify", title: portal.renderer.text("verify_title", context.language), model: page, status: status),
                               request: request, context: context)
    }

    static func statusText(_ status: DocumentStatus, _ l: Language, _ portal: Portal) -> String { portal.renderer.text("documents_status_\(status.rawValue)", l) }

    static func row(_ d: IssuedDocumentSummary, _ display: DisplayFormat, _ l: Language, _ portal: Portal, link: String) -> DocumentRow {
        DocumentRow(title: l == .korean ? d.titleKO : d.titleEN, number: IssuanceNumber.formatted(d.number),
                    agency: l == .korean ? d.agencyNameKO : d.agencyNameEN, issued: display.dateTime(d.issuedAt), expires: display.date(d.expiresAt),
                    status: statusText(d.status, l, portal), statusCode: d.status.rawValue, link: link)
    }

    static func model(_ v: DocumentVerification, code: String, _ l: Language, _ portal: Portal) -> DocumentVerificationModel {
        let r = portal.renderer
        let display = DisplayFormat(timeZone: portal.platform.configuration.timeZone, language: l)
        var rows: [LabelValue] = []
        if let number = v.number { rows.append(LabelValue(label: r.text("documents_number", l), value: IssuanceNumber.formatted(number))) }
        if v.outcome != .notGenuine {
            rows.append(LabelValue(label: r.text("documents_document", l), value: (l == .korean ? v.titleKO : v.titleEN) ?? ""))
            rows.append(LabelValue(label: r.text("documents_agency", l), value: "\((l == .korean ? v.agencyNameKO : v.agencyNameEN) ?? "") (\(v.agencyCode ?? ""))"))
            if let issued = v.issuedAt { rows.append(LabelValue(label: r.text("documents_issued", l), value: display.dateTime(issued))) }
            if let expires = v.expiresAt { rows.append(LabelValue(label: r.text("documents_expires", l), value: display.dateTime(expires))) }
            if let revoked = v.revokedAt {
                rows.append(LabelValue(label: r.text("documents_revoked_at", l), value: display.dateTime(revoked)))
                rows.append(LabelValue(label: r.text("documents_revocation_reason", l), value: v.revocationReason ?? ""))
            }
        }
        if let signer = v.signer { rows.append(LabelValue(label: r.text("verify_signer", l), value: signer)) }
        rows.append(LabelValue(label: r.text("verify_method", l), value: r.text("verify_method_\(v.method.rawValue)", l)))
        let facts = v.disclosed.map { LabelValue(label: l == .korean ? $0.labelKO : $0.labelEN, value: $0.value) }
        let tone: String
        switch v.outcome {
        case .valid: tone = "ok"
        case .revoked, .expired: tone = "warn"
        case .notGenuine: tone = "bad"
        }
        let explanation = v.outcome == .notGenuine ? r.text("verify_reason_\(v.reason ?? "unknown_number_or_code")", l) : r.text("verify_explain_\(v.outcome.rawValue)", l)
        return DocumentVerificationModel(outcome: v.outcome.rawValue, title: r.text("verify_outcome_\(v.outcome.rawValue)", l), explanation: explanation, tone: tone,
                                 rows: rows, facts: facts, hasFacts: !facts.isEmpty,
                                 originalLink: v.originalAvailable ? "/verify/original?n=\(v.number ?? "")&v=\(ShortCode.normalise(code))" : nil)
    }

    typealias Failure = (form: FormFields, errors: [FieldError])

    static func documentPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, newCode: String?, failed: Failure?) async throws -> Response {
        let accountID = try holder(context)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The document") }
        let platform = portal.platform
        let r = portal.renderer
        let l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let d = try await platform.documents.detail(documentID: id, holderAccountID: accountID, on: platform.db)
        let disclosed = Set(d.disclosedKeys)
        let now = platform.clock.now()
        let errors = failed.map { r.localized($0.errors, l) } ?? []
        let page = DocumentPage(
            id: id.uuidString.lowercased(), title: l == .korean ? d.summary.titleKO : d.summary.titleEN, number: IssuanceNumber.formatted(d.summary.number),
            shortCode: ShortCode.formatted(d.shortCode), agency: l == .korean ? d.summary.agencyNameKO : d.summary.agencyNameEN,
            issued: display.dateTime(d.summary.issuedAt), expires: display.dateTime(d.summary.expiresAt), status: statusText(d.summary.status, l, portal),
            statusCode: d.summary.status.rawValue, revocationReason: d.summary.revocationReason, subject: "\(d.subjectName) (\(d.subjectIdentifier))",
            facts: d.facts.map { FactOption(key: $0.key, label: l == .korean ? $0.labelKO : $0.labelEN, value: $0.value, checked: disclosed.contains($0.key),
                                            id: "fact-" + $0.key.replacingOccurrences(of: ".", with: "-")) },
            viewCodes: d.viewCodes.map { v in
                let live = v.revokedAt == nil && v.expiresAt > now
                return ViewCodeRow(id: v.id.uuidString.lowercased(), label: v.label, created: display.dateTime(v.createdAt), expires: display.dateTime(v.expiresAt),
                                   uses: String(v.useCount), live: live,
                                   status: r.text(v.revokedAt != nil ? "documents_code_revoked" : (live ? "documents_code_live" : "documents_code_expired"), l))
            },
            hasViewCodes: !d.viewCodes.isEmpty, newCode: newCode.map(ShortCode.formatted),
            newCodeLink: newCode.map { "\(platform.configuration.effectiveBaseURL)/verify?n=\(d.summary.number)&v=\($0)" },
            errorSummary: ErrorSummaryModel(errors), labelError: errors.first { $0.field == "label" }?.message,
            daysError: errors.first { $0.field == "days" }?.message, labelValue: failed?.form["label"] ?? "", daysValue: failed?.form["days"] ?? "7",
            source: d.summary.sourceReference)
        return r.render(Page("document", title: page.title, model: page, status: failed == nil ? .ok : .unprocessableContent), request: request, context: context)
    }

    static func agencyPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, failed: Failure?) async throws -> Response {
        let actor = try context.requireActor()
        guard let agencyID = actor.agencyID else { throw NaraError.forbidden("The agency's documents are for its officials.") }
        try AccessPolicy.require(actor, .agencyWorkspace, on: .agency(agencyID))
        let platform = portal.platform
        let r = portal.renderer
        let l = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: l)
        let list = try await platform.documents.documents(agencyID: agencyID, on: platform.db)
        let errors = failed.map { r.localized($0.errors, l) } ?? []
        let page = AgencyDocumentsPage(
            documents: list.map { row($0, display, l, portal, link: "/verify") }, hasDocuments: !list.isEmpty,
            canRevoke: AccessPolicy.decide(actor, .agencySign, on: .agency(agencyID)).isAllowed, errorSummary: ErrorSummaryModel(errors, idPrefix: "revoke-"),
            numberValue: failed?.form["number"] ?? "", reasonValue: failed?.form["reason"] ?? "",
            numberError: errors.first { $0.field == "number" }?.message, reasonError: errors.first { $0.field == "reason" }?.message)
        return r.render(Page("agency-documents", title: r.text("documents_agency_title", l), model: page, status: failed == nil ? .ok : .unprocessableContent),
                        request: request, context: context)
    }
}
