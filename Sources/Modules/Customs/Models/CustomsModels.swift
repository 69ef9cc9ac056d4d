import FluentKit
import Foundation
import NaraCore
import SQLKit

/// A national tariff line (HSK) with its rates as opaque JSON (`TariffLine.rate`, `.preferential`).
final class TariffLineModel: Model, @unchecked Sendable {
    static let schema = "customs_tariff_lines"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "description_en") var descriptionEN: String
    @Field(key: "description_ko") var descriptionKO: String
    @Field(key: "quantity_unit") var quantityUnit: String
    @Field(key: "rate") var rate: String
    @Field(key: "preferential") var preferential: String
    @OptionalField(key: "import_licence") var importLicence: String?
    @OptionalField(key: "export_licence") var exportLicence: String?
    @Field(key: "prohibited") var prohibited: Bool
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// The customs exchange rate of a currency for one week (Sunday to Saturday), KRW per unit in hundredths.
final class ExchangeRateModel: Model, @unchecked Sendable {
    static let schema = "customs_exchange_rates"
    @ID(key: .id) var id: UUID?
    @Field(key: "currency") var currency: String
    /// The Sunday the week starts, YYYY-MM-DD in the platform time zone.
    @Field(key: "week_start") var weekStart: String
    @Field(key: "rate_hundredths") var rateHundredths: Int64
    init() {}
}

final class CustomsOfficeModel: Model, @unchecked Sendable {
    static let schema = "customs_offices"
    @ID(key: .id) var id: UUID?
    /// The three-digit office code (010 Seoul, 020 Busan, 040 Incheon Airport...).
    @Field(key: "code") var code: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "name_ko") var nameKO: String
    /// UN/LOCODE of the port or airport it serves.
    @Field(key: "locode") var locode: String
    @OptionalField(key: "agency_id") var agencyID: UUID?
    init() {}
}

final class CustomsSettingModel: Model, @unchecked Sendable {
    static let schema = "customs_settings"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String
    init() {}
}

/// A trader known to customs: checked once against the business registry.
final class TraderModel: Model, @unchecked Sendable {
    static let schema = "customs_traders"
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "account_id") var accountID: UUID?
    @Field(key: "business_number") var businessNumber: String
    @Field(key: "name") var name: String
    /// JSON list of roles: importer, exporter, declarant, broker, carrier.
    @Field(key: "roles") var roles: String
    @Field(key: "aeo") var aeo: Bool
    @OptionalField(key: "aeo_grade") var aeoGrade: String?
    @Field(key: "status") var status: String
    @Field(key: "registered_at") var registeredAt: Date
    init() {}
}

/// A broker (관세사) acting for a trader, registered and revocable.
final class DelegationModel: Model, @unchecked Sendable {
    static let schema = "customs_delegations"
    @ID(key: .id) var id: UUID?
    @Field(key: "broker_id") var brokerID: UUID
    @Field(key: "principal_id") var principalID: UUID
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    init() {}
}

/// A cargo manifest of a vessel or flight (적하목록), with its manifest reference number.
final class ManifestModel: Model, @unchecked Sendable {
    static let schema = "customs_manifests"
    @ID(key: .id) var id: UUID?
    @Field(key: "mrn") var mrn: String
    @Field(key: "carrier_id") var carrierID: UUID
    @Field(key: "kind") var kind: String
    /// 1 sea, 4 air (UN/ECE Rec. 19 transport modes).
    @Field(key: "mode") var mode: Int
    @Field(key: "vessel") var vessel: String
    @Field(key: "voyage") var voyage: String
    @Field(key: "port") var port: String
    @Field(key: "scheduled_at") var scheduledAt: Date
    @Field(key: "submitted_at") var submittedAt: Date
    init() {}
}

/// One bill of lading of a manifest: the cargo a declaration covers, tracked by its number.
final class CargoModel: Model, @unchecked Sendable {
    static let schema = "customs_cargo"
    @ID(key: .id) var id: UUID?
    @Field(key: "manifest_id") var manifestID: UUID
    /// 화물관리번호: MRN + master and house sequence numbers.
    @Field(key: "tracking_number") var trackingNumber: String
    @Field(key: "bill_of_lading") var billOfLading: String
    @Field(key: "shipper") var shipper: String
    @Field(key: "consignee") var consignee: String
    @Field(key: "description") var descriptionText: String
    @Field(key: "packages") var packages: Int
    @Field(key: "gross_mass_milli") var grossMassMilli: Int64
    @Field(key: "status") var status: String
    /// JSON list of `CargoEvent` (arrival, discharge, declaration, release, departure).
    @Field(key: "events") var events: String
    /// Bumped by every row lock (`Database.lockRow`).
    @Field(key: "version") var version: Int
    init() {}
}

final class DeclarationModel: Model, @unchecked Sendable {
    static let schema = "customs_declarations"
    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "kind") var kind: String
    @Field(key: "trader_reference") var traderReference: String
    /// The importer or exporter.
    @Field(key: "trader_id") var traderID: UUID
    /// Who lodged it: the trader itself or its broker.
    @Field(key: "declarant_id") var declarantID: UUID
    @Field(key: "office_code") var officeCode: String
    @OptionalField(key: "cargo_id") var cargoID: UUID?
    @Field(key: "transport_mode") var transportMode: Int
    @Field(key: "currency") var currency: String
    @Field(key: "invoice_minor") var invoiceMinor: Int64
    @Field(key: "incoterm") var incoterm: String
    @Field(key: "counterpart_name") var counterpartName: String
    @Field(key: "counterpart_country") var counterpartCountry: String
    /// JSON list of `DeclarationItem`.
    @Field(key: "items") var items: String
    @Field(key: "state") var state: String
    @OptionalField(key: "lane") var lane: String?
    /// JSON `LaneDecision`.
    @OptionalField(key: "lane_decision") var laneDecision: String?
    /// JSON `Assessment`.
    @OptionalField(key: "assessment") var assessment: String?
    @Field(key: "amount_due") var amountDue: Int64
    @OptionalField(key: "payment_id") var paymentID: UUID?
    @Field(key: "aeo") var aeo: Bool
    @Field(key: "audit_required") var auditRequired: Bool
    @Field(key: "lodged_at") var lodgedAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @OptionalField(key: "laned_at") var lanedAt: Date?
    @OptionalField(key: "assessed_at") var assessedAt: Date?
    @OptionalField(key: "paid_at") var paidAt: Date?
    @OptionalField(key: "released_at") var releasedAt: Date?
    @OptionalField(key: "cleared_at") var clearedAt: Date?
    @OptionalField(key: "exited_at") var exitedAt: Date?
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "document_id") var documentID: UUID?
    @Field(key: "version") var version: Int
    init() {}
}

/// One step of a declaration's history: who, when, from which state to which, and why.
final class DeclarationEventModel: Model, @unchecked Sendable {
    static let schema = "customs_declaration_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "declaration_id") var declarationID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "from_state") var fromState: String
    @Field(key: "to_state") var toState: String
    @Field(key: "actor") var actor: String
    @Field(key: "note") var note: String
    init() {}
}

/// A physical or documentary inspection with its findings and the corrections it made.
final class InspectionModel: Model, @unchecked Sendable {
    static let schema = "customs_inspections"
    @ID(key: .id) var id: UUID?
    @Field(key: "declaration_id") var declarationID: UUID
    @Field(key: "trader_id") var traderID: UUID
    @Field(key: "officer_id") var officerID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "findings") var findings: String
    @Field(key: "discrepancy") var discrepancy: Bool
    /// JSON list of `ItemCorrection`.
    @Field(key: "corrections") var corrections: String
    @OptionalField(key: "duty_before") var dutyBefore: Int64?
    @OptionalField(key: "duty_after") var dutyAfter: Int64?
    init() {}
}

final class RiskCriterionModel: Model, @unchecked Sendable {
    static let schema = "customs_risk_criteria"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "lane") var lane: String
    /// JSON list of `RiskCondition`.
    @Field(key: "conditions") var conditions: String
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    @Field(key: "active") var active: Bool
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

struct CreateCustomsTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TariffLineModel.schema)
            .id()
            .field("code", .string, .required)
            .field("description_en", .string, .required)
            .field("description_ko", .string, .required)
            .field("quantity_unit", .string, .required)
            .field("rate", .string, .required)
            .field("preferential", .string, .required)
            .field("import_licence", .string)
            .field("export_licence", .string)
            .field("prohibited", .bool, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.schema(ExchangeRateModel.schema)
            .id()
            .field("currency", .string, .required)
            .field("week_start", .string, .required)
            .field("rate_hundredths", .int64, .required)
            .unique(on: "currency", "week_start")
            .create()
        try await database.schema(CustomsOfficeModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name_en", .string, .required)
            .field("name_ko", .string, .required)
            .field("locode", .string, .required)
            .field("agency_id", .uuid, .references("agencies", "id"))
            .unique(on: "code")
            .create()
        try await database.schema(CustomsSettingModel.schema)
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema(TraderModel.schema)
            .id()
            .field("account_id", .uuid, .references("accounts", "id"))
            .field("business_number", .string, .required)
            .field("name", .string, .required)
            .field("roles", .string, .required)
            .field("aeo", .bool, .required)
            .field("aeo_grade", .string)
            .field("status", .string, .required)
            .field("registered_at", .datetime, .required)
            .unique(on: "business_number")
            .create()
        try await database.schema(DelegationModel.schema)
            .id()
            .field("broker_id", .uuid, .required, .references(TraderModel.schema, "id"))
            .field("principal_id", .uuid, .required, .references(TraderModel.schema, "id"))
            .field("valid_from", .datetime, .required)
            .field("valid_until", .datetime, .required)
            .field("revoked_at", .datetime)
            .create()
        try await database.schema(ManifestModel.schema)
            .id()
            .field("mrn", .string, .required)
            .field("carrier_id", .uuid, .required, .references(TraderModel.schema, "id"))
            .field("kind", .string, .required)
            .field("mode", .int, .required)
            .field("vessel", .string, .required)
            .field("voyage", .string, .required)
            .field("port", .string, .required)
            .field("scheduled_at", .datetime, .required)
            .field("submitted_at", .datetime, .required)
            .unique(on: "mrn")
            .create()
        try await database.schema(CargoModel.schema)
            .id()
            .field("manifest_id", .uuid, .required, .references(ManifestModel.schema, "id"))
            .field("tracking_number", .string, .required)
            .field("bill_of_lading", .string, .required)
            .field("shipper", .string, .required)
            .field("consignee", .string, .required)
            .field("description", .string, .required)
            .field("packages", .int, .required)
            .field("gross_mass_milli", .int64, .required)
            .field("status", .string, .required)
            .field("events", .string, .required)
            .field("version", .int, .required)
            .unique(on: "tracking_number")
            .create()
        try await database.schema(DeclarationModel.schema)
            .id()
            .field("number", .string, .required)
            .field("kind", .string, .required)
            .field("trader_reference", .string, .required)
            .field("trader_id", .uuid, .required, .references(TraderModel.schema, "id"))
            .field("declarant_id", .uuid, .required, .references(TraderModel.schema, "id"))
            .field("office_code", .string, .required)
            .field("cargo_id", .uuid, .references(CargoModel.schema, "id"))
            .field("transport_mode", .int, .required)
            .field("currency", .string, .required)
            .field("invoice_minor", .int64, .required)
            .field("incoterm", .string, .required)
            .field("counterpart_name", .string, .required)
            .field("counterpart_country", .string, .required)
            .field("items", .string, .required)
            .field("state", .string, .required)
            .field("lane", .string)
            .field("lane_decision", .string)
            .field("assessment", .string)
            .field("amount_due", .int64, .required)
            .field("payment_id", .uuid, .references("payments", "id"))
            .field("aeo", .bool, .required)
            .field("audit_required", .bool, .required)
            .field("lodged_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .field("laned_at", .datetime)
            .field("assessed_at", .datetime)
            .field("paid_at", .datetime)
            .field("released_at", .datetime)
            .field("cleared_at", .datetime)
            .field("exited_at", .datetime)
            .field("reason", .string)
            .field("document_id", .uuid)
            .field("version", .int, .required)
            .unique(on: "number")
            .unique(on: "trader_id", "trader_reference")
            .create()
        try await database.createIndex("customs_declarations_state", on: DeclarationModel.schema, columns: ["state", "lane"])
        try await database.createIndex("customs_declarations_lodged", on: DeclarationModel.schema, columns: ["lodged_at"])
        try await database.schema(DeclarationEventModel.schema)
            .id()
            .field("declaration_id", .uuid, .required, .references(DeclarationModel.schema, "id"))
            .field("at", .datetime, .required)
            .field("from_state", .string, .required)
            .field("to_state", .string, .required)
            .field("actor", .string, .required)
            .field("note", .string, .required)
            .create()
        try await database.createIndex("customs_declaration_events_declaration", on: DeclarationEventModel.schema, columns: ["declaration_id", "at"])
        try await database.schema(InspectionModel.schema)
            .id()
            .field("declaration_id", .uuid, .required, .references(DeclarationModel.schema, "id"))
            .field("trader_id", .uuid, .required, .references(TraderModel.schema, "id"))
            .field("officer_id", .uuid, .required, .references("accounts", "id"))
            .field("kind", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("findings", .string, .required)
            .field("discrepancy", .bool, .required)
            .field("corrections", .string, .required)
            .field("duty_before", .int64)
            .field("duty_after", .int64)
            .create()
        try await database.createIndex("customs_inspections_trader", on: InspectionModel.schema, columns: ["trader_id", "finished_at"])
        try await database.schema(RiskCriterionModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("lane", .string, .required)
            .field("conditions", .string, .required)
            .field("valid_from", .datetime, .required)
            .field("valid_until", .datetime, .required)
            .field("active", .bool, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in [RiskCriterionModel.schema, InspectionModel.schema, DeclarationEventModel.schema, DeclarationModel.schema, CargoModel.schema,
                      ManifestModel.schema, DelegationModel.schema, TraderModel.schema, CustomsSettingModel.schema, CustomsOfficeModel.schema,
                      ExchangeRateModel.schema, TariffLineModel.schema] {
            try await database.schema(table).delete()
        }
    }
}

/// At most one live declaration covers a cargo: a unique index on `cargo_id` over the rows that are
/// neither rejected nor invalidated (partial indexes exist on SQLite and PostgreSQL alike). The
/// check before acceptance gives the clear error; this index makes it hold across nodes and races.
struct CreateCustomsCargoCoverIndex: AsyncMigration {
    static let name = "customs_declarations_cargo_live"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE UNIQUE INDEX \(ident: Self.name) ON \(ident: DeclarationModel.schema) (cargo_id)
            WHERE cargo_id IS NOT NULL AND state NOT IN ('rejected', 'invalidated')
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX \(ident: Self.name)").run()
    }
}

/// The module's settings on a new database: VAT 10 %, the standard selection rates and a new
/// random selection seed (32 bytes, kept by customs).
struct SeedCustomsSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let seed = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let rates = String(decoding: try JSONEncoder().encode(SelectivityRates.standard), as: UTF8.self)
        for (key, value) in [("vat_basis_points", "1000"), ("selectivity", rates), ("selectivity_seed", seed)] {
            let setting = CustomsSettingModel()
            setting.id = key
            setting.value = value
            try await setting.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await CustomsSettingModel.query(on: database).delete()
    }
}

