import FluentKit
import Foundation
import NaraCore

final class ComplaintTypeModel: Model, @unchecked Sendable {
    static let schema = "petitions_complaint_types"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name_en") var nameEN: String
    @Field(key: "name_ko") var nameKO: String
    @Field(key: "period_working_days") var periodWorkingDays: Int
    @Field(key: "anonymous_allowed") var anonymousAllowed: Bool
    @Field(key: "objection_days") var objectionDays: Int
    @Field(key: "active") var active: Bool
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var type: ComplaintType {
        ComplaintType(code: id ?? "", nameEN: nameEN, nameKO: nameKO, periodWorkingDays: periodWorkingDays, anonymousAllowed: anonymousAllowed,
                      objectionDays: objectionDays, active: active)
    }

    func update(from t: ComplaintType, at now: Date) {
        nameEN = t.nameEN
        nameKO = t.nameKO
        periodWorkingDays = t.periodWorkingDays
        anonymousAllowed = t.anonymousAllowed
        objectionDays = t.objectionDays
        active = t.active
        updatedAt = now
    }
}

final class PetitionsSettingModel: Model, @unchecked Sendable {
    static let schema = "petitions_settings"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}
}

final class ComplaintModel: Model, @unchecked Sendable {
    static let schema = "petitions_complaints"

    @ID(key: .id) var id: UUID?
    /// EP-YYYY-NNNNNNN, gap-free per year.
    @Field(key: "number") var number: String
    @Field(key: "type_code") var typeCode: String
    /// The type's period and objection days when it was filed: a later change of the type does not touch it.
    @Field(key: "period_working_days") var periodWorkingDays: Int
    @Field(key: "objection_days") var objectionDays: Int
    @OptionalField(key: "category") var category: String?
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "location") var location: String?
    /// Millionths of a degree (WGS 84), when the complainant gave coordinates.
    @OptionalField(key: "latitude_micro") var latitudeMicro: Int64?
    @OptionalField(key: "longitude_micro") var longitudeMicro: Int64?
    /// citizen, business or anonymous.
    @Field(key: "filer_kind") var filerKind: String
    @OptionalField(key: "filer_account_id") var filerAccountID: UUID?
    /// SHA-256 of the access code an anonymous complainant follows the complaint with.
    @OptionalField(key: "access_code_hash") var accessCodeHash: String?
    /// The complainant agreed to publish the request (title, text and place, never the name).
    @Field(key: "public") var isPublic: Bool
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "suggested_agency_id") var suggestedAgencyID: UUID
    @Field(key: "routing") var routing: String
    @Field(key: "state") var state: String
    @Field(key: "submitted_at") var submittedAt: Date
    /// When it reached the agency that has it now (submission, transfer or escalation).
    @Field(key: "arrived_at") var arrivedAt: Date
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "received_at") var receivedAt: Date?
    @Field(key: "transfers") var transfers: Int
    @Field(key: "escalated") var escalated: Bool
    @Field(key: "extended") var extended: Bool
    @OptionalField(key: "extension_reason") var extensionReason: String?
    @OptionalField(key: "draft") var draft: String?
    @OptionalField(key: "draft_by") var draftBy: UUID?
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_by") var answeredBy: UUID?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    /// The first answer's time: compliance counts the first answer, not one after an objection.
    @OptionalField(key: "first_answered_at") var firstAnsweredAt: Date?
    /// Whether the first answer came by the due date then in force (the filing's, or the extended one).
    @OptionalField(key: "first_answer_on_time") var firstAnswerOnTime: Bool?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "rating") var rating: Int?
    @OptionalField(key: "rating_comment") var ratingComment: String?
    @OptionalField(key: "objection") var objection: String?
    @OptionalField(key: "objected_at") var objectedAt: Date?
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "version") var version: Int

    init() {}
}

final class ComplaintEventModel: Model, @unchecked Sendable {
    static let schema = "petitions_complaint_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "complaint_id") var complaintID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "event") var event: String
    @Field(key: "from_state") var fromState: String
    @Field(key: "to_state") var toState: String
    /// The agency that had the complaint when the event happened.
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "actor") var actor: String
    /// What the complainant reads (reason, answer, new due date); empty when there is nothing to say.
    @Field(key: "note") var note: String

    init() {}
}

struct CreatePetitionsTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ComplaintTypeModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name_en", .string, .required)
            .field("name_ko", .string, .required)
            .field("period_working_days", .int, .required)
            .field("anonymous_allowed", .bool, .required)
            .field("objection_days", .int, .required)
            .field("active", .bool, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(PetitionsSettingModel.schema)
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema(ComplaintModel.schema)
            .id()
            .field("number", .string, .required)
            .field("type_code", .string, .required, .references(ComplaintTypeModel.schema, "code"))
            .field("period_working_days", .int, .required)
            .field("objection_days", .int, .required)
            .field("category", .string)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("location", .string)
            .field("latitude_micro", .int64)
            .field("longitude_micro", .int64)
            .field("filer_kind", .string, .required)
            .field("filer_account_id", .uuid, .references("accounts", "id"))
            .field("access_code_hash", .string)
            .field("public", .bool, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("suggested_agency_id", .uuid, .required, .references("agencies", "id"))
            .field("routing", .string, .required)
            .field("state", .string, .required)
            .field("submitted_at", .datetime, .required)
            .field("arrived_at", .datetime, .required)
            .field("due_at", .datetime, .required)
            .field("received_at", .datetime)
            .field("transfers", .int, .required)
            .field("escalated", .bool, .required)
            .field("extended", .bool, .required)
            .field("extension_reason", .string)
            .field("draft", .string)
            .field("draft_by", .uuid)
            .field("answer", .string)
            .field("answered_by", .uuid)
            .field("answered_at", .datetime)
            .field("first_answered_at", .datetime)
            .field("first_answer_on_time", .bool)
            .field("closed_at", .datetime)
            .field("rating", .int)
            .field("rating_comment", .string)
            .field("objection", .string)
            .field("objected_at", .datetime)
            .field("updated_at", .datetime, .required)
            .field("version", .int, .required)
            .unique(on: "number")
            .create()
        try await database.createIndex("petitions_complaints_queue", on: ComplaintModel.schema, columns: ["agency_id", "state", "due_at"])
        try await database.createIndex("petitions_complaints_filer", on: ComplaintModel.schema, columns: ["filer_account_id", "submitted_at"])
        try await database.schema(ComplaintEventModel.schema)
            .id()
            .field("complaint_id", .uuid, .required, .references(ComplaintModel.schema, "id"))
            .field("at", .datetime, .required)
            .field("event", .string, .required)
            .field("from_state", .string, .required)
            .field("to_state", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("actor", .string, .required)
            .field("note", .string, .required)
            .create()
        try await database.createIndex("petitions_complaint_events_complaint", on: ComplaintEventModel.schema, columns: ["complaint_id", "at"])
    }

    func revert(on database: any Database) async throws {
        for table in [ComplaintEventModel.schema, ComplaintModel.schema, PetitionsSettingModel.schema, ComplaintTypeModel.schema] {
            try await database.schema(table).delete()
        }
    }
}

/// The standard complaint types and settings on a new database.
struct SeedComplaintTypes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let now = Date()
        for t in ComplaintType.standard {
            let m = ComplaintTypeModel()
            m.id = t.code
            m.update(from: t, at: now)
            try await m.create(on: database)
        }
        let setting = PetitionsSettingModel()
        setting.id = "complaints"
        setting.value = String(decoding: try JSONEncoder().encode(ComplaintSettings()), as: UTF8.self)
        try await setting.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await PetitionsSettingModel.query(on: database).delete()
        try await ComplaintTypeModel.query(on: database).delete()
    }
}

/// A complaint merged with a like complaint of the same agency (its primary), which is answered
/// for both. The row stays after the answer: it is how the group's people are counted.
final class ComplaintMergeModel: Model, @unchecked Sendable {
    static let schema = "petitions_complaint_merges"

    @ID(key: .id) var id: UUID?
    @Field(key: "complaint_id") var complaintID: UUID
    @Field(key: "primary_id") var primaryID: UUID
    @Field(key: "merged_at") var mergedAt: Date
    @Field(key: "merged_by") var mergedBy: String

    init() {}
}

/// A complaint that the collective threshold's number of different people or more filed (its
/// own filer and those of the complaints merged with it).
final class CollectiveComplaintModel: Model, @unchecked Sendable {
    static let schema = "petitions_collective_complaints"

    @ID(key: .id) var id: UUID?
    @Field(key: "complaint_id") var complaintID: UUID
    @Field(key: "flagged_at") var flaggedAt: Date
    @Field(key: "people") var people: Int

    init() {}
}

struct CreateComplaintMerges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ComplaintMergeModel.schema)
            .id()
            .field("complaint_id", .uuid, .required, .references(ComplaintModel.schema, "id"))
            .field("primary_id", .uuid, .required, .references(ComplaintModel.schema, "id"))
            .field("merged_at", .datetime, .required)
            .field("merged_by", .string, .required)
            .unique(on: "complaint_id")
            .create()
        try await database.createIndex("petitions_complaint_merges_primary", on: ComplaintMergeModel.schema, columns: ["primary_id"])
        try await database.schema(CollectiveComplaintModel.schema)
            .id()
            .field("complaint_id", .uuid, .required, .references(ComplaintModel.schema, "id"))
            .field("flagged_at", .datetime, .required)
            .field("people", .int, .required)
            .unique(on: "complaint_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CollectiveComplaintModel.schema).delete()
        try await database.schema(ComplaintMergeModel.schema).delete()
    }
}

/// A file the complainant attached to a complaint (a photo of the pothole, a letter).
final class ComplaintAttachmentModel: Model, @unchecked Sendable {
    static let schema = "petitions_complaint_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "complaint_id") var complaintID: UUID
    @Field(key: "file_id") var fileID: UUID
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int64
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

struct CreateComplaintAttachments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ComplaintAttachmentModel.schema)
            .id()
            .field("complaint_id", .uuid, .required, .references(ComplaintModel.schema, "id"))
            .field("file_id", .uuid, .required, .references("files", "id"))
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int64, .required)
            .field("uploaded_at", .datetime, .required)
            .create()
        try await database.createIndex("petitions_complaint_attachments_complaint", on: ComplaintAttachmentModel.schema, columns: ["complaint_id", "uploaded_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ComplaintAttachmentModel.schema).delete()
    }
}
