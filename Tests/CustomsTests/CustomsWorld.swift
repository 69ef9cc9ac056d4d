import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import NaraApp
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Customs
@testable import Exchange
@testable import Registries

/// The Korea Customs Service with an officer and a risk analyst, the NTS business registry with
/// a grant for customs, businesses acme, beta and a carrier (gamma is closed), two offices, a
/// tariff subset and this week's rates. Random selection is off unless a test turns it on.
struct CustomsWorld {
    let service: CustomsService
    let analyst: Actor
    let week: String

    static let tariff: [TariffLine] = [
        TariffLine(code: "8471300000", descriptionEN: "Portable computers", descriptionKO: "휴대용 컴퓨터", quantityUnit: "NAR", rate: .adValorem(0)),
        TariffLine(code: "8507600000", descriptionEN: "Lithium-ion accumulators", descriptionKO: "리튬이온 축전지", quantityUnit: "NAR", rate: .adValorem(800)),
        TariffLine(code: "4202210000", descriptionEN: "Leather handbags", descriptionKO: "가죽 핸드백", quantityUnit: "NAR", rate: .adValorem(800)),
        TariffLine(code: "2204210000", descriptionEN: "Wine", descriptionKO: "포도주", quantityUnit: "LTR", rate: .adValorem(1500),
                   preferential: [PreferentialRate(agreement: "KR-EU", origins: ["FR", "DE"], rate: .adValorem(0))]),
        TariffLine(code: "8517130000", descriptionEN: "Smartphones", descriptionKO: "스마트폰", quantityUnit: "NAR", rate: .adValorem(0), importLicence: "Radio conformity"),
        TariffLine(code: "1211909000", descriptionEN: "Narcotic plants", descriptionKO: "마약류 식물", quantityUnit: "KGM", rate: .adValorem(0), prohibited: true),
        TariffLine(code: "1701999000", descriptionEN: "Refined sugar", descriptionKO: "정제당", quantityUnit: "KGM",
                   rate: DutyRate(basis: .higherOf, adValoremBasisPoints: 3000, specificPerUnitKRW: 200, specificUnit: "KGM")),
    ]

    static func create(_ platform: Platform) async throws -> CustomsWorld {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test")
        try await BusinessRegistryWorld.create(platform, consumer: ("1220000", "Korea Customs Service", "관세청"),
                                               businesses: [("beta", "214863001"), ("gamma", "120871234"), ("carrier", "603811028")], closed: ["gamma"])
        guard let kcs = try await identity.agency(code: "1220000", on: db) else { throw NaraError.notFound("The customs service") }
        _ = try await identity.createAccount(NewAccount(username: "officer.kcs", password: Fixtures.password, displayName: "Officer", kind: .official, agencyCode: "1220000",
                                                        extraRoles: ["customs-officer"], fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: db)
        let analystAccount = try await identity.createAccount(NewAccount(username: "analyst.kcs", password: Fixtures.password, displayName: "Analyst", kind: .official,
                                                                         agencyCode: "1220000", extraRoles: ["risk-analyst", "tariff-officer"],
                                                                         fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: db)
        let service = CustomsModule.service(platform)
        let analyst = identity.actor(for: try #require(try await identity.account(id: analystAccount.account.id, on: db)), secondFactorVerified: true)
        for (code, locode) in [("020", "KRPUS"), ("040", "KRICN")] {
            let office = CustomsOfficeModel()
            office.id = UUID()
            office.code = code
            office.nameEN = "Office \(code)"
            office.nameKO = "세관 \(code)"
            office.locode = locode
            office.agencyID = kcs.id
            try await office.create(on: db)
        }
        for line in tariff { _ = try await service.saveTariffLine(line, by: analyst, requestID: nil) }
        let week = service.rateWeek(of: platform.clock.now())
        for (currency, rate) in [("USD", Int64(138_520)), ("EUR", 145_230), ("JPY", 921)] {
            try await service.setExchangeRate(currency: currency, weekStart: week, rateHundredths: rate, by: analyst, requestID: nil)
        }
        try await service.setSelectivity(SelectivityRates(red: 0, yellow: 0, blue: 0, aeoRed: 0, aeoYellow: 0, aeoBlue: 0), by: analyst, requestID: nil)
        return CustomsWorld(service: service, analyst: analyst, week: week)
    }

    /// A trader's token after its registration (`roles` as given).
    static func trader(_ client: some TestClientProtocol, _ username: String, roles: String = "") async throws -> String {
        let token = try await client.token(username)
        let body = roles.isEmpty ? "{}" : "{\"roles\":[\(roles)]}"
        let registered = try await client.api(.post, "/api/v1/customs/traders", token: token, json: body)
        #expect(registered.status == .created, "\(registered.text)")
        return token
    }

    static func officer(_ client: some TestClientProtocol, _ harness: TestHarness, _ username: String = "officer.kcs") async throws -> String {
        try await client.token(username, totp: harness.fixtures.totp(at: harness.clock.now()))
    }

    /// The customs world with its usual parties: the trader acme, a KCS officer and a licensed carrier (tokens).
    static func parties(_ client: some TestClientProtocol, _ harness: TestHarness) async throws -> (CustomsWorld, acme: String, officer: String, carrier: String) {
        let world = try await create(harness.platform)
        let acme = try await trader(client, "acme")
        let officer = try await officer(client, harness)
        return (world, acme, officer, try await carrier(client, officer: officer, harness))
    }

    /// The carrier's token: registered as a business, then given the licensed carrier role by a
    /// customs officer.
    static func carrier(_ client: some TestClientProtocol, officer: String, _ harness: TestHarness, _ username: String = "carrier") async throws -> String {
        let token = try await trader(client, username)
        let number = try #require(try await harness.platform.identity.account(username: username, on: harness.db)?.businessNumber)
        let granted = try await client.api(.put, "/api/v1/customs/traders/\(number)/roles", token: officer,
                                           json: #"{"roles":["carrier"]}"#)
        #expect(granted.status == .ok, "\(granted.text)")
        return token
    }

    /// An export of `items` laptops lines (value 10,000 USD each), or an import with `cargo`.
    static func declaration(kind: String = "export", reference: String, cargo: String? = nil, items: String? = nil, currency: String = "USD",
                            total: Int64? = nil, counterpart: String = "US", extra: String = "") -> String {
        let list = items ?? """
            [{"hsCode":"8471300000","description":"Notebook computers","origin":"KR","quantity":100,"quantityUnit":"NAR","grossMassKg":250.5,
              "netMassKg":230.25,"packages":10,"packageType":"CT","valueMinor":1000000}]
            """
        let amount = total ?? 1_000_000
        return """
            {"kind":"\(kind)","traderReference":"\(reference)","officeCode":"020","transportMode":1,\(cargo.map { "\"cargo\":\"\($0)\"," } ?? "")
             "currency":"\(currency)","invoiceAmountMinor":\(amount),"invoiceNumber":"INV-\(reference)","incoterm":"FOB","counterpartName":"Pacific Retail LLC",
             "counterpartCountry":"\(counterpart)","items":\(list)\(extra)}
            """
    }

    /// One item of French red wine, 1,440,000 EUR cents (15 % duty).
    static let wine = """
        [{"hsCode":"2204210000","description":"Red wine, 750 ml","origin":"FR","quantity":900,"quantityUnit":"LTR","grossMassKg":1520,"netMassKg":900,
          "packages":100,"packageType":"CT","valueMinor":1440000}]
        """

    /// A criterion that sends wine (HS 2204) to the documents lane.
    func wineOnTheDocumentsLane() async throws {
        _ = try await service.saveCriterion(NewRiskCriterion(code: "RC-WINE", name: "Wine", lane: "yellow", conditions: [RiskCondition(.hsPrefix, values: ["2204"])],
                                                             validFrom: nil, validUntil: "2027-12-31T00:00:00Z", active: true), by: analyst, requestID: nil)
    }

    /// A manifest with one bill of lading from the carrier; returns the cargo tracking number.
    static func cargo(_ client: some TestClientProtocol, _ carrier: String, consignee: String = "Acme", description: String = "Leather handbags") async throws -> String {
        let manifest = try await client.api(.post, "/api/v1/customs/manifests", token: carrier, json: """
            {"kind":"import","mode":1,"vessel":"HMM ALGECIRAS","voyage":"0042W","port":"KRPUS","scheduledAt":"2026-11-25T00:00:00Z",
             "bills":[{"billOfLading":"HMMU0001","shipper":"Guangzhou Co.","consignee":"\(consignee)","description":"\(description)","packages":40,"grossMassKg":620}]}
            """)
        #expect(manifest.status == .created, "\(manifest.text)")
        return try #require((manifest.jsonObject["cargo"] as? [String])?.first)
    }
}
