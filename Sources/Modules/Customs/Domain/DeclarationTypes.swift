import Foundation
import NaraCore

/// A goods item as the declarant sends it.
public struct DeclarationItemInput: Sendable, Codable, Equatable {
    public var hsCode: String
    public var description: String
    /// ISO 3166-1 alpha-2 country of origin.
    public var origin: String
    /// The tariff quantity in the tariff line's unit (up to 3 decimals).
    public var quantity: Decimal
    public var quantityUnit: String
    /// Kilograms, up to 3 decimals.
    public var grossMassKg: Decimal
    public var netMassKg: Decimal
    public var packages: Int
    /// UN/ECE Rec. 21 package type (CT carton, PK package, PX pallet, BX box, CS case, BG bag, DR drum).
    public var packageType: String
    /// The customs value in the invoice currency's minor units.
    public var valueMinor: Int64
    /// WTO valuation method 1-6 (1, the transaction value, when left out).
    public var valuationMethod: Int?
    /// The trade agreement claimed for a preferential rate, and the proof of origin (certificate number).
    public var preference: String?
    public var proofOfOrigin: String?
    /// The licence number, when the tariff line requires one.
    public var licenceNumber: String?

    public init(hsCode: String, description: String, origin: String, quantity: Decimal, quantityUnit: String, grossMassKg: Decimal, netMassKg: Decimal,
                packages: Int, packageType: String, valueMinor: Int64, valuationMethod: Int = 1, preference: String? = nil, proofOfOrigin: String? = nil,
                licenceNumber: String? = nil) {
        self.hsCode = hsCode
        self.description = description
        self.origin = origin
        self.quantity = quantity
        self.quantityUnit = quantityUnit
        self.grossMassKg = grossMassKg
        self.netMassKg = netMassKg
        self.packages = packages
        self.packageType = packageType
        self.valueMinor = valueMinor
        self.valuationMethod = valuationMethod
        self.preference = preference
        self.proofOfOrigin = proofOfOrigin
        self.licenceNumber = licenceNumber
    }
}

/// An import or export declaration as the declarant sends it.
public struct NewDeclaration: Sendable, Codable, Equatable {
    public var kind: String
    /// The trader's own reference, unique per trader (at most 35 characters).
    public var traderReference: String
    /// The importer or exporter (business registration number); the caller's own business when left out.
    public var trader: String?
    public var officeCode: String
    /// UN/ECE Rec. 19: 1 sea, 2 rail, 3 road, 4 air, 5 post.
    public var transportMode: Int
    /// The cargo's tracking number (화물관리번호): required for imports.
    public var cargo: String?
    public var currency: String
    public var invoiceAmountMinor: Int64
    public var invoiceNumber: String
    public var incoterm: String
    /// The consignor abroad (import) or the consignee abroad (export), and its country.
    public var counterpartName: String
    public var counterpartCountry: String
    public var items: [DeclarationItemInput]

    public init(kind: String, traderReference: String, trader: String? = nil, officeCode: String, transportMode: Int, cargo: String? = nil,
                currency: String, invoiceAmountMinor: Int64, invoiceNumber: String, incoterm: String, counterpartName: String, counterpartCountry: String,
                items: [DeclarationItemInput]) {
        self.kind = kind
        self.traderReference = traderReference
        self.trader = trader
        self.officeCode = officeCode
        self.transportMode = transportMode
        self.cargo = cargo
        self.currency = currency
        self.invoiceAmountMinor = invoiceAmountMinor
        self.invoiceNumber = invoiceNumber
        self.incoterm = incoterm
        self.counterpartName = counterpartName
        self.counterpartCountry = counterpartCountry
        self.items = items
    }
}

/// A goods item as stored and shown: quantities in thousandths, exact.
public struct DeclarationItem: Sendable, Codable, Equatable {
    public var sequence: Int
    public var hsCode: String
    public var description: String
    public var origin: String
    public var quantityMilli: Int64
    public var quantityUnit: String
    public var grossMassMilli: Int64
    public var netMassMilli: Int64
    public var packages: Int
    public var packageType: String
    public var valueMinor: Int64
    public var valuationMethod: Int
    public var preference: String?
    public var proofOfOrigin: String?
    public var licenceNumber: String?
}

/// A correction an inspection makes to one goods item (only the fields that change).
public struct ItemCorrection: Sendable, Codable, Equatable {
    public var sequence: Int
    public var hsCode: String?
    public var origin: String?
    public var valueMinor: Int64?
    public var quantity: Decimal?
    public var netMassKg: Decimal?

    public init(sequence: Int, hsCode: String? = nil, origin: String? = nil, valueMinor: Int64? = nil, quantity: Decimal? = nil, netMassKg: Decimal? = nil) {
        self.sequence = sequence
        self.hsCode = hsCode
        self.origin = origin
        self.valueMinor = valueMinor
        self.quantity = quantity
        self.netMassKg = netMassKg
    }
}

public struct DeclarationHistoryEntry: Sendable, Codable, Equatable {
    public let at: Date
    public let from: DeclarationState
    public let to: DeclarationState
    public let actor: String
    public let note: String
}

public struct InspectionView: Sendable, Codable, Equatable {
    public let id: UUID
    public let kind: String
    public let officer: String
    public let startedAt: Date
    public let finishedAt: Date?
    public let findings: String
    public let discrepancy: Bool
    public let corrections: [ItemCorrection]
    public let dutyBeforeKRW: Int64?
    public let dutyAfterKRW: Int64?
}

public struct DeclarationView: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let kind: DeclarationKind
    public let traderReference: String
    public let trader: String
    public let traderName: String
    public let declarant: String
    public let declarantName: String
    public let aeo: Bool
    public let officeCode: String
    public let transportMode: Int
    public let cargo: String?
    public let currency: String
    public let invoiceAmountMinor: Int64
    public let invoiceNumber: String
    public let incoterm: String
    public let counterpartName: String
    public let counterpartCountry: String
    public let items: [DeclarationItem]
    public let state: DeclarationState
    public let lane: Lane?
    /// Criteria hits and the random draw: shown to officers only (nil for the trader).
    public let laneDecision: LaneDecision?
    public let assessment: Assessment?
    public let amountDueKRW: Int64
    public let paymentReference: String?
    public let auditRequired: Bool
    public let times: ReleaseTimes
    public let reason: String?
    public let history: [DeclarationHistoryEntry]
    public let inspections: [InspectionView]
    public let documentID: UUID?
}

/// A trader as customs knows it.
public struct TraderView: Sendable, Codable, Equatable {
    public let id: UUID
    public let businessNumber: String
    public let name: String
    public let roles: [String]
    public let aeo: Bool
    public let aeoGrade: String?
    public let status: String
}

/// One step of a cargo's journey, public on the tracking page.
public struct CargoEvent: Sendable, Codable, Equatable {
    public let at: Date
    public let status: String
    public let place: String
    public let note: String
}

public struct CargoView: Sendable, Codable, Equatable {
    public let trackingNumber: String
    public let billOfLading: String
    public let manifest: String
    public let vessel: String
    public let voyage: String
    public let port: String
    public let mode: Int
    public let kind: String
    public let description: String
    public let packages: Int
    public let grossMassKg: String
    public let status: String
    public let events: [CargoEvent]
    /// The declarations covering it: number, state and lane (no amounts, no parties).
    public let declarations: [CargoDeclarationLine]
}

public struct CargoDeclarationLine: Sendable, Codable, Equatable {
    public let number: String
    /// The state as the public sees it: a declaration waiting for the office reads
    /// `in_examination`, whether its documents are checked or its goods inspected (the lane stays
    /// with customs and the parties); from the assessment on, the declaration's own state.
    public let state: String
    public let releasedAt: Date?
}

extension DeclarationState {
    /// The state shown on the public cargo tracking, which never tells the lane.
    public var publicName: String {
        switch self {
        case .submitted, .accepted, .laneAssigned, .documentsRequested, .underInspection: "in_examination"
        default: rawValue
        }
    }
}
