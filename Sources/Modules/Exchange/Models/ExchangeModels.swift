import FluentKit
import Foundation

/// A provider agency's permission for a consumer agency (or one of its systems) to look up an
/// information type under a legal basis, between two dates.
final class GrantModel: Model, @unchecked Sendable {
    static let schema = "exchange_grants"
    @ID(key: .id) var id: UUID?
    @Field(key: "information_type") var informationType: String
    @Field(key: "provider_agency_id") var providerAgencyID: UUID
    @Field(key: "consumer_agency_id") var consumerAgencyID: UUID
    @OptionalField(key: "consumer_system_id") var consumerSystemID: UUID?
    @Field(key: "legal_basis") var legalBasis: String
    @Field(key: "valid_from") var validFrom: String
    @Field(key: "valid_until") var validUntil: String
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "revoke_reason") var revokeReason: String?
    @Field(key: "granted_by") var grantedBy: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A person's consent for one consumer agency to look up one information type for one purpose.
final class ConsentModel: Model, @unchecked Sendable {
    static let schema = "exchange_consents"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "subject_ref") var subjectRef: String
    @Field(key: "consumer_agency_id") var consumerAgencyID: UUID
    @Field(key: "information_type") var informationType: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "given_at") var givenAt: Date
    @Field(key: "valid_until") var validUntil: String
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    init() {}
}

/// One entry of the message log: a request and its answer (or refusal), hash-chained and
/// time-stamped.
final class LogEntryModel: Model, @unchecked Sendable {
    static let schema = "exchange_log"
    @ID(custom: "seq", generatedBy: .user) var id: Int64?
    @Field(key: "message_id") var messageID: String
    /// When the entry was logged, signed and time-stamped.
    @Field(key: "at_ms") var atMillis: Int64
    /// When the look-up happened: the same as `at_ms`, except for history imported at adoption
    /// (the demo seed), which is logged when imported.
    @Field(key: "occurred_ms") var occurredMillis: Int64
    @Field(key: "consumer_agency_id") var consumerAgencyID: String
    @Field(key: "requester") var requester: String
    @Field(key: "requester_name") var requesterName: String
    @OptionalField(key: "information_type") var informationType: String?
    @OptionalField(key: "provider_agency_id") var providerAgencyID: String?
    @OptionalField(key: "subject_ref") var subjectRef: String?
    @OptionalField(key: "subject_masked") var subjectMasked: String?
    @OptionalField(key: "purpose") var purpose: String?
    @OptionalField(key: "legal_basis") var legalBasis: String?
    @OptionalField(key: "consent_reference") var consentReference: String?
    @Field(key: "outcome") var outcome: String
    @OptionalField(key: "disclose_after_ms") var discloseAfterMillis: Int64?
    @Field(key: "request_canonical") var requestCanonical: String
    @OptionalField(key: "request_signature") var requestSignature: String?
    @Field(key: "response_canonical") var responseCanonical: String
    @OptionalField(key: "response_signature") var responseSignature: String?
    /// The released data, encrypted (the response envelope carries its SHA-256).
    @OptionalField(key: "data_cipher") var dataCipher: String?
    @OptionalField(key: "timestamp_signature") var timestampSignature: String?
    @Field(key: "prev_hash") var prevHash: String
    @Field(key: "hash") var hash: String
    init() {}
}

final class LogHeadModel: Model, @unchecked Sendable {
    static let schema = "exchange_log_head"
    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "last_seq") var lastSeq: Int64
    @Field(key: "last_hash") var lastHash: String
    init() {}
}

/// What a retention purge removed: entries up to `through_seq`, whose last hash anchors the
/// rest of the chain; signed by the platform.
final class PurgeModel: Model, @unchecked Sendable {
    static let schema = "exchange_purges"
    @ID(custom: "id", generatedBy: .user) var id: Int64?
    @Field(key: "through_seq") var throughSeq: Int64
    @Field(key: "through_hash") var throughHash: String
    @Field(key: "count") var count: Int64
    @Field(key: "cutoff_ms") var cutoffMillis: Int64
    @Field(key: "at_ms") var atMillis: Int64
    @Field(key: "statement") var statement: String
    @Field(key: "signature") var signature: String
    init() {}
}
