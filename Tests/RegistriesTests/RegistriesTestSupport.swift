import Foundation
import NaraCore
import NaraTesting
@testable import Registries

/// Keeper agencies and their registrars, on top of the standard fixtures.
struct Keepers {
    let residentClerk: AccountSummary
    let businessClerk: AccountSummary
    let vehicleClerk: AccountSummary
    /// A business registrar of an agency that does not keep the business registry.
    let outsider: AccountSummary

    static func create(_ platform: Platform) async throws -> Keepers {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test")
        _ = try await identity.createAgency(NewAgency(code: "1741000", nameEN: "Ministry of the Interior and Safety", nameKO: "행정안전부", kind: .ministry, parentCode: nil), by: actor, on: db)
        _ = try await identity.createAgency(NewAgency(code: "1051000", nameEN: "Ministry of Economy and Finance", nameKO: "기획재정부", kind: .ministry, parentCode: nil), by: actor, on: db)
        _ = try await identity.createAgency(NewAgency(code: "1210000", nameEN: "National Tax Service", nameKO: "국세청", kind: .agency, parentCode: "1051000"), by: actor, on: db)
        _ = try await identity.createAgency(NewAgency(code: "1210110", nameEN: "Jongno Tax Office", nameKO: "종로세무서", kind: .office, parentCode: "1210000"), by: actor, on: db)
        _ = try await identity.createAgency(NewAgency(code: "1613000", nameEN: "Ministry of Land", nameKO: "국토교통부", kind: .ministry, parentCode: nil), by: actor, on: db)
        func clerk(_ username: String, _ agency: String, _ role: String) async throws -> AccountSummary {
            try await identity.createAccount(NewAccount(username: username, password: Fixtures.password, displayName: username, kind: .official, agencyCode: agency,
                                                        extraRoles: [role], fixedTOTPSecret: Fixtures.totpSecret), by: actor, on: db).account
        }
        return Keepers(residentClerk: try await clerk("clerk.resident", "1741000", "resident-registrar"),
                       businessClerk: try await clerk("clerk.business", "1210110", "business-registrar"),
                       vehicleClerk: try await clerk("clerk.vehicle", "1613000", "vehicle-registrar"),
                       outsider: try await clerk("clerk.outsider", "1000000", "business-registrar"))
    }
}

func registryActor(_ platform: Platform, _ account: AccountSummary) -> Actor {
    platform.identity.actor(for: account, secondFactorVerified: true)
}
