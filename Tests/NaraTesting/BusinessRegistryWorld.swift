import FluentKit
import Foundation
import NaraCore
@testable import Exchange
@testable import Registries

/// The businesses a service checks through the exchange: the finance ministry and the National
/// Tax Service keeping the business registry, business accounts (`acme` from the fixtures plus
/// the ones given) each registered there (those in `closed` closed since 2026-06-30), and a
/// grant of `business.status` to the consumer agency, which is created under the ministry.
public enum BusinessRegistryWorld {
    public static func create(_ platform: Platform, consumer: (code: String, nameEN: String, nameKO: String),
                              businesses: [(username: String, firstNine: String)], closed: Set<String> = []) async throws {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test")
        _ = try await identity.createAgency(NewAgency(code: "1051000", nameEN: "Ministry of Economy and Finance", nameKO: "기획재정부", kind: .ministry,
                                                      parentCode: nil), by: actor, on: db)
        let nts = try await identity.createAgency(NewAgency(code: "1210000", nameEN: "National Tax Service", nameKO: "국세청", kind: .agency, parentCode: "1051000"),
                                                  by: actor, on: db)
        _ = try await identity.createAgency(NewAgency(code: consumer.code, nameEN: consumer.nameEN, nameKO: consumer.nameKO, kind: .agency, parentCode: "1051000"),
                                            by: actor, on: db)
        for business in businesses {
            let digits = business.firstNine + String(BusinessNumber.checkDigit(business.firstNine)!)
            _ = try await identity.createAccount(NewAccount(username: business.username, password: Fixtures.password, displayName: business.username.capitalized,
                                                            kind: .business, businessNumber: digits, businessName: business.username.capitalized + " Co.",
                                                            email: "\(business.username)@example.kr"), by: actor, on: db)
        }
        let registry = RegistryService(platform: platform)
        for username in ["acme"] + businesses.map(\.username) {
            guard let account = try await identity.account(username: username, on: db), let number = account.businessNumber else {
                throw NaraError.notFound("The business account \(username)")
            }
            let record = try await registry.createBusiness(NewBusiness(businessNumber: number, name: (account.businessName ?? username) + " 상사",
                                                                       representativeName: "Kim", representativeNationalID: nil, address: "Seoul",
                                                                       industryCode: "46510", openedOn: "2020-01-01"), by: actor, on: db)
            if closed.contains(username) {
                _ = try await registry.changeBusiness(id: record.id, BusinessChange(status: "closed", effectiveOn: "2026-06-30", reason: "Closed"), by: actor, on: db)
            }
        }
        _ = try await ExchangeModule.service(platform).grant(NewGrant(informationType: "business.status", consumerAgency: consumer.code, consumerSystemId: nil,
                                                                      legalBasis: LegalBasis.sharedUseByStatute.code, validFrom: "2026-01-01", validUntil: "2027-12-31"),
                                                             providerAgencyID: nts.id, by: actor)
    }
}
