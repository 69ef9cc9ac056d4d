import FluentKit
import Foundation

final class HouseholdModel: Model, @unchecked Sendable {
    static let schema = "registries_households"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "address") var address: String
    @Field(key: "postal_code") var postalCode: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class PersonModel: Model, @unchecked Sendable {
    static let schema = "registries_persons"

    @ID(key: .id) var id: UUID?
    @Field(key: "national_id_cipher") var nationalIDCipher: String
    @Field(key: "national_id_hash") var nationalIDHash: String
    @Field(key: "national_id_masked") var nationalIDMasked: String
    @Field(key: "name") var name: String
    @Field(key: "birth_date") var birthDate: String
    @Field(key: "sex") var sex: String
    @Parent(key: "household_id") var household: HouseholdModel
    @Field(key: "relationship") var relationship: String
    @Field(key: "status") var status: String
    @OptionalField(key: "closed_reason") var closedReason: String?
    @Field(key: "registered_on") var registeredOn: String
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class AddressModel: Model, @unchecked Sendable {
    static let schema = "registries_addresses"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: PersonModel
    @Field(key: "address") var address: String
    @Field(key: "postal_code") var postalCode: String
    @Field(key: "moved_in") var movedIn: String
    @OptionalField(key: "moved_out") var movedOut: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class BusinessModel: Model, @unchecked Sendable {
    static let schema = "registries_businesses"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_number") var businessNumber: String
    @Field(key: "name") var name: String
    @Field(key: "representative_name") var representativeName: String
    /// Look-up hash of the representative's resident number, linking the business to the person.
    @OptionalField(key: "representative_ref") var representativeRef: String?
    @Field(key: "address") var address: String
    @Field(key: "industry_code") var industryCode: String
    @Field(key: "status") var status: String
    @Field(key: "opened_on") var openedOn: String
    @OptionalField(key: "suspended_on") var suspendedOn: String?
    @OptionalField(key: "closed_on") var closedOn: String?
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class VehicleModel: Model, @unchecked Sendable {
    static let schema = "registries_vehicles"

    @ID(key: .id) var id: UUID?
    @Field(key: "plate") var plate: String
    @Field(key: "vin") var vin: String
    /// `person` (owner_ref is the resident-number look-up hash) or `business` (the business number).
    @Field(key: "owner_kind") var ownerKind: String
    @Field(key: "owner_ref") var ownerRef: String
    @Field(key: "owner_name") var ownerName: String
    @Field(key: "model") var model: String
    @Field(key: "model_year") var modelYear: Int
    @Field(key: "first_registered") var firstRegistered: String
    @OptionalField(key: "last_inspection") var lastInspection: String?
    @Field(key: "next_inspection") var nextInspection: String
    @Field(key: "status") var status: String
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class LienModel: Model, @unchecked Sendable {
    static let schema = "registries_vehicle_liens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "vehicle_id") var vehicle: VehicleModel
    @Field(key: "creditor") var creditor: String
    @Field(key: "amount_minor") var amountMinor: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "registered_on") var registeredOn: String
    @OptionalField(key: "released_on") var releasedOn: String?

    init() {}
}

/// One change of one record: what it was before, what it became, who and why.
final class ChangeModel: Model, @unchecked Sendable {
    static let schema = "registries_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "registry") var registry: String
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "action") var action: String
    @OptionalField(key: "before") var before: String?
    @Field(key: "after") var after: String
    @Field(key: "reason") var reason: String
    @Field(key: "changed_by") var changedBy: String
    @Field(key: "changed_at") var changedAt: Date

    init() {}
}
