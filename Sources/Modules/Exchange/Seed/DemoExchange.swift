import FluentKit
import Foundation
import NaraCore

/// The demo exchange: stewards and requesters, grants in each state, consents given and
/// withdrawn, and a year of look-ups about the demo citizens (one deferred, one refused).
enum DemoExchange {
    static let welfareSystemSecret = "nara_cs_demo-seoul-welfare-2026"

    static func seed(_ context: DemoSeedContext) async throws {
        let platform = context.platform
        let db = context.db
        let actor = context.actor
        guard let service = platform.contracts.first((any EvidenceService).self) as? ExchangeService else { return }
        func agency(_ code: String) throws -> AgencySummary {
            guard let agency = context.agencies[code] else { throw NaraError.notFound("Demo agency \(code)") }
            return agency
        }
        func account(_ username: String) throws -> AccountSummary {
            guard let account = context.accounts[username] else { throw NaraError.notFound("Demo account \(username)") }
            return account
        }

        // Stewards of the providers; requesters of the consumers.
        for username in ["official.mois", "official.nts", "official.molit"] {
            try await platform.identity.grantRole(accountID: try account(username).id, role: "exchange-steward", by: actor, on: db)
        }
        for username in ["official.seoul", "official.jongno", "official.nts", "official.pps", "official.kcs", "official.seoul-customs", "official.acrc"] {
            try await platform.identity.grantRole(accountID: try account(username).id, role: "exchange-requester", by: actor, on: db)
        }
        // The Seoul welfare back office asks for resident abstracts with the applicants' consent.
        let welfare = try await platform.identity.createAgencySystem(agencyCode: "6110000", name: "Seoul welfare benefits back office",
                                                                     permissions: [ExchangeModule.requestPermission], fixedSecret: welfareSystemSecret,
                                                                     by: actor, on: db)

        let today = platform.calendar.today
        let from = today.adding(days: -330).description
        let until = today.adding(days: 400).description
        func grant(_ type: String, from provider: String, to consumer: String, _ basis: LegalBasis, system: UUID? = nil,
                   validFrom: String = from, validUntil: String = until) async throws -> GrantInfo {
            try await service.grant(NewGrant(informationType: type, consumerAgency: consumer, consumerSystemId: system, legalBasis: basis.code,
                                             validFrom: validFrom, validUntil: validUntil),
                                    providerAgencyID: try agency(provider).id, by: actor, on: db, recordingPast: true)
        }
        _ = try await grant("resident.abstract", from: "1741000", to: "6110000", .sharedUseWithConsent)
        _ = try await grant("resident.abstract", from: "1741000", to: "1210000", .sharedUseByStatute)
        _ = try await grant("resident.abstract", from: "1741000", to: "3000000", .sharedUseWithConsent)
        _ = try await grant("business.status", from: "1210000", to: "1230000", .sharedUseByStatute)
        _ = try await grant("business.status", from: "1210000", to: "1220000", .sharedUseByStatute)
        _ = try await grant("vehicle.registration", from: "1613000", to: "3000000", .sharedUseByStatute)
        _ = try await grant("vehicle.registration", from: "1613000", to: "1220000", .criminalInvestigation)
        // What Government24 applications look up with the applicant's consent, and the tax office's own registry.
        _ = try await grant("vehicle.registration", from: "1613000", to: "3000000", .sharedUseWithConsent)
        _ = try await grant("resident.abstract", from: "1741000", to: "1210110", .sharedUseWithConsent)
        _ = try await grant("business.status", from: "1210000", to: "1210110", .sharedUseByStatute)
        // An expired grant and a revoked one.
        _ = try await grant("business.status", from: "1210000", to: "6110000", .sharedUseByStatute,
                            validFrom: today.adding(days: -700).description, validUntil: today.adding(days: -335).description)
        let revoked = try await grant("resident.abstract", from: "1741000", to: "1140100", .sharedUseWithConsent)

        // Consents: Kim Minji for Seoul's youth housing subsidy (active) and Jongno-gu's resident
        // parking permit (withdrawn); Lee Junho for Seoul (active).
        let minji = try account("kim.minji")
        let junho = try account("lee.junho")
        let housing = "Youth housing subsidy application 청년월세 지원 신청"
        let parking = "Resident parking permit 거주자우선주차 신청"
        let minjiHousing = try await service.giveConsent(accountID: minji.id, consumerAgency: "6110000", informationType: "resident.abstract", purpose: housing,
                                                         validUntil: today.adding(days: 60).description, by: .init(name: "citizen:kim.minji", agencyID: nil, requestID: nil),
                                                         on: db)
        let minjiParking = try await service.giveConsent(accountID: minji.id, consumerAgency: "3000000", informationType: "resident.abstract", purpose: parking,
                                                         validUntil: today.adding(days: 200).description, by: .init(name: "citizen:kim.minji", agencyID: nil, requestID: nil),
                                                         on: db)
        let junhoHousing = try await service.giveConsent(accountID: junho.id, consumerAgency: "6110000", informationType: "resident.abstract", purpose: housing,
                                                         validUntil: today.adding(days: 90).description, by: .init(name: "citizen:lee.junho", agencyID: nil, requestID: nil),
                                                         on: db)

        // A year of look-ups, in time order.
        let now = platform.clock.now()
        func requester(_ username: String) throws -> EvidenceRequester {
            let official = try account(username)
            return EvidenceRequester(agencyID: official.agencyID!, actorName: "official:\(official.id.uuidString.lowercased())", displayName: official.displayName,
                                     systemID: nil)
        }
        let welfareRequester = EvidenceRequester(agencyID: try agency("6110000").id, actorName: "system:\(welfare.id.uuidString.lowercased())",
                                                 displayName: "Seoul welfare benefits back office", systemID: welfare.id)
        func person(_ username: String) throws -> ExchangeSubject {
            let seed = DemoSeed.citizens.first { $0.username == username }!
            return ExchangeSubject(.person(try NationalID(DemoSeed.nationalID(seed))))
        }
        func business(_ username: String) throws -> ExchangeSubject {
            let seed = DemoSeed.businesses.first { $0.username == username }!
            return ExchangeSubject(.business(try BusinessNumber(DemoSeed.businessNumber(seed.firstNine))))
        }
        struct Lookup {
            let daysAgo: Int
            let who: EvidenceRequester
            let type: String
            let subject: ExchangeSubject
            let purpose: String
            let basis: LegalBasis
            var consent: String? = nil
        }
        let lookups: [Lookup] = [
            Lookup(daysAgo: 250, who: try requester("official.kcs"), type: "vehicle.registration", subject: try person("kang.dohyun"),
                   purpose: "Smuggling investigation 2026-밀수-0412", basis: .criminalInvestigation),
            Lookup(daysAgo: 200, who: try requester("official.nts"), type: "resident.abstract", subject: try person("kim.minji"),
                   purpose: "Year-end tax settlement: dependants check", basis: .sharedUseByStatute),
            Lookup(daysAgo: 120, who: try requester("official.pps"), type: "business.status", subject: try business("hanbit.construction"),
                   purpose: "Bid eligibility check, tender 20261104-001", basis: .sharedUseByStatute),
            Lookup(daysAgo: 95, who: try requester("official.jongno"), type: "vehicle.registration", subject: try person("lee.junho"),
                   purpose: "Resident parking permit renewal", basis: .sharedUseByStatute),
            Lookup(daysAgo: 60, who: try requester("official.kcs"), type: "business.status", subject: try business("daehan.trading"),
                   purpose: "Import declaration 12345-26-0001234: importer status", basis: .sharedUseByStatute),
            Lookup(daysAgo: 12, who: try requester("official.kcs"), type: "vehicle.registration", subject: try person("kim.minji"),
                   purpose: "Customs investigation 2026-관세-1187", basis: .criminalInvestigation),
            // Look-ups on today's consents, minutes ago.
            Lookup(daysAgo: 0, who: try requester("official.jongno"), type: "resident.abstract", subject: try person("kim.minji"),
                   purpose: parking, basis: .sharedUseWithConsent, consent: minjiParking.reference),
            Lookup(daysAgo: 0, who: welfareRequester, type: "resident.abstract", subject: try person("kim.minji"),
                   purpose: housing, basis: .sharedUseWithConsent, consent: minjiHousing.reference),
            Lookup(daysAgo: 0, who: welfareRequester, type: "resident.abstract", subject: try person("lee.junho"),
                   purpose: housing, basis: .sharedUseWithConsent, consent: junhoHousing.reference),
        ]
        for (index, lookup) in lookups.enumerated() {
            let at = lookup.daysAgo > 0 ? now.addingTimeInterval(-Double(lookup.daysAgo) * 86_400)
                                        : now.addingTimeInterval(-Double(lookups.count - index) * 300)
            _ = try await service.evidence(EvidenceRequest(requester: lookup.who, informationType: lookup.type, subject: lookup.subject, purpose: lookup.purpose,
                                                           legalBasis: lookup.basis.code, consentReference: lookup.consent), at: at, on: db)
        }
        // The parking consent is withdrawn afterwards; a request citing it is refused and logged.
        _ = try await service.withdrawConsent(id: minjiParking.id, accountID: minji.id, by: .init(name: "citizen:kim.minji", agencyID: nil, requestID: nil), on: db)
        do {
            _ = try await service.evidence(EvidenceRequest(requester: try requester("official.jongno"), informationType: "resident.abstract",
                                                           subject: try person("kim.minji"), purpose: parking, legalBasis: LegalBasis.sharedUseWithConsent.code,
                                                           consentReference: minjiParking.reference), at: now.addingTimeInterval(-60), on: db)
        } catch let error as NaraError where error.code == .exchangeConsentWithdrawn {}
        // Revoked after the commission's pilot ended.
        _ = try await service.revokeGrant(id: revoked.id, reason: "Pilot of the civil-petition identity check ended", providerAgencyID: try agency("1741000").id,
                                          by: actor, on: db)
    }
}
