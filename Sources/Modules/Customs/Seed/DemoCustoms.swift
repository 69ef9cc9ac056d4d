import FluentKit
import Foundation
import NaraCore

/// Demo customs: offices, a tariff subset with ad valorem, specific, compound and preferential
/// rates and licensed and prohibited goods, nine weeks of exchange rates, traders (one AEO, a
/// broker, a carrier), risk criteria, manifests with cargo, and declarations in every lane and
/// state, lodged through the same checks, risk engine and steps as live ones.
enum DemoCustoms {
    static func seed(_ seed: DemoSeedContext) async throws {
        let platform = seed.platform
        let db = seed.db
        let service = CustomsModule.service(platform)
        let now = platform.clock.now()
        guard let kcs = seed.agencies[CustomsService.agencyCode], let officerSummary = seed.accounts["official.kcs"],
              let inspectorSummary = seed.accounts["official.seoul-customs"] else { return }
        try await platform.identity.grantRole(accountID: officerSummary.id, role: "risk-analyst", by: seed.actor, on: db)
        try await platform.identity.grantRole(accountID: officerSummary.id, role: "tariff-officer", by: seed.actor, on: db)
        try await platform.identity.grantRole(accountID: inspectorSummary.id, role: "customs-officer", by: seed.actor, on: db)
        guard let officerAccount = try await platform.identity.account(id: officerSummary.id, on: db),
              let inspectorAccount = try await platform.identity.account(id: inspectorSummary.id, on: db) else { return }
        let analyst = platform.identity.actor(for: officerAccount, secondFactorVerified: true)
        let inspector = platform.identity.actor(for: inspectorAccount, secondFactorVerified: true)

        // Offices.
        for (code, en, ko, locode, agency) in [("010", "Seoul Main Customs", "서울본부세관", "KRSEL", seed.agencies["1220100"]?.id),
                                               ("020", "Busan Main Customs", "부산본부세관", "KRPUS", kcs.id),
                                               ("030", "Incheon Main Customs", "인천본부세관", "KRINC", kcs.id),
                                               ("040", "Incheon Airport Customs", "인천공항세관", "KRICN", kcs.id),
                                               ("060", "Pyeongtaek Customs", "평택세관", "KRPTK", kcs.id)] {
            let office = CustomsOfficeModel()
            office.id = UUID()
            office.code = code
            office.nameEN = en
            office.nameKO = ko
            office.locode = locode
            office.agencyID = agency
            try await office.create(on: db)
        }
        // The tariff subset (illustrative rates in the shape of the Korean tariff).
        let eu = ["DE", "FR", "IT", "NL", "ES", "BE", "SE", "PL"]
        let lines: [TariffLine] = [
            TariffLine(code: "0805100000", descriptionEN: "Oranges, fresh", descriptionKO: "오렌지(신선한 것)", quantityUnit: "KGM", rate: .adValorem(5000),
                       preferential: [PreferentialRate(agreement: "KORUS", origins: ["US"], rate: .adValorem(0))], importLicence: "Plant quarantine certificate (식물검역증명서)"),
            TariffLine(code: "0901210000", descriptionEN: "Coffee, roasted, not decaffeinated", descriptionKO: "볶은 커피(카페인 제거하지 않은 것)", quantityUnit: "KGM",
                       rate: .adValorem(800), preferential: [PreferentialRate(agreement: "KR-EU", origins: eu, rate: .adValorem(0))]),
            TariffLine(code: "1701999000", descriptionEN: "Refined cane or beet sugar, other", descriptionKO: "정제당(기타)", quantityUnit: "KGM",
                       rate: DutyRate(basis: .higherOf, adValoremBasisPoints: 3000, specificPerUnitKRW: 200, specificUnit: "KGM")),
            TariffLine(code: "2009110000", descriptionEN: "Orange juice, frozen", descriptionKO: "냉동 오렌지주스", quantityUnit: "LTR",
                       rate: DutyRate(basis: .compound, adValoremBasisPoints: 3000, specificPerUnitKRW: 50, specificUnit: "LTR")),
            TariffLine(code: "2203000000", descriptionEN: "Beer made from malt", descriptionKO: "맥주", quantityUnit: "LTR", rate: .adValorem(3000),
                       preferential: [PreferentialRate(agreement: "KR-EU", origins: eu, rate: .adValorem(0)), PreferentialRate(agreement: "KORUS", origins: ["US"], rate: .adValorem(0))]),
            TariffLine(code: "2204210000", descriptionEN: "Wine of fresh grapes, in containers of 2 l or less", descriptionKO: "포도주(2리터 이하 용기)", quantityUnit: "LTR",
                       rate: .adValorem(1500), preferential: [PreferentialRate(agreement: "KR-EU", origins: eu, rate: .adValorem(0)),
                                                              PreferentialRate(agreement: "KR-CL", origins: ["CL"], rate: .adValorem(0))]),
            TariffLine(code: "3004900000", descriptionEN: "Medicaments, in measured doses, other", descriptionKO: "의약품(투여량으로 한 것, 기타)", quantityUnit: "KGM",
                       rate: .adValorem(650), importLicence: "MFDS import report (식약처 수입요건 확인)"),
            TariffLine(code: "3304990000", descriptionEN: "Beauty or make-up preparations, other", descriptionKO: "미용·화장용 제품(기타)", quantityUnit: "KGM", rate: .adValorem(650)),
            TariffLine(code: "3926909000", descriptionEN: "Other articles of plastics", descriptionKO: "플라스틱 제품(기타)", quantityUnit: "KGM", rate: .adValorem(650)),
            TariffLine(code: "4011100000", descriptionEN: "New pneumatic tyres, of rubber, for motor cars", descriptionKO: "승용자동차용 고무 타이어", quantityUnit: "NAR", rate: .adValorem(800)),
            TariffLine(code: "4202210000", descriptionEN: "Handbags with outer surface of leather", descriptionKO: "가죽제 핸드백", quantityUnit: "NAR", rate: .adValorem(800),
                       preferential: [PreferentialRate(agreement: "KR-EU", origins: eu, rate: .adValorem(0))]),
            TariffLine(code: "6109100000", descriptionEN: "T-shirts, singlets and other vests, of cotton, knitted", descriptionKO: "면제 티셔츠(메리야스 편물)", quantityUnit: "NAR",
                       rate: .adValorem(1300), preferential: [PreferentialRate(agreement: "KR-ASEAN", origins: ["VN", "TH", "ID", "MY", "PH"], rate: .adValorem(0)),
                                                              PreferentialRate(agreement: "KR-CN", origins: ["CN"], rate: .adValorem(520))]),
            TariffLine(code: "6403990000", descriptionEN: "Footwear with outer soles of rubber and uppers of leather, other", descriptionKO: "가죽 갑피 신발(기타)", quantityUnit: "NAR", rate: .adValorem(1300)),
            TariffLine(code: "7108130000", descriptionEN: "Gold, semi-manufactured forms", descriptionKO: "금(반가공한 것)", quantityUnit: "GRM", rate: .adValorem(300)),
            TariffLine(code: "7323930000", descriptionEN: "Table and kitchen articles of stainless steel", descriptionKO: "스테인리스강제 주방용품", quantityUnit: "KGM", rate: .adValorem(800)),
            TariffLine(code: "8401100000", descriptionEN: "Nuclear reactors", descriptionKO: "원자로", quantityUnit: "NAR", rate: .adValorem(0),
                       exportLicence: "Strategic goods export permit (전략물자 수출허가)"),
            TariffLine(code: "8471300000", descriptionEN: "Portable automatic data-processing machines, not more than 10 kg", descriptionKO: "휴대용 컴퓨터(10kg 이하)",
                       quantityUnit: "NAR", rate: .adValorem(0)),
            TariffLine(code: "8507600000", descriptionEN: "Lithium-ion accumulators", descriptionKO: "리튬이온 축전지", quantityUnit: "NAR", rate: .adValorem(800)),
            TariffLine(code: "8517130000", descriptionEN: "Smartphones", descriptionKO: "스마트폰", quantityUnit: "NAR", rate: .adValorem(0),
                       importLicence: "Radio equipment conformity (전파법 적합성평가)"),
            TariffLine(code: "8703230000", descriptionEN: "Motor cars, spark-ignition, 1,500-3,000 cc", descriptionKO: "승용자동차(1,500~3,000cc)", quantityUnit: "NAR",
                       rate: .adValorem(800), preferential: [PreferentialRate(agreement: "KORUS", origins: ["US"], rate: .adValorem(0)),
                                                             PreferentialRate(agreement: "KR-EU", origins: eu, rate: .adValorem(0))]),
            TariffLine(code: "8708990000", descriptionEN: "Parts and accessories of motor vehicles, other", descriptionKO: "자동차 부분품(기타)", quantityUnit: "KGM", rate: .adValorem(800)),
            TariffLine(code: "9018909000", descriptionEN: "Medical instruments and appliances, other", descriptionKO: "의료용 기기(기타)", quantityUnit: "NAR", rate: .adValorem(800)),
            TariffLine(code: "9503000000", descriptionEN: "Toys, scale models and puzzles", descriptionKO: "완구·축소모형·퍼즐", quantityUnit: "NAR", rate: .adValorem(800),
                       importLicence: "KC safety confirmation for children's products (어린이제품 안전확인)"),
            TariffLine(code: "1211909000", descriptionEN: "Narcotic plants and parts of plants", descriptionKO: "마약류 식물", quantityUnit: "KGM", rate: .adValorem(0), prohibited: true),
        ]
        let encoder = JSONEncoder()
        for line in lines {
            let m = TariffLineModel()
            m.id = UUID()
            m.code = line.code
            m.descriptionEN = line.descriptionEN
            m.descriptionKO = line.descriptionKO
            m.quantityUnit = line.quantityUnit
            m.rate = String(decoding: try encoder.encode(line.rate), as: UTF8.self)
            m.preferential = String(decoding: try encoder.encode(line.preferential), as: UTF8.self)
            m.importLicence = line.importLicence
            m.exportLicence = line.exportLicence
            m.prohibited = line.prohibited
            m.updatedAt = now
            try await m.create(on: db)
        }
        // Nine weeks of customs exchange rates, moving a little from week to week.
        let base: [(String, Int64)] = [("USD", 138_520), ("EUR", 145_230), ("JPY", 921), ("CNY", 19_140), ("GBP", 173_480), ("HKD", 17_790), ("SGD", 103_210),
                                       ("AUD", 90_150), ("CAD", 99_870), ("CHF", 156_420), ("THB", 3_870), ("TWD", 4_310)]
        let thisWeek = LocalDay(service.rateWeek(of: now))!
        for week in 0..<9 {
            let day = thisWeek.adding(days: -7 * week).description
            for (index, (currency, rate)) in base.enumerated() {
                let drift = Int64(((week * 7 + index * 3) % 11) - 5) * rate / 1000
                try await service.setExchangeRate(currency: currency, weekStart: day, rateHundredths: rate + drift, by: analyst, requestID: nil, on: db)
            }
        }
        // Traders: the demo businesses, checked against the business registry; a broker and a carrier registered by customs.
        let provider = platform.contracts.all((any InformationProvider).self).first { $0.informationTypes.contains { $0.code == "business.status" } }
        var traders: [String: TraderModel] = [:]
        var actors: [String: Actor] = [:]
        for (username, roles, aeo) in [("daehan.trading", ["importer", "exporter", "declarant"], "AAA"), ("seoul.software", ["importer", "exporter", "declarant"], nil),
                                       ("hanbit.construction", ["importer", "declarant"], nil)] {
            guard let account = seed.accounts[username], let raw = account.businessNumber, let number = try? BusinessNumber(raw),
                  let record = try await provider?.provide(type: "business.status", subject: ExchangeSubject(.business(number)), on: db), record["status"] == "active",
                  let full = try await platform.identity.account(id: account.id, on: db) else { continue }
            traders[username] = try await trader(accountID: account.id, number: number.digits, name: record["name"] ?? account.businessName ?? username,
                                                 roles: roles, aeo: aeo, on: db, at: now)
            actors[username] = platform.identity.actor(for: full, secondFactorVerified: false)
        }
        let broker = try await trader(accountID: nil, number: DemoSeed.businessNumber("120814752"), name: "한결관세법인 Hangyeol Customs Brokers",
                                      roles: ["broker", "declarant"], aeo: nil, on: db, at: now)
        let carrier = try await trader(accountID: nil, number: DemoSeed.businessNumber("603811028"), name: "HMM Co., Ltd. (에이치엠엠)",
                                       roles: ["carrier"], aeo: "AA", on: db, at: now)
        if let seoul = traders["seoul.software"] {
            let delegation = DelegationModel()
            delegation.id = UUID()
            delegation.brokerID = broker.id!
            delegation.principalID = seoul.id!
            delegation.validFrom = now.addingTimeInterval(-90 * 86_400)
            delegation.validUntil = now.addingTimeInterval(275 * 86_400)
            try await delegation.create(on: db)
        }
        // Risk criteria kept by the analysts (one of them expired).
        let year: TimeInterval = 365 * 86_400
        let criteria: [NewRiskCriterion] = [
            NewRiskCriterion(code: "RC-0001", name: "Smartphones declared below the usual value (undervaluation)", lane: "yellow",
                             conditions: [RiskCondition(.hsPrefix, values: ["8517"]), RiskCondition(.belowExpectedValue, amountKRW: 1_500_000, percent: 60)],
                             validFrom: nil, validUntil: Timestamp.iso8601Millis(now.addingTimeInterval(year)), active: true),
            NewRiskCriterion(code: "RC-0002", name: "Leather handbags of Chinese origin (counterfeit brands)", lane: "red",
                             conditions: [RiskCondition(.hsPrefix, values: ["4202"]), RiskCondition(.origin, values: ["CN"])],
                             validFrom: nil, validUntil: Timestamp.iso8601Millis(now.addingTimeInterval(year)), active: true),
            NewRiskCriterion(code: "RC-0003", name: "Importers with two or more findings in a year", lane: "red",
                             conditions: [RiskCondition(.findingsAtLeast, count: 2), RiskCondition(.kind, values: ["import"])],
                             validFrom: nil, validUntil: Timestamp.iso8601Millis(now.addingTimeInterval(year)), active: true),
            NewRiskCriterion(code: "RC-0004", name: "Citrus fruit: plant quarantine documents", lane: "yellow",
                             conditions: [RiskCondition(.hsPrefix, values: ["0805"]), RiskCondition(.kind, values: ["import"])],
                             validFrom: nil, validUntil: Timestamp.iso8601Millis(now.addingTimeInterval(year)), active: true),
            NewRiskCriterion(code: "RC-0005", name: "Imported passenger cars: post-clearance audit of the FTA origin", lane: "blue",
                             conditions: [RiskCondition(.hsPrefix, values: ["8703"]), RiskCondition(.kind, values: ["import"])],
                             validFrom: nil, validUntil: Timestamp.iso8601Millis(now.addingTimeInterval(year)), active: true),
            NewRiskCriterion(code: "RC-0006", name: "Kitchenware of high value per kilogram (a 2026 campaign, ended)", lane: "yellow",
                             conditions: [RiskCondition(.hsPrefix, values: ["7323"]), RiskCondition(.valuePerKgAbove, amountKRW: 80_000)],
                             validFrom: Timestamp.iso8601Millis(now.addingTimeInterval(-120 * 86_400)),
                             validUntil: Timestamp.iso8601Millis(now.addingTimeInterval(-30 * 86_400)), active: true),
        ]
        for criterion in criteria { _ = try await service.saveCriterion(criterion, by: analyst, requestID: nil, on: db) }

        // Manifests with their cargo: a container ship at Busan, a freighter at Incheon airport, an export sailing.
        func manifest(_ mrn: String, kind: String, mode: Int, vessel: String, voyage: String, port: String, hoursAgo: Double,
                      bills: [(String, String, String, String, Int, Int64)]) async throws -> [String] {
            let m = ManifestModel()
            m.id = UUID()
            m.mrn = mrn
            m.carrierID = carrier.id!
            m.kind = kind
            m.mode = mode
            m.vessel = vessel
            m.voyage = voyage
            m.port = port
            m.scheduledAt = now.addingTimeInterval(-hoursAgo * 3600)
            m.submittedAt = now.addingTimeInterval(-(hoursAgo + 24) * 3600)
            try await m.create(on: db)
            var numbers: [String] = []
            for (index, bill) in bills.enumerated() {
                let c = CargoModel()
                c.id = UUID()
                c.manifestID = m.id!
                c.trackingNumber = mrn + String(format: "%04d", index + 1)
                c.billOfLading = bill.0
                c.shipper = bill.1
                c.consignee = bill.2
                c.descriptionText = bill.3
                c.packages = bill.4
                c.grossMassMilli = bill.5
                let arrived = kind == "import" ? [CargoEvent(at: m.scheduledAt, status: "arrived", place: port, note: "\(vessel) \(voyage)"),
                                                  CargoEvent(at: m.scheduledAt.addingTimeInterval(5 * 3600), status: "discharged", place: port, note: "bonded area")] : []
                c.status = arrived.last?.status ?? "manifested"
                c.version = 1
                c.events = String(decoding: try encoder.encode([CargoEvent(at: m.submittedAt, status: "manifested", place: port, note: "\(vessel) \(voyage)")] + arrived),
                                  as: UTF8.self)
                try await c.create(on: db)
                numbers.append(c.trackingNumber)
            }
            return numbers
        }
        let busan = try await manifest("26HMMX00118I", kind: "import", mode: 1, vessel: "HMM ALGECIRAS", voyage: "0042W", port: "KRPUS", hoursAgo: 30, bills: [
            ("HMMU4410001", "Shenzhen Brightway Electronics", "서울소프트 Seoul Software Inc.", "Smartphones and tablets", 120, 1_850_000),
            ("HMMU4410002", "Guangzhou Leather Goods Co.", "대한무역 Daehan Trading Corp.", "Leather handbags", 40, 620_000),
            ("HMMU4410003", "Sunkist Growers Inc.", "대한무역 Daehan Trading Corp.", "Fresh oranges, 1,000 cartons", 1000, 18_500_000),
            ("HMMU4410004", "Ho Chi Minh Garment JSC", "대한무역 Daehan Trading Corp.", "Cotton T-shirts", 300, 2_400_000),
            ("HMMU4410005", "Bremen Motors GmbH", "한빛건설 Hanbit Construction Co., Ltd.", "Passenger cars, 3 units", 3, 4_650_000),
            ("HMMU4410006", "Shenzhen Brightway Electronics", "서울소프트 Seoul Software Inc.", "Smartphones", 60, 900_000),
            ("HMMU4410007", "Fujian Steelware Co.", "대한무역 Daehan Trading Corp.", "Stainless kitchenware", 80, 1_600_000),
            ("HMMU4410008", "Mitr Phol Sugar Corp.", "대한무역 Daehan Trading Corp.", "Refined sugar, 20 t", 400, 20_400_000),
            ("HMMU4410009", "Citrosuco Trading", "한빛건설 Hanbit Construction Co., Ltd.", "Frozen orange juice, 8,000 l", 40, 8_600_000),
            ("HMMU4410010", "Qingdao Apparel Co.", "서울소프트 Seoul Software Inc.", "Cotton T-shirts", 150, 1_200_000),
            ("HMMU4410011", "Shenzhen Brightway Electronics", "서울소프트 Seoul Software Inc.", "Smartphones (resubmitted invoice)", 20, 310_000),
            ("HMMU4410012", "Guangzhou Leather Goods Co.", "대한무역 Daehan Trading Corp.", "Leather handbags and wallets", 25, 410_000),
        ])
        let airport = try await manifest("26KEXX00207I", kind: "import", mode: 4, vessel: "KE 8012", voyage: "26NOV", port: "KRICN", hoursAgo: 10, bills: [
            ("180-22334455", "Bordeaux Vins SARL", "대한무역 Daehan Trading Corp.", "Red wine, 1,200 bottles", 100, 1_520_000),
            ("180-22334456", "Roastery Berlin GmbH", "서울소프트 Seoul Software Inc.", "Roasted coffee beans", 25, 510_000),
            ("180-22334457", "Osaka Toys KK", "대한무역 Daehan Trading Corp.", "Children's toys", 50, 700_000),
            ("180-22334458", "Basel Pharma AG", "한빛건설 Hanbit Construction Co., Ltd.", "Medicaments", 10, 95_000),
        ])
        let sailing = try await manifest("26HMMX00121E", kind: "export", mode: 1, vessel: "HMM OSLO", voyage: "0017E", port: "KRPUS", hoursAgo: -48, bills: [
            ("HMMU5520001", "대한무역 Daehan Trading Corp.", "Pacific Retail LLC", "Lithium-ion batteries", 200, 3_200_000),
            ("HMMU5520002", "서울소프트 Seoul Software Inc.", "Berlin IT Handel GmbH", "Notebook computers", 40, 480_000),
        ])

        // Declarations, lodged through the live path, in every lane and state.
        guard let daehan = actors["daehan.trading"], let seoul = actors["seoul.software"], let hanbit = actors["hanbit.construction"] else { return }
        func item(_ hs: String, _ description: String, _ origin: String, _ quantity: Decimal, _ unit: String, gross: Decimal, net: Decimal, packages: Int,
                  _ packageType: String = "CT", value: Int64, preference: String? = nil, proof: String? = nil, licence: String? = nil) -> DeclarationItemInput {
            DeclarationItemInput(hsCode: hs, description: description, origin: origin, quantity: quantity, quantityUnit: unit, grossMassKg: gross, netMassKg: net,
                                 packages: packages, packageType: packageType, valueMinor: value, preference: preference, proofOfOrigin: proof, licenceNumber: licence)
        }
        var lodged: [String: DeclarationView] = [:]
        func declare(_ key: String, by actor: Actor, kind: DeclarationKind, office: String, mode: Int = 1, cargo: String? = nil, currency: String = "USD",
                     incoterm: String = "CIF", counterpart: (String, String), minutesAgo: Double, trader: String? = nil, items: [DeclarationItemInput]) async throws {
            let input = NewDeclaration(kind: kind.rawValue, traderReference: "DEMO-\(key)", trader: trader, officeCode: office, transportMode: mode, cargo: cargo,
                                       currency: currency, invoiceAmountMinor: items.map(\.valueMinor).reduce(0, +), invoiceNumber: "INV-\(key)", incoterm: incoterm,
                                       counterpartName: counterpart.0, counterpartCountry: counterpart.1, items: items)
            let view = try await service.declare(input, lodgedAt: platform.clock.now(), by: actor, requestID: nil, on: db)
            try await dateBack(view.id, by: minutesAgo * 60, on: db)
            lodged[key] = view
        }
        // Exports, mostly green: released in the request.
        for n in 1...14 {
            try await declare("EX-\(n)", by: n % 3 == 0 ? seoul : daehan, kind: .export, office: n % 2 == 0 ? "020" : "040", mode: n % 2 == 0 ? 1 : 4,
                              currency: "USD", incoterm: "FOB", counterpart: (["Pacific Retail LLC", "Berlin IT Handel GmbH", "Tokyo Denki KK", "Hanoi Tech JSC"][n % 4],
                                                                              ["US", "DE", "JP", "VN"][n % 4]), minutesAgo: Double(n) * 97,
                              items: [item("8507600000", "Lithium-ion battery packs, 48 V", "KR", Decimal(100 + n * 10), "NAR", gross: Decimal(900 + n * 40), net: Decimal(850 + n * 35),
                                           packages: 10 + n, "PX", value: Int64(4_500_000 + n * 125_000)),
                                      item("8471300000", "Notebook computers, 14-inch", "KR", Decimal(20 + n), "NAR", gross: Decimal(60 + n), net: Decimal(50 + n), packages: 2 + n % 3,
                                           value: Int64(2_400_000 + n * 90_000))])
        }
        try await declare("EX-SAIL-1", by: daehan, kind: .export, office: "020", cargo: sailing[0], incoterm: "FOB", counterpart: ("Pacific Retail LLC", "US"), minutesAgo: 200,
                          items: [item("8507600000", "Lithium-ion battery packs, 48 V", "KR", 2000, "NAR", gross: 3200, net: 3000, packages: 200, "PX", value: 96_000_000)])
        try await declare("EX-SAIL-2", by: seoul, kind: .export, office: "020", cargo: sailing[1], currency: "EUR", incoterm: "FOB", counterpart: ("Berlin IT Handel GmbH", "DE"), minutesAgo: 180, items: [item("8471300000", "Notebook computers, 16-inch", "KR", 400, "NAR", gross: 480, net: 420, packages: 40, value: 38_000_000)])
        // Imports.
        try await declare("IM-PHONES", by: seoul, kind: .import, office: "020", cargo: busan[0], counterpart: ("Shenzhen Brightway Electronics", "CN"), minutesAgo: 420,
                          items: [item("8517130000", "Smartphones, 6.1-inch, 128 GB", "CN", 1500, "NAR", gross: 1850, net: 1500, packages: 120, value: 15_000_000,
                                       licence: "RRA-2026-KC-0815")])
        try await declare("IM-BAGS", by: daehan, kind: .import, office: "020", cargo: busan[1], counterpart: ("Guangzhou Leather Goods Co.", "CN"), minutesAgo: 400,
                          items: [item("4202210000", "Leather handbags, women's", "CN", 800, "NAR", gross: 620, net: 560, packages: 40, value: 9_600_000)])
        try await declare("IM-ORANGES", by: daehan, kind: .import, office: "020", cargo: busan[2], counterpart: ("Sunkist Growers Inc.", "US"), minutesAgo: 380,
                          items: [item("0805100000", "Fresh navel oranges", "US", 17_000, "KGM", gross: 18_500, net: 17_000, packages: 1000, value: 2_210_000,
                                       preference: "KORUS", proof: "US-CO-2026-118834", licence: "PQ-2026-BS-44102")])
        try await declare("IM-TSHIRTS", by: daehan, kind: .import, office: "020", cargo: busan[3], counterpart: ("Ho Chi Minh Garment JSC", "VN"), minutesAgo: 360,
                          items: [item("6109100000", "Men's cotton T-shirts, knitted", "VN", 12_000, "NAR", gross: 2400, net: 2200, packages: 300, value: 3_600_000,
                                       preference: "KR-ASEAN", proof: "VN-AK-26-11-0045127")])
        try await declare("IM-CARS", by: hanbit, kind: .import, office: "020", cargo: busan[4], currency: "EUR", counterpart: ("Bremen Motors GmbH", "DE"), minutesAgo: 340,
                          items: [item("8703230000", "Passenger cars, 2,000 cc petrol, SUV", "DE", 3, "NAR", gross: 4650, net: 4500, packages: 3, "NE", value: 13_500_000,
                                       preference: "KR-EU", proof: "DE-REX-2026-7781"), ])
        try await declare("IM-PHONES-BROKER", by: seoul, kind: .import, office: "020", cargo: busan[5], counterpart: ("Shenzhen Brightway Electronics", "CN"), minutesAgo: 330,
                          items: [item("8517130000", "Smartphones, 6.7-inch, 256 GB (declared at a low price)", "CN", 600, "NAR", gross: 900, net: 600, packages: 60,
                                       value: 2_400_000, licence: "RRA-2026-KC-0816")])
        try await declare("IM-KITCHEN", by: daehan, kind: .import, office: "020", cargo: busan[6], counterpart: ("Fujian Steelware Co.", "CN"), minutesAgo: 320,
                          items: [item("7323930000", "Stainless steel cookware sets", "CN", 1450, "KGM", gross: 1600, net: 1450, packages: 80, value: 5_800_000),
                                  item("3926909000", "Plastic lids", "CN", 150, "KGM", gross: 160, net: 150, packages: 4, value: 300_000),
                                  item("7323930000", "Stainless steel cutlery trays", "CN", 120, "KGM", gross: 130, net: 120, packages: 6, value: 420_000)])
        try await declare("IM-SUGAR", by: daehan, kind: .import, office: "020", cargo: busan[7], counterpart: ("Mitr Phol Sugar Corp.", "TH"), minutesAgo: 310,
                          items: [item("1701999000", "Refined white sugar, ICUMSA 45", "TH", 20_000, "KGM", gross: 20_400, net: 20_000, packages: 400, "BG", value: 1_160_000)])
        try await declare("IM-JUICE", by: hanbit, kind: .import, office: "020", cargo: busan[8], counterpart: ("Citrosuco Trading", "BR"), minutesAgo: 300,
                          items: [item("2009110000", "Frozen concentrated orange juice", "BR", 8000, "LTR", gross: 8600, net: 8200, packages: 40, "DR", value: 1_440_000)])
        try await declare("IM-TSHIRTS-CN", by: seoul, kind: .import, office: "020", cargo: busan[9], counterpart: ("Qingdao Apparel Co.", "CN"), minutesAgo: 290,
                          items: [item("6109100000", "Women's cotton T-shirts, knitted", "CN", 6000, "NAR", gross: 1200, net: 1100, packages: 150, value: 1_500_000,
                                       preference: "KR-CN", proof: "CN-CCPIT-26-778120")])
        try await declare("IM-PHONES-AGAIN", by: seoul, kind: .import, office: "020", cargo: busan[10], counterpart: ("Shenzhen Brightway Electronics", "CN"), minutesAgo: 280,
                          items: [item("8517130000", "Smartphones, 6.1-inch, 64 GB", "CN", 200, "NAR", gross: 310, net: 200, packages: 20, value: 600_000,
                                       licence: "RRA-2026-KC-0817")])
        try await declare("IM-BAGS-2", by: daehan, kind: .import, office: "020", cargo: busan[11], counterpart: ("Guangzhou Leather Goods Co.", "CN"), minutesAgo: 45,
                          items: [item("4202210000", "Leather handbags and wallets", "CN", 500, "NAR", gross: 410, net: 370, packages: 25, value: 6_250_000)])
        try await declare("IM-WINE", by: daehan, kind: .import, office: "040", mode: 4, cargo: airport[0], currency: "EUR", counterpart: ("Bordeaux Vins SARL", "FR"), minutesAgo: 240,
                          items: [item("2204210000", "Red wine, Bordeaux AOC, 750 ml", "FR", 900, "LTR", gross: 1520, net: 900, packages: 100, value: 1_440_000,
                                       preference: "KR-EU", proof: "FR-REX-2026-55012")])
        try await declare("IM-COFFEE", by: seoul, kind: .import, office: "040", mode: 4, cargo: airport[1], currency: "EUR", counterpart: ("Roastery Berlin GmbH", "DE"), minutesAgo: 200,
                          items: [item("0901210000", "Roasted coffee beans, arabica", "DE", 480, "KGM", gross: 510, net: 480, packages: 25, value: 960_000)])
        try await declare("IM-TOYS", by: daehan, kind: .import, office: "040", mode: 4, cargo: airport[2], currency: "JPY", counterpart: ("Osaka Toys KK", "JP"), minutesAgo: 150,
                          items: [item("9503000000", "Plastic building-block toys", "JP", 2500, "NAR", gross: 700, net: 640, packages: 50, value: 3_750_000,
                                       licence: "KC-CB-2026-09913")])
        try await declare("IM-PHARMA", by: hanbit, kind: .import, office: "040", mode: 4, cargo: airport[3], currency: "CHF", counterpart: ("Basel Pharma AG", "CH"), minutesAgo: 90,
                          items: [item("3004900000", "Antibiotic tablets, 500 mg", "CH", 80, "KGM", gross: 95, net: 80, packages: 10, value: 4_200_000,
                                       licence: "MFDS-IMP-2026-3318")])
        // The officers' steps on the laned imports.
        for (key, declaration) in lodged {
            switch declaration.state {
            case .documentsRequested where key == "IM-CARS", .underInspection where key == "IM-CARS":
                // The random selection drew the cars (1 % red, 2 % yellow): the demo keeps its
                // blue-lane import, re-routed as the criterion intended, so that it is cleared below.
                _ = try await service.reroute(id: declaration.id, to: .blue, reason: "Passenger cars under the KR-EU origin audit (RC-0005): release, then audit.",
                                              by: inspector, requestID: nil, on: db)
            case .underInspection where key == "IM-PHONES-BROKER":
                // Drawn for inspection (1 %): the demo keeps this one waiting for its documents.
                _ = try await service.reroute(id: declaration.id, to: .yellow, reason: "Undervaluation is a question of the invoice: documents first (RC-0001).",
                                              by: inspector, requestID: nil, on: db)
            case .documentsRequested where key == "IM-TSHIRTS-CN", .underInspection where key == "IM-TSHIRTS-CN":
                // Drawn at random for a check: the demo keeps it assessed, so that its trader withdraws it below.
                _ = try await service.reroute(id: declaration.id, to: .green, reason: "Cotton T-shirts with a valid KR-CN certificate: the draw is not confirmed.",
                                              by: inspector, requestID: nil, on: db)
            case .documentsRequested where key == "IM-PHONES-AGAIN", .underInspection where key == "IM-PHONES-AGAIN":
                _ = try await service.reject(id: declaration.id, reason: "The invoice and the packing list disagree on the quantity; lodge a corrected declaration.",
                                             by: inspector, requestID: nil, on: db)
            case .documentsRequested where key != "IM-PHONES-BROKER":
                _ = try await service.documentsChecked(id: declaration.id, note: "Documents in order: invoice, packing list and certificates checked.",
                                                       by: inspector, requestID: nil, on: db)
            case .underInspection where key == "IM-BAGS":
                _ = try await service.recordInspection(id: declaration.id, findings: "40 cartons opened: 120 bags carry counterfeit brand marks; the rest were undervalued.",
                                                       corrections: [ItemCorrection(sequence: 1, valueMinor: 14_400_000)], by: inspector, requestID: nil, on: db)
            case .underInspection where key == "IM-KITCHEN":
                _ = try await service.recordInspection(id: declaration.id, findings: "Goods as declared.", corrections: [], by: inspector, requestID: nil, on: db)
            default: break
            }
        }
        // Payments: the demo traders pay some of what is due (the bank's notice), the rest waits.
        for key in ["IM-ORANGES", "IM-PHONES", "IM-CARS", "IM-JUICE"] {
            guard let d = lodged[key], let view = try? await service.view(try await DeclarationModel.find(d.id, on: db)!, for: .officer, on: db),
                  let reference = view.paymentReference, view.state == .assessed else { continue }
            _ = try await platform.payments.reconcile(PaymentNotice(reference: reference, amountMinor: view.amountDueKRW, currency: "KRW",
                                                                    bankTransactionID: "DEMO-\(key)", paidAt: now.addingTimeInterval(-3600)),
                                                      by: .system("demo-bank"), on: db)
        }
        try await service.recordPayments(on: db)
        // Goods leave: a released import passes the gate, an export sails.
        if let cars = lodged["IM-CARS"], let model = try await DeclarationModel.find(cars.id, on: db), model.state == DeclarationState.released.rawValue {
            try await service.step(cars.id, .clear, note: "Left the bonded area (Busan New Port).", by: .system("demo-bonded-area"), on: db)
            try await service.cargoEvent(cargoID: model.cargoID, status: "gate_out", place: "KRPUS", note: "Busan New Port gate 3", on: db)
        }
        if let sail = lodged["EX-SAIL-1"], let model = try await DeclarationModel.find(sail.id, on: db), model.state == DeclarationState.released.rawValue {
            try await service.step(sail.id, .exit, note: "Loaded on HMM OSLO 0017E, departed Busan.", by: .system("demo-carrier"), on: db)
            try await service.cargoEvent(cargoID: model.cargoID, status: "departed", place: "KRPUS", note: "HMM OSLO 0017E", on: db)
        }
        // A declaration its trader withdraws before paying (the invoice was for another shipment):
        // the unpaid charge is cancelled with it.
        if let wrong = lodged["IM-TSHIRTS-CN"] {
            _ = try await service.invalidate(id: wrong.id, reason: "The invoice belongs to another shipment; a new declaration follows.", by: seoul,
                                             requestID: nil, on: db)
        }
    }

    static func trader(accountID: UUID?, number: String, name: String, roles: [String], aeo: String?, on db: any Database, at now: Date) async throws -> TraderModel {
        let model = TraderModel()
        model.id = UUID()
        model.accountID = accountID
        model.businessNumber = number
        model.name = name
        model.roles = String(decoding: try JSONEncoder().encode(roles), as: UTF8.self)
        model.aeo = aeo != nil
        model.aeoGrade = aeo
        model.status = "active"
        model.registeredAt = now.addingTimeInterval(-400 * 86_400)
        try await model.create(on: db)
        return model
    }

    /// Moves a declaration's history back in time, keeping the intervals between its steps.
    static func dateBack(_ id: UUID, by seconds: TimeInterval, on db: any Database) async throws {
        guard let m = try await DeclarationModel.find(id, on: db) else { return }
        func back(_ date: Date?) -> Date? { date?.addingTimeInterval(-seconds) }
        m.lodgedAt = m.lodgedAt.addingTimeInterval(-seconds)
        m.acceptedAt = back(m.acceptedAt)
        m.lanedAt = back(m.lanedAt)
        m.assessedAt = back(m.assessedAt)
        m.paidAt = back(m.paidAt)
        m.releasedAt = back(m.releasedAt)
        try await m.save(on: db)
        for event in try await DeclarationEventModel.query(on: db).filter(\.$declarationID == id).all() {
            event.at = event.at.addingTimeInterval(-seconds)
            try await event.save(on: db)
        }
    }
}
