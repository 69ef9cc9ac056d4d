import FluentKit
import Foundation

/// A framework agreement (다수공급자계약) between the Public Procurement Service and a supplier:
/// catalogue items at agreed prices that any agency may order directly, within the order limit.
final class FrameworkModel: Model, @unchecked Sendable {
    static let schema = "procurement_frameworks"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "title") var title: String
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    /// Above this an agency runs a second-stage competition instead of ordering directly.
    @Field(key: "max_order") var maxOrder: Int64
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class CatalogueItemModel: Model, @unchecked Sendable {
    static let schema = "procurement_catalogue_items"
    @ID(key: .id) var id: UUID?
    @Field(key: "framework_id") var frameworkID: UUID
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "classification") var classification: String
    @Field(key: "unit_code") var unitCode: String
    @Field(key: "unit_name") var unitName: String
    @Field(key: "price") var price: Int64
    @Field(key: "delivery_days") var deliveryDays: Int
    @Field(key: "min_quantity") var minQuantity: Int
    @Field(key: "status") var status: String
    init() {}
}

final class OrderModel: Model, @unchecked Sendable {
    static let schema = "procurement_orders"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "officer_id") var officerID: UUID
    @Field(key: "framework_id") var frameworkID: UUID
    @Field(key: "supplier_id") var supplierID: UUID
    @Field(key: "lines") var lines: String
    @Field(key: "total") var total: Int64
    @Field(key: "status") var status: String
    @Field(key: "placed_at") var placedAt: Date
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @OptionalField(key: "payment_id") var paymentID: UUID?
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "version") var version: Int
    init() {}
}

struct AddShoppingMall: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("procurement_frameworks")
            .id()
            .field("reference", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("title", .string, .required)
            .field("valid_from", .datetime, .required)
            .field("valid_until", .datetime, .required)
            .field("max_order", .int64, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "reference")
            .create()
        try await database.schema("procurement_catalogue_items")
            .id()
            .field("framework_id", .uuid, .required, .references("procurement_frameworks", "id"))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("classification", .string, .required)
            .field("unit_code", .string, .required)
            .field("unit_name", .string, .required)
            .field("price", .int64, .required)
            .field("delivery_days", .int, .required)
            .field("min_quantity", .int, .required)
            .field("status", .string, .required)
            .unique(on: "code")
            .create()
        try await database.createIndex("procurement_catalogue_framework", on: "procurement_catalogue_items", columns: ["framework_id"])
        try await database.schema("procurement_orders")
            .id()
            .field("reference", .string, .required)
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("officer_id", .uuid, .required, .references("accounts", "id"))
            .field("framework_id", .uuid, .required, .references("procurement_frameworks", "id"))
            .field("supplier_id", .uuid, .required, .references("procurement_suppliers", "id"))
            .field("lines", .string, .required)
            .field("total", .int64, .required)
            .field("status", .string, .required)
            .field("placed_at", .datetime, .required)
            .field("due_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .field("cancel_reason", .string)
            .field("payment_id", .uuid, .references("payments", "id"))
            .field("idempotency_key", .string, .required)
            .field("version", .int, .required)
            .unique(on: "reference")
            .unique(on: "agency_id", "idempotency_key")
            .create()
        try await database.createIndex("procurement_orders_agency", on: "procurement_orders", columns: ["agency_id", "placed_at"])
        try await database.createIndex("procurement_orders_supplier", on: "procurement_orders", columns: ["supplier_id", "placed_at"])
    }

    func revert(on database: any Database) async throws {
        for table in ["procurement_orders", "procurement_catalogue_items", "procurement_frameworks"] { try await database.schema(table).delete() }
    }
}
