import FluentKit
import Foundation

/// An issued document (certificate): its facts, the signed PDF and its status.
public final class IssuedDocumentModel: Model, @unchecked Sendable {
    public static let schema = "issued_documents"

    @ID(key: .id) public var id: UUID?
    /// 16 digits, the last a Luhn check digit; unique.
    @Field(key: "number") public var number: String
    /// Keyed hash of the short code printed on the document.
    @Field(key: "code_hash") public var codeHash: String
    @Parent(key: "agency_id") public var agency: AgencyModel
    @Field(key: "module") public var module: String
    @Field(key: "document_type") public var documentType: String
    @Field(key: "title_en") public var titleEN: String
    @Field(key: "title_ko") public var titleKO: String
    /// The holder (who may download it and share it); nil for documents about a business without an account.
    @OptionalParent(key: "holder_account_id") public var holder: AccountModel?
    /// The person's or business's audit reference.
    @OptionalField(key: "subject_ref") public var subjectRef: String?
    /// Encrypted JSON: subject name and identifier, and the facts.
    @Field(key: "content_cipher") public var contentCipher: String
    /// JSON array of the fact keys the holder discloses on the verification page.
    @Field(key: "disclosed_keys") public var disclosedKeys: String
    /// Where it came from (an application's receipt number), for the holder and the agency.
    @OptionalField(key: "source_reference") public var sourceReference: String?
    @Field(key: "issued_at") public var issuedAt: Date
    /// When the PDF was signed (equals `issuedAt` except for imported history).
    @Field(key: "signed_at") public var signedAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @OptionalField(key: "revocation_reason") public var revocationReason: String?
    @Field(key: "pdf_sha256") public var pdfSHA256: String
    @Field(key: "signer_fingerprint") public var signerFingerprint: String

    public init() {}
}

/// The signed PDF, kept apart so that listing documents does not load files.
public final class IssuedDocumentFileModel: Model, @unchecked Sendable {
    public static let schema = "issued_document_files"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: IssuedDocumentModel
    /// The PDF, encrypted (it holds personal data).
    @Field(key: "pdf_cipher") public var pdfCipher: Data

    public init() {}
}

/// A time-limited code a holder gives a third party to see the original document.
public final class DocumentViewCodeModel: Model, @unchecked Sendable {
    public static let schema = "document_view_codes"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: IssuedDocumentModel
    @Field(key: "code_hash") public var codeHash: String
    @Field(key: "label") public var label: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @Field(key: "use_count") public var useCount: Int

    public init() {}
}

struct CreateIssuedDocuments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("issued_documents")
            .id()
            .field("number", .string, .required)
            .field("code_hash", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("module", .string, .required)
            .field("document_type", .string, .required)
            .field("title_en", .string, .required)
            .field("title_ko", .string, .required)
            .field("holder_account_id", .uuid, .references("accounts", "id"))
            .field("subject_ref", .string)
            .field("content_cipher", .string, .required)
            .field("disclosed_keys", .string, .required)
            .field("source_reference", .string)
            .field("issued_at", .datetime, .required)
            .field("signed_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("revocation_reason", .string)
            .field("pdf_sha256", .string, .required)
            .field("signer_fingerprint", .string, .required)
            .unique(on: "number")
            .create()
        try await database.createIndex("issued_documents_holder", on: "issued_documents", columns: ["holder_account_id", "issued_at"])
        try await database.schema("issued_document_files")
            .id()
            .field("document_id", .uuid, .required, .references("issued_documents", "id"))
            .field("pdf_cipher", .data, .required)
            .unique(on: "document_id")
            .create()
        try await database.schema("document_view_codes")
            .id()
            .field("document_id", .uuid, .required, .references("issued_documents", "id"))
            .field("code_hash", .string, .required)
            .field("label", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("use_count", .int, .required)
            .unique(on: "code_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("document_view_codes").delete()
        try await database.schema("issued_document_files").delete()
        try await database.schema("issued_documents").delete()
    }
}
