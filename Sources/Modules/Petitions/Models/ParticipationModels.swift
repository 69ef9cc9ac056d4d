import FluentKit
import Foundation
import NaraCore

final class PetitionTypeModel: Model, @unchecked Sendable {
    static let schema = "petitions_petition_types"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name_en") var nameEN: String
    @Field(key: "name_ko") var nameKO: String
    @Field(key: "threshold") var threshold: Int
    @Field(key: "signing_days") var signingDays: Int
    @Field(key: "answer_working_days") var answerWorkingDays: Int
    @Field(key: "active") var active: Bool
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var type: PetitionType {
        PetitionType(code: id ?? "", nameEN: nameEN, nameKO: nameKO, threshold: threshold, signingDays: signingDays, answerWorkingDays: answerWorkingDays, active: active)
    }

    func update(from t: PetitionType, at now: Date) {
        nameEN = t.nameEN
        nameKO = t.nameKO
        threshold = t.threshold
        signingDays = t.signingDays
        answerWorkingDays = t.answerWorkingDays
        active = t.active
        updatedAt = now
    }
}

final class PetitionModel: Model, @unchecked Sendable {
    static let schema = "petitions_petitions"

    @ID(key: .id) var id: UUID?
    /// PT-YYYY-NNNNNN, gap-free per year.
    @Field(key: "number") var number: String
    @Field(key: "type_code") var typeCode: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "category") var category: String?
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "author_account_id") var authorAccountID: UUID
    @Field(key: "author_name") var authorName: String
    @Field(key: "state") var state: String
    @Field(key: "opened_at") var openedAt: Date
    @Field(key: "closes_at") var closesAt: Date
    /// The type's threshold and answer period when it was published.
    @Field(key: "threshold") var threshold: Int
    @Field(key: "answer_working_days") var answerWorkingDays: Int
    @Field(key: "signatures") var signatures: Int
    @OptionalField(key: "reached_at") var reachedAt: Date?
    @OptionalField(key: "answer_due_at") var answerDueAt: Date?
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answered_by") var answeredBy: UUID?
    @Field(key: "updated_at") var updatedAt: Date

    /// Bumped by every row lock (`lockRow`).
    @Field(key: "version") var version: Int

    init() {}
}

final class PetitionSignatureModel: Model, @unchecked Sendable {
    static let schema = "petitions_signatures"

    @ID(key: .id) var id: UUID?
    @Field(key: "petition_id") var petitionID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "signed_at") var signedAt: Date

    init() {}
}

final class ProposalModel: Model, @unchecked Sendable {
    static let schema = "petitions_proposals"

    @ID(key: .id) var id: UUID?
    /// PR-YYYY-NNNNNN, gap-free per year.
    @Field(key: "number") var number: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "category") var category: String?
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "author_account_id") var authorAccountID: UUID
    @Field(key: "author_name") var authorName: String
    @Field(key: "state") var state: String
    @Field(key: "supports") var supports: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "edited_at") var editedAt: Date?
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answered_by") var answeredBy: UUID?
    @Field(key: "updated_at") var updatedAt: Date

    /// Bumped by every row lock (`lockRow`).
    @Field(key: "version") var version: Int

    init() {}
}

final class ProposalSupportModel: Model, @unchecked Sendable {
    static let schema = "petitions_proposal_supports"

    @ID(key: .id) var id: UUID?
    @Field(key: "proposal_id") var proposalID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "at") var at: Date

    init() {}
}

final class DebateModel: Model, @unchecked Sendable {
    static let schema = "petitions_debates"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "opened_by") var openedBy: UUID
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "closes_at") var closesAt: Date?
    @Field(key: "comments") var comments: Int

    /// Bumped by every row lock (`lockRow`).
    @Field(key: "version") var version: Int

    init() {}
}

/// A comment on a proposal or in a discussion; `parent_id` makes the threads.
final class CommentModel: Model, @unchecked Sendable {
    static let schema = "petitions_comments"

    @ID(key: .id) var id: UUID?
    /// proposal or debate.
    @Field(key: "subject_kind") var subjectKind: String
    @Field(key: "subject_id") var subjectID: UUID
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "depth") var depth: Int
    @Field(key: "author_account_id") var authorAccountID: UUID
    /// As the public sees it: masked for citizens, the agency for officials.
    @Field(key: "author_name") var authorName: String
    @Field(key: "official") var official: Bool
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "hidden") var hidden: Bool
    @OptionalField(key: "hidden_reason") var hiddenReason: String?
    @OptionalField(key: "hidden_at") var hiddenAt: Date?
    @Field(key: "reports") var reports: Int

    /// Bumped by every row lock (`lockRow`).
    @Field(key: "version") var version: Int

    init() {}
}

final class CommentReportModel: Model, @unchecked Sendable {
    static let schema = "petitions_comment_reports"

    @ID(key: .id) var id: UUID?
    @Field(key: "comment_id") var commentID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "reason") var reason: String
    @Field(key: "at") var at: Date
    /// Set when a moderator decided on the comment after this report.
    @OptionalField(key: "resolved_at") var resolvedAt: Date?

    init() {}
}

struct CreateParticipationTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PetitionTypeModel.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name_en", .string, .required)
            .field("name_ko", .string, .required)
            .field("threshold", .int, .required)
            .field("signing_days", .int, .required)
            .field("answer_working_days", .int, .required)
            .field("active", .bool, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(PetitionModel.schema)
            .id()
            .field("number", .string, .required)
            .field("type_code", .string, .required, .references(PetitionTypeModel.schema, "code"))
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("category", .string)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("author_account_id", .uuid, .required, .references("accounts", "id"))
            .field("author_name", .string, .required)
            .field("state", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("closes_at", .datetime, .required)
            .field("threshold", .int, .required)
            .field("answer_working_days", .int, .required)
            .field("signatures", .int, .required)
            .field("reached_at", .datetime)
            .field("answer_due_at", .datetime)
            .field("answer", .string)
            .field("answered_at", .datetime)
            .field("answered_by", .uuid)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .field("version", .int, .required)
            .create()
        try await database.createIndex("petitions_petitions_state", on: PetitionModel.schema, columns: ["state", "closes_at"])
        try await database.schema(PetitionSignatureModel.schema)
            .id()
            .field("petition_id", .uuid, .required, .references(PetitionModel.schema, "id"))
            .field("account_id", .uuid, .required, .references("accounts", "id"))
            .field("signed_at", .datetime, .required)
            // One person signs a petition once, however many requests race.
            .unique(on: "petition_id", "account_id")
            .create()
        try await database.schema(ProposalModel.schema)
            .id()
            .field("number", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("category", .string)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("author_account_id", .uuid, .required, .references("accounts", "id"))
            .field("author_name", .string, .required)
            .field("state", .string, .required)
            .field("supports", .int, .required)
            .field("created_at", .datetime, .required)
            .field("edited_at", .datetime)
            .field("answer", .string)
            .field("answered_at", .datetime)
            .field("answered_by", .uuid)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .field("version", .int, .required)
            .create()
        try await database.schema(ProposalSupportModel.schema)
            .id()
            .field("proposal_id", .uuid, .required, .references(ProposalModel.schema, "id"))
            .field("account_id", .uuid, .required, .references("accounts", "id"))
            .field("at", .datetime, .required)
            .unique(on: "proposal_id", "account_id")
            .create()
        try await database.schema(DebateModel.schema)
            .id()
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("opened_by", .uuid, .required, .references("accounts", "id"))
            .field("opened_at", .datetime, .required)
            .field("closes_at", .datetime)
            .field("comments", .int, .required)
            .field("version", .int, .required)
            .create()
        try await database.schema(CommentModel.schema)
            .id()
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("parent_id", .uuid, .references(CommentModel.schema, "id"))
            .field("depth", .int, .required)
            .field("author_account_id", .uuid, .required, .references("accounts", "id"))
            .field("author_name", .string, .required)
            .field("official", .bool, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("hidden", .bool, .required)
            .field("hidden_reason", .string)
            .field("hidden_at", .datetime)
            .field("reports", .int, .required)
            .field("version", .int, .required)
            .create()
        try await database.createIndex("petitions_comments_subject", on: CommentModel.schema, columns: ["subject_kind", "subject_id", "created_at"])
        try await database.schema(CommentReportModel.schema)
            .id()
            .field("comment_id", .uuid, .required, .references(CommentModel.schema, "id"))
            .field("account_id", .uuid, .required, .references("accounts", "id"))
            .field("reason", .string, .required)
            .field("at", .datetime, .required)
            .field("resolved_at", .datetime)
            .unique(on: "comment_id", "account_id")
            .create()
        let now = Date()
        for t in PetitionType.standard {
            let m = PetitionTypeModel()
            m.id = t.code
            m.update(from: t, at: now)
            try await m.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        for table in [CommentReportModel.schema, CommentModel.schema, DebateModel.schema, ProposalSupportModel.schema, ProposalModel.schema,
                      PetitionSignatureModel.schema, PetitionModel.schema, PetitionTypeModel.schema] {
            try await database.schema(table).delete()
        }
    }
}
