import FluentKit
import Foundation
import NaraCore

final class CivilServiceModel: Model, @unchecked Sendable {
    static let schema = "civil_services"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "name_en") var nameEN: String
    @Field(key: "name_ko") var nameKO: String
    /// Lower-cased English and Korean words, searched with LIKE (no ILIKE: one code path).
    @Field(key: "search_text") var searchText: String
    /// ",moving-house,buying-a-car," for LIKE '%,event,%'.
    @Field(key: "life_events") var lifeEvents: String
    /// The whole definition as JSON.
    @Field(key: "definition") var definition: String
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class CivilApplicationModel: Model, @unchecked Sendable {
    static let schema = "civil_applications"

    @ID(key: .id) var id: UUID?
    /// Given at submission: CS-YYYY-NNNNNNN.
    @OptionalField(key: "receipt_number") var receiptNumber: String?
    @Field(key: "service_id") var serviceID: UUID
    @Field(key: "service_code") var serviceCode: String
    @Field(key: "applicant_account_id") var applicantAccountID: UUID
    /// The agency handling it now (changes on transfer).
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "state") var state: String
    /// Encrypted JSON of the applicant's inputs.
    @Field(key: "inputs_cipher") var inputsCipher: String
    /// Encrypted JSON of the evidence looked up (type → fields) with the exchange message ids.
    @OptionalField(key: "evidence_cipher") var evidenceCipher: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "due_at") var dueAt: Date?
    @OptionalField(key: "clock_stopped_at") var clockStoppedAt: Date?
    @Field(key: "transfers") var transfers: Int
    @OptionalField(key: "payment_id") var paymentID: UUID?
    /// The applicant ticked "look the evidence up for me" when submitting (kept while the fee is paid).
    @Field(key: "consent_given") var consentGiven: Bool
    @OptionalField(key: "document_id") var documentID: UUID?
    @OptionalField(key: "document_number") var documentNumber: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decision_reasons") var decisionReasons: String?
    @OptionalField(key: "how_to_object") var howToObject: String?
    @OptionalField(key: "objection_accepted") var objectionAccepted: Bool?
    @OptionalField(key: "outcome") var outcome: String?
    @Field(key: "version") var version: Int

    init() {}
}

final class CivilApplicationEventModel: Model, @unchecked Sendable {
    static let schema = "civil_application_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "application_id") var applicationID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "actor_name") var actorName: String
    @Field(key: "actor_display") var actorDisplay: String
    @Field(key: "event") var event: String
    @Field(key: "from_state") var fromState: String
    @Field(key: "to_state") var toState: String
    /// What the applicant reads (request, answer, reasons); empty when there is nothing to say.
    @Field(key: "message") var message: String
    @Field(key: "agency_id") var agencyID: UUID

    init() {}
}

final class CivilAttachmentModel: Model, @unchecked Sendable {
    static let schema = "civil_application_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "application_id") var applicationID: UUID
    @Field(key: "requirement_key") var requirementKey: String
    @Field(key: "file_id") var fileID: UUID
    @Field(key: "file_name") var fileName: String
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

struct CreateCivilServicesTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("civil_services")
            .id()
            .field("code", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("name_en", .string, .required)
            .field("name_ko", .string, .required)
            .field("search_text", .string, .required)
            .field("life_events", .string, .required)
            .field("definition", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.schema("civil_applications")
            .id()
            .field("receipt_number", .string)
            .field("service_id", .uuid, .required, .references("civil_services", "id"))
            .field("service_code", .string, .required)
            .field("applicant_account_id", .uuid, .required, .references("accounts", "id"))
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("state", .string, .required)
            .field("inputs_cipher", .string, .required)
            .field("evidence_cipher", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("submitted_at", .datetime)
            .field("due_at", .datetime)
            .field("clock_stopped_at", .datetime)
            .field("transfers", .int, .required)
            .field("payment_id", .uuid, .references("payments", "id"))
            .field("consent_given", .bool, .required)
            .field("document_id", .uuid, .references("issued_documents", "id"))
            .field("document_number", .string)
            .field("decided_at", .datetime)
            .field("decision_reasons", .string)
            .field("how_to_object", .string)
            .field("objection_accepted", .bool)
            .field("outcome", .string)
            .field("version", .int, .required)
            .unique(on: "receipt_number")
            .create()
        try await database.createIndex("civil_applications_applicant", on: "civil_applications", columns: ["applicant_account_id", "updated_at"])
        try await database.createIndex("civil_applications_queue", on: "civil_applications", columns: ["agency_id", "state", "due_at"])
        try await database.schema("civil_application_events")
            .id()
            .field("application_id", .uuid, .required, .references("civil_applications", "id"))
            .field("at", .datetime, .required)
            .field("actor_name", .string, .required)
            .field("actor_display", .string, .required)
            .field("event", .string, .required)
            .field("from_state", .string, .required)
            .field("to_state", .string, .required)
            .field("message", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .create()
        try await database.createIndex("civil_application_events_application", on: "civil_application_events", columns: ["application_id", "at"])
        try await database.schema("civil_application_attachments")
            .id()
            .field("application_id", .uuid, .required, .references("civil_applications", "id"))
            .field("requirement_key", .string, .required)
            .field("file_id", .uuid, .required, .references("files", "id"))
            .field("file_name", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["civil_application_attachments", "civil_application_events", "civil_applications", "civil_services"] {
            try await database.schema(table).delete()
        }
    }
}
