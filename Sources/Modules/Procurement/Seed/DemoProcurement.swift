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
        let spec = "https://www.pps.go.kr/eng/index.do"

        func item(_ lot: Int, _ description: String, _ code: String, _ codeName: String, _ quantity: Double, _ unit: String, _ unitName: String) -> TenderItem {
            TenderItem(id: nil, lot: lot, description: description, scheme: "UNSPSC", classification: code, classificationDescription: codeName,
                       quantity: quantity, unitCode: unit, unitName: unitName)
        }
        func draft(_ title: String, _ description: String, _ procedure: Procedure, _ category: String, _ lots: [Lot], _ items: [TenderItem],
                   evaluation: EvaluationRules? = nil, deadline: String? = nil, enquiryDeadline: String? = nil,
                   budget: Int64? = nil, rationale: String? = nil) async throws -> UUID {
            try await service.createTender(NewTender(
                title: title, description: description, procedure: procedure.rawValue, category: category, lots: lots, items: items,
                documents: [TenderDocument(id: nil, documentType: "technicalSpecifications", title: "Technical specification (과업지시서)", url: spec, datePublished: nil)],
                eligibility: "Suppliers registered on the platform whose business is active, with no sanction in force (부정당업자 제재 없음).",
                evaluation: evaluation, deadline: deadline ?? inTwoWeeks, enquiryDeadline: enquiryDeadline, planBudgetMinor: budget, planRationale: rationale),
                by: officer, requestID: nil, on: db).id
        }
        func tender(_ title: String, _ description: String, _ procedure: Procedure, _ category: String, _ lots: [Lot], _ items: [TenderItem],
                    evaluation: EvaluationRules? = nil, plan: (Int64, String)? = nil) async throws -> UUID {
            let id = try await draft(title, description, procedure, category, lots, items, evaluation: evaluation, budget: plan?.0, rationale: plan?.1)
            if plan != nil { _ = try await service.plan(id: id, by: officer, requestID: nil, on: db) }
            _ = try await service.publish(id: id, by: officer, requestID: nil, on: db)
            return id
        }
        func bid(_ tenderID: UUID, _ bidder: Int, _ prices: [String: Int64], hoursAgo: Double, picks: [Int]? = nil) async throws {
            guard bidder < bidders.count else { return }
            // A price breakdown (산출내역서) travels sealed with the prices, as on KONEPS.
            let breakdown = prices.sorted { $0.key < $1.key }.map { "Lot \($0.key): \(Money.format($0.value, currency: "KRW"))" }.joined(separator: "\n")
            let document = BidDocument(title: "Price breakdown (산출내역서)", fileName: "price-breakdown.txt", contentType: "text/plain",
                                       content: Data("Price breakdown\n\(breakdown)\nLabour, materials, overheads and profit as in the bidding documents.\n".utf8))
            _ = try await service.submitBid(tenderID: tenderID, content: BidContent(prices: prices, declarations: ["integrity-pledge", "eligibility-confirmed"],
                                                                                    lotteryPicks: picks, documents: [document]),
                                            idempotencyKey: "demo-\(tenderID.uuidString.prefix(8))-\(bidder)",
                                            receivedAt: now.addingTimeInterval(-hoursAgo * 3600), by: bidders[bidder], requestID: nil, on: db)
        }
        /// Dates a finished tender back and opens it as the clock would have.
        func close(_ tenderID: UUID) async throws {
            guard let model = try await TenderModel.find(tenderID, on: db) else { return }
            model.publishedAt = now.addingTimeInterval(-10 * 86_400)
            model.createdAt = now.addingTimeInterval(-11 * 86_400)
            model.enquiryDeadline = now.addingTimeInterval(-4 * 86_400)
            model.deadline = now.addingTimeInterval(-3600)
            try await model.save(on: db)
            _ = try await service.open(tenderID: tenderID, by: .system("procurement-opening"), on: db)
        }
        func pendingAward(_ tenderID: UUID) async throws -> UUID? {
            try await AwardModel.query(on: db).filter(\.$tenderID == tenderID).filter(\.$status == AwardStatus.pending.rawValue).first()?.id
        }

        func account(ofSupplier supplierID: UUID) async throws -> UUID? {
            try await SupplierModel.find(supplierID, on: db)?.accountID
        }
        func bidderIndex(notSupplier supplierID: UUID) async throws -> Int? {
            let winner = try await account(ofSupplier: supplierID)
            return bidders.indices.last { bidders[$0].accountID != winner }
        }
        func scores(for tenderID: UUID, _ byBidder: [Int: Int]) async throws -> [String: Int] {
            var result: [String: Int] = [:]
            for (index, score) in byBidder where index < bidders.count {
                if let supplier = try await SupplierModel.query(on: db).filter(\.$accountID == bidders[index].accountID!).first() {
                    result[supplier.businessNumber] = score
                }
            }
            return result
        }

        // The review body for complaints: the Ministry of Economy and Finance (국가계약분쟁조정위원회).
        var reviewer: Actor?
        if let summary = seed.accounts["official.moef"] {
            try await platform.identity.grantRole(accountID: summary.id, role: "procurement-review-body", by: seed.actor, on: db)
            if let account = try await platform.identity.account(id: summary.id, on: db) {
                reviewer = platform.identity.actor(for: account, secondFactorVerified: true)
            }
        }

        // Planned: a procurement plan with its budget; the notice follows next month.
        _ = try await service.plan(id: try await draft(
            "Furniture for the Sejong smart-work centre (세종 스마트워크센터 사무가구)",
            "Desks, chairs and lockers for 120 shared work places of the Sejong smart-work centre.", .open, "goods",
            [Lot(number: 1, title: "Office furniture", estimatedValueMinor: 210_000_000)],
            [item(1, "Height-adjustable desk", "56101700", "Office furniture", 120, "EA", "each"),
             item(1, "Ergonomic office chair", "56112100", "Seating", 120, "EA", "each")],
            budget: 215_000_000, rationale: "The centre opens to officials of 12 ministries in March; the current furniture is on loan until February."),
            by: officer, requestID: nil, on: db)

        // Open for bids: two sealed bids are in; nobody can read them before the deadline.
        let streetlights = try await tender("Jongno-gu LED streetlight replacement (종로구 LED 가로등 교체)",
                                            "Supply and installation of 1,200 LED streetlights on district roads, with removal of the old fittings and a 5-year warranty.",
                                            .open, "works", [Lot(number: 1, title: "LED fittings, 1,200 units", estimatedValueMinor: 540_000_000),
                                                             Lot(number: 2, title: "Installation and removal", estimatedValueMinor: 180_000_000)],
                                            [item(1, "LED street light fitting, 150 W", "39111600", "Exterior lighting", 1200, "EA", "each"),
                                             item(2, "Installation and removal of street light fittings", "72151500", "Electrical system services", 1, "E48", "service unit")])
        try await bid(streetlights, 0, ["1": 512_000_000, "2": 171_500_000], hoursAgo: 20)
        try await bid(streetlights, 1, ["1": 498_700_000], hoursAgo: 6)

        // In enquiries: questions are public, one answered; the notice was amended once.
        let audit = try await draft("Web accessibility audit of government portals (정부 누리집 웹 접근성 진단)",
                                    "Audit of 40 government web sites against KWCAG 2.2 and WCAG 2.2 AA, with a remediation report per site.", .open, "services",
                                    [Lot(number: 1, title: "Accessibility audit, 40 sites", estimatedValueMinor: 88_000_000)],
                                    [item(1, "Accessibility audit of one web site", "81111800", "System and system component administration services", 40, "E48", "service unit")],
                                    deadline: Timestamp.iso8601Millis(now.addingTimeInterval(16 * 86_400)),
                                    enquiryDeadline: Timestamp.iso8601Millis(now.addingTimeInterval(9 * 86_400)))
        _ = try await service.publish(id: audit, by: officer, requestID: nil, on: db)
        if bidders.count > 2 {
            let question = try await service.ask(tenderID: audit, question: "Does the audit include the mobile versions of the sites, or only the desktop pages?",
                                                 by: bidders[1], requestID: nil, on: db)
            _ = try await service.answer(tenderID: audit, enquiryID: question.id,
                                         answer: "Yes: each site is audited on desktop and on mobile; the specification now says so (see amendment 1).",
                                         by: officer, requestID: nil, on: db)
            _ = try await service.ask(tenderID: audit, question: "May the remediation reports be written in English as well as Korean?",
                                      by: bidders[2], requestID: nil, on: db)
        }
        _ = try await service.amend(id: audit, TenderAmendmentInput(rationale: "Clarified after a question: mobile versions are in scope.",
                                                                    description: "Audit of 40 government web sites, desktop and mobile, against KWCAG 2.2 and WCAG 2.2 AA, with a remediation report per site."),
                                    by: officer, requestID: nil, on: db)

        // Opened: three bids ranked by price; the lowest is the pending award awaiting its qualification check.
        let laptops = try await tender("Laptops for the Korea Customs Service (관세청 업무용 노트북)",
                                       "300 laptops with 3-year on-site support for customs officers.",
                                       .open, "goods", [Lot(number: 1, title: "Laptops, 300 units", estimatedValueMinor: 420_000_000)],
                                       [item(1, "Notebook computer, 14-inch, 16 GB", "43211503", "Notebook computers", 300, "EA", "each")])
        try await bid(laptops, 0, ["1": 401_000_000], hoursAgo: 30)
        try await bid(laptops, 1, ["1": 389_500_000], hoursAgo: 8)
        try await bid(laptops, 2, ["1": 407_250_000], hoursAgo: 2)
        try await close(laptops)

        // Awarded: floor price from a lottery-drawn reserve price; the award is active, its standstill
        // runs, and a bidder's complaint awaits the review body.
        let switches = try await tender("Network switches for the Daejeon data centre (대전센터 네트워크 스위치)",
                                        "48 data-centre switches (25/100 GbE) with installation and 5 years of support for the National Information Resources Service.",
                                        .open, "goods", [Lot(number: 1, title: "Switches, 48 units", estimatedValueMinor: 960_000_000)],
                                        [item(1, "Data-centre switch, 48 × 25 GbE and 8 × 100 GbE", "43222612", "Network switches", 48, "EA", "each")],
                                        evaluation: EvaluationRules(method: .floorPrice, floorRatePPM: 877_450, lottery: LotteryRules()))
        try await bid(switches, 0, ["1": 871_000_000], hoursAgo: 40, picks: [3, 11])
        try await bid(switches, 1, ["1": 902_300_000], hoursAgo: 20, picks: [3, 7])
        try await bid(switches, 2, ["1": 861_400_000], hoursAgo: 5, picks: [11, 14])
        try await close(switches)
        if let award = try await pendingAward(switches) {
            _ = try await service.decideAward(tenderID: switches, awardID: award, qualified: true, reason: nil, by: officer, requestID: nil, on: db)
            if let loser = try await AwardModel.find(award, on: db), let loserIndex = try await bidderIndex(notSupplier: loser.supplierID) {
                _ = try await service.lodgeComplaint(tenderID: switches, NewComplaint(
                    awardID: award, title: "The awardee's support offer does not meet the 4-hour response time",
                    description: "Section 5.2 of the specification requires on-site response within 4 hours at the Daejeon centre; the awardee has no engineer within 100 km."),
                    by: bidders[loserIndex], requestID: nil, on: db)
            }
        }

        // Contracted: planned, noticed, opened, scored for price and quality, a complaint declined,
        // the contract signed by both, an invoice paid: the whole cycle in the open-data feed.
        let backup = try await tender("Off-site backup service for government systems (정부 시스템 원격지 백업 서비스)",
                                      "Encrypted off-site backup of 2 PB for the National Information Resources Service, 36 months, with quarterly restore drills.",
                                      .open, "services", [Lot(number: 1, title: "Backup service, 36 months", estimatedValueMinor: 1_440_000_000)],
                                      [item(1, "Off-site encrypted backup, 2 PB", "81112004", "Data center backup services", 36, "MON", "month")],
                                      evaluation: EvaluationRules(method: .priceQuality, priceWeight: 20, qualityWeight: 80),
                                      plan: (1_500_000_000, "Second copies of government systems must be kept 150 km away from both data centres (NCIA recovery plan)."))
        try await bid(backup, 1, ["1": 1_395_000_000], hoursAgo: 50)
        try await bid(backup, 2, ["1": 1_298_000_000], hoursAgo: 26)
        try await close(backup)
        if bidders.count > 2 {
            _ = try await service.scoreQuality(tenderID: backup, scores: try await scores(for: backup, [1: 74, 2: 91]), by: officer, requestID: nil, on: db)
        }
        if let award = try await pendingAward(backup) {
            _ = try await service.decideAward(tenderID: backup, awardID: award, qualified: true, reason: nil, by: officer, requestID: nil, on: db)
            if let winner = try await AwardModel.find(award, on: db), let loserIndex = try await bidderIndex(notSupplier: winner.supplierID) {
                let complaint = try await service.lodgeComplaint(tenderID: backup, NewComplaint(
                    awardID: award, title: "Quality scores not explained", description: "We ask for the committee's reasons for our quality score of 74."),
                    by: bidders[loserIndex], requestID: nil, on: db)
                if let reviewer {
                    _ = try await service.reviewComplaint(id: complaint.id, action: .accept, decision: nil, by: reviewer, requestID: nil, on: db)
                    _ = try await service.reviewComplaint(id: complaint.id, action: .decline, decision: "The committee's score sheets were disclosed to the complainant; each criterion was scored as the notice published. No error found.",
                                                          by: reviewer, requestID: nil, on: db)
                }
            }
            if let winner = try await AwardModel.find(award, on: db) {
                winner.standstillEnd = now.addingTimeInterval(-3600)
                try await winner.save(on: db)
                let contract = try await service.createContract(tenderID: backup, awardID: award, NewContract(
                    periodStart: Timestamp.iso8601Millis(now.addingTimeInterval(-1800)), periodEnd: Timestamp.iso8601Millis(now.addingTimeInterval(3 * 365 * 86_400))),
                    by: officer, requestID: nil, on: db)
                _ = try await service.signContract(id: contract.id, by: officer, requestID: nil, on: db)
                let winnerAccount = try await account(ofSupplier: winner.supplierID)
                if let index = bidders.firstIndex(where: { $0.accountID == winnerAccount }) {
                    _ = try await service.signContract(id: contract.id, by: bidders[index], requestID: nil, on: db)
                    _ = try await service.submitInvoice(contractID: contract.id, NewInvoice(number: "INV-2026-001", amountMinor: contract.valueMinor / 36,
                                                                                            description: "Backup service, first month"),
                                                        by: bidders[index], requestID: nil, on: db)
                    _ = try await service.submitInvoice(contractID: contract.id, NewInvoice(number: "INV-2026-002", amountMinor: contract.valueMinor / 36,
                                                                                            description: "Backup service, second month"),
                                                        by: bidders[index], requestID: nil, on: db)
                    let invoices = try await InvoiceModel.query(on: db).filter(\.$contractID == contract.id).sort(\.$number).all()
                    for invoice in invoices {
                        _ = try await service.decideInvoice(contractID: contract.id, invoiceID: invoice.id!, approve: true, reason: nil, by: officer, requestID: nil, on: db)
                    }
                    // The treasury's transfer of the first invoice arrived; the second is due.
                    if let first = try await InvoiceModel.find(invoices[0].id!, on: db), let paymentID = first.paymentID,
                       let payment = try await PaymentModel.find(paymentID, on: db) {
                        _ = try await platform.payments.confirmTransfer(PaymentNotice(reference: payment.reference, amountMinor: payment.amountMinor, currency: "KRW",
                                                                                bankTransactionID: "BOK-DEMO-\(payment.reference.suffix(6))", paidAt: now),
                                                                  by: .system("demo-treasury"), on: db)
                        try await service.recordPayments(on: db)
                    }
                }
            }
        }

        // Unsuccessful: one bid where an open tender needs two.
        let survey = try await tender("Seoul river-bank safety survey (한강 호안 안전 점검 용역)",
                                      "Engineering survey of 14 km of river-bank revetments with a risk report.",
                                      .open, "services", [Lot(number: 1, title: "Survey and report", estimatedValueMinor: 95_000_000)],
                                      [item(1, "Safety survey of river-bank revetments", "81101500", "Civil engineering", 14, "KMT", "kilometre")])
        try await bid(survey, 1, ["1": 93_800_000], hoursAgo: 12)
        try await close(survey)

        // Cancelled with its reason.
        let uniforms = try await tender("Winter uniforms for customs officers (세관 동절기 근무복)", "2,000 winter uniforms in five sizes.",
                                        .quotation, "goods", [Lot(number: 1, title: "Uniforms, 2,000 sets", estimatedValueMinor: 160_000_000)],
                                        [item(1, "Winter uniform set", "53102700", "Uniforms", 2000, "SET", "set")])
        _ = try await service.cancelOnSeed(id: uniforms, reason: "The specification is being revised after the wearer trial; a new notice will follow.",
                                           by: officer, on: db)

        try await seedMall(seed, officer: officer)
    }

    /// The shopping mall: framework agreements with catalogue items; orders delivered and paid (the
    /// Public Procurement Service), placed and cancelled (the Korea Customs Service).
    static func seedMall(_ seed: DemoSeedContext, officer: Actor) async throws {
        let platform = seed.platform, db = seed.db
        let service = ProcurementModule.service(platform)
        let until = Timestamp.iso8601Millis(platform.clock.now().addingTimeInterval(365 * 86_400))
        func item(_ name: String, _ code: String, _ unit: String, _ unitName: String, _ price: Int64, _ days: Int, _ minimum: Int? = nil) -> NewCatalogueItem {
            NewCatalogueItem(name: name, classification: code, unitCode: unit, unitName: unitName, priceMinor: price, deliveryDays: days, minQuantity: minimum)
        }
        var frameworks: [FrameworkView] = []
        for (username, title, limit, items) in [
            ("seoul.software", "Desktop and notebook computers (컴퓨터 다수공급자계약)", Int64(100_000_000),
             [item("Notebook computer, 14-inch, 16 GB, 512 GB SSD", "43211503", "EA", "each", 1_390_000, 10),
              item("Desktop computer, 8 cores, 16 GB", "43211507", "EA", "each", 1_120_000, 10),
              item("Monitor, 27-inch QHD", "43211902", "EA", "each", 329_000, 5)]),
            ("daehan.trading", "Office supplies (사무용품 다수공급자계약)", Int64(50_000_000),
             [item("Copier paper A4, 80 g/m², box of 2,500 sheets", "14111507", "BX", "box", 24_900, 3, 10),
              item("Toner cartridge, black, 10,000 pages", "44103103", "EA", "each", 89_000, 3)]),
        ] {
            guard let account = seed.accounts[username],
                  let supplier = try await SupplierModel.query(on: db).filter(\.$accountID == account.id).first() else { continue }
            frameworks.append(try await service.createFramework(NewFramework(supplierBusinessNumber: supplier.businessNumber, title: title, validUntil: until,
                                                                             maxOrderMinor: limit, items: items), by: officer, requestID: nil, on: db))
        }
        guard frameworks.count == 2, let customsSummary = seed.accounts["official.kcs"] else { return }
        try await platform.identity.grantRole(accountID: customsSummary.id, role: "procurement-officer", by: seed.actor, on: db)
        guard let customsAccount = try await platform.identity.account(id: customsSummary.id, on: db) else { return }
        let customs = platform.identity.actor(for: customsAccount, secondFactorVerified: true)
        let computers = frameworks[0].items, supplies = frameworks[1].items
        // Delivered and paid: paper and toner for the Public Procurement Service.
        let placed = try await service.placeOrder(NewOrder(lines: [OrderLineInput(itemID: supplies[0].id, quantity: 40), OrderLineInput(itemID: supplies[1].id, quantity: 12)]),
                                                  idempotencyKey: "demo-order-1", by: officer, requestID: nil, on: db)
        let delivered = try await service.confirmDelivery(orderID: placed.id, by: officer, requestID: nil, on: db)
        if let reference = delivered.paymentReference {
            _ = try await platform.payments.confirmTransfer(PaymentNotice(reference: reference, amountMinor: delivered.totalMinor, currency: "KRW",
                                                                          bankTransactionID: "BOK-DEMO-\(reference.suffix(6))", paidAt: platform.clock.now()),
                                                            by: .system("demo-treasury"), on: db)
            try await service.recordPayments(on: db)
        }
        // Placed, awaiting delivery: notebooks and monitors for customs officers.
        _ = try await service.placeOrder(NewOrder(lines: [OrderLineInput(itemID: computers[0].id, quantity: 20), OrderLineInput(itemID: computers[2].id, quantity: 20)]),
                                         idempotencyKey: "demo-order-2", by: customs, requestID: nil, on: db)
        // Cancelled by the agency before delivery.
        let duplicate = try await service.placeOrder(NewOrder(lines: [OrderLineInput(itemID: computers[1].id, quantity: 5)]),
                                                     idempotencyKey: "demo-order-3", by: customs, requestID: nil, on: db)
        _ = try await service.cancelOrder(orderID: duplicate.id, reason: "Ordered twice by mistake; the desktops come with the notebook order.",
                                          by: customs, requestID: nil, on: db)
    }
}
