import Crypto
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NaraCore
import SQLKit

/// The columns of a grant that a look-up checks (read with plain SQL on the hot path).
struct GrantRow: Decodable {
    let consumerSystemID: UUID?
    let validFrom: String
    let validUntil: String
    let revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case consumerSystemID = "consumer_system_id", validFrom = "valid_from", validUntil = "valid_until", revokedAt = "revoked_at"
    }
}

/// A request as it arrives over the API, every field optional so that each missing one is named.
struct RawExchangeRequest: Decodable, Sendable {
    struct Subject: Decodable, Sendable {
        let nationalId: String?
        let businessNumber: String?
    }

    let consumerAgency: String?
    let informationType: String?
    let subject: Subject?
    let purpose: String?
    let legalBasis: String?
    let consentReference: String?
}

struct GrantInfo: Sendable, Codable, Equatable {
    let id: UUID
    let informationType: String
    let providerAgency: String
    let consumerAgency: String
    let consumerSystemID: UUID?
    let legalBasis: String
    let validFrom: String
    let validUntil: String
    let status: String
    let revokedAt: Date?
    let revokeReason: String?
    let grantedBy: String
}

struct NewGrant: Sendable, Codable {
    let informationType: String
    let consumerAgency: String
    let consumerSystemId: UUID?
    let legalBasis: String
    let validFrom: String
    let validUntil: String
}

struct ConsentInfo: Sendable, Codable, Equatable {
    let id: UUID
    let reference: String
    let consumerAgency: String
    let consumerAgencyName: String
    let informationType: String
    let purpose: String
    let givenAt: Date
    let validUntil: String
    let status: String
}

/// One line of "who looked at my data".
struct LookupEntry: Sendable, Codable, Equatable {
    let at: Date
    let consumerAgency: String
    let consumerAgencyName: String
    let requester: String
    let informationType: String
    let informationTypeTitle: String
    let purpose: String
    let legalBasis: String
    let legalBasisTitle: String
    let messageId: String
}

/// One line of an agency's view of the log.
struct LogLine: Sendable, Equatable {
    let seq: Int64
    let at: Date
    let consumerAgencyID: String
    let requesterName: String
    let informationType: String?
    let subjectMasked: String?
    let purpose: String?
    let legalBasis: String?
    let outcome: String
}

/// The shared-information exchange: the catalogue of information types offered by providers,
/// grants, consents, look-ups, and the signed, hash-chained message log.
final class ExchangeService: EvidenceService, Sendable {
    let platform: Platform
    private let dataCipher: FieldCipher
    private let signing: Bool
    private let catalogueCache = NIOLockedValueBox<[String: (InformationType, any InformationProvider)]?>(nil)
    private let agencyCache = NIOLockedValueBox<[String: AgencySummary]>([:])
    let appender: LogAppender
    /// Grants by consumer, type and basis. Only on SQLite, where this process is the database's
    /// only writer, so clearing it on every grant and revocation keeps it exact; on PostgreSQL
    /// other nodes may change grants, and every look-up reads them.
    /// A look-up that read the grants before a change committed must not store them after the
    /// change cleared the cache: it stores only if the generation it started in is still current.
    private let grantCache = NIOLockedValueBox<(generation: Int, rows: [String: [GrantRow]])>((0, [:]))
    private let cachesGrants: Bool

    init(platform: Platform) {
        self.platform = platform
        self.dataCipher = FieldCipher(masterKey: platform.masterKey, purpose: "exchange-log-data")
        self.signing = !platform.configuration.exchangeSigningDisabled
        self.appender = LogAppender(db: platform.db, pki: platform.pki, clock: platform.clock, signing: self.signing)
        self.cachesGrants = platform.database.isSQLite
    }

    private var clock: any NaraClock { platform.clock }

    /// Runs `body` in a transaction, or in the caller's when `db` is one already (the demo seed).
    static func transaction<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if db.inTransaction { return try await body(db) }
        return try await db.transaction { tx in try await body(tx) }
    }

    // MARK: Catalogue

    private var providers: [String: (InformationType, any InformationProvider)] {
        if let cached = catalogueCache.withLockedValue({ $0 }) { return cached }
        var table: [String: (InformationType, any InformationProvider)] = [:]
        for provider in platform.contracts.all((any InformationProvider).self) {
            for type in provider.informationTypes where table[type.code] == nil { table[type.code] = (type, provider) }
        }
        catalogueCache.withLockedValue { $0 = table }
        return table
    }

    func catalogue() -> [InformationType] { providers.values.map(\.0).sorted { $0.code < $1.code } }

    func informationType(_ code: String) -> InformationType? { providers[code]?.0 }

    /// Agencies by id or code, cached: codes and ids never change.
    func agency(id: String, on db: (any Database)? = nil) async throws -> AgencySummary? {
        if let hit = agencyCache.withLockedValue({ $0["id:" + id] }) { return hit }
        guard let uuid = UUID(uuidString: id), let agency = try await platform.identity.agency(id: uuid, on: db ?? platform.db) else { return nil }
        remember(agency)
        return agency
    }

    func agency(code: String, on db: (any Database)? = nil) async throws -> AgencySummary? {
        if let hit = agencyCache.withLockedValue({ $0["code:" + code] }) { return hit }
        guard let agency = try await platform.identity.agency(code: code, on: db ?? platform.db) else { return nil }
        remember(agency)
        return agency
    }

    private func remember(_ agency: AgencySummary) {
        agencyCache.withLockedValue {
            $0["id:" + agency.id.uuidString] = agency
            $0["code:" + agency.code] = agency
        }
    }

    var today: LocalDay { platform.calendar.today }

    func subjectRef(_ subject: ExchangeSubject) -> String {
        switch subject.identifier {
        case .person(let id): return platform.audit.subjectRef(nationalID: id)
        case .business(let number): return platform.audit.subjectRef(businessNumber: number.digits)
        }
    }

    // MARK: Look-ups

    /// The API entry point: validates what arrived, then looks up. Every outcome is logged.
    func request(_ raw: RawExchangeRequest, actor: Actor, correlationID: String?) async throws -> EvidenceResponse {
        let db = platform.db
        let requester = try EvidenceRequester(actor: actor)
        let messageID = UUID()
        var validator = Validator()
        func text(_ value: String?, _ field: String, max: Int = 300) -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                validator.add(field, "required", "This field is required.")
                return nil
            }
            if value.count > max { validator.add(field, "too_long", "At most \(max) characters.") }
            return value
        }
        let consumer = text(raw.consumerAgency, "consumerAgency", max: 20)
        let typeCode = text(raw.informationType, "informationType", max: 100)
        let purpose = text(raw.purpose, "purpose")
        let basis = text(raw.legalBasis, "legalBasis", max: 100)
        var subject: ExchangeSubject?
        switch (raw.subject?.nationalId, raw.subject?.businessNumber) {
        case (let id?, nil):
            do throws(NaraError) { subject = ExchangeSubject(.person(try NationalID(id))) } catch {
                validator.add("subject/nationalId", "invalid", error.fieldErrors.first?.message ?? "Not a valid resident registration number.")
            }
        case (nil, let number?):
            do throws(NaraError) { subject = ExchangeSubject(.business(try BusinessNumber(number))) } catch {
                validator.add("subject/businessNumber", "invalid", error.fieldErrors.first?.message ?? "Not a valid business registration number.")
            }
        case (nil, nil):
            validator.add("subject", "required", "Give subject.nationalId or subject.businessNumber.")
        default:
            validator.add("subject", "ambiguous", "Give either subject.nationalId or subject.businessNumber, not both.")
        }
        if let typeCode, let subject, let type = informationType(typeCode), type.subjectKind != subject.kind {
            validator.add("subject", "kind", "\(typeCode) is about a \(type.subjectKind.rawValue).")
        }
        let consumerAgency = try await agency(id: requester.agencyID.uuidString)
        guard validator.errors.isEmpty, let consumer, let typeCode, let purpose, let basis, let subject else {
            let message = requestMessage(messageID, consumerAgency?.code ?? "", requester, typeCode, subject, purpose, basis, raw.consentReference, correlationID)
            let error = NaraError(.badRequest, code: .exchangeMalformed, "The request is incomplete or invalid.", fieldErrors: validator.errors)
            try await refuse(error, message: message, requester: requester, subject: subject, type: typeCode.flatMap(informationType), on: db)
            throw error
        }
        if consumer != consumerAgency?.code {
            let error = NaraError(.forbidden, code: .exchangeWrongAgency,
                                  "You act for agency \(consumerAgency?.code ?? "?"), not \(consumer): a request names the agency of the official or system that sends it.")
            let message = requestMessage(messageID, consumerAgency?.code ?? "", requester, typeCode, subject, purpose, basis, raw.consentReference, correlationID)
            try await refuse(error, message: message, requester: requester, subject: subject, type: informationType(typeCode), on: db)
            throw error
        }
        guard actor.permissions.contains(ExchangeModule.requestPermission) else {
            let error = NaraError(.forbidden, code: .exchangeNotPermitted, "This account or system may not request shared information (exchange.request).")
            let message = requestMessage(messageID, consumer, requester, typeCode, subject, purpose, basis, raw.consentReference, correlationID)
            try await refuse(error, message: message, requester: requester, subject: subject, type: informationType(typeCode), on: db)
            throw error
        }
        return try await lookUp(EvidenceRequest(requester: requester, informationType: typeCode, subject: subject, purpose: purpose, legalBasis: basis,
                                                consentReference: raw.consentReference?.trimmingCharacters(in: .whitespaces).nilIfEmpty,
                                                correlationID: correlationID), messageID: messageID, on: db)
    }

    /// Records a request whose body could not be read at all.
    func refuseUnreadable(body: Data, actor: Actor, correlationID: String?, reason: String) async throws -> Never {
        let requester = try EvidenceRequester(actor: actor)
        let consumerAgency = try await agency(id: requester.agencyID.uuidString)
        let message = RequestMessage(message_id: UUID().uuidString.lowercased(), consumer_agency: consumerAgency?.code ?? "", requester: requester.actorName,
                                     system_id: requester.systemID?.uuidString.lowercased(), information_type: nil, subject_kind: nil, subject_ref: nil,
                                     subject_masked: nil, purpose: nil, legal_basis: nil, consent_reference: nil, correlation_id: correlationID,
                                     requested_at: Timestamp.iso8601Millis(clock.now()), body_sha256: Digest.sha256Hex(body))
        let error = NaraError(.badRequest, code: .exchangeMalformed, "The request body is not a JSON object: \(reason)")
        try await refuse(error, message: message, requester: requester, subject: nil, type: nil, on: platform.db)
        throw error
    }

    /// `EvidenceService`: modules ask on behalf of their agency.
    func evidence(_ request: EvidenceRequest) async throws -> EvidenceResponse {
        try await lookUp(request, messageID: UUID(), on: platform.db)
    }

    /// A look-up that happened at `time`, logged now in the caller's transaction: history imported
    /// at adoption (the demo seed). Grants are checked as of `time`.
    func evidence(_ request: EvidenceRequest, at time: Date, on db: any Database) async throws -> EvidenceResponse {
        try await lookUp(request, messageID: UUID(), at: time, on: db)
    }

    /// The request as the consumer signs it; fields a malformed request lacks are left out.
    private func requestMessage(_ id: UUID, _ consumer: String, _ requester: EvidenceRequester, _ type: String?, _ subject: ExchangeSubject?,
                                _ purpose: String?, _ basis: String?, _ consent: String?, _ correlation: String?, at time: Date? = nil) -> RequestMessage {
        RequestMessage(message_id: id.uuidString.lowercased(), consumer_agency: consumer, requester: requester.actorName,
                       system_id: requester.systemID?.uuidString.lowercased(), information_type: type, subject_kind: subject?.kind.rawValue,
                       subject_ref: subject.map(subjectRef), subject_masked: subject?.masked, purpose: purpose, legal_basis: basis,
                       consent_reference: consent, correlation_id: correlation, requested_at: Timestamp.iso8601Millis(time ?? clock.now()), body_sha256: nil)
    }

    private func lookUp(_ request: EvidenceRequest, messageID: UUID, at time: Date? = nil, on db: any Database) async throws -> EvidenceResponse {
        let requester = request.requester
        guard let consumer = try await agency(id: requester.agencyID.uuidString, on: db) else { throw NaraError.forbidden("Unknown consumer agency.") }
        let message = requestMessage(messageID, consumer.code, requester, request.informationType, request.subject, request.purpose, request.legalBasis,
                                     request.consentReference, request.correlationID, at: time)
        func refused(_ error: NaraError, _ type: InformationType?) async throws -> Never {
            try await refuse(error, message: message, requester: requester, subject: request.subject, type: type, at: time, on: db)
            throw error
        }
        guard let (type, provider) = providers[request.informationType] else {
            try await refused(NaraError(.notFound, code: .exchangeUnknownType, "No provider offers \(request.informationType). See GET /api/v1/exchange/catalogue."), nil)
        }
        guard type.subjectKind == request.subject.kind else {
            try await refused(NaraError(.badRequest, code: .exchangeMalformed, "\(type.code) is about a \(type.subjectKind.rawValue).",
                                        fieldErrors: [FieldError(field: "subject", code: "kind", message: "\(type.code) is about a \(type.subjectKind.rawValue).")]), type)
        }
        guard let basis = type.legalBasis(request.legalBasis) else {
            try await refused(NaraError(.unprocessable, code: .exchangeBasisNotAllowed,
                                        "\(type.code) may be released only under: \(type.legalBases.map(\.code).joined(separator: ", "))."), type)
        }
        // Grants of this type to the consumer under this basis, for any of its systems or this one.
        let grants = try await grantRows(consumer: consumer.id, type: type.code, basis: basis.code, on: db)
            .filter { $0.consumerSystemID == nil || $0.consumerSystemID == requester.systemID }
        let today = (time.map(platform.calendar.localDay(of:)) ?? self.today).description
        if !grants.contains(where: { $0.revokedAt == nil && $0.validFrom <= today && today <= $0.validUntil }) {
            if grants.isEmpty {
                try await refused(NaraError(.forbidden, code: .exchangeNotGranted,
                                            "\(consumer.code) has no grant for \(type.code) under \(basis.code)\(requester.systemID == nil ? "" : " for this system")."), type)
            } else if grants.allSatisfy({ $0.revokedAt != nil }) {
                try await refused(NaraError(.forbidden, code: .exchangeGrantRevoked, "The grant for \(type.code) under \(basis.code) was revoked by the provider."), type)
            } else {
                let span = grants.filter { $0.revokedAt == nil }.map { "\($0.validFrom)–\($0.validUntil)" }.joined(separator: ", ")
                try await refused(NaraError(.forbidden, code: .exchangeGrantExpired, "The grant for \(type.code) under \(basis.code) is valid \(span), not today (\(today))."), type)
            }
        }
        if basis.requiresConsent {
            guard let reference = request.consentReference else {
                try await refused(NaraError(.forbidden, code: .exchangeConsentRequired, "\(basis.code) needs the subject's consent: give consentReference."), type)
            }
            let consent = try await ConsentModel.query(on: db).filter(\.$reference == reference).first()
            guard let consent, consent.subjectRef == subjectRef(request.subject), consent.consumerAgencyID == consumer.id,
                  consent.informationType == type.code
            else {
                try await refused(NaraError(.forbidden, code: .exchangeConsentInvalid,
                                            "Consent \(reference) was not given by this subject to \(consumer.code) for \(type.code)."), type)
            }
            if consent.withdrawnAt != nil {
                try await refused(NaraError(.forbidden, code: .exchangeConsentWithdrawn, "The subject withdrew consent \(reference)."), type)
            }
            if consent.validUntil < today {
                try await refused(NaraError(.forbidden, code: .exchangeConsentExpired, "Consent \(reference) ended on \(consent.validUntil)."), type)
            }
            if consent.purpose.lowercased() != request.purpose.lowercased() {
                try await refused(NaraError(.forbidden, code: .exchangeConsentInvalid,
                                            "Consent \(reference) was given for the purpose \"\(consent.purpose)\", not \"\(request.purpose)\"."), type)
            }
        }
        guard let data = try await provider.provide(type: type.code, subject: request.subject, on: db) else {
            try await refused(NaraError(.notFound, code: .exchangeUnknownSubject, "The provider holds no record of \(request.subject.masked)."), type)
        }
        guard let providerAgency = try await agency(code: type.providerAgencyCode, on: db) else {
            throw NaraError(.unavailable, code: .unavailable, "The provider agency \(type.providerAgencyCode) is not registered on this platform.")
        }
        let now = time ?? clock.now()  // when the look-up happened (earlier only for imported history)
        let dataBytes = CanonicalJSON.object(data)
        let response = ResponseMessage(message_id: messageID.uuidString.lowercased(), outcome: "delivered", information_type: type.code,
                                       provider_agency: providerAgency.code, consumer_agency: consumer.code, subject_ref: subjectRef(request.subject),
                                       data_sha256: Digest.sha256Hex(dataBytes), reason: nil, issued_at: Timestamp.iso8601Millis(now))
        let discloseAfter = basis.deferralDays.map { Timestamp.millis(now) + Int64($0) * 86_400_000 }
        let (entry, signed) = try await append(message: message, response: response, requester: requester, consumerID: consumer.id, providerID: providerAgency.id,
                                               subject: request.subject, type: type, discloseAfter: discloseAfter, data: dataBytes, at: now, on: db)
        return EvidenceResponse(messageID: messageID, logSequence: entry, informationType: type.code, providerAgencyCode: providerAgency.code,
                                consumerAgencyCode: consumer.code, subject: request.subject.masked, issuedAt: now, data: data,
                                request: signed.request, response: signed.response, timestamp: signed.timestamp)
    }

    private func refuse(_ error: NaraError, message: RequestMessage, requester: EvidenceRequester, subject: ExchangeSubject?, type: InformationType?,
                        at time: Date? = nil, on db: any Database) async throws {
        let now = time ?? clock.now()
        let response = ResponseMessage(message_id: message.message_id, outcome: error.code.rawValue, information_type: message.information_type, provider_agency: nil,
                                       consumer_agency: message.consumer_agency, subject_ref: message.subject_ref, data_sha256: nil, reason: error.message,
                                       issued_at: Timestamp.iso8601Millis(now))
        _ = try await append(message: message, response: response, requester: requester, consumerID: requester.agencyID, providerID: nil, subject: subject,
                             type: type, discloseAfter: nil, data: nil, at: now, on: db)
        platform.logger.info("exchange request refused", metadata: ["code": .string(error.code.rawValue), "message_id": .string(message.message_id)])
    }

    private struct Signed {
        let request: SignedMessage
        let response: SignedMessage
        let timestamp: SignedMessage
    }

    /// Appends one entry: the consumer agency signs the request, the provider agency (or, for a
    /// refusal, the platform) signs the response, and the platform time-stamps the chained entry.
    private func append(message: RequestMessage, response: ResponseMessage, requester: EvidenceRequester, consumerID: UUID, providerID: UUID?,
                        subject: ExchangeSubject?, type: InformationType?, discloseAfter: Int64?, data: Data?, at now: Date,
                        on db: any Database) async throws -> (Int64, Signed) {
        let requestBytes = message.canonical
        let responseBytes = response.canonical
        let pki = platform.pki
        var requestSignature: DetachedSignature?
        var responseSignature: DetachedSignature?
        if signing {
            requestSignature = try pki.sign(requestBytes, with: try await pki.identity(purpose: .agency, agencyID: consumerID, on: db))
            let responder = providerID == nil ? try await pki.identity(purpose: .platform, agencyID: nil, on: db)
                                              : try await pki.identity(purpose: .agency, agencyID: providerID, on: db)
            responseSignature = try pki.sign(responseBytes, with: responder)
        }
        let platformIdentity = signing && db.inTransaction ? try await pki.identity(purpose: .platform, agencyID: nil, on: db) : nil
        let entry = LogEntryModel()
        entry.messageID = message.message_id
        entry.atMillis = Timestamp.millis(clock.now())  // set again when the entry is written
        entry.occurredMillis = Timestamp.millis(now)
        entry.consumerAgencyID = consumerID.uuidString
        entry.requester = requester.actorName
        entry.requesterName = requester.displayName
        entry.informationType = type?.code ?? message.information_type
        entry.providerAgencyID = providerID?.uuidString
        entry.subjectRef = message.subject_ref
        entry.subjectMasked = subject?.masked
        entry.purpose = message.purpose
        entry.legalBasis = message.legal_basis
        entry.consentReference = message.consent_reference
        entry.outcome = response.outcome
        entry.discloseAfterMillis = discloseAfter
        entry.requestCanonical = String(decoding: requestBytes, as: UTF8.self)
        entry.requestSignature = ExchangeHash.encodeSignature(requestSignature)
        entry.responseCanonical = String(decoding: responseBytes, as: UTF8.self)
        entry.responseSignature = ExchangeHash.encodeSignature(responseSignature)
        entry.dataCipher = try data.map { try dataCipher.sealString(String(decoding: $0, as: UTF8.self)) }
        let timestamp: SignedMessage
        if db.inTransaction {
            // The caller's transaction (the demo seed): write directly, it commits with the rest.
            timestamp = try await LogAppender.write([entry], identity: platformIdentity, pki: pki, at: clock.now(), on: db)[0]
        } else {
            timestamp = try await appender.append(entry)
        }
        return (entry.id ?? 0, Signed(request: SignedMessage(canonical: entry.requestCanonical, signature: requestSignature),
                                      response: SignedMessage(canonical: entry.responseCanonical, signature: responseSignature), timestamp: timestamp))
    }

    // MARK: Grants

    private func grantRows(consumer: UUID, type: String, basis: String, on db: any Database) async throws -> [GrantRow] {
        let key = "\(consumer.uuidString)|\(type)|\(basis)"
        let cacheable = cachesGrants && !db.inTransaction
        let (generation, hit) = grantCache.withLockedValue { ($0.generation, $0.rows[key]) }
        if cacheable, let hit { return hit }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT consumer_system_id, valid_from, valid_until, revoked_at FROM exchange_grants
            WHERE consumer_agency_id = \(bind: consumer) AND information_type = \(bind: type) AND legal_basis = \(bind: basis)
            """).all(decoding: GrantRow.self)
        if cacheable { grantCache.withLockedValue { if $0.generation == generation { $0.rows[key] = rows } } }
        return rows
    }

    private func forgetGrants() {
        grantCache.withLockedValue {
            $0.generation += 1
            $0.rows.removeAll()
        }
    }

    func grantInfo(_ g: GrantModel, on db: (any Database)? = nil) async throws -> GrantInfo {
        let provider = try await agency(id: g.providerAgencyID.uuidString, on: db)
        let consumer = try await agency(id: g.consumerAgencyID.uuidString, on: db)
        let today = self.today.description
        let status = g.revokedAt != nil ? "revoked" : (today < g.validFrom ? "pending" : (today > g.validUntil ? "expired" : "active"))
        return GrantInfo(id: g.id!, informationType: g.informationType, providerAgency: provider?.code ?? "?", consumerAgency: consumer?.code ?? "?",
                         consumerSystemID: g.consumerSystemID, legalBasis: g.legalBasis, validFrom: g.validFrom, validUntil: g.validUntil, status: status,
                         revokedAt: g.revokedAt, revokeReason: g.revokeReason, grantedBy: g.grantedBy)
    }

    /// Grants where the agency is provider or consumer, newest first.
    func grants(agencyID: UUID) async throws -> [GrantInfo] {
        let db = platform.db
        var result: [GrantInfo] = []
        let models = try await GrantModel.query(on: db).group(.or) { $0.filter(\.$providerAgencyID == agencyID).filter(\.$consumerAgencyID == agencyID) }
            .sort(\.$createdAt, .descending).all()
        for model in models { result.append(try await grantInfo(model)) }
        return result
    }

    /// A provider agency grants one of its information types to a consumer agency.
    /// `recordingPast` lets the demo seed record a grant that has already ended.
    func grant(_ input: NewGrant, providerAgencyID: UUID, by actor: AuditActor, on database: (any Database)? = nil,
               recordingPast: Bool = false) async throws -> GrantInfo {
        let db = database ?? platform.db
        var validator = Validator()
        let type = informationType(input.informationType)
        if type == nil { validator.add("informationType", "unknown", "No provider offers this information type.") }
        guard let provider = try await agency(id: providerAgencyID.uuidString, on: db) else { throw NaraError.forbidden("Unknown agency.") }
        if let type, type.providerAgencyCode != provider.code {
            validator.add("informationType", "not_provider", "Only the provider agency (\(type.providerAgencyCode)) grants \(type.code).")
        }
        if let type, type.legalBasis(input.legalBasis) == nil {
            validator.add("legalBasis", "not_allowed", "\(type.code) may be released only under: \(type.legalBases.map(\.code).joined(separator: ", ")).")
        }
        let consumer = try await agency(code: input.consumerAgency.trimmingCharacters(in: .whitespaces), on: db)
        if consumer == nil { validator.add("consumerAgency", "unknown", "There is no agency with this code.") }
        if let consumer, consumer.id == providerAgencyID { validator.add("consumerAgency", "self", "An agency reads its own records without a grant.") }
        let from = LocalDay(input.validFrom.trimmingCharacters(in: .whitespaces))
        let until = LocalDay(input.validUntil.trimmingCharacters(in: .whitespaces))
        if from == nil { validator.add("validFrom", "format", "Enter a date as YYYY-MM-DD.") }
        if until == nil { validator.add("validUntil", "format", "Enter a date as YYYY-MM-DD.") }
        if let from, let until, until < from { validator.add("validUntil", "order", "The grant must end on or after its first day.") }
        if let until, until < today, !recordingPast { validator.add("validUntil", "past", "The grant would already have ended.") }
        if let systemID = input.consumerSystemId, let consumer {
            let system = try await platform.identity.agencySystems(on: db).first { $0.id == systemID }
            if system == nil || system?.agencyID != consumer.id { validator.add("consumerSystemId", "unknown", "No system of the consumer agency has this id.") }
        }
        try validator.check()
        guard let type, let consumer, let from, let until else { throw NaraError.validation(validator.errors) }
        defer { forgetGrants() }
        return try await Self.transaction(db) { tx in
            let model = GrantModel()
            model.id = UUID()
            model.informationType = type.code
            model.providerAgencyID = providerAgencyID
            model.consumerAgencyID = consumer.id
            model.consumerSystemID = input.consumerSystemId
            model.legalBasis = input.legalBasis
            model.validFrom = from.description
            model.validUntil = until.description
            model.grantedBy = actor.name
            model.createdAt = self.clock.now()
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "exchange.grant", objectType: "exchange_grant", objectID: model.id!.uuidString,
                                                              legalBasis: input.legalBasis,
                                                              detail: "\(type.code) to \(consumer.code) \(from)–\(until)"), by: actor, on: tx)
            return try await self.grantInfo(model, on: tx)
        }
    }

    func revokeGrant(id: UUID, reason: String, providerAgencyID: UUID, by actor: AuditActor, on database: (any Database)? = nil) async throws -> GrantInfo {
        var validator = Validator()
        validator.require(reason, "reason", maxLength: 300)
        try validator.check()
        defer { forgetGrants() }
        return try await Self.transaction(database ?? platform.db) { tx in
            guard let model = try await GrantModel.find(id, on: tx), model.providerAgencyID == providerAgencyID else { throw NaraError.notFound("The grant") }
            guard model.revokedAt == nil else { throw NaraError.conflict("The grant is already revoked.", code: .illegalTransition) }
            model.revokedAt = self.clock.now()
            model.revokeReason = reason.trimmingCharacters(in: .whitespaces)
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "exchange.revoke", objectType: "exchange_grant", objectID: id.uuidString, detail: reason),
                                                 by: actor, on: tx)
            return try await self.grantInfo(model, on: tx)
        }
    }

    // MARK: Consents

    func consents(accountID: UUID) async throws -> [ConsentInfo] {
        let db = platform.db
        var result: [ConsentInfo] = []
        for model in try await ConsentModel.query(on: db).filter(\.$accountID == accountID).sort(\.$givenAt, .descending).all() {
            result.append(try await consentInfo(model))
        }
        return result
    }

    private func consentInfo(_ c: ConsentModel, on db: (any Database)? = nil) async throws -> ConsentInfo {
        let consumer = try await agency(id: c.consumerAgencyID.uuidString, on: db)
        let status = c.withdrawnAt != nil ? "withdrawn" : (c.validUntil < today.description ? "expired" : "active")
        return ConsentInfo(id: c.id!, reference: c.reference, consumerAgency: consumer?.code ?? "?", consumerAgencyName: consumer?.nameEN ?? "?",
                           informationType: c.informationType, purpose: c.purpose, givenAt: c.givenAt, validUntil: c.validUntil, status: status)
    }

    /// A citizen consents to one consumer looking up one type of their records for one purpose.
    public func recordConsent(accountID: UUID, consumerAgencyCode: String, informationType: String, purpose: String, validUntil: LocalDay,
                              by actor: AuditActor, on db: any Database) async throws -> String {
        try await giveConsent(accountID: accountID, consumerAgency: consumerAgencyCode, informationType: informationType, purpose: purpose,
                              validUntil: validUntil.description, by: actor, on: db).reference
    }

    func giveConsent(accountID: UUID, consumerAgency: String, informationType code: String, purpose: String, validUntil: String,
                     by actor: AuditActor, on database: (any Database)? = nil) async throws -> ConsentInfo {
        let db = database ?? platform.db
        var validator = Validator()
        guard let account = try await platform.identity.account(id: accountID, on: db) else { throw NaraError.notFound("The account") }
        let type = informationType(code)
        if type == nil { validator.add("informationType", "unknown", "Choose an information type from the list.") }
        let refs = try await platform.identity.subjectRefs(accountID: accountID, on: db)
        var subjectRef: String?
        if let type {
            switch type.subjectKind {
            case .person: subjectRef = account.nationalIDMasked != nil ? refs.first { !$0.hasPrefix("account:") && !$0.hasPrefix("business:") } : nil
            case .business: subjectRef = refs.first { $0.hasPrefix("business:") }
            }
            if subjectRef == nil {
                validator.add("informationType", "no_subject", type.subjectKind == .person ? "Your account has no resident registration number."
                                                                                              : "Your account does not represent a business.")
            }
            if !type.legalBases.contains(where: \.requiresConsent) {
                validator.add("informationType", "no_consent", "This information is never released on consent, so there is nothing to consent to.")
            }
        }
        let consumer = try await agency(code: consumerAgency, on: db)
        if consumer == nil { validator.add("consumerAgency", "unknown", "Choose an agency from the list.") }
        validator.require(purpose, "purpose", maxLength: 300)
        let until = LocalDay(validUntil.trimmingCharacters(in: .whitespaces))
        if until == nil { validator.add("validUntil", "format", "Enter a date as YYYY-MM-DD.") }
        if let until, until < today { validator.add("validUntil", "past", "Choose today or a later date.") }
        if let until, until > today.adding(days: 366) { validator.add("validUntil", "too_far", "A consent lasts at most one year.") }
        try validator.check()
        guard let type, let consumer, let subjectRef, let until else { throw NaraError.validation(validator.errors) }
        let year = Int(today.description.prefix(4)) ?? 2026
        return try await Self.transaction(db) { tx in
            let number = try await self.platform.sequences.next("exchange-consent", year: year, on: tx)
            let model = ConsentModel()
            model.id = UUID()
            model.reference = String(format: "CNS-%d-%06d", year, number)
            model.accountID = accountID
            model.subjectRef = subjectRef
            model.consumerAgencyID = consumer.id
            model.informationType = type.code
            model.purpose = purpose.trimmingCharacters(in: .whitespaces)
            model.givenAt = self.clock.now()
            model.validUntil = until.description
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "exchange.consent.give", objectType: "exchange_consent", objectID: model.reference,
                                                              subjectRef: subjectRef, purpose: model.purpose,
                                                              detail: "\(type.code) to \(consumer.code) until \(until)"), by: actor, on: tx)
            return try await self.consentInfo(model, on: tx)
        }
    }

    /// Withdrawing takes effect at once: the next request citing the consent is refused.
    func withdrawConsent(id: UUID, accountID: UUID, by actor: AuditActor, on database: (any Database)? = nil) async throws -> ConsentInfo {
        try await Self.transaction(database ?? platform.db) { tx in
            guard let model = try await ConsentModel.find(id, on: tx), model.accountID == accountID else { throw NaraError.notFound("The consent") }
            guard model.withdrawnAt == nil else { throw NaraError.conflict("The consent is already withdrawn.", code: .illegalTransition) }
            model.withdrawnAt = self.clock.now()
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "exchange.consent.withdraw", objectType: "exchange_consent", objectID: model.reference,
                                                              subjectRef: model.subjectRef), by: actor, on: tx)
            return try await self.consentInfo(model, on: tx)
        }
    }

    // MARK: Who looked at my data

    /// Deliveries about the subjects, newest first; deferred ones only after their date.
    func lookups(subjectRefs: [String], language: Language, limit: Int = 1000) async throws -> [LookupEntry] {
        guard !subjectRefs.isEmpty else { return [] }
        let db = platform.db
        let now = Timestamp.millis(clock.now())
        let models = try await LogEntryModel.query(on: db).filter(\.$subjectRef ~~ subjectRefs).filter(\.$outcome == "delivered")
            .group(.or) { $0.filter(\.$discloseAfterMillis == nil).filter(\.$discloseAfterMillis <= now) }
            .sort(\.$id, .descending).limit(limit).all()
        var result: [LookupEntry] = []
        for m in models {
            let consumer = try await agency(id: m.consumerAgencyID)
            let type = m.informationType.flatMap(informationType)
            let basis = m.legalBasis.flatMap { type?.legalBasis($0) }
            result.append(LookupEntry(at: Timestamp.date(millis: m.occurredMillis), consumerAgency: consumer?.code ?? "?",
                                      consumerAgencyName: consumer?.name(for: language) ?? "?", requester: m.requesterName,
                                      informationType: m.informationType ?? "", informationTypeTitle: type?.title.text(language) ?? (m.informationType ?? ""),
                                      purpose: m.purpose ?? "", legalBasis: m.legalBasis ?? "", legalBasisTitle: basis?.title.text(language) ?? (m.legalBasis ?? ""),
                                      messageId: m.messageID))
        }
        return result
    }

    /// Log entries where the agency is consumer or provider, newest first.
    func agencyLog(agencyID: UUID, limit: Int = 50) async throws -> [LogLine] {
        let id = agencyID.uuidString
        return try await LogEntryModel.query(on: platform.db).group(.or) { $0.filter(\.$consumerAgencyID == id).filter(\.$providerAgencyID == id) }
            .sort(\.$id, .descending).limit(limit).all().map {
                LogLine(seq: $0.id ?? 0, at: Timestamp.date(millis: $0.occurredMillis), consumerAgencyID: $0.consumerAgencyID, requesterName: $0.requesterName,
                        informationType: $0.informationType, subjectMasked: $0.subjectMasked, purpose: $0.purpose, legalBasis: $0.legalBasis, outcome: $0.outcome)
            }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
