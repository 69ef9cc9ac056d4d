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
