import Foundation

/// Open Contracting Data Standard 1.1.5 release, as Nara publishes it. Optional fields that are nil
/// are left out of the JSON.
struct OCDSRelease: Codable, Sendable {
    var ocid: String
    var id: String
    var date: String
    var tag: [String]
    var initiationType = "tender"
    var language = "en"
    var parties: [OCDSParty]
    var buyer: OCDSOrganizationReference
    var planning: OCDSPlanning?
    var tender: OCDSTender
    var awards: [OCDSAward]?
    var contracts: [OCDSContract]?
    /// The bid extension's statistics and details: present only after the opening.
    var bids: OCDSBids?
}

struct OCDSOrganizationReference: Codable, Sendable {
    var id: String
    var name: String
}

struct OCDSIdentifier: Codable, Sendable {
    var scheme: String
    var id: String
    var legalName: String
}

struct OCDSAddress: Codable, Sendable {
    var countryName: String
}

struct OCDSParty: Codable, Sendable {
    var id: String
    var name: String
    var identifier: OCDSIdentifier
    var address: OCDSAddress
    var roles: [String]
}

struct OCDSValue: Codable, Sendable {
    var amount: Int64
    var currency: String
}

struct OCDSPeriod: Codable, Sendable {
    var startDate: String?
    var endDate: String?
}

struct OCDSBudget: Codable, Sendable {
    var description: String?
    var amount: OCDSValue
}

struct OCDSPlanning: Codable, Sendable {
    var rationale: String?
    var budget: OCDSBudget?
}

struct OCDSClassification: Codable, Sendable {
    var scheme: String
    var id: String
    var description: String
}

struct OCDSUnit: Codable, Sendable {
    var scheme = "UNCEFACT"
    var id: String
    var name: String
}

struct OCDSItem: Codable, Sendable {
    var id: String
    var description: String
    var classification: OCDSClassification
    var quantity: Double
    var unit: OCDSUnit
}

struct OCDSDocument: Codable, Sendable {
    var id: String
    var documentType: String?
    var title: String
    var url: String
    var datePublished: String?
    var format: String?
    var language: String?
}

struct OCDSAmendment: Codable, Sendable {
    var id: String
    var date: String
    var rationale: String
    var description: String
}

struct OCDSTender: Codable, Sendable {
    var id: String
    var title: String
    var description: String
    var status: String
    var procuringEntity: OCDSOrganizationReference
    var items: [OCDSItem]
    var value: OCDSValue
    var procurementMethod: String
    var procurementMethodDetails: String
    var mainProcurementCategory: String
    var awardCriteria: String
    var awardCriteriaDetails: String
    var submissionMethod: [String]
    var submissionMethodDetails: String
    var tenderPeriod: OCDSPeriod?
    var enquiryPeriod: OCDSPeriod?
    var hasEnquiries: Bool
    var eligibilityCriteria: String
    var awardPeriod: OCDSPeriod?
    var numberOfTenderers: Int?
    var tenderers: [OCDSOrganizationReference]?
    var documents: [OCDSDocument]
    var amendments: [OCDSAmendment]?
}

struct OCDSAward: Codable, Sendable {
    var id: String
    var title: String
    var description: String?
    var status: String
    var date: String
    var value: OCDSValue
    var suppliers: [OCDSOrganizationReference]
    var items: [OCDSItem]
}

struct OCDSTransaction: Codable, Sendable {
    var id: String
    var source: String?
    var date: String
    var value: OCDSValue
    var payer: OCDSOrganizationReference
    var payee: OCDSOrganizationReference
    var uri: String?
}

struct OCDSImplementation: Codable, Sendable {
    var transactions: [OCDSTransaction]
}

struct OCDSContract: Codable, Sendable {
    var id: String
    var awardID: String
    var title: String
    var status: String
    var period: OCDSPeriod
    var value: OCDSValue
    var items: [OCDSItem]
    var dateSigned: String?
    var documents: [OCDSDocument]?
    var amendments: [OCDSAmendment]?
    var implementation: OCDSImplementation?
}

struct OCDSBidStatistic: Codable, Sendable {
    var id: String
    var measure: String
    var value: Double
    var date: String
    var relatedLot: String?
}

struct OCDSBidDetail: Codable, Sendable {
    var id: String
    var date: String
    var status: String
    var tenderers: [OCDSOrganizationReference]
    var value: OCDSValue?
}

struct OCDSBids: Codable, Sendable {
    var statistics: [OCDSBidStatistic]
    var details: [OCDSBidDetail]
}

struct OCDSPublisher: Codable, Sendable {
    var name: String
    var uri: String?
}

struct OCDSLinks: Codable, Sendable {
    var next: String?
}

struct OCDSReleasePackage: Codable, Sendable {
    var uri: String
    var version = "1.1"
    var publishedDate: String
    var publisher: OCDSPublisher
    var license: String
    var publicationPolicy: String
    var releases: [OCDSRelease]
    var links: OCDSLinks?
}

struct OCDSRecord: Codable, Sendable {
    var ocid: String
    var releases: [OCDSRelease]
    var compiledRelease: OCDSRelease
}

struct OCDSRecordPackage: Codable, Sendable {
    var uri: String
    var version = "1.1"
    var publishedDate: String
    var publisher: OCDSPublisher
    var license: String
    var publicationPolicy: String
    var packages: [String]
    var records: [OCDSRecord]
}
