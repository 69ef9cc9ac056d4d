import FluentKit
import Foundation

final class SupplierModel: Model, @unchecked Sendable {
    static let schema = "procurement_suppliers"
    @ID(key: .id) var id: UUID?
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "business_number") var businessNumber: String
    @Field(key: "name") var name: String
    @Field(key: "status") var status: String
    @Field(key: "registered_at") var registeredAt: Date
    init() {}
}

final class TenderModel: Model, @unchecked Sendable {
    static let schema = "procurement_tenders"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "officer_id") var officerID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var descriptionText: String
    @Field(key: "procedure") var procedure: String
    @Field(key: "lots") var lots: String
    @Field(key: "currency") var currency: String
    @Field(key: "state") var state: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    @Field(key: "deadline") var deadline: Date
    @OptionalField(key: "public_key") var publicKey: Data?
    @OptionalField(key: "sealed_private_key") var sealedPrivateKey: Data?
    @OptionalField(key: "opened_at") var openedAt: Date?
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @Field(key: "version") var version: Int
    // Added by AddProcurementLifecycle.
    @OptionalField(key: "category") var category: String?
    @OptionalField(key: "items") var items: String?
    @OptionalField(key: "documents") var documents: String?
    @OptionalField(key: "eligibility") var eligibility: String?
    @OptionalField(key: "evaluation") var evaluation: String?
    @OptionalField(key: "enquiry_deadline") var enquiryDeadline: Date?
    @OptionalField(key: "qualified") var qualified: String?
    @OptionalField(key: "amendments") var amendments: String?
    @OptionalField(key: "plan_budget") var planBudget: Int64?
    @OptionalField(key: "plan_rationale") var planRationale: String?
    @OptionalField(key: "planned_at") var plannedAt: Date?
    @OptionalField(key: "lottery_seed") var lotterySeed: String?
    @OptionalField(key: "lottery_commitment") var lotteryCommitment: String?
    @OptionalField(key: "lottery_revealed") var lotteryRevealed: String?
    @OptionalField(key: "reserve_price") var reservePrice: Int64?
    @OptionalField(key: "floor_price") var floorPrice: Int64?
    @OptionalField(key: "quality_scores") var qualityScores: String?
    @OptionalField(key: "completed_at") var completedAt: Date?
    init() {}
}

final class BidModel: Model, @unchecked Sendable {
    static let schema = "procurement_bids"
    @ID(key: .id) var id: UUID?
    @Field(key: "tender_id") var tenderID: UUID
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "encapsulated_key") var encapsulatedKey: Data
    @Field(key: "ciphertext") var ciphertext: Data
    @Field(key: "sealed_digest") var sealedDigest: String
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "status") var status: String
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "receipt") var receipt: String
    init() {}
}

final class EnquiryModel: Model, @unchecked Sendable {
    static let schema = "procurement_enquiries"
    @ID(key: .id) var id: UUID?
    @Field(key: "tender_id") var tenderID: UUID
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "question") var question: String
    @Field(key: "asked_at") var askedAt: Date
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    init() {}
}

final class AwardModel: Model, @unchecked Sendable {
    static let schema = "procurement_awards"
    @ID(key: .id) var id: UUID?
    @Field(key: "tender_id") var tenderID: UUID
    @Field(key: "lot") var lot: Int
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "amount") var amount: Int64
    @Field(key: "status") var status: String
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "standstill_end") var standstillEnd: Date?
    init() {}
}

final class ComplaintModel: Model, @unchecked Sendable {
    static let schema = "procurement_complaints"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "tender_id") var tenderID: UUID
    @OptionalField(key: "award_id") var awardID: UUID?
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var descriptionText: String
    @Field(key: "status") var status: String
    @Field(key: "lodged_at") var lodgedAt: Date
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    init() {}
}

final class ContractModel: Model, @unchecked Sendable {
    static let schema = "procurement_contracts"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "tender_id") var tenderID: UUID
    @Field(key: "award_id") var awardID: UUID
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "title") var title: String
    @Field(key: "value") var value: Int64
    @Field(key: "period_start") var periodStart: Date
    @Field(key: "period_end") var periodEnd: Date
    @Field(key: "status") var status: String
    /// The canonical JSON both parties sign.
    @Field(key: "document") var document: String
    @OptionalField(key: "agency_signature") var agencySignature: String?
    @OptionalField(key: "agency_signed_at") var agencySignedAt: Date?
    @OptionalField(key: "supplier_signature") var supplierSignature: String?
    @OptionalField(key: "supplier_signed_at") var supplierSignedAt: Date?
    @Field(key: "amendments") var amendments: String
    @OptionalField(key: "termination_reason") var terminationReason: String?
    @OptionalField(key: "terminated_at") var terminatedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class InvoiceModel: Model, @unchecked Sendable {
    static let schema = "procurement_invoices"
    @ID(key: .id) var id: UUID?
    @Field(key: "contract_id") var contractID: UUID
    @Field(key: "number") var number: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "description") var descriptionText: String
    @Field(key: "status") var status: String
    @Field(key: "submitted_at") var submittedAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "payment_id") var paymentID: UUID?
    init() {}
}

/// One OCDS release: a public snapshot of a contracting process after a change.
final class ReleaseModel: Model, @unchecked Sendable {
    static let schema = "procurement_releases"
    @ID(key: .id) var id: UUID?
    /// The change feed's cursor: strictly increasing.
    @Field(key: "seq") var seq: Int64
    @Field(key: "ocid") var ocid: String
    @Field(key: "release_id") var releaseID: String
    @Field(key: "date") var date: Date
    @Field(key: "body") var body: String
    init() {}
}

struct AddProcurementLifecycle: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for field in ["category", "items", "documents", "eligibility", "evaluation", "qualified", "amendments", "plan_rationale",
                      "lottery_seed", "lottery_commitment", "lottery_revealed", "quality_scores"] {
            try await database.schema("procurement_tenders").field(FieldKey(stringLiteral: field), .string).update()
        }
        for (field, type) in [("enquiry_deadline", DatabaseSchema.DataType.datetime), ("plan_budget", .int64), ("planned_at", .datetime),
                              ("reserve_price", .int64), ("floor_price", .int64), ("completed_at", .datetime)] {
            try await database.schema("procurement_tenders").field(FieldKey(stringLiteral: field), type).update()
        }
        try await database.schema("procurement_enquiries")
            .id()
            .field("tender_id", .uuid, .required, .references("procurement_tenders", "id"))
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("question", .string, .required)
            .field("asked_at", .datetime, .required)
            .field("answer", .string)
            .field("answered_at", .datetime)
            .create()
        try await database.createIndex("procurement_enquiries_tender", on: "procurement_enquiries", columns: ["tender_id"])
        try await database.schema("procurement_awards")
            .id()
            .field("tender_id", .uuid, .required, .references("procurement_tenders", "id"))
            .field("lot", .int, .required)
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("amount", .int64, .required)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("standstill_end", .datetime)
            .create()
        try await database.createIndex("procurement_awards_tender", on: "procurement_awards", columns: ["tender_id"])
        try await database.schema("procurement_complaints")
            .id()
            .field("reference", .string, .required)
            .field("tender_id", .uuid, .required, .references("procurement_tenders", "id"))
            .field("award_id", .uuid, .references("procurement_awards", "id"))
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("status", .string, .required)
            .field("lodged_at", .datetime, .required)
            .field("decision", .string)
            .field("decided_at", .datetime)
            .unique(on: "reference")
            .create()
        try await database.createIndex("procurement_complaints_tender", on: "procurement_complaints", columns: ["tender_id"])
        try await database.schema("procurement_contracts")
            .id()
            .field("reference", .string, .required)
            .field("tender_id", .uuid, .required, .references("procurement_tenders", "id"))
            .field("award_id", .uuid, .required, .references("procurement_awards", "id"))
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("title", .string, .required)
            .field("value", .int64, .required)
            .field("period_start", .datetime, .required)
            .field("period_end", .datetime, .required)
            .field("status", .string, .required)
            .field("document", .string, .required)
            .field("agency_signature", .string)
            .field("agency_signed_at", .datetime)
            .field("supplier_signature", .string)
            .field("supplier_signed_at", .datetime)
            .field("amendments", .string, .required)
            .field("termination_reason", .string)
            .field("terminated_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "reference")
            .unique(on: "award_id")
            .create()
        try await database.createIndex("procurement_contracts_tender", on: "procurement_contracts", columns: ["tender_id"])
        try await database.schema("procurement_invoices")
            .id()
            .field("contract_id", .uuid, .required, .references("procurement_contracts", "id"))
            .field("number", .string, .required)
            .field("amount", .int64, .required)
            .field("description", .string, .required)
            .field("status", .string, .required)
            .field("submitted_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("reason", .string)
            .field("payment_id", .uuid, .references("payments", "id"))
            .unique(on: "contract_id", "number")
            .create()
        try await database.schema("procurement_releases")
            .id()
            .field("seq", .int64, .required)
            .field("ocid", .string, .required)
            .field("release_id", .string, .required)
            .field("date", .datetime, .required)
            .field("body", .string, .required)
            .unique(on: "seq")
            .unique(on: "release_id")
            .create()
        try await database.createIndex("procurement_releases_ocid", on: "procurement_releases", columns: ["ocid", "seq"])
    }

    func revert(on database: any Database) async throws {
        for table in ["procurement_releases", "procurement_invoices", "procurement_contracts", "procurement_complaints", "procurement_awards",
                      "procurement_enquiries"] {
            try await database.schema(table).delete()
        }
    }
}

struct CreateProcurementTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("procurement_suppliers")
            .id()
            .field("account_id", .uuid, .required, .references("accounts", "id"))
            .field("business_number", .string, .required)
            .field("name", .string, .required)
            .field("status", .string, .required)
            .field("registered_at", .datetime, .required)
            .unique(on: "account_id")
            .unique(on: "business_number")
            .create()
        try await database.schema("procurement_tenders")
            .id()
            .field("reference", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("officer_id", .uuid, .required, .references("accounts", "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("procedure", .string, .required)
            .field("lots", .string, .required)
            .field("currency", .string, .required)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("published_at", .datetime)
            .field("deadline", .datetime, .required)
            .field("public_key", .data)
            .field("sealed_private_key", .data)
            .field("opened_at", .datetime)
            .field("result", .string)
            .field("cancel_reason", .string)
            .field("version", .int, .required)
            .unique(on: "reference")
            .create()
        try await database.createIndex("procurement_tenders_state_deadline", on: "procurement_tenders", columns: ["state", "deadline"])
        try await database.schema("procurement_bids")
            .id()
            .field("tender_id", .uuid, .required, .references("procurement_tenders", "id"))
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("encapsulated_key", .data, .required)
            .field("ciphertext", .data, .required)
            .field("sealed_digest", .string, .required)
            .field("received_at", .datetime, .required)
            .field("status", .string, .required)
            .field("idempotency_key", .string, .required)
            .field("receipt", .string, .required)
            .unique(on: "tender_id", "supplier_id", "idempotency_key")
            .create()
        try await database.createIndex("procurement_bids_tender", on: "procurement_bids", columns: ["tender_id", "status"])
    }

    func revert(on database: any Database) async throws {
        for table in ["procurement_bids", "procurement_tenders", "procurement_suppliers"] { try await database.schema(table).delete() }
    }
}
