import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
@testable import Exchange
@testable import Registries

/// Provider and consumer agencies with their officials and a system, and two registered
/// residents (the fixture citizens Alice and Bob), on top of the standard fixtures.
struct World {
    let provider: AgencySummary  // Ministry of the Interior and Safety: resident.abstract
    let consumer: AgencySummary  // Seoul
    let otherConsumer: AgencySummary  // Jongno-gu
    let system: AgencySystemCredentials  // a Seoul system allowed to request
    let service: ExchangeService

    static let unregisteredNationalID = "700707-1234561"

    static func create(_ platform: Platform) async throws -> World {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test")
        let provider = try await identity.createAgency(NewAgency(code: "1741000", nameEN: "Ministry of the Interior and Safety", nameKO: "행정안전부",
                                                                 kind: .ministry, parentCode: nil), by: actor, on: db)
        let consumer = try await identity.createAgency(NewAgency(code: "6110000", nameEN: "Seoul Metropolitan Government", nameKO: "서울특별시",
                                                                 kind: .ministry, parentCode: nil), by: actor, on: db)
        let other = try await identity.createAgency(NewAgency(code: "3000000", nameEN: "Jongno-gu Office", nameKO: "종로구청", kind: .agency,
                                                              parentCode: "6110000"), by: actor, on: db)
        func official(_ username: String, _ agency: String, _ roles: [String]) async throws {
            _ = try await identity.createAccount(NewAccount(username: username, password: Fixtures.password, displayName: username, kind: .official,
                                                            agencyCode: agency, extraRoles: roles, fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: db)
        }
        try await official("steward.mois", "1741000", ["exchange-steward", "resident-registrar"])
        try await official("clerk.seoul", "6110000", ["exchange-requester"])
        try await official("clerk.jongno", "3000000", ["exchange-requester"])
        try await official("viewer.seoul", "6110000", [])
        let system = try await identity.createAgencySystem(agencyCode: "6110000", name: "Seoul welfare", permissions: [ExchangeModule.requestPermission],
                                                           by: actor, on: db)
        let registry = RegistryService(platform: platform)
        let alice = try await registry.createPerson(NewPerson(nationalID: "900101-2345678", name: "김앨리스", householdNumber: nil, relationship: "head",
                                                              address: "서울특별시 종로구 자하문로 45", postalCode: "03044", movedIn: "2024-03-01"), by: actor, on: db)
        _ = try await registry.createPerson(NewPerson(nationalID: "850505-1234561", name: "이밥", householdNumber: alice.householdNumber, relationship: "spouse",
                                                      address: nil, postalCode: nil, movedIn: "2024-03-01"), by: actor, on: db)
        return World(provider: provider, consumer: consumer, otherConsumer: other, system: system, service: ExchangeModule.service(platform))
    }

    /// A grant from the ministry to a consumer, straight through the service.
    @discardableResult
    func grant(_ platform: Platform, to consumer: String = "6110000", basis: LegalBasis = .sharedUseByStatute, type: String = "resident.abstract",
               from: String = "2026-01-01", until: String = "2027-12-31", system: UUID? = nil) async throws -> GrantInfo {
        try await service.grant(NewGrant(informationType: type, consumerAgency: consumer, consumerSystemId: system, legalBasis: basis.code, validFrom: from,
                                         validUntil: until), providerAgencyID: provider.id, by: .system("test"))
    }
}

extension TestClientProtocol {
    func systemToken(_ credentials: AgencySystemCredentials) async throws -> String {
        let response = try await api(.post, "/api/v1/auth/token", json: """
            {"grant_type":"client_credentials","client_id":"\(credentials.clientID)","client_secret":"\(credentials.clientSecret)"}
            """)
        guard let token = response.jsonObject["access_token"] as? String else { throw NaraError.forbidden("no token: \(response.text)") }
        return token
    }

    /// POST /api/v1/exchange/requests with the usual fields, overridable.
    func exchange(_ token: String, consumer: String = "6110000", type: String = "resident.abstract", nationalID: String = "900101-2345678",
                  purpose: String = "Housing benefit eligibility", basis: String = "egov-act-36-statute", consent: String? = nil) async throws -> TestResponse {
        var body: [String: Any] = ["consumerAgency": consumer, "informationType": type, "subject": ["nationalId": nationalID], "purpose": purpose,
                                   "legalBasis": basis]
        if let consent { body["consentReference"] = consent }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await api(.post, "/api/v1/exchange/requests", token: token, json: json)
    }
}

extension TestResponse {
    var problemCode: String? { jsonObject["code"] as? String }

    /// Decodes with the API's date format (ISO 8601).
    func decoded<T: Decodable>(_ type: T.Type) throws -> T { try NaraJSONDecoder.decode(type, from: Data(buffer: body)) }
}

func logOutcomes(_ platform: Platform) async throws -> [String] {
    try await LogEntryModel.query(on: platform.db).sort(\.$id).all().map(\.outcome)
}
