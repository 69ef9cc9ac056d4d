import FluentKit
import Foundation
import NaraCore

/// Eleven weeks of answered complaints behind the statistics page, and a collective complaint:
/// twenty residents of Sajik-dong about the same night works, merged into one. The history is
/// filed and answered through the service (routing, four eyes, ratings), then dated back so that
/// each complaint took its own number of working days; a fixed generator keeps the demo the same
/// on every first start.
enum DemoComplaintHistory {
    /// Residents of Sajik-dong who file with the demo citizens.
    static let residents: [(username: String, name: String, birth: String, sex: Int)] = [
        ("yoon.seojin", "윤서진 Yoon Seojin", "880214", 2), ("han.jiwoo", "한지우 Han Jiwoo", "920807", 1),
        ("seo.yerin", "서예린 Seo Yerin", "990321", 2), ("kwon.taeyang", "권태양 Kwon Taeyang", "750611", 1),
        ("shin.areum", "신아름 Shin Areum", "830129", 2), ("oh.minseok", "오민석 Oh Minseok", "690904", 1),
        ("bae.sujin", "배수진 Bae Sujin", "910418", 2), ("jo.hyunwoo", "조현우 Jo Hyunwoo", "870702", 1),
        ("lim.dahye", "임다혜 Lim Dahye", "020915", 4), ("song.jihoon", "송지훈 Song Jihoon", "800123", 1),
        ("hong.eunbi", "홍은비 Hong Eunbi", "940530", 2), ("moon.jaewon", "문재원 Moon Jaewon", "721117", 1),
        ("yang.sohee", "양소희 Yang Sohee", "970806", 2), ("baek.seungmin", "백승민 Baek Seungmin", "030227", 3),
    ]

    struct Template {
        let type: String
        let category: String
        let place: String?
        let title: String
        let body: String
        let answer: String
    }

    static let templates: [Template] = [
        Template(type: "grievance", category: "parking", place: "서울특별시 종로구 창경궁로 120",
                 title: "Delivery vans parked on the crossing at Hyehwa-dong",
                 body: "Every afternoon delivery vans stop on the zebra crossing and pedestrians walk into the road.",
                 answer: "Parking enforcement patrolled the crossing for a week and fined 14 vehicles; a fixed camera is planned."),
        Template(type: "grievance", category: "roads", place: "서울특별시 종로구 대학로 57",
                 title: "Broken paving slabs on Daehak-ro",
                 body: "Several paving slabs are loose outside the theatre and an elderly neighbour tripped on them.",
                 answer: "The slabs were relaid and the section checked for others that move."),
        Template(type: "grievance", category: "waste", place: "서울특별시 종로구 평창문화로 10",
                 title: "Recycling not collected for two weeks in Pyeongchang-dong",
                 body: "The recycling bags at our collection point have not been taken for two weeks.",
                 answer: "The contractor missed the point after a route change; collection resumed and the route was corrected."),
        Template(type: "grievance", category: "noise", place: "서울특별시 종로구 돈화문로 30",
                 title: "Loudspeaker of a shop on Donhwamun-ro plays all day",
                 body: "A shop plays music through an outdoor loudspeaker from 10 am to 10 pm.",
                 answer: "We measured 68 dB at the window, above the limit; the shop was ordered to remove the speaker and did."),
        Template(type: "proposal", category: "transport", place: nil,
                 title: "More buses on route 7212 in the morning peak",
                 body: "Buses on route 7212 are full before Hongje-dong between 7:30 and 8:30; please add buses.",
                 answer: "Two buses were added between 7:20 and 8:40 from next month's timetable."),
        Template(type: "grievance", category: "transport", place: nil,
                 title: "Bus stop display shows wrong arrival times",
                 body: "The display at the Gwanghwamun stop shows arrival times that are ten minutes off.",
                 answer: "The display's data link was faulty and was replaced; the times are now live again."),
        Template(type: "law-inquiry", category: "housing", place: nil,
                 title: "Is a deposit return guaranteed when the landlord sells?",
                 body: "If my landlord sells the house during the lease, who must return my deposit at the end?",
                 answer: "Under the Housing Lease Protection Act the buyer takes over the landlord's position, including the deposit."),
        Template(type: "procedure-inquiry", category: "housing", place: nil,
                 title: "How to register a lease for a fixed date",
                 body: "How do I get a fixed date on my lease contract, and can I do it online?",
                 answer: "Online through the Internet Registry Office or at any community centre; it costs 600 won."),
        Template(type: "grievance", category: "tax", place: nil,
                 title: "Year-end settlement refund smaller than computed",
                 body: "My year-end settlement refund is 180,000 won less than the simulator showed.",
                 answer: "A medical expense was counted twice in the simulation; the refund paid is correct, as the attached table shows."),
        Template(type: "procedure-inquiry", category: "tax", place: nil,
                 title: "Deadline for the comprehensive income tax return",
                 body: "I started freelancing this year: when and how do I file the comprehensive income tax return?",
                 answer: "By 31 May of the next year, on HomeTax; the simplified bookkeeping guide is linked in the answer."),
    ]

    /// Who drafts and who approves, by agency code.
    static let answerers: [String: (drafter: String, approver: String)] = [
        "3000000": ("official.jongno", "answers.jongno"), "6110000": ("official.seoul", "answers.seoul"),
        "1613000": ("official.molit", "answers.molit"), "1210000": ("official.nts", "answers.nts"),
    ]

    static func seed(_ seed: DemoSeedContext, calendar: BusinessCalendar) async throws {
        let platform = seed.platform
        let db = seed.db
        let service = PetitionsModule.service(platform)
        let identity = platform.identity
        for (index, r) in residents.enumerated() {
            let twelve = r.birth + String(r.sex) + String(format: "%05d", 31_000 + index * 37)
            guard let check = NationalID.legacyCheckDigit(twelve) else { continue }
            _ = try await identity.createAccount(
                NewAccount(username: r.username, password: DemoSeed.password, displayName: r.name, kind: .citizen, nationalID: twelve + String(check),
                           email: "\(r.username.replacingOccurrences(of: ".", with: "-"))@example.kr", locale: "ko"), by: seed.actor, on: db)
        }
        func actor(_ username: String) async throws -> Actor {
            guard let account = try await identity.account(username: username, on: db) else {
                throw NaraError(.internalError, code: .internalError, "demo account \(username) is missing")
            }
            return identity.actor(for: account, secondFactorVerified: true)
        }
        let people = DemoSeed.citizens.map(\.username) + residents.map(\.username)
        let now = platform.clock.now()
        var random = DemoRandom(seed: 20_261_204)

        // The history: 1 to 3 complaints a week, each answered after its own number of working days.
        for weeksAgo in stride(from: 11, through: 1, by: -1) {
            for _ in 0..<(1 + random.next(3)) {
                let t = templates[random.next(templates.count)]
                let filer = people[random.next(people.count)]
                let view = try await service.file(NewComplaint(type: t.type, category: t.category, title: t.title, body: t.body, location: t.place),
                                                  by: try await actor(filer), requestID: nil, on: db)
                guard let model = try await ComplaintModel.find(view.id, on: db),
                      let agency = try await identity.agency(id: model.agencyID, on: db), let who = answerers[agency.code] else { continue }
                _ = try await service.act(view.id, .receive, by: try await actor(who.drafter), requestID: nil, on: db)
                _ = try await service.act(view.id, .draft(text: t.answer), by: try await actor(who.drafter), requestID: nil, on: db)
                _ = try await service.act(view.id, .approve(draft: PetitionsService.fingerprint(t.answer)), by: try await actor(who.approver),
                                          requestID: nil, on: db)
                // Most answers come well within the period; one in six runs past it.
                let workingDays = random.next(6) == 0 ? model.periodWorkingDays + 1 + random.next(4) : 1 + random.next(max(1, model.periodWorkingDays - 1))
                let filedDay = calendar.nextWorkingDay(onOrAfter: calendar.localDay(of: now).adding(days: -7 * weeksAgo - random.next(5)))
                let filed = calendar.instant(filedDay, minute: 9 * 60 + random.next(8 * 60))
                // An answer the calendar would put after today is dated an hour ago.
                let answered = min(calendar.instant(calendar.addingWorkingDays(workingDays, to: filedDay), minute: 10 * 60 + random.next(7 * 60)),
                                   now.addingTimeInterval(-3600))
                var closed: Date?
                if random.next(10) < 7 {
                    let score = [5, 5, 4, 4, 4, 3, 3, 2, 1][random.next(9)]
                    _ = try await service.complainantAct(view.id, .rate(score: score, comment: nil), by: try await actor(filer), accessCode: nil,
                                                         requestID: nil, on: db)
                    if score >= 3 {
                        _ = try await service.complainantAct(view.id, .close, by: try await actor(filer), accessCode: nil, requestID: nil, on: db)
                        closed = answered.addingTimeInterval(86_400)
                    }
                }
                try await redate(view.id, filed: filed, answered: answered, closed: closed, calendar: calendar, on: db)
            }
        }

        // The collective complaint: twenty people, the same night works, merged into the first.
        var collective: [UUID] = []
        let bodies = [
            "Drilling for the Sajik tunnel expansion goes on past midnight; our windows shake and children cannot sleep.",
            "The tunnel works next to Sajik-dong run machines at night, well after 10 pm, every day this week.",
            "Night drilling and trucks at the Sajik tunnel site keep the whole street awake.",
            "Since the tunnel expansion began, heavy machines work at night beside our apartment in Sajik-dong.",
        ]
        for (index, filer) in people.prefix(20).enumerated() {
            let view = try await service.file(
                NewComplaint(type: "grievance", category: "noise", title: index == 0 ? "Night works at the Sajik tunnel expansion" : "Noise at night from the Sajik tunnel works",
                             body: bodies[index % bodies.count], location: "서울특별시 종로구 사직로 지하 (사직터널)",
                             latitude: 37.576_1 + Double(index % 5) * 0.000_1, longitude: 126.965_9 + Double(index % 3) * 0.000_1),
                by: try await actor(filer), requestID: nil, on: db)
            collective.append(view.id)
        }
        guard let primary = collective.first else { return }
        let jongno = try await actor("official.jongno")
        _ = try await service.act(primary, .receive, by: jongno, requestID: nil, on: db)
        _ = try await service.merge(collective.dropFirst().map(\.uuidString), into: primary, by: jongno, requestID: nil, on: db)
    }

    /// Dates an answered complaint back: filed at `filed`, answered at `answered` (closed a day
    /// later when the complainant closed it); its due date and punctuality follow from the filing.
    static func redate(_ id: UUID, filed: Date, answered: Date, closed: Date?, calendar: BusinessCalendar, on db: any Database) async throws {
        guard let m = try await ComplaintModel.find(id, on: db) else { return }
        m.submittedAt = filed
        m.arrivedAt = filed
        m.receivedAt = filed.addingTimeInterval(2 * 3600)
        m.answeredAt = answered
        m.firstAnsweredAt = answered
        m.closedAt = closed
        m.dueAt = calendar.dueDate(for: .workingDays(m.periodWorkingDays), from: filed)
        m.firstAnswerOnTime = answered <= m.dueAt
        m.updatedAt = closed ?? answered
        try await m.save(on: db)
        for e in try await ComplaintEventModel.query(on: db).filter(\.$complaintID == id).all() {
            switch e.event {
            case "submit": e.at = filed
            case "receive": e.at = filed.addingTimeInterval(2 * 3600)
            case "answer": e.at = answered
            default: e.at = closed ?? answered.addingTimeInterval(3600)
            }
            try await e.save(on: db)
        }
    }
}

/// A small fixed-seed generator (SplitMix64), so that the demo is the same on every first start.
struct DemoRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(max(1, bound)))
    }
}
