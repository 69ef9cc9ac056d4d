import Foundation
import NaraCore

/// What screens, the API and information providers see of a registry record. Resident numbers
/// appear only masked.
public struct PersonRecord: Sendable, Codable, Equatable {
    public let id: UUID
    public let nationalIDMasked: String
    public let name: String
    public let birthDate: String
    public let sex: String
    public let householdNumber: String
    public let relationship: String
    public let address: String
    public let postalCode: String
    public let movedIn: String
    public let status: String
    public let closedReason: String?
    public let registeredOn: String
    public let version: Int
}

public struct AddressEntry: Sendable, Codable, Equatable {
    public let address: String
    public let postalCode: String
    public let movedIn: String
    public let movedOut: String?
}

public struct HouseholdMember: Sendable, Codable, Equatable {
    public let name: String
    public let relationship: String
    public let birthDate: String
}

public struct BusinessRecord: Sendable, Codable, Equatable {
    public let id: UUID
    public let businessNumber: String
    public let name: String
    public let representativeName: String
    public let address: String
    public let industryCode: String
    public let status: String
    public let openedOn: String
    public let suspendedOn: String?
    public let closedOn: String?
    public let version: Int
}

public struct LienRecord: Sendable, Codable, Equatable {
    public let id: UUID
    public let creditor: String
    public let amountMinor: Int64
    public let currency: String
    public let registeredOn: String
    public let releasedOn: String?
}

public struct VehicleRecord: Sendable, Codable, Equatable {
    public let id: UUID
    public let plate: String
    public let vin: String
    public let ownerKind: String
    public let ownerName: String
    public let model: String
    public let modelYear: Int
    public let firstRegistered: String
    public let lastInspection: String?
    public let nextInspection: String
    public let status: String
    public let liens: [LienRecord]
    public let version: Int
}

public struct ChangeEntry: Sendable, Codable, Equatable {
    public let version: Int
    public let action: String
    public let before: String?
    public let after: String
    public let reason: String
    public let changedBy: String
    public let changedAt: Date
}

// MARK: Inputs

public struct NewPerson: Sendable, Codable {
    public var nationalID: String
    public var name: String
    /// An existing household to join; without it a new household is formed at `address`.
    public var householdNumber: String?
    public var relationship: String
    public var address: String?
    public var postalCode: String?
    public var movedIn: String

    public init(nationalID: String, name: String, householdNumber: String?, relationship: String, address: String?, postalCode: String?, movedIn: String) {
        self.nationalID = nationalID
        self.name = name
        self.householdNumber = householdNumber
        self.relationship = relationship
        self.address = address
        self.postalCode = postalCode
        self.movedIn = movedIn
    }
}

/// A move-in report: the person joins an existing household, or forms a new one at an address.
public struct MoveIn: Sendable, Codable {
    public var householdNumber: String?
    public var address: String?
    public var postalCode: String?
    public var relationship: String
    public var movedIn: String
    public var reason: String

    public init(householdNumber: String?, address: String?, postalCode: String?, relationship: String, movedIn: String, reason: String) {
        self.householdNumber = householdNumber
        self.address = address
        self.postalCode = postalCode
        self.relationship = relationship
        self.movedIn = movedIn
        self.reason = reason
    }
}

public struct NewBusiness: Sendable, Codable {
    public var businessNumber: String
    public var name: String
    public var representativeName: String
    public var representativeNationalID: String?
    public var address: String
    public var industryCode: String
    public var openedOn: String

    public init(businessNumber: String, name: String, representativeName: String, representativeNationalID: String?, address: String,
                industryCode: String, openedOn: String) {
        self.businessNumber = businessNumber
        self.name = name
        self.representativeName = representativeName
        self.representativeNationalID = representativeNationalID
        self.address = address
        self.industryCode = industryCode
        self.openedOn = openedOn
    }
}

public struct BusinessChange: Sendable, Codable {
    public var name: String?
    public var representativeName: String?
    public var representativeNationalID: String?
    public var address: String?
    public var industryCode: String?
    /// `active`, `suspended` or `closed`, with the date it takes effect.
    public var status: String?
    public var effectiveOn: String?
    public var reason: String

    public init(name: String? = nil, representativeName: String? = nil, representativeNationalID: String? = nil, address: String? = nil,
                industryCode: String? = nil, status: String? = nil, effectiveOn: String? = nil, reason: String) {
        self.name = name
        self.representativeName = representativeName
        self.representativeNationalID = representativeNationalID
        self.address = address
        self.industryCode = industryCode
        self.status = status
        self.effectiveOn = effectiveOn
        self.reason = reason
    }
}

public struct NewVehicle: Sendable, Codable {
    public var plate: String
    public var vin: String
    public var ownerNationalID: String?
    public var ownerBusinessNumber: String?
    public var ownerName: String
    public var model: String
    public var modelYear: Int
    public var firstRegistered: String
    public var lastInspection: String?
    public var nextInspection: String

    public init(plate: String, vin: String, ownerNationalID: String?, ownerBusinessNumber: String?, ownerName: String, model: String, modelYear: Int,
                firstRegistered: String, lastInspection: String?, nextInspection: String) {
        self.plate = plate
        self.vin = vin
        self.ownerNationalID = ownerNationalID
        self.ownerBusinessNumber = ownerBusinessNumber
        self.ownerName = ownerName
        self.model = model
        self.modelYear = modelYear
        self.firstRegistered = firstRegistered
        self.lastInspection = lastInspection
        self.nextInspection = nextInspection
    }
}

public struct VehicleChange: Sendable, Codable {
    /// A new owner (transfer): either a resident number or a business number, with the name.
    public var ownerNationalID: String?
    public var ownerBusinessNumber: String?
    public var ownerName: String?
    public var lastInspection: String?
    public var nextInspection: String?
    public var reason: String

    public init(ownerNationalID: String? = nil, ownerBusinessNumber: String? = nil, ownerName: String? = nil, lastInspection: String? = nil,
                nextInspection: String? = nil, reason: String) {
        self.ownerNationalID = ownerNationalID
        self.ownerBusinessNumber = ownerBusinessNumber
        self.ownerName = ownerName
        self.lastInspection = lastInspection
        self.nextInspection = nextInspection
        self.reason = reason
    }
}

public struct NewLien: Sendable, Codable {
    public var creditor: String
    public var amountMinor: Int64
    public var registeredOn: String
    public var reason: String

    public init(creditor: String, amountMinor: Int64, registeredOn: String, reason: String) {
        self.creditor = creditor
        self.amountMinor = amountMinor
        self.registeredOn = registeredOn
        self.reason = reason
    }
}

public struct Closure: Sendable, Codable {
    public var effectiveOn: String
    public var reason: String

    public init(effectiveOn: String, reason: String) {
        self.effectiveOn = effectiveOn
        self.reason = reason
    }
}
