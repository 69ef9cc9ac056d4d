import FluentKit
import Foundation
import NaraCore

/// The demo of e-People: complaints of the demo citizens in every state across the district, the
/// city, the land and tax administrations and the coordinating commission, some overdue. Each is
/// filed and moved through the service (routing, machine, history, notices), then dated back so
/// that the queues and compliance figures show a few weeks of work.
enum DemoPetitions {
    static func seed(_ seed: DemoSeedContext) async throws {
        let platform = seed.platform
        let db = seed.db
        let service = PetitionsModule.service(platform)
        let identity = platform.identity
        // A second official at the district and the city approves the answers the first drafts.
        for (username, name, code) in [("answers.jongno", "Jeon Minseo", "3000000"), ("answers.seoul", "Nam Gyuri", "6110000"),
                                       ("answers.molit", "Yoo Hajin", "1613000"), ("answers.nts", "Cha Eunwoo", "1210000")] {
            let created = try await identity.createAccount(
                NewAccount(username: username, password: DemoSeed.password, displayName: name, kind: .official, agencyCode: code,
                           email: "\(username.replacingOccurrences(of: ".", with: "-"))@korea.example.kr", extraRoles: ["complaints-approver"], locale: "ko",
                           fixedTOTPSecret: DemoSeed.totpSecret), by: seed.actor, on: db)
            _ = created.account
        }
        for username in ["official.jongno", "official.seoul", "official.molit", "official.nts", "official.acrc"] {
            guard let account = seed.accounts[username] else { continue }
            try await identity.grantRole(accountID: account.id, role: "complaints-officer", by: seed.actor, on: db)
        }
        if let acrc = seed.accounts["official.acrc"] {
            try await identity.grantRole(accountID: acrc.id, role: "complaints-approver", by: seed.actor, on: db)
            try await identity.grantRole(accountID: acrc.id, role: "complaints-administrator", by: seed.actor, on: db)
        }
        func actor(_ username: String) async throws -> Actor {
            guard let account = try await identity.account(username: username, on: db) else {
                throw NaraError(.internalError, code: .internalError, "demo account \(username) is missing")
            }
            return identity.actor(for: account, secondFactorVerified: true)
        }
        func file(_ who: String?, _ type: String, _ category: String?, _ title: String, _ body: String, at place: String? = nil,
                  _ coordinates: (Double, Double)? = nil, public isPublic: Bool = false) async throws -> UUID {
            let filer = try await who.asyncMap { try await actor($0) }
            let view = try await service.file(NewComplaint(type: type, category: category, title: title, body: body, location: place,
                                                           latitude: coordinates?.0, longitude: coordinates?.1, public: isPublic),
                                              by: filer, requestID: nil, on: db)
            return view.id
        }
        func step(_ id: UUID, _ step: PetitionsService.OfficialStep, _ username: String) async throws {
            _ = try await service.act(id, step, by: try await actor(username), requestID: nil, on: db)
        }
        func answer(_ id: UUID, _ text: String, drafter: String, approver: String) async throws {
            try await step(id, .draft(text: text), drafter)
            try await step(id, .approve(draft: PetitionsService.fingerprint(text)), approver)
        }
        let calendar = try await platform.calendar.calendar(on: db)

        // 1. A pothole in Jongno, public, filed today: waiting for the district to accept it.
        _ = try await file("kim.minji", "grievance", "roads", "Deep pothole in front of Jongno 3-ga station exit 5",
                           "A pothole about 40 cm wide has opened in the bus lane in front of exit 5. Scooters swerve around it; please repair it before it rains.",
                           at: "서울특별시 종로구 종로 지하 129 (종로3가역 5번 출구)", (37.570_4, 126.992_1), public: true)
        // 2. Illegal parking on a school route: received and under review at the district; due soon.
        let parking = try await file("park.soyeon", "grievance", "parking", "Cars parked on the school zone of Gyodong Elementary every morning",
                                     "Between 8 and 9 am cars park on both sides of the school zone, and children walk in the road. Please enforce the no-parking rule.",
                                     at: "서울특별시 종로구 삼일대로 30길 (교동초등학교 앞)", (37.574_6, 126.988_8), public: true)
        _ = try await service.attach(parking, data: Data("""
            Cars seen on the school zone of Gyodong Elementary, 8:00-9:00 am
            Mon 16 Nov: 7 cars (12가 3456, 34나 7890, ...)
            Tue 17 Nov: 9 cars
            Wed 18 Nov: 6 cars, one on the crossing
            """.utf8), name: "school-zone-parking-log.txt", contentType: "text/plain", by: try await actor("park.soyeon"), requestID: nil, on: db)
        try await step(parking, .receive, "official.jongno")
        try await step(parking, .startReview, "official.jongno")
        try await back(parking, days: 5, calendar: calendar, on: db)
        // 3. Night construction noise: answered by the district, rated 4 and closed.
        let noise = try await file("lee.junho", "grievance", "noise", "Construction noise after 10 pm on Yulgok-ro",
                                   "The building site next to our flat runs machines until midnight. The permit surely does not allow night work.",
                                   at: "서울특별시 종로구 율곡로 33")
        try await step(noise, .receive, "official.jongno")
        try await step(noise, .startReview, "official.jongno")
        try await answer(noise, "We inspected the site on two nights and fined the contractor under the Noise and Vibration Control Act. Work is now limited to 7 am to 7 pm; call 02-2148-1234 if it happens again.",
                         drafter: "official.jongno", approver: "answers.jongno")
        _ = try await service.complainantAct(noise, .rate(score: 4, comment: "Quick and clear, thank you."), by: try await actor("lee.junho"), accessCode: nil,
                                             requestID: nil, on: db)
        _ = try await service.complainantAct(noise, .close, by: try await actor("lee.junho"), accessCode: nil, requestID: nil, on: db)
        try await back(noise, days: 12, calendar: calendar, on: db)
        // 4. A question about the lease law, sent by its subject to the land ministry: extended once.
        let lease = try await file("jung.haeun", "law-inquiry", "housing", "Does the 5 % cap apply when the lease is renewed by a new landlord?",
                                   "My landlord sold the flat and the new owner asks for 9 % more rent at renewal. Does the renewal cap of the Housing Lease Protection Act still apply?")
        try await step(lease, .receive, "official.molit")
        try await step(lease, .startReview, "official.molit")
        guard let leaseDue = try await ComplaintModel.find(lease, on: db)?.dueAt else { return }
        try await step(lease, .extend(reason: "The question needs the Ministry of Justice's reading of article 6-3; we asked for it.",
                                      dueAt: calendar.dueDate(for: .workingDays(7), from: leaseDue)), "official.molit")
        try await back(lease, days: 15, calendar: calendar, on: db, keepDue: true)
        // 5. A VAT refund filed as "roads" by mistake: the text points to tax; received at NTS, overdue.
        let vat = try await file("choi.woojin", "grievance", "roads", "VAT refund for my café not paid after two months",
                                 "I filed my VAT return in July and the refund of 1,240,000 won is still not paid. The tax office does not answer the phone.")
        try await step(vat, .receive, "official.nts")
        try await back(vat, days: 16, calendar: calendar, on: db)
        // 6. Sent to the city, which transfers it to the district: waiting there.
        let waste = try await file("kang.dohyun", "grievance", "waste", "Rubbish dumped every night behind Insadong-gil 12",
                                   "Bags of rubbish are dumped next to the public toilet every night and cats tear them open. Please install a camera or a sign.",
                                   at: "Seoul, Insa-dong")
        try await step(waste, .transfer(agencyCode: "3000000", reason: "Insa-dong is in Jongno-gu: street cleaning is the district's."), "official.seoul")
        try await back(waste, days: 1, calendar: calendar, on: db)
        // 7. Nobody accepted it: escalated to the commission, which assigns it.
        let transit = try await file("kim.minji", "proposal", "transport", "Add a night bus from Gwanghwamun to Pyeongchang-dong",
                                     "After 11 pm there is no bus up to Pyeongchang-dong. A night bus on the route of bus 1020 would serve hundreds of residents.")
        try await back(transit, days: 4, calendar: calendar, on: db)
        try await service.escalateUnaccepted(on: db)
        // 8. Answered, objected to within the period: reopened at the district.
        let tree = try await file("park.soyeon", "grievance", "roads", "Fallen street tree blocks the pavement on Jahamun-ro",
                                  "A plane tree fell in last week's storm and still blocks half of the pavement; wheelchairs cannot pass.",
                                  at: "서울특별시 종로구 자하문로 45")
        try await step(tree, .receive, "official.jongno")
        try await answer(tree, "The park department will remove the tree within the month.", drafter: "official.jongno", approver: "answers.jongno")
        _ = try await service.complainantAct(tree, .object(grounds: "A month is too long: the pavement is blocked now. Please remove it this week."),
                                             by: try await actor("park.soyeon"), accessCode: nil, requestID: nil, on: db)
        try await back(tree, days: 3, calendar: calendar, on: db, keepDue: true)
        // 9. An anonymous safety report, answered by the city.
        let sign = try await file(nil, "safety-report", "roads", "Loose traffic sign at Sejong-daero crossing",
                                  "The sign above the right-turn lane at the Sejong-daero crossing swings in the wind; one bolt is missing.",
                                  at: "서울 세종대로 사거리", (37.571_0, 126.976_9), public: true)
        try await step(sign, .receive, "official.seoul")
        try await answer(sign, "Fixed on the day of the report: the bracket was bolted again and the other signs on the gantry were checked.",
                         drafter: "official.seoul", approver: "answers.seoul")
        try await back(sign, days: 9, calendar: calendar, on: db)
        // 10. The same pothole from across the road: the district's page of the first proposes merging it.
        _ = try await file("lee.junho", "grievance", "roads", "Scooter fell in a hole by Jongno 3-ga station",
                           "My scooter fell in a hole in the bus lane by exit 5 this morning. Several riders swerve around it; it needs filling.",
                           at: "서울특별시 종로구 종로 지하 129", (37.570_6, 126.992_3))
        // 11. The school-zone parking again, from another parent: merged with the first, answered with it.
        let parkingAgain = try await file("jung.haeun", "grievance", "parking", "Illegal parking at the Gyodong Elementary school gate",
                                          "Every morning cars stop on the school zone and our children walk between them. Please send enforcement.",
                                          at: "서울특별시 종로구 삼일대로 30길", (37.574_7, 126.988_9))
        _ = try await service.merge([parkingAgain.uuidString], into: parking, by: try await actor("official.jongno"), requestID: nil, on: db)
        try await back(parkingAgain, days: 4, calendar: calendar, on: db)
        try await DemoComplaintHistory.seed(seed, calendar: calendar)
    }

    /// Dates a seeded complaint back by `days`: every time moves, the due dates are counted again
    /// from the earlier filing (`keepDue`: moved like the rest, for extended and reopened ones).
    static func back(_ id: UUID, days: Int, calendar: BusinessCalendar, on db: any Database, keepDue: Bool = false) async throws {
        guard let m = try await ComplaintModel.find(id, on: db) else { return }
        let shift = TimeInterval(-days * 86_400)
        func moved(_ d: Date?) -> Date? { d.map { $0.addingTimeInterval(shift) } }
        m.submittedAt = m.submittedAt.addingTimeInterval(shift)
        m.arrivedAt = m.arrivedAt.addingTimeInterval(shift)
        m.receivedAt = moved(m.receivedAt)
        m.answeredAt = moved(m.answeredAt)
        m.firstAnsweredAt = moved(m.firstAnsweredAt)
        m.closedAt = moved(m.closedAt)
        m.objectedAt = moved(m.objectedAt)
        m.updatedAt = m.updatedAt.addingTimeInterval(shift)
        let filingDue = calendar.dueDate(for: .workingDays(m.periodWorkingDays), from: m.submittedAt)
        m.dueAt = keepDue ? m.dueAt.addingTimeInterval(shift) : filingDue
        if let first = m.firstAnsweredAt { m.firstAnswerOnTime = first <= (m.objectedAt == nil ? m.dueAt : filingDue) }
        try await m.save(on: db)
        for e in try await ComplaintEventModel.query(on: db).filter(\.$complaintID == id).all() {
            e.at = e.at.addingTimeInterval(shift)
            try await e.save(on: db)
        }
    }
}
