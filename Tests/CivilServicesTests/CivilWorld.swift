import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import CivilServices
@testable import Exchange
@testable import Registries

/// The agencies of the demo catalogue with their civil officers, the registry keepers with grants
/// for the look-ups applications make, and the fixture citizens registered as residents.
struct CivilWorld {
    let service: CivilService
    let jongno: AgencySummary
    let seoul: AgencySummary
    let taxOffice: AgencySummary

    static let officials = ["clerk.jongno": "3000000", "clerk.seoul": "6110000", "clerk.tax": "1210110"]

    static func create(_ platform: Platform) async throws -> CivilWorld {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test")
        func agency(_ code: String, _ en: String, _ ko: String, _ kind: AgencyKind, _ parent: String?) async throws -> AgencySummary {
            try await identity.createAgency(NewAgency(code: code, nameEN: en, nameKO: ko, kind: kind, parentCode: parent), by: actor, on: db)
        }
        _ = try await agency("1741000", "Ministry of the Interior and Safety", "행정안전부", .ministry, nil)
        _ = try await agency("1613000", "Ministry of Land, Infrastructure and Transport", "국토교통부", .ministry, nil)
        _ = try await agency("1051000", "Ministry of Economy and Finance", "기획재정부", .ministry, nil)
        _ = try await agency("1210000", "National Tax Service", "국세청", .agency, "1051000")
        let taxOffice = try await agency("1210110", "Jongno Tax Office", "종로세무서", .office, "1210000")
        let seoul = try await agency("6110000", "Seoul Metropolitan Government", "서울특별시", .ministry, nil)
        let jongno = try await agency("3000000", "Jongno-gu Office", "종로구청", .agency, "6110000")
        for (username, code) in officials {
            _ = try await identity.createAccount(NewAccount(username: username, password: Fixtures.password, displayName: username, kind: .official,
                                                            agencyCode: code, extraRoles: ["civil-officer"], fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: db)
        }
        let registry = RegistryService(platform: platform)
        let alice = try await registry.createPerson(NewPerson(nationalID: "900101-2345678", name: "김앨리스", householdNumber: nil, relationship: "head",
                                                              address: "서울특별시 종로구 자하문로 45", postalCode: "03044", movedIn: "2024-03-01"), by: actor, on: db)
        _ = try await registry.createPerson(NewPerson(nationalID: "850505-1234561", name: "이밥", householdNumber: alice.householdNumber, relationship: "spouse",
                                                      address: nil, postalCode: nil, movedIn: "2024-03-01"), by: actor, on: db)
        let exchange = ExchangeModule.service(platform)
        let ministry = try #require(try await identity.agency(code: "1741000", on: db))
        let molit = try #require(try await identity.agency(code: "1613000", on: db))
        for consumer in ["3000000", "1210110", "6110000"] {
            _ = try await exchange.grant(NewGrant(informationType: "resident.abstract", consumerAgency: consumer, consumerSystemId: nil,
                                                  legalBasis: LegalBasis.sharedUseWithConsent.code, validFrom: "2026-01-01", validUntil: "2027-12-31"),
                                         providerAgencyID: ministry.id, by: actor)
        }
        _ = try await exchange.grant(NewGrant(informationType: "vehicle.registration", consumerAgency: "3000000", consumerSystemId: nil,
                                              legalBasis: LegalBasis.sharedUseWithConsent.code, validFrom: "2026-01-01", validUntil: "2027-12-31"),
                                     providerAgencyID: molit.id, by: actor)
        let service = CivilServicesModule.service(platform)
        for definition in DemoCatalogue.all { try await service.publish(definition, by: actor) }
        return CivilWorld(service: service, jongno: jongno, seoul: seoul, taxOffice: taxOffice)
    }
}

extension TestClientProtocol {
    /// A token for one of the world's civil officers (with the current one-time code).
    func officerToken(_ username: String, _ harness: TestHarness) async throws -> String {
        try await token(username, totp: harness.fixtures.totp(at: harness.clock.now()))
    }

    func application(_ token: String, _ id: String) async throws -> [String: Any] {
        try await api(.get, "/api/v1/civil/applications/\(id)", token: token).jsonObject
    }

    func event(_ token: String, _ id: String, _ body: [String: Any]) async throws -> TestResponse {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await api(.post, "/api/v1/civil/applications/\(id)/events", token: token, json: json)
    }

    func draft(_ token: String, _ service: String, _ inputs: [String: String]) async throws -> String {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["service": service, "inputs": inputs]), as: UTF8.self)
        let response = try await api(.post, "/api/v1/civil/applications", token: token, json: json)
        guard response.status == .created, let id = response.jsonObject["id"] as? String else {
            throw NaraError(.unprocessable, code: .validationFailed, "draft failed: \(response.status) \(response.text)")
        }
        return id
    }

    func attach(_ token: String, _ id: String, _ requirement: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/pdf"
        return try await execute(uri: "/api/v1/civil/applications/\(id)/attachments?requirement=\(requirement)&name=\(requirement).pdf", method: .post,
                                 headers: headers, body: ByteBuffer(string: "%PDF-1.4\n% test attachment \(requirement)\n%%EOF\n"))
    }

    func submit(_ token: String, _ id: String, consent: Bool = true) async throws -> TestResponse {
        try await api(.post, "/api/v1/civil/applications/\(id)/submit", token: token, json: "{\"consent\":\(consent)}")
    }
}
