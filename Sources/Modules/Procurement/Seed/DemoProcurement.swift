import FluentKit
import Foundation
import NaraCore

/// Demo procurement: the demo businesses registered as suppliers, and tenders of the Public
/// Procurement Service open for bids (sealed), opened, unsuccessful and cancelled. Seeded bids go
/// through the same sealing and receipts as live ones; the history of finished tenders is dated
/// back (published ten days ago, closed an hour ago) before they are opened.
enum DemoProcurement {
    static func seed(_ seed: DemoSeedContext) async throws {
        let platform = seed.platform
        let db = seed.db
        let service = ProcurementModule.service(platform)
        guard let officerSummary = seed.accounts["official.pps"] else { return }
        try await platform.identity.grantRole(accountID: officerSummary.id, role: "procurement-officer", by: seed.actor, on: db)
        guard let officerAccount = try await platform.identity.account(id: officerSummary.id, on: db) else { return }
        let officer = platform.identity.actor(for: officerAccount, secondFactorVerified: true)

        // Suppliers: checked against the business registry inside the seed's transaction.
        let provider = platform.contracts.all((any InformationProvider).self).first { $0.informationTypes.contains { $0.code == "business.status" } }
        var bidders: [Actor] = []
        for username in ["hanbit.construction", "seoul.software", "daehan.trading"] {
            guard let account = seed.accounts[username], let raw = account.businessNumber, let number = try? BusinessNumber(raw),
                  let record = try await provider?.provide(type: "business.status", subject: ExchangeSubject(.business(number)), on: db),
                  record["status"] == "active" else { continue }
            let supplier = SupplierModel()
            supplier.id = UUID()
            supplier.accountID = account.id
            supplier.businessNumber = number.digits
            supplier.name = record["name"] ?? account.businessName ?? account.displayName
            supplier.status = "active"
            supplier.registeredAt = platform.clock.now().addingTimeInterval(-30 * 86_400)
            try await supplier.create(on: db)
            bidders.append(platform.identity.actor(for: account, secondFactorVerified: false))
        }
        let now = platform.clock.now()
        let inTwoWeeks = Timestamp.iso8601Millis(now.addingTimeInterval(14 * 86_400))

        func tender(_ title: String, _ description: String, _ procedure: Procedure, _ lots: [Lot]) async throws -> UUID {
            let view = try await service.createTender(NewTender(title: title, description: description, procedure: procedure.rawValue, lots: lots,
                                                                deadline: inTwoWeeks), by: officer, requestID: nil, on: db)
            _ = try await service.publish(id: view.id, by: officer, requestID: nil, on: db)
            return view.id
        }
        func bid(_ tenderID: UUID, _ bidder: Int, _ prices: [String: Int64], hoursAgo: Double) async throws {
            guard bidder < bidders.count else { return }
            _ = try await service.submitBid(tenderID: tenderID, content: BidContent(prices: prices, declarations: ["No collusion (공정 입찰 서약)"]),
                                            idempotencyKey: "demo-\(tenderID.uuidString.prefix(8))-\(bidder)",
                                            receivedAt: now.addingTimeInterval(-hoursAgo * 3600), by: bidders[bidder], requestID: nil, on: db)
        }
        /// Dates a finished tender back and opens it as the clock would have.
        func close(_ tenderID: UUID) async throws {
            guard let model = try await TenderModel.find(tenderID, on: db) else { return }
            model.publishedAt = now.addingTimeInterval(-10 * 86_400)
            model.createdAt = now.addingTimeInterval(-11 * 86_400)
            model.deadline = now.addingTimeInterval(-3600)
            try await model.save(on: db)
            _ = try await service.open(tenderID: tenderID, by: .system("procurement-opening"), on: db)
        }

        // Open for bids: two sealed bids are in; nobody can read them before the deadline.
        let streetlights = try await tender("Jongno-gu LED streetlight replacement (종로구 LED 가로등 교체)",
                                            "Supply and installation of 1,200 LED streetlights on district roads, with removal of the old fittings and a 5-year warranty.",
                                            .open, [Lot(number: 1, title: "LED fittings, 1,200 units", estimatedValueMinor: 540_000_000),
                                                    Lot(number: 2, title: "Installation and removal", estimatedValueMinor: 180_000_000)])
        try await bid(streetlights, 0, ["1": 512_000_000, "2": 171_500_000], hoursAgo: 20)
        try await bid(streetlights, 1, ["1": 498_700_000], hoursAgo: 6)

        // Opened: three bids, ranked by total price.
        let laptops = try await tender("Laptops for the Korea Customs Service (관세청 업무용 노트북)",
                                       "300 laptops with 3-year on-site support for customs officers.",
                                       .open, [Lot(number: 1, title: "Laptops, 300 units", estimatedValueMinor: 420_000_000)])
        try await bid(laptops, 0, ["1": 401_000_000], hoursAgo: 30)
        try await bid(laptops, 1, ["1": 389_500_000], hoursAgo: 8)
        try await bid(laptops, 2, ["1": 407_250_000], hoursAgo: 2)
        try await close(laptops)

        // Unsuccessful: one bid where an open tender needs two.
        let survey = try await tender("Seoul river-bank safety survey (한강 호안 안전 점검 용역)",
                                      "Engineering survey of 14 km of river-bank revetments with a risk report.",
                                      .open, [Lot(number: 1, title: "Survey and report", estimatedValueMinor: 95_000_000)])
        try await bid(survey, 1, ["1": 93_800_000], hoursAgo: 12)
        try await close(survey)

        // Cancelled with its reason.
        let uniforms = try await tender("Winter uniforms for customs officers (세관 동절기 근무복)", "2,000 winter uniforms in five sizes.",
                                        .quotation, [Lot(number: 1, title: "Uniforms, 2,000 sets", estimatedValueMinor: 160_000_000)])
        _ = try await service.cancelOnSeed(id: uniforms, reason: "The specification is being revised after the wearer trial; a new notice will follow.",
                                           by: officer, on: db)
    }
}
