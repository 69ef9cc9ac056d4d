import FluentKit
import Foundation

/// What module seeds can build on: the platform and the demo government's agencies and people.
public struct DemoSeedContext: Sendable {
    public let platform: Platform
    /// The seeding transaction: write through it, so that a failed seed leaves nothing behind.
    public let db: any Database
    public let agencies: [String: AgencySummary]
    public let accounts: [String: AccountSummary]
    public let actor: AuditActor
}

public struct DemoSeedReport: Sendable {
    public struct Login: Sendable {
        public let username: String
        public let kind: AccountKind
        public let description: String
    }

    public let password: String
    public let totpSecretBase32: String
    public let logins: [Login]
    public let paymentGatewayClientID: String
    public let paymentGatewaySecret: String
}

/// A small believable government: ministries, agencies and offices with their officials, an
/// operator, citizens and businesses with valid-format numbers, and platform records in each of
/// their states. Runs only into an empty database.
public enum DemoSeed {
    public static let password = "Nara-demo-2026!"
    /// Shared by every demo official and operator so that one authenticator entry serves them all.
    public static let totpSecret = Data("NaraDemoTOTPSecret26".utf8)
    public static let paymentGatewaySecret = "nara_cs_demo-treasury-gateway-2026"

    struct AgencySeed {
        let code: String, en: String, ko: String, kind: AgencyKind, parent: String?, official: String, officialName: String, extraRoles: [String]
    }

    static let agencies: [AgencySeed] = [
        .init(code: "1741000", en: "Ministry of the Interior and Safety", ko: "행정안전부", kind: .ministry, parent: nil,
              official: "official.mois", officialName: "Yoon Seojin", extraRoles: ["privacy-officer", "signer"]),
        .init(code: "1741390", en: "National Information Resources Service", ko: "국가정보자원관리원", kind: .agency, parent: "1741000",
              official: "official.nirs", officialName: "Han Jiwoo", extraRoles: []),
        .init(code: "1051000", en: "Ministry of Economy and Finance", ko: "기획재정부", kind: .ministry, parent: nil,
              official: "official.moef", officialName: "Oh Minseok", extraRoles: []),
        .init(code: "1230000", en: "Public Procurement Service", ko: "조달청", kind: .agency, parent: "1051000",
              official: "official.pps", officialName: "Seo Yejin", extraRoles: ["signer"]),
        .init(code: "1220000", en: "Korea Customs Service", ko: "관세청", kind: .agency, parent: "1051000",
              official: "official.kcs", officialName: "Shin Dongwook", extraRoles: ["signer"]),
        .init(code: "1220100", en: "Seoul Main Customs", ko: "서울본부세관", kind: .office, parent: "1220000",
              official: "official.seoul-customs", officialName: "Kwon Nayeon", extraRoles: []),
        .init(code: "1210000", en: "National Tax Service", ko: "국세청", kind: .agency, parent: "1051000",
              official: "official.nts", officialName: "Lim Taeyang", extraRoles: ["signer"]),
        .init(code: "1210110", en: "Jongno Tax Office", ko: "종로세무서", kind: .office, parent: "1210000",
              official: "official.jongno-tax", officialName: "Baek Sora", extraRoles: []),
        .init(code: "1450000", en: "Ministry of Trade, Industry and Energy", ko: "산업통상자원부", kind: .ministry, parent: nil,
              official: "official.motie", officialName: "Jang Hyunwoo", extraRoles: []),
        .init(code: "1430000", en: "Korean Intellectual Property Office", ko: "특허청", kind: .agency, parent: "1450000",
              official: "official.kipo", officialName: "Moon Chaeyoung", extraRoles: ["signer"]),
        .init(code: "1613000", en: "Ministry of Land, Infrastructure and Transport", ko: "국토교통부", kind: .ministry, parent: nil,
              official: "official.molit", officialName: "Song Jaehyun", extraRoles: ["privacy-officer"]),
        .init(code: "1140100", en: "Anti-Corruption and Civil Rights Commission", ko: "국민권익위원회", kind: .ministry, parent: nil,
              official: "official.acrc", officialName: "Hwang Eunji", extraRoles: []),
        .init(code: "6110000", en: "Seoul Metropolitan Government", ko: "서울특별시", kind: .ministry, parent: nil,
              official: "official.seoul", officialName: "Ahn Siwoo", extraRoles: []),
        .init(code: "3000000", en: "Jongno-gu Office", ko: "종로구청", kind: .agency, parent: "6110000",
              official: "official.jongno", officialName: "Ryu Hayoon", extraRoles: ["privacy-officer", "signer"]),
    ]

    public struct PersonSeed: Sendable {
        public let username: String, name: String, birth: String, sexDigit: Int, serial: String, email: String, phone: String, locale: String
    }

    /// The demo citizens; modules build their demo records around them.
    public static let citizens: [PersonSeed] = [
        .init(username: "kim.minji", name: "김민지 Kim Minji", birth: "900512", sexDigit: 2, serial: "10234", email: "minji.kim@example.kr", phone: "010-2345-6781", locale: "ko"),
        .init(username: "lee.junho", name: "이준호 Lee Junho", birth: "850930", sexDigit: 1, serial: "20415", email: "junho.lee@example.kr", phone: "010-3456-7812", locale: "en"),
        .init(username: "park.soyeon", name: "박소연 Park Soyeon", birth: "010203", sexDigit: 4, serial: "30528", email: "soyeon.park@example.kr", phone: "010-4567-8123", locale: "ko"),
        .init(username: "choi.woojin", name: "최우진 Choi Woojin", birth: "770101", sexDigit: 1, serial: "11147", email: "woojin.choi@example.kr", phone: "010-5678-1234", locale: "ko"),
        .init(username: "jung.haeun", name: "정하은 Jung Haeun", birth: "950725", sexDigit: 2, serial: "22352", email: "haeun.jung@example.kr", phone: "010-6781-2345", locale: "en"),
        .init(username: "kang.dohyun", name: "강도현 Kang Dohyun", birth: "680318", sexDigit: 1, serial: "14461", email: "dohyun.kang@example.kr", phone: "010-7812-3456", locale: "ko"),
    ]

    public struct BusinessSeed: Sendable {
        public let username: String, name: String, businessName: String, firstNine: String, email: String
    }

    /// The demo businesses and their representatives' accounts.
    public static let businesses: [BusinessSeed] = [
        .init(username: "hanbit.construction", name: "Choi Woojin", businessName: "한빛건설 Hanbit Construction Co., Ltd.", firstNine: "101815067", email: "bids@hanbit-construction.example.kr"),
        .init(username: "daehan.trading", name: "Kang Dohyun", businessName: "대한무역 Daehan Trading Corp.", firstNine: "214863001", email: "customs@daehan-trading.example.kr"),
        .init(username: "seoul.software", name: "Jung Haeun", businessName: "서울소프트 Seoul Software Inc.", firstNine: "120871234", email: "office@seoul-software.example.kr"),
    ]

    /// A resident registration number in the right format whose legacy check digit also holds.
    public static func nationalID(_ person: PersonSeed) -> String {
        let twelve = person.birth + String(person.sexDigit) + person.serial
        return twelve + String(NationalID.legacyCheckDigit(twelve)!)
    }

    public static func businessNumber(_ firstNine: String) -> String {
        firstNine + String(BusinessNumber.checkDigit(firstNine)!)
    }

    /// Seeds everything in one transaction: a failure leaves the database empty, never half-seeded.
    public static func run(platform: Platform) async throws -> DemoSeedReport {
        platform.logger.notice("seeding the demo government (empty database)")
        return try await platform.db.transaction { tx in try await seed(platform: platform, on: tx) }
    }

    static func seed(platform: Platform, on db: any Database) async throws -> DemoSeedReport {
        let actor = AuditActor.system("demo-seed")
        let identity = platform.identity
        var agencyByCode: [String: AgencySummary] = [:]
        var accounts: [String: AccountSummary] = [:]
        var logins: [DemoSeedReport.Login] = []

        for seed in agencies {
            agencyByCode[seed.code] = try await identity.createAgency(
                NewAgency(code: seed.code, nameEN: seed.en, nameKO: seed.ko, kind: seed.kind, parentCode: seed.parent), by: actor, on: db)
        }
        for seed in agencies {
            let created = try await identity.createAccount(
                NewAccount(username: seed.official, password: password, displayName: seed.officialName, kind: .official, agencyCode: seed.code,
                           email: "\(seed.official.replacingOccurrences(of: "official.", with: ""))@korea.example.kr", extraRoles: seed.extraRoles,
                           locale: "ko", fixedTOTPSecret: totpSecret),
                by: actor, on: db)
            accounts[seed.official] = created.account
            logins.append(.init(username: seed.official, kind: .official, description: "official, \(seed.en)"))
        }
        let op = try await identity.createAccount(
            NewAccount(username: "operator", password: password, displayName: "Nara Operations Desk", kind: .operator,
                       email: "ops@nara.example.kr", extraRoles: ["auditor"], fixedTOTPSecret: totpSecret), by: actor, on: db)
        accounts["operator"] = op.account
        logins.append(.init(username: "operator", kind: .operator, description: "platform operator and auditor"))

        for person in citizens {
            let created = try await identity.createAccount(
                NewAccount(username: person.username, password: password, displayName: person.name, kind: .citizen,
                           nationalID: nationalID(person), email: person.email, phone: person.phone, locale: person.locale),
                by: actor, on: db)
            accounts[person.username] = created.account
            logins.append(.init(username: person.username, kind: .citizen, description: "citizen \(created.account.nationalIDMasked ?? "")"))
        }
        for business in businesses {
            let created = try await identity.createAccount(
                NewAccount(username: business.username, password: password, displayName: business.name, kind: .business,
                           businessNumber: businessNumber(business.firstNine), businessName: business.businessName, email: business.email),
                by: actor, on: db)
            accounts[business.username] = created.account
            logins.append(.init(username: business.username, kind: .business,
                                description: "business representative, \(BusinessNumber.checkDigit(business.firstNine).map { _ in (try? BusinessNumber(businessNumber(business.firstNine)).formatted) ?? "" } ?? "")"))
        }

        let gateway = try await identity.createAgencySystem(agencyCode: "1051000", name: "National Treasury payment gateway",
                                                             permissions: [.paymentsReconcile], fixedSecret: paymentGatewaySecret, by: actor, on: db)

        try await seedPlatformRecords(platform: platform, accounts: accounts, agencies: agencyByCode, actor: actor, on: db)

        let context = DemoSeedContext(platform: platform, db: db, agencies: agencyByCode, accounts: accounts, actor: actor)
        for module in platform.modules {
            try await module.seedDemo(context)
        }
        return DemoSeedReport(password: password, totpSecretBase32: Base32.encode(totpSecret), logins: logins,
                              paymentGatewayClientID: gateway.clientID, paymentGatewaySecret: gateway.clientSecret)
    }

    /// Notifications, payments, a file and a past outage: the platform's own records in each state.
    static func seedPlatformRecords(platform: Platform, accounts: [String: AccountSummary], agencies: [String: AgencySummary], actor: AuditActor,
                                    on db: any Database) async throws {
        let now = platform.clock.now()
        guard let minji = accounts["kim.minji"], let junho = accounts["lee.junho"], let hanbit = accounts["hanbit.construction"] else { return }
        let jongno = agencies["3000000"]?.id
        let krw = try Money(minorUnits: 1_000, currency: "KRW")

        // Payments: one waiting at the bank, one paid, one refunded.
        let pending = try await platform.payments.charge(accountID: minji.id, agencyID: jongno, module: "platform",
                                                         purpose: "Resident registration certificate fee", amount: krw,
                                                         dueAt: now.addingTimeInterval(3 * 86400), by: actor, on: db)
        let paid = try await platform.payments.charge(accountID: minji.id, agencyID: jongno, module: "platform",
                                                      purpose: "Family relations certificate fee", amount: krw,
                                                      dueAt: now.addingTimeInterval(3 * 86400), by: actor, on: db)
        _ = try await platform.payments.reconcile(PaymentNotice(reference: paid.reference, amountMinor: 1_000, currency: "KRW",
                                                                bankTransactionID: "KFTC-20261120-000184", paidAt: now.addingTimeInterval(-6 * 86400)),
                                                  by: actor, on: db)
        let refunded = try await platform.payments.charge(accountID: junho.id, agencyID: agencies["1613000"]?.id, module: "platform",
                                                          purpose: "Vehicle registration transcript fee", amount: try Money(minorUnits: 300, currency: "KRW"),
                                                          dueAt: now.addingTimeInterval(86400), by: actor, on: db)
        _ = try await platform.payments.reconcile(PaymentNotice(reference: refunded.reference, amountMinor: 300, currency: "KRW",
                                                                bankTransactionID: "KFTC-20261118-000932", paidAt: now.addingTimeInterval(-9 * 86400)),
                                                  by: actor, on: db)
        _ = try await platform.payments.refund(paymentID: refunded.id, reason: "Issued free of charge to a registered disabled person", by: actor, on: db)
        _ = try await platform.payments.charge(accountID: hanbit.id, agencyID: agencies["1230000"]?.id, module: "platform",
                                               purpose: "Supplier registration certificate fee", amount: try Money(minorUnits: 2_000, currency: "KRW"),
                                               dueAt: now.addingTimeInterval(5 * 86400), by: actor, on: db)

        // Inbox: read and unread notices (each also queues an e-mail in the outbox).
        try await platform.notifications.notify(accountID: minji.id, module: "platform", title: "Welcome to Nara",
                                                body: "Your account is ready. Applications, documents and payments appear in My Nara.", link: "/my", on: db)
        try await platform.notifications.notify(accountID: minji.id, module: "platform", title: "Payment received",
                                                body: "We received 1,000 KRW for reference \(paid.reference).", link: "/my#payments", on: db)
        try await platform.notifications.notify(accountID: minji.id, module: "platform", title: "Payment due",
                                                body: "Please pay 1,000 KRW at any bank to virtual account \(pending.reference).", link: "/my#payments", on: db)
        if let first = try await platform.notifications.inbox(accountID: minji.id, on: db).last {
            try await platform.notifications.markRead(messageID: first.id, accountID: minji.id, on: db)
        }
        try await platform.notifications.notify(accountID: junho.id, module: "platform", title: "Refund sent",
                                                body: "300 KRW for reference \(refunded.reference) was refunded to your account.", link: "/my#payments", on: db)
        // An SMS that waits for a retry after the gateway refused it.
        try await platform.notifications.enqueue(OutgoingMessage(channel: .sms, recipient: "010-3456-7812", subject: "Nara",
                                                                 body: "Your refund of 300 KRW was sent."), accountID: junho.id, on: db)

        // A file the citizen uploaded (a one-page PDF).
        _ = try await platform.files.store(Data(minimalPDF.utf8), name: "lease-contract.pdf", declaredType: "application/pdf",
                                           ownerAccountID: minji.id, on: db)

        // A past planned outage window that moved deadlines.
        let calendar = try await platform.calendar.calendar(on: db)
        let lastSunday = calendar.localDay(of: now).adding(days: -((calendar.localDay(of: now).isoWeekday % 7) + 7))
        _ = try await platform.calendar.declareOutage(start: calendar.instant(lastSunday, minute: 2 * 60), end: calendar.instant(lastSunday, minute: 4 * 60),
                                                      reason: "Planned maintenance: database storage upgrade", by: actor, audit: platform.audit, on: db)
    }

    static let minimalPDF = """
    %PDF-1.4
    1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
    2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
    3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
    4 0 obj << /Length 58 >> stream
    BT /F1 18 Tf 72 760 Td (Lease contract - demo document) Tj ET
    endstream endobj
    5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
    trailer << /Root 1 0 R >>
    %%EOF
    """
}
