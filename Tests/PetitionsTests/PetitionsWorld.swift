import FluentKit
import Foundation
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

/// The coordinating commission, Seoul, Jongno-gu, the tax service and the land ministry, each with
/// a complaints officer; Jongno-gu and the commission also with an approver.
struct PetitionsWorld {
    let service: PetitionsService
    let platform: Platform

    static let agencies = [("1140100", "Anti-Corruption and Civil Rights Commission"), ("6110000", "Seoul Metropolitan Government"),
                           ("3000000", "Jongno-gu Office"), ("1210000", "National Tax Service"), ("1613000", "Ministry of Land")]
    /// username → (agency, role)
    static let officials = [("acrc", "1140100", "complaints-approver"), ("seoul", "6110000", "complaints-officer"), ("jongno", "3000000", "complaints-officer"),
                            ("jongno.lead", "3000000", "complaints-approver"), ("nts", "1210000", "complaints-officer"), ("molit", "1613000", "complaints-officer")]

    static func create(_ platform: Platform) async throws -> PetitionsWorld {
        let identity = platform.identity
        let actor = AuditActor.system("test")
        for (code, name) in agencies {
            _ = try await identity.createAgency(NewAgency(code: code, nameEN: name, nameKO: name, kind: .ministry, parentCode: nil), by: actor, on: platform.db)
        }
        for (username, agency, role) in officials {
            _ = try await identity.createAccount(NewAccount(username: username, password: Fixtures.password, displayName: username.capitalized, kind: .official,
                                                            agencyCode: agency, extraRoles: [role], fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: platform.db)
        }
        return PetitionsWorld(service: PetitionsModule.service(platform), platform: platform)
    }

    func actor(_ username: String) async throws -> Actor {
        let account = try #require(try await platform.identity.account(username: username, on: platform.db))
        return platform.identity.actor(for: account, secondFactorVerified: true)
    }

    static func official(_ client: some TestClientProtocol, _ harness: TestHarness, _ username: String) async throws -> String {
        try await client.token(username, totp: harness.fixtures.totp(at: harness.clock.now()))
    }

    static func complaint(type: String = "grievance", category: String? = "roads", title: String = "Pothole on Jongno-ro",
                          body: String = "A deep pothole in the bus lane near exit 5.", location: String? = "서울특별시 종로구 종로 129", extra: String = "") -> String {
        var fields = ["\"type\":\"\(type)\"", "\"title\":\"\(title)\"", "\"body\":\"\(body)\""]
        if let category { fields.append("\"category\":\"\(category)\"") }
        if let location { fields.append("\"location\":\"\(location)\"") }
        return "{" + fields.joined(separator: ",") + extra + "}"
    }
}
