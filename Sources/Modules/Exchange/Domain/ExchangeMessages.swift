import Foundation
import NaraCore

extension ErrorCode {
    static let exchangeMalformed: ErrorCode = "exchange_malformed_request"
    static let exchangeWrongAgency: ErrorCode = "exchange_wrong_agency"
    static let exchangeNotPermitted: ErrorCode = "exchange_not_permitted"
    static let exchangeUnknownType: ErrorCode = "exchange_unknown_type"
    static let exchangeBasisNotAllowed: ErrorCode = "exchange_basis_not_allowed"
    static let exchangeNotGranted: ErrorCode = "exchange_not_granted"
    static let exchangeGrantExpired: ErrorCode = "exchange_grant_expired"
    static let exchangeGrantRevoked: ErrorCode = "exchange_grant_revoked"
    static let exchangeConsentRequired: ErrorCode = "exchange_consent_required"
    static let exchangeConsentInvalid: ErrorCode = "exchange_consent_invalid"
    static let exchangeConsentWithdrawn: ErrorCode = "exchange_consent_withdrawn"
    static let exchangeConsentExpired: ErrorCode = "exchange_consent_expired"
    static let exchangeUnknownSubject: ErrorCode = "exchange_unknown_subject"

    /// Every refusal code with its HTTP status, for the documentation and the OpenAPI description.
    static let exchangeRefusals: [(ErrorCode, Int, String)] = [
        (.exchangeMalformed, 400, "the request is not valid JSON or lacks a field; `errors` names each field"),
        (.exchangeNotPermitted, 403, "the official or system lacks the exchange.request permission"),
        (.exchangeWrongAgency, 403, "consumerAgency is not the agency of the official or system behind the token"),
        (.exchangeUnknownType, 404, "no provider offers the information type"),
        (.exchangeBasisNotAllowed, 422, "the information type may not be released under that legal basis"),
        (.exchangeNotGranted, 403, "the provider has not granted the consumer (or this system) that type under that basis"),
        (.exchangeGrantRevoked, 403, "the grant was revoked"),
        (.exchangeGrantExpired, 403, "the grant is outside its validity dates"),
        (.exchangeConsentRequired, 403, "the legal basis needs the subject's consent and no consentReference was given"),
        (.exchangeConsentInvalid, 403, "the consent reference is unknown or given to another consumer, type, subject or purpose"),
        (.exchangeConsentWithdrawn, 403, "the subject withdrew the consent"),
        (.exchangeConsentExpired, 403, "the consent is past its end date"),
        (.exchangeUnknownSubject, 404, "the provider holds no record of the subject"),
    ]
}

/// The request as the consumer agency signs it. The subject appears only as its keyed reference
/// and masked form, so the log holds no resident number in clear.
struct RequestMessage: Codable {
    var v = "nara-exchange-v1"
    let message_id: String
    let consumer_agency: String
    let requester: String
    let system_id: String?
    let information_type: String?
    let subject_kind: String?
    let subject_ref: String?
    let subject_masked: String?
    let purpose: String?
    let legal_basis: String?
    let consent_reference: String?
    let correlation_id: String?
    let requested_at: String
    /// For a request that could not be read: the SHA-256 of its body.
    let body_sha256: String?

    /// RFC 8785 bytes, the same as `CanonicalJSON.encode(self)`.
    var canonical: Data {
        CanonicalJSON.object([("v", .string(v)), ("message_id", .string(message_id)), ("consumer_agency", .string(consumer_agency)),
                              ("requester", .string(requester)), ("system_id", system_id.map { .string($0) }),
                              ("information_type", information_type.map { .string($0) }), ("subject_kind", subject_kind.map { .string($0) }),
                              ("subject_ref", subject_ref.map { .string($0) }), ("subject_masked", subject_masked.map { .string($0) }),
                              ("purpose", purpose.map { .string($0) }), ("legal_basis", legal_basis.map { .string($0) }),
                              ("consent_reference", consent_reference.map { .string($0) }), ("correlation_id", correlation_id.map { .string($0) }),
                              ("requested_at", .string(requested_at)), ("body_sha256", body_sha256.map { .string($0) })])
    }
}

/// The answer: for a delivery the provider agency signs it and it carries the SHA-256 of the
/// released data; for a refusal the platform signs it and it carries the refusal code.
struct ResponseMessage: Codable {
    var v = "nara-exchange-v1"
    let message_id: String
    let outcome: String
    let information_type: String?
    let provider_agency: String?
    let consumer_agency: String
    let subject_ref: String?
    let data_sha256: String?
    let reason: String?
    let issued_at: String

    var canonical: Data {
        CanonicalJSON.object([("v", .string(v)), ("message_id", .string(message_id)), ("outcome", .string(outcome)),
                              ("information_type", information_type.map { .string($0) }), ("provider_agency", provider_agency.map { .string($0) }),
                              ("consumer_agency", .string(consumer_agency)), ("subject_ref", subject_ref.map { .string($0) }),
                              ("data_sha256", data_sha256.map { .string($0) }), ("reason", reason.map { .string($0) }), ("issued_at", .string(issued_at))])
    }
}

/// What the hash chain covers for one log entry.
struct LogContent: Encodable {
    let seq: Int64
    let message_id: String
    let at_ms: Int64
    let occurred_ms: Int64
    let consumer_agency_id: String
    let requester: String
    let requester_name: String
    let information_type: String?
    let provider_agency_id: String?
    let subject_ref: String?
    let subject_masked: String?
    let purpose: String?
    let legal_basis: String?
    let consent_reference: String?
    let outcome: String
    let disclose_after_ms: Int64?
    let request_canonical: String
    let request_signature: String?
    let response_canonical: String
    let response_signature: String?

    init(_ m: LogEntryModel) {
        seq = m.id ?? 0
        message_id = m.messageID
        at_ms = m.atMillis
        occurred_ms = m.occurredMillis
        consumer_agency_id = m.consumerAgencyID
        requester = m.requester
        requester_name = m.requesterName
        information_type = m.informationType
        provider_agency_id = m.providerAgencyID
        subject_ref = m.subjectRef
        subject_masked = m.subjectMasked
        purpose = m.purpose
        legal_basis = m.legalBasis
        consent_reference = m.consentReference
        outcome = m.outcome
        disclose_after_ms = m.discloseAfterMillis
        request_canonical = m.requestCanonical
        request_signature = m.requestSignature
        response_canonical = m.responseCanonical
        response_signature = m.responseSignature
    }

    var canonical: Data {
        CanonicalJSON.object([("seq", .integer(seq)), ("message_id", .string(message_id)), ("at_ms", .integer(at_ms)), ("occurred_ms", .integer(occurred_ms)),
                              ("consumer_agency_id", .string(consumer_agency_id)), ("requester", .string(requester)),
                              ("requester_name", .string(requester_name)), ("information_type", information_type.map { .string($0) }),
                              ("provider_agency_id", provider_agency_id.map { .string($0) }), ("subject_ref", subject_ref.map { .string($0) }),
                              ("subject_masked", subject_masked.map { .string($0) }), ("purpose", purpose.map { .string($0) }),
                              ("legal_basis", legal_basis.map { .string($0) }), ("consent_reference", consent_reference.map { .string($0) }),
                              ("outcome", .string(outcome)), ("disclose_after_ms", disclose_after_ms.map { .integer($0) }),
                              ("request_canonical", .string(request_canonical)), ("request_signature", request_signature.map { .string($0) }),
                              ("response_canonical", .string(response_canonical)), ("response_signature", response_signature.map { .string($0) })])
    }
}

/// The platform's time-stamp statement over one entry.
struct TimestampStatement: Encodable {
    var chain = "nara-exchange-v1"
    let seq: Int64
    let hash: String
    let at_ms: Int64

    var canonical: Data {
        CanonicalJSON.object([("chain", .string(chain)), ("seq", .integer(seq)), ("hash", .string(hash)), ("at_ms", .integer(at_ms))])
    }
}

/// The platform's statement of a retention purge.
struct PurgeStatement: Codable {
    var chain = "nara-exchange-v1"
    let purge: Int64
    let through_seq: Int64
    let through_hash: String
    let count: Int64
    let cutoff_ms: Int64
    let at_ms: Int64
}

enum ExchangeHash {
    static func entryHash(prev: String, content: LogContent) throws -> String {
        var data = Data(prev.utf8)
        data.append(content.canonical)
        return Digest.sha256Hex(data)
    }

    static func encodeSignature(_ signature: DetachedSignature?) -> String? {
        signature.map {
            String(decoding: CanonicalJSON.object([("algorithm", .string($0.algorithm)), ("certificateFingerprint", .string($0.certificateFingerprint)),
                                                   ("signature", .string($0.signature))]), as: UTF8.self)
        }
    }

    static func decodeSignature(_ text: String?) -> DetachedSignature? {
        text.flatMap { try? JSONDecoder().decode(DetachedSignature.self, from: Data($0.utf8)) }
    }
}
