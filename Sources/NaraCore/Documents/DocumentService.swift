import Crypto
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import X509

/// The platform's document issuance service, usable by every module: issues signed PDF
/// certificates with a 16-digit issuance number, a printed short code, a QR code carrying the
/// verification address and a signed token, and answers public verification by number and
/// code, by view code, by the PDF itself or by the token.
public final class DocumentService: Sendable {
    private let pki: PKIService
    private let audit: AuditChain
    private let clock: any NaraClock
    private let contentCipher: FieldCipher
    private let fileCipher: FieldCipher
    private let codeHasher: FieldCipher
    private let baseURL: String
    private let timeZone: TimeZone
    /// Failed verifications (unknown number, wrong code) per client address: 10 per 15 minutes.
    public let verificationLimiter = FailureLimiter(limit: 10, window: 15 * 60)
    /// Decrypted content by document number: it never changes once issued (status and
    /// disclosure live in other columns and are read every time).
    private let contentCache = NIOLockedValueBox<[String: Content]>([:])

    public init(masterKey: MasterKey, pki: PKIService, audit: AuditChain, clock: any NaraClock, baseURL: String, timeZone: TimeZone) {
        self.pki = pki
        self.audit = audit
        self.clock = clock
        self.contentCipher = FieldCipher(masterKey: masterKey, purpose: "document-content")
        self.fileCipher = FieldCipher(masterKey: masterKey, purpose: "document-files")
        self.codeHasher = FieldCipher(masterKey: masterKey, purpose: "document-codes")
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeZone = timeZone
    }

    /// What is encrypted in `content_cipher`.
    struct Content: Codable, Sendable {
        let shortCode: String
        let subjectName: String
        let subjectIdentifier: String
        let facts: [DocumentFact]
    }

    /// A document rendered and signed, not yet stored.
    public struct Prepared: Sendable {
        let id: UUID
        public let number: String
        /// Printed on the document; give it to whoever needs to verify it.
        public let shortCode: String
        let request: DocumentIssueRequest
        let issuedAt: Date
        let signedAt: Date
        let expiresAt: Date
        let pdf: [UInt8]
        let signerFingerprint: String
    }

    // MARK: Issuing

    /// Renders and signs the document. Needs the database only to read the agency and its key,
    /// so callers can do this outside their write transaction.
    public func prepare(_ request: DocumentIssueRequest, on db: any Database) async throws -> Prepared {
        var errors: [FieldError] = []
        if request.facts.isEmpty { errors.append(FieldError(field: "facts", code: "required", message: "A document needs at least one fact.")) }
        if !(1...3650).contains(request.validDays) {
            errors.append(FieldError(field: "validDays", code: "out_of_range", message: "A document is valid for 1 to 3,650 days."))
        }
        if request.subjectName.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(FieldError(field: "subjectName", code: "required", message: "The subject's name is required."))
        }
        if Set(request.facts.map(\.key)).count != request.facts.count {
            errors.append(FieldError(field: "facts", code: "duplicate", message: "Fact keys must be unique."))
        }
        guard errors.isEmpty else { throw NaraError(.unprocessable, code: .validationFailed, "The document cannot be issued.", fieldErrors: errors) }
        guard let agency = try await AgencyModel.find(request.agencyID, on: db) else {
            throw NaraError(.notFound, code: .notFound, "The issuing agency does not exist.")
        }
        let identity = try await pki.identity(purpose: .agency, agencyID: request.agencyID, on: db)
        let root = try await pki.rootCertificate(on: db)
        let now = clock.now()
        // Seconds precision: the PDF and the token print whole seconds.
        let signedAt = Date(timeIntervalSince1970: floor(now.timeIntervalSince1970))
        let issuedAt = request.issuedAt.map { Date(timeIntervalSince1970: floor($0.timeIntervalSince1970)) } ?? signedAt
        guard issuedAt <= signedAt else {
            throw NaraError.validation([FieldError(field: "issuedAt", code: "future", message: "A document cannot be issued in the future.")])
        }
        let expiresAt = issuedAt.addingTimeInterval(TimeInterval(request.validDays) * 86_400)
        let number = IssuanceNumber.generate()
        let shortCode = ShortCode.generate(length: 8)
        let token = DocumentToken(no: number, typ: request.documentType, iss: agency.code, sub: Self.maskName(request.subjectName),
                                  iat: Int64(signedAt.timeIntervalSince1970), exp: Int64(expiresAt.timeIntervalSince1970),
                                  dh: Self.contentHash(subjectName: request.subjectName, subjectIdentifier: request.subjectIdentifier, facts: request.facts))
        let jws = try await pki.signJWS(token, with: identity)
        let verificationURL = "\(baseURL)/verify?n=\(number)&c=\(shortCode)&t=\(jws)"
        let qr = try QRCode.encode(text: verificationURL, errorCorrection: .low)
        let layout = CertificateLayout(
            number: number, shortCode: shortCode, titleEN: request.titleEN, titleKO: request.titleKO,
            agencyNameEN: agency.nameEN, agencyNameKO: agency.nameKO, agencyCode: agency.code,
            subjectName: request.subjectName, subjectIdentifier: request.subjectIdentifier, facts: request.facts,
            issuedAt: issuedAt, signedAt: signedAt, expiresAt: expiresAt, timeZone: timeZone, verifyAddress: "\(baseURL)/verify", qr: qr,
            sourceReference: request.sourceReference)
        var prepared = try CertificateRenderer.shared.render(layout)
        let cms = try PAdESSignature.sign(prepared.bytesToSign(), certificate: identity.certificate, privateKey: identity.privateKey, chain: [root])
        try prepared.embed(signature: cms)
        return Prepared(id: UUID(), number: number, shortCode: shortCode, request: request, issuedAt: issuedAt, signedAt: signedAt, expiresAt: expiresAt,
                        pdf: prepared.bytes, signerFingerprint: identity.fingerprint)
    }

    /// Stores a prepared document and audits the issuance; run it in the caller's transaction.
    public func record(_ prepared: Prepared, by actor: AuditActor, on db: any Database) async throws -> IssuedDocumentSummary {
        let request = prepared.request
        let model = IssuedDocumentModel()
        model.id = prepared.id
        model.number = prepared.number
        model.codeHash = codeHasher.lookupHash(prepared.shortCode)
        model.$agency.id = request.agencyID
        model.module = request.module
        model.documentType = request.documentType
        model.titleEN = request.titleEN
        model.titleKO = request.titleKO
        model.$holder.id = request.holderAccountID
        model.subjectRef = request.subjectRef
        let content = Content(shortCode: prepared.shortCode, subjectName: request.subjectName, subjectIdentifier: request.subjectIdentifier,
                              facts: request.facts)
        model.contentCipher = try contentCipher.sealString(String(decoding: try JSONEncoder().encode(content), as: UTF8.self))
        model.disclosedKeys = try Self.encodeKeys(request.facts.filter(\.disclosedByDefault).map(\.key))
        model.sourceReference = request.sourceReference
        model.issuedAt = prepared.issuedAt
        model.signedAt = prepared.signedAt
        model.expiresAt = prepared.expiresAt
        model.pdfSHA256 = Digest.sha256Hex(prepared.pdf)
        model.signerFingerprint = prepared.signerFingerprint
        try await model.create(on: db)
        let file = IssuedDocumentFileModel()
        file.$document.id = prepared.id
        file.pdfCipher = try fileCipher.seal(Data(prepared.pdf))
        try await file.create(on: db)
        try await audit.append(AuditRecord(action: "document.issue", objectType: "issued_document", objectID: prepared.number,
                                           subjectRef: request.subjectRef, detail: "\(request.documentType) by \(request.module)"),
                               by: actor, on: db)
        return try await summary(model, on: db)
    }

    /// Prepares and records in one go (the caller provides the transaction).
    public func issue(_ request: DocumentIssueRequest, by actor: AuditActor, on db: any Database) async throws -> IssuedDocumentSummary {
        try await record(try await prepare(request, on: db), by: actor, on: db)
    }

    // MARK: Holder

    public func documents(holderAccountID: UUID, on db: any Database) async throws -> [IssuedDocumentSummary] {
        let models = try await IssuedDocumentModel.query(on: db).filter(\.$holder.$id == holderAccountID).with(\.$agency)
            .sort(\.$issuedAt, .descending).all()
        return models.map { summary($0, agency: $0.agency) }
    }

    public func documents(agencyID: UUID, limit: Int = 200, on db: any Database) async throws -> [IssuedDocumentSummary] {
        let models = try await IssuedDocumentModel.query(on: db).filter(\.$agency.$id == agencyID).with(\.$agency)
            .sort(\.$issuedAt, .descending).limit(limit).all()
        return models.map { summary($0, agency: $0.agency) }
    }

    /// The holder's view of one of their documents; another person's is "not found".
    public func detail(documentID: UUID, holderAccountID: UUID, on db: any Database) async throws -> IssuedDocumentDetail {
        let model = try await holderDocument(documentID, holderAccountID: holderAccountID, on: db)
        return try await detail(model, on: db)
    }

    /// The issuing agency's view of a document it issued.
    public func detail(number: String, agencyID: UUID, on db: any Database) async throws -> IssuedDocumentDetail {
        guard let model = try await IssuedDocumentModel.query(on: db).filter(\.$number == number).filter(\.$agency.$id == agencyID).first() else {
            throw NaraError(.notFound, code: .notFound, "Your agency issued no document with this number.")
        }
        return try await detail(model, on: db)
    }

    public func pdf(documentID: UUID, holderAccountID: UUID, on db: any Database) async throws -> (number: String, pdf: [UInt8]) {
        let model = try await holderDocument(documentID, holderAccountID: holderAccountID, on: db)
        return (model.number, try await storedPDF(model, on: db))
    }

    public func setDisclosure(documentID: UUID, holderAccountID: UUID, keys: [String], by actor: AuditActor, on db: any Database) async throws {
        let model = try await holderDocument(documentID, holderAccountID: holderAccountID, on: db)
        let content = try openContent(model)
        let known = Set(content.facts.map(\.key))
        let unknown = keys.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw NaraError(.unprocessable, code: .validationFailed, "The document has no such facts.",
                            fieldErrors: unknown.map { FieldError(field: "keys", code: "unknown", message: "\($0) is not a fact of this document.") })
        }
        model.disclosedKeys = try Self.encodeKeys(content.facts.map(\.key).filter { keys.contains($0) })
        try await model.save(on: db)
        try await audit.append(AuditRecord(action: "document.disclosure", objectType: "issued_document", objectID: model.number,
                                           subjectRef: model.subjectRef, detail: keys.joined(separator: ",")), by: actor, on: db)
    }

    /// A new view code for a third party, valid `days` (1 to 90); the code is shown only now.
    public func createViewCode(documentID: UUID, holderAccountID: UUID, label: String, days: Int, by actor: AuditActor,
                               on db: any Database) async throws -> (code: String, viewCode: DocumentViewCode) {
        let trimmed = label.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if trimmed.isEmpty || trimmed.count > 100 {
            errors.append(FieldError(field: "label", code: "invalid", message: "Say who the code is for, in at most 100 characters."))
        }
        if !(1...90).contains(days) { errors.append(FieldError(field: "days", code: "out_of_range", message: "A view code lasts 1 to 90 days.")) }
        guard errors.isEmpty else { throw NaraError(.unprocessable, code: .validationFailed, "The view code cannot be created.", fieldErrors: errors) }
        let model = try await holderDocument(documentID, holderAccountID: holderAccountID, on: db)
        let code = ShortCode.generate(length: 12)
        let view = DocumentViewCodeModel()
        view.id = UUID()
        view.$document.id = try model.requireID()
        view.codeHash = codeHasher.lookupHash("view:" + code)
        view.label = trimmed
        view.createdAt = clock.now()
        view.expiresAt = min(clock.now().addingTimeInterval(TimeInterval(days) * 86_400), max(model.expiresAt, clock.now()))
        view.useCount = 0
        try await view.create(on: db)
        try await audit.append(AuditRecord(action: "document.view_code.create", objectType: "issued_document", objectID: model.number,
                                           subjectRef: model.subjectRef, detail: trimmed), by: actor, on: db)
        return (code, Self.viewCode(view))
    }

    public func revokeViewCode(documentID: UUID, viewCodeID: UUID, holderAccountID: UUID, by actor: AuditActor, on db: any Database) async throws {
        let model = try await holderDocument(documentID, holderAccountID: holderAccountID, on: db)
        guard let view = try await DocumentViewCodeModel.query(on: db).filter(\.$id == viewCodeID).filter(\.$document.$id == model.requireID()).first() else {
            throw NaraError(.notFound, code: .notFound, "No such view code.")
        }
        guard view.revokedAt == nil else { return }
        view.revokedAt = clock.now()
        try await view.save(on: db)
        try await audit.append(AuditRecord(action: "document.view_code.revoke", objectType: "issued_document", objectID: model.number,
                                           subjectRef: model.subjectRef, detail: view.label), by: actor, on: db)
    }

    // MARK: Agency

    /// Revokes a document issued by the actor's agency; the reason is mandatory and shown to verifiers.
    public func revoke(number: String, agencyID: UUID, reason: String, by actor: AuditActor, on db: any Database) async throws -> IssuedDocumentSummary {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 500 else {
            throw NaraError(.unprocessable, code: .validationFailed, "Give the reason for the revocation.",
                            fieldErrors: [FieldError(field: "reason", code: "required", message: "A reason of at most 500 characters is required.")])
        }
        guard let model = try await IssuedDocumentModel.query(on: db).filter(\.$number == number).filter(\.$agency.$id == agencyID).first() else {
            throw NaraError(.notFound, code: .notFound, "Your agency issued no document with this number.")
        }
        guard model.revokedAt == nil else {
            throw NaraError(.conflict, code: .illegalTransition, "The document was already revoked.")
        }
        model.revokedAt = clock.now()
        model.revocationReason = trimmed
        try await model.save(on: db)
        try await audit.append(AuditRecord(action: "document.revoke", objectType: "issued_document", objectID: number,
                                           subjectRef: model.subjectRef, detail: trimmed), by: actor, on: db)
        return try await summary(model, on: db)
    }

    // MARK: Verification

    /// What verification reads of a document, in one query.
    struct VerificationRow: Sendable {
        let id: UUID
        let number: String
        let codeHash: String
        let documentType: String
        let titleEN: String
        let titleKO: String
        let contentCipher: String
        let disclosedKeys: String
        let issuedAt: Date
        let expiresAt: Date
        let revokedAt: Date?
        let revocationReason: String?
        let agencyCode: String
        let agencyNameEN: String
        let agencyNameKO: String

        init(_ m: IssuedDocumentModel) {
            id = m.id!; number = m.number; codeHash = m.codeHash; documentType = m.documentType; titleEN = m.titleEN; titleKO = m.titleKO
            contentCipher = m.contentCipher; disclosedKeys = m.disclosedKeys; issuedAt = m.issuedAt; expiresAt = m.expiresAt
            revokedAt = m.revokedAt; revocationReason = m.revocationReason
            agencyCode = m.agency.code; agencyNameEN = m.agency.nameEN; agencyNameKO = m.agency.nameKO
        }

        init(_ row: some SQLRow) throws {
            id = try row.decode(column: "id", as: UUID.self)
            number = try row.decode(column: "number", as: String.self)
            codeHash = try row.decode(column: "code_hash", as: String.self)
            documentType = try row.decode(column: "document_type", as: String.self)
            titleEN = try row.decode(column: "title_en", as: String.self)
            titleKO = try row.decode(column: "title_ko", as: String.self)
            contentCipher = try row.decode(column: "content_cipher", as: String.self)
            disclosedKeys = try row.decode(column: "disclosed_keys", as: String.self)
            issuedAt = try row.decode(column: "issued_at", as: Date.self)
            expiresAt = try row.decode(column: "expires_at", as: Date.self)
            revokedAt = try row.decode(column: "revoked_at", as: Date?.self)
            revocationReason = try row.decode(column: "revocation_reason", as: String?.self)
            agencyCode = try row.decode(column: "agency_code", as: String.self)
            agencyNameEN = try row.decode(column: "agency_name_en", as: String.self)
            agencyNameKO = try row.decode(column: "agency_name_ko", as: String.self)
        }
    }

    private func verificationRow(number: String, on db: any Database) async throws -> VerificationRow? {
        guard let sql = db as? any SQLDatabase else {
            return try await IssuedDocumentModel.query(on: db).filter(\.$number == number).with(\.$agency).first().map(VerificationRow.init)
        }
        return try await sql.raw("""
            SELECT d.id, d.number, d.code_hash, d.document_type, d.title_en, d.title_ko, d.content_cipher, d.disclosed_keys, d.issued_at,
                   d.expires_at, d.revoked_at, d.revocation_reason, a.code AS agency_code, a.name_en AS agency_name_en, a.name_ko AS agency_name_ko
            FROM issued_documents d JOIN agencies a ON a.id = d.agency_id WHERE d.number = \(bind: number)
            """).first().map { try VerificationRow($0) }
    }

    /// By issuance number and the short code printed on the document, or a view code.
    /// Unknown numbers and wrong codes get the same answer.
    public func verify(number rawNumber: String, code rawCode: String, on db: any Database) async throws -> DocumentVerification {
        let code = ShortCode.normalise(rawCode)
        guard let number = IssuanceNumber.normalise(rawNumber) else {
            return .notGenuine(.number, reason: "invalid_number")
        }
        guard let row = try await verificationRow(number: number, on: db) else {
            // The same queries as for a known number, so that timing does not tell which numbers exist.
            if code.count == 12 { _ = try await liveViewCode(code, documentID: UUID(), on: db) }
            return .notGenuine(.number, reason: "unknown_number_or_code", number: number)
        }
        if code.count == 8, constantTimeEquals(codeHasher.lookupHash(code), row.codeHash) {
            return try verification(row, method: .number, signer: nil)
        }
        if code.count == 12, let view = try await liveViewCode(code, documentID: row.id, on: db) {
            try await countUse(of: view, on: db)
            return try verification(row, method: .viewCode, signer: nil, originalAvailable: row.revokedAt == nil)
        }
        return .notGenuine(.number, reason: "unknown_number_or_code", number: number)
    }

    /// The original PDF for a third party holding a live view code (audited about the subject).
    public func original(number rawNumber: String, viewCode rawCode: String, by actor: AuditActor, on db: any Database) async throws -> [UInt8]? {
        guard let number = IssuanceNumber.normalise(rawNumber),
              let model = try await IssuedDocumentModel.query(on: db).filter(\.$number == number).first(),
              model.revokedAt == nil,  // a revoked document is shown as revoked, not handed out
              let view = try await liveViewCode(ShortCode.normalise(rawCode), documentID: model.requireID(), on: db)
        else { return nil }
        try await countUse(of: view, on: db)
        try await audit.append(AuditRecord(action: "document.original.view", objectType: "issued_document", objectID: number,
                                           subjectRef: model.subjectRef, purpose: "view code: \(view.label)"), by: actor, on: db)
        return try await storedPDF(model, on: db)
    }

    /// By the PDF file: the signature must cover the whole file, verify, chain to the platform
    /// root, and the file must be exactly the one issued under the number it carries.
    public func verify(pdf: [UInt8], on db: any Database) async throws -> DocumentVerification {
        guard let embedded = PDFSignatureReader.read(pdf) else {
            return .notGenuine(.pdf, reason: "no_signature")
        }
        guard embedded.coversWholeFile else {
            return .notGenuine(.pdf, reason: "changed_after_signing")
        }
        let number = PDFSignatureReader.issuanceNumber(in: embedded.signedBytes)
        let model: IssuedDocumentModel?
        if let number {
            model = try await IssuedDocumentModel.query(on: db).filter(\.$number == number).with(\.$agency).first()
        } else {
            model = nil
        }
        let root = try await pki.rootCertificate(on: db)
        let checkTime = model?.signedAt ?? clock.now()
        let signer: Certificate
        switch await PAdESSignature.verify(embedded.signedBytes, signature: embedded.signature, roots: [root], at: checkTime) {
        case .success(let certificate):
            signer = certificate
        case .failure(.untrustedSigner(let subject)):
            return .notGenuine(.pdf, reason: "untrusted_signer", number: number, signer: subject)
        case .failure(.invalidSignature):
            return .notGenuine(.pdf, reason: "signature_invalid", number: number)
        }
        guard let number, let model else {
            return .notGenuine(.pdf, reason: "unknown_number", number: number, signer: signer.subject.description)
        }
        guard Digest.sha256Hex(pdf) == model.pdfSHA256, try PKIService.fingerprint(signer) == model.signerFingerprint else {
            return .notGenuine(.pdf, reason: "not_the_issued_file", number: number, signer: signer.subject.description)
        }
        return try verification(VerificationRow(model), method: .pdf, signer: signer.subject.description)
    }

    /// By the signed token from the QR code: the signature (at issue time) and the current status.
    public func verify(token: String, on db: any Database) async throws -> DocumentVerification {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Data(base64URLEncoded: String(parts[1])),
              let claims = try? JSONDecoder().decode(DocumentToken.self, from: payload)
        else {
            return .notGenuine(.token, reason: "token_malformed")
        }
        let signer: VerifiedSigner
        do {
            signer = try await pki.verifyJWS(token, as: DocumentToken.self, at: Date(timeIntervalSince1970: TimeInterval(claims.iat)), on: db).1
        } catch let error as NaraError {
            return .notGenuine(.token, reason: error.code.rawValue, number: claims.no)
        }
        // The token's signing time must be the document's: a token re-dated by whoever holds the
        // key cannot borrow another validity time for the certificate.
        guard let model = try await IssuedDocumentModel.query(on: db).filter(\.$number == claims.no).with(\.$agency).first(),
              model.signerFingerprint == signer.fingerprint, claims.iat == Int64(model.signedAt.timeIntervalSince1970)
        else {
            return .notGenuine(.token, reason: "unknown_number", number: claims.no, signer: signer.subject)
        }
        let content = try openContent(model)
        guard claims.dh == Self.contentHash(subjectName: content.subjectName, subjectIdentifier: content.subjectIdentifier, facts: content.facts) else {
            return .notGenuine(.token, reason: "content_changed", number: claims.no, signer: signer.subject)
        }
        return try verification(VerificationRow(model), method: .token, signer: signer.subject)
    }

    // MARK: Internals

    private func verification(_ row: VerificationRow, method: VerificationMethod, signer: String?,
                              originalAvailable: Bool = false) throws -> DocumentVerification {
        let content = try cachedContent(number: row.number, cipher: row.contentCipher)
        let disclosedKeys = Set(try Self.decodeKeys(row.disclosedKeys))
        let outcome: VerificationOutcome
        switch Self.status(revokedAt: row.revokedAt, expiresAt: row.expiresAt, now: clock.now()) {
        case .valid: outcome = .valid
        case .revoked: outcome = .revoked
        case .expired: outcome = .expired
        }
        var disclosed = [DisclosedFact(key: "subject", labelEN: "Subject", labelKO: "대상자", value: Self.maskName(content.subjectName))]
        for fact in content.facts where disclosedKeys.contains(fact.key) || originalAvailable {
            disclosed.append(DisclosedFact(key: fact.key, labelEN: fact.labelEN, labelKO: fact.labelKO, value: fact.value))
        }
        return DocumentVerification(outcome: outcome, method: method, reason: nil, number: row.number, documentType: row.documentType,
                                    titleEN: row.titleEN, titleKO: row.titleKO, agencyCode: row.agencyCode,
                                    agencyNameEN: row.agencyNameEN, agencyNameKO: row.agencyNameKO, issuedAt: row.issuedAt,
                                    expiresAt: row.expiresAt, revokedAt: row.revokedAt, revocationReason: row.revocationReason,
                                    signer: signer, disclosed: disclosed, originalAvailable: originalAvailable)
    }

    private func cachedContent(number: String, cipher: String) throws -> Content {
        if let hit = contentCache.withLockedValue({ $0[number] }) { return hit }
        let content = try JSONDecoder().decode(Content.self, from: Data(try contentCipher.openString(cipher).utf8))
        contentCache.withLockedValue { cache in
            if cache.count >= 20_000 { cache.removeAll(keepingCapacity: true) }
            cache[number] = content
        }
        return content
    }

    static func status(revokedAt: Date?, expiresAt: Date, now: Date) -> DocumentStatus {
        if revokedAt != nil { return .revoked }
        return now >= expiresAt ? .expired : .valid
    }

    private func liveViewCode(_ code: String, documentID: UUID, on db: any Database) async throws -> DocumentViewCodeModel? {
        guard code.count == 12 else { return nil }
        guard let view = try await DocumentViewCodeModel.query(on: db).filter(\.$codeHash == codeHasher.lookupHash("view:" + code))
            .filter(\.$document.$id == documentID).first(),
              view.revokedAt == nil, clock.now() < view.expiresAt
        else { return nil }
        return view
    }

    /// One more use of a view code, counted in the database (two verifiers at once both count).
    private func countUse(of view: DocumentViewCodeModel, on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            try await sql.update(DocumentViewCodeModel.schema).set(SQLIdentifier("use_count"), to: SQLRaw("use_count + 1"))
                .where(SQLIdentifier("id"), .equal, SQLBind(try view.requireID())).run()
        } else {
            view.useCount += 1
            try await view.save(on: db)
        }
    }

    private func holderDocument(_ id: UUID, holderAccountID: UUID, on db: any Database) async throws -> IssuedDocumentModel {
        guard let model = try await IssuedDocumentModel.query(on: db).filter(\.$id == id).filter(\.$holder.$id == holderAccountID).first() else {
            throw NaraError(.notFound, code: .notFound, "You hold no such document.")
        }
        return model
    }

    private func storedPDF(_ model: IssuedDocumentModel, on db: any Database) async throws -> [UInt8] {
        guard let file = try await IssuedDocumentFileModel.query(on: db).filter(\.$document.$id == model.requireID()).first() else {
            throw NaraError(.notFound, code: .notFound, "The document's file is missing.")
        }
        return Array(try fileCipher.open(file.pdfCipher))
    }

    private func detail(_ model: IssuedDocumentModel, on db: any Database) async throws -> IssuedDocumentDetail {
        let content = try openContent(model)
        let views = try await DocumentViewCodeModel.query(on: db).filter(\.$document.$id == model.requireID()).sort(\.$createdAt, .descending).all()
        return IssuedDocumentDetail(summary: try await summary(model, on: db), shortCode: content.shortCode, subjectName: content.subjectName,
                                    subjectIdentifier: content.subjectIdentifier, facts: content.facts,
                                    disclosedKeys: try Self.decodeKeys(model.disclosedKeys), viewCodes: views.map(Self.viewCode))
    }

    private func openContent(_ model: IssuedDocumentModel) throws -> Content {
        try JSONDecoder().decode(Content.self, from: Data(try contentCipher.openString(model.contentCipher).utf8))
    }

    private func summary(_ model: IssuedDocumentModel, on db: any Database) async throws -> IssuedDocumentSummary {
        guard let agency = try await AgencyModel.find(model.$agency.id, on: db) else {
            throw NaraError(.notFound, code: .notFound, "The issuing agency is missing.")
        }
        return summary(model, agency: agency)
    }

    private func summary(_ model: IssuedDocumentModel, agency: AgencyModel) -> IssuedDocumentSummary {
        IssuedDocumentSummary(id: model.id!, number: model.number, module: model.module, documentType: model.documentType, titleEN: model.titleEN,
                              titleKO: model.titleKO, agencyCode: agency.code, agencyNameEN: agency.nameEN, agencyNameKO: agency.nameKO,
                              issuedAt: model.issuedAt, expiresAt: model.expiresAt, status: Self.status(revokedAt: model.revokedAt, expiresAt: model.expiresAt, now: clock.now()), revokedAt: model.revokedAt,
                              revocationReason: model.revocationReason, sourceReference: model.sourceReference, holderAccountID: model.$holder.id)
    }

    private static func viewCode(_ model: DocumentViewCodeModel) -> DocumentViewCode {
        DocumentViewCode(id: model.id!, label: model.label, createdAt: model.createdAt, expiresAt: model.expiresAt, revokedAt: model.revokedAt,
                         useCount: model.useCount)
    }

    static func encodeKeys(_ keys: [String]) throws -> String { String(decoding: try JSONEncoder().encode(keys), as: UTF8.self) }
    static func decodeKeys(_ text: String) throws -> [String] { try JSONDecoder().decode([String].self, from: Data(text.utf8)) }

    /// SHA-256 over the canonical JSON of what the document states about its subject.
    static func contentHash(subjectName: String, subjectIdentifier: String, facts: [DocumentFact]) -> String {
        struct Fact: Encodable { let key: String; let value: String }
        struct Hashed: Encodable { let subject: String; let identifier: String; let facts: [Fact] }
        let json = (try? CanonicalJSON.encode(Hashed(subject: subjectName, identifier: subjectIdentifier,
                                                    facts: facts.map { Fact(key: $0.key, value: $0.value) }))) ?? Data()
        return Digest.sha256Hex(json)
    }

    /// "홍길동" → "홍*동", "Kim Minji" → "K** M****": enough for a verifier to match a person in front of them.
    public static func maskName(_ name: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.contains(" ") {
            return trimmed.split(separator: " ").map { part in part.prefix(1) + String(repeating: "*", count: max(0, part.count - 1)) }.joined(separator: " ")
        }
        let characters = Array(trimmed)
        switch characters.count {
        case 0: return ""
        case 1: return "*"
        case 2: return String(characters[0]) + "*"
        default: return String(characters[0]) + String(repeating: "*", count: characters.count - 2) + String(characters[characters.count - 1])
        }
    }
}
