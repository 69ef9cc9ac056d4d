import FluentKit
import Foundation

/// One link of the append-only audit chain. `hash = SHA-256(prevHash ‖ canonical content)`.
public final class AuditEntryModel: Model, @unchecked Sendable {
    public static let schema = "audit_entries"

    @ID(custom: "seq", generatedBy: .user) public var id: Int64?
    @Field(key: "at_ms") public var atMillis: Int64
    @Field(key: "actor") public var actor: String
    @OptionalField(key: "agency_id") public var agencyID: String?
    @Field(key: "action") public var action: String
    @Field(key: "object_type") public var objectType: String
    @OptionalField(key: "object_id") public var objectID: String?
    /// Keyed hash of the person the entry is about (national ID or account), for "who looked at my data".
    @OptionalField(key: "subject_ref") public var subjectRef: String?
    @OptionalField(key: "purpose") public var purpose: String?
    @OptionalField(key: "legal_basis") public var legalBasis: String?
    @OptionalField(key: "request_id") public var requestID: String?
    @OptionalField(key: "detail") public var detail: String?
    @Field(key: "prev_hash") public var prevHash: String
    @Field(key: "hash") public var hash: String

    public init() {}
}

/// The single row that serialises appends: whoever updates it first appends next.
public final class AuditHeadModel: Model, @unchecked Sendable {
    public static let schema = "audit_head"

    @ID(custom: "id", generatedBy: .user) public var id: Int?
    @Field(key: "last_seq") public var lastSeq: Int64
    @Field(key: "last_hash") public var lastHash: String

    public init() {}
}

/// A signed statement "the chain had this hash at this sequence number".
public final class AuditCheckpointModel: Model, @unchecked Sendable {
    public static let schema = "audit_checkpoints"

    @ID(custom: "seq", generatedBy: .user) public var id: Int64?
    @Field(key: "entry_hash") public var entryHash: String
    /// The checkpoint before this one (0 for the first): deleting a checkpoint breaks the sequence.
    @Field(key: "prev_seq") public var prevSeq: Int64
    /// The checkpoint interval in force when it was signed: the unsigned tail may not exceed it.
    @Field(key: "interval") public var interval: Int
    @Field(key: "at_ms") public var atMillis: Int64
    /// Base64 DER ECDSA signature over the canonical checkpoint statement.
    @Field(key: "signature") public var signature: String
    @Field(key: "certificate_fingerprint") public var certificateFingerprint: String

    public init() {}
}
