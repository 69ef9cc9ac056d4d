import FluentKit
import Foundation
import NaraCore

/// The demo of proposals, petitions and discussions: proposals in every state with supports,
/// threads and answers; an open national petition, a neighbourhood petition answered, one awaiting
/// its answer and one closed under its threshold; two discussions, one comment reported and one
/// hidden by a moderator. Everything goes through the service; only dates are moved back.
enum DemoParticipation {
    static func seed(_ seed: DemoSeedContext) async throws {
        let platform = seed.platform
        let db = seed.db
        let service = PetitionsModule.participation(platform)
        let identity = platform.identity
        for username in ["official.jongno", "official.seoul", "official.molit", "official.nts"] {
            guard let account = seed.accounts[username] else { continue }
            try await identity.grantRole(accountID: account.id, role: "participation-officer", by: seed.actor, on: db)
        }
        for username in ["official.acrc", "operator"] {
            guard let account = seed.accounts[username] else { continue }
            try await identity.grantRole(accountID: account.id, role: "participation-moderator", by: seed.actor, on: db)
        }
        func actor(_ username: String) async throws -> Actor {
            guard let account = try await identity.account(username: username, on: db) else {
                throw NaraError(.internalError, code: .internalError, "demo account \(username) is missing")
            }
            return identity.actor(for: account, secondFactorVerified: true)
        }
        let now = platform.clock.now()
        let day: TimeInterval = 86_400

        // A district's own kind of petition, sized for a neighbourhood (and for six demo citizens).
        _ = try await service.savePetitionType(PetitionType(code: "neighbourhood", nameEN: "Neighbourhood petition (Jongno-gu)", nameKO: "동네 청원 (종로구)",
                                                            threshold: 5, signingDays: 14, answerWorkingDays: 10),
                                               by: try await actor("official.acrc"), requestID: nil, on: db)

        // MARK: Petitions
        func petition(_ author: String, _ type: String, _ agency: String, _ category: String?, _ title: String, _ body: String, signers: [String]) async throws -> UUID {
            let view = try await service.publishPetition(NewPetition(type: type, title: title, body: body, category: category, agency: agency),
                                                         by: try await actor(author), requestID: nil, on: db)
            for signer in signers { _ = try await service.sign(view.id, by: try await actor(signer), on: db) }
            return view.id
        }
        func moveBack(_ id: UUID, days: Double) async throws {
            guard let m = try await PetitionModel.find(id, on: db) else { return }
            m.openedAt = m.openedAt.addingTimeInterval(-days * day)
            m.closesAt = m.closesAt.addingTimeInterval(-days * day)
            m.reachedAt = m.reachedAt?.addingTimeInterval(-days * day)
            m.answerDueAt = m.answerDueAt?.addingTimeInterval(-days * day)
            m.answeredAt = m.answeredAt?.addingTimeInterval(-days * day)
            try await m.save(on: db)
            try await PetitionSignatureModel.query(on: db).filter(\.$petitionID == id).set(\.$signedAt, to: m.openedAt.addingTimeInterval(day)).update()
        }
        let buses = try await petition("kim.minji", "national", "1613000", "transport", "Run late-night wide-area buses between Seoul and Gyeonggi until 2 a.m.",
                                       "Workers in hospitals, logistics and restaurants finish after midnight, when the last wide-area buses have left. A taxi home to Goyang or Yongin costs a day's pay. Please run late-night wide-area buses on the main commuter corridors until 2 a.m., at least on weekdays.",
                                       signers: ["lee.junho", "park.soyeon", "choi.woojin"])
        try await moveBack(buses, days: 6)
        let crossing = try await petition("park.soyeon", "neighbourhood", "3000000", "roads", "A signalised crossing in front of Gyodong Elementary School",
                                          "Children cross Samil-daero at the school's front gate between moving cars, with no lights and only a painted line. Please install a pedestrian signal with a countdown timer at the gate before the spring term.",
                                          signers: ["kim.minji", "lee.junho", "jung.haeun", "kang.dohyun"])
        _ = try await service.answerPetition(crossing, text: """
            Thank you to the 5 residents who signed. The district surveyed the crossing with the Jongno police station: 1,240 pedestrians, 410 of them pupils, cross there between 8 and 9 a.m. A signalised crossing with a countdown timer and a raised table will be installed during the winter holidays, before the spring term starts on 2 March. Until then a crossing guard is on duty every school morning.
            """, by: try await actor("official.jongno"), requestID: nil, on: db)
        try await moveBack(crossing, days: 20)
        let library = try await petition("jung.haeun", "neighbourhood", "3000000", nil, "Keep Jongno Public Library's reading rooms open until 10 p.m. on weekdays",
                                         "The reading rooms close at 6 p.m., before most people finish work or school. Students and job seekers study in cafés instead. Please keep the reading rooms open until 10 p.m. on weekdays, as the city's other libraries do.",
                                         signers: ["kim.minji", "choi.woojin", "kang.dohyun", "lee.junho"])
        try await moveBack(library, days: 3)
        let trees = try await petition("choi.woojin", "local", "6110000", nil, "Plant shade trees along Yulgok-ro",
                                       "Yulgok-ro between Anguk and Jongno 3-ga has no shade: pavements reach 45 °C in August. Please plant street trees along the road.",
                                       signers: ["jung.haeun"])
        try await moveBack(trees, days: 40)
        try await service.closeSigningWindows(on: db)

        // MARK: Proposals
        func propose(_ author: String, _ agency: String, _ category: String?, _ title: String, _ body: String, supporters: [String]) async throws -> UUID {
            let view = try await service.propose(NewProposal(title: title, body: body, category: category, agency: agency), by: try await actor(author),
                                                 requestID: nil, on: db)
            for s in supporters { _ = try await service.support(view.id, by: try await actor(s), requestID: nil, on: db) }
            return view.id
        }
        let parkingCounts = try await propose("lee.junho", "6110000", "parking", "Show free spaces of public car parks in real time on the city's map",
                                              "Drivers circle the block looking for a space while the public car park two streets away is half empty. The city's car parks already count cars at the gate: publish the free spaces on the Seoul map and as open data, so that navigation apps can show them.",
                                              supporters: ["kim.minji", "park.soyeon", "choi.woojin"])
        let first = try await service.comment(on: .proposal, parkingCounts, body: "Yes, please. The Jongno public car park is rarely full but you cannot tell from outside.",
                                              parent: nil, by: try await actor("kim.minji"), requestID: nil, on: db)
        let reply = try await service.comment(on: .proposal, parkingCounts, body: "Private car parks could join voluntarily too, if the data format is open.",
                                              parent: first.id, by: try await actor("jung.haeun"), requestID: nil, on: db)
        _ = try await service.comment(on: .proposal, parkingCounts, body: "Good point: a published format would let them join without a separate contract.",
                                      parent: reply.id, by: try await actor("lee.junho"), requestID: nil, on: db)
        _ = try await service.comment(on: .proposal, parkingCounts, body: "The city's parking division is collecting the gate data of its 84 car parks to see what can be published. We will answer here.",
                                      parent: nil, by: try await actor("official.seoul"), requestID: nil, on: db)

        let instalments = try await propose("choi.woojin", "1210000", "tax", "Let taxpayers split the May income tax payment into three instalments online",
                                            "Self-employed people pay a year's income tax in one payment at the end of May. Splitting it into three monthly instalments on HomeTax, without a separate application at the tax office, would help small businesses keep their cash flow.",
                                            supporters: ["kang.dohyun", "jung.haeun"])
        _ = try await service.answerProposal(instalments, state: .underEvaluation,
                                             reasons: "The proposal has been passed to the income tax division, which is assessing the legal basis (the instalment rules of the National Tax Basic Act) and the changes HomeTax would need. We expect to answer within two months.",
                                             by: try await actor("official.nts"), requestID: nil, on: db)

        let busStops = try await propose("kim.minji", "6110000", "transport", "Publish the accessibility of every bus stop as open data",
                                         "Wheelchair users cannot tell in advance whether a stop has a raised kerb, a shelter or step-free access to the pavement. Publish these facts for every stop as open data so that route planners can use them.",
                                         supporters: ["lee.junho", "park.soyeon", "jung.haeun", "kang.dohyun"])
        _ = try await service.answerProposal(busStops, state: .accepted,
                                             reasons: "Accepted. The accessibility survey of Seoul's 11,300 bus stops (kerb height, shelter, tactile paving, step-free access) will be published on the Seoul Open Data Plaza in March and updated every quarter.",
                                             by: try await actor("official.seoul"), requestID: nil, on: db)

        let leases = try await propose("park.soyeon", "1613000", "housing", "Warn tenants before they sign when the landlord's debts exceed the house's value",
                                       "Many tenants lost their deposits to landlords whose mortgages and unpaid taxes were larger than the house was worth. Show the tenant, before the lease is signed, the registered debts and the landlord's tax arrears together with the estimated market value.",
                                       supporters: ["kim.minji", "choi.woojin"])
        _ = try await service.answerProposal(leases, state: .partiallyAccepted,
                                             reasons: "Partly accepted. From next year the lease registration service will show registered debts against the official price before a lease is reported. Showing a landlord's tax arrears needs the landlord's consent under the tax secrecy rules, so it stays an option the tenant may request.",
                                             by: try await actor("official.molit"), requestID: nil, on: db)

        let insadong = try await propose("kang.dohyun", "3000000", nil, "Close Insadong-gil to all cars every weekend",
                                         "Insadong-gil is crowded with visitors at weekends, yet delivery vans and taxis still drive through. Close the street to all vehicles from Friday evening to Sunday night.",
                                         supporters: ["jung.haeun"])
        _ = try await service.answerProposal(insadong, state: .rejected,
                                             reasons: "Not accepted. Insadong-gil is already car-free on Saturdays and Sundays from 10 a.m. to 10 p.m. A full closure from Friday evening would cut off the 140 shops' deliveries and the residents' parking; the district will instead add two loading bays at the street's ends.",
                                             by: try await actor("official.jongno"), requestID: nil, on: db)

        // MARK: Discussions
        let riverside = try await service.openDebate(title: "How should the Han River parks be used at night?",
                                                     description: "The city is reviewing the night-time rules of the Han River parks: opening hours of the stalls, noise limits, drinking and cycling. Tell us what works and what should change.",
                                                     closesAt: now.addingTimeInterval(21 * day), by: try await actor("official.seoul"), requestID: nil, on: db)
        _ = try await service.comment(on: .debate, riverside.id, body: "Quiet zones after 11 p.m. near the apartments, and music allowed near the bridges.",
                                      parent: nil, by: try await actor("lee.junho"), requestID: nil, on: db)
        let reported = try await service.comment(on: .debate, riverside.id, body: "Cyclists ride far too fast on the shared paths at night. Separate the paths.",
                                                 parent: nil, by: try await actor("park.soyeon"), requestID: nil, on: db)
        try await service.report(reported.id, reason: ReportReason.offTopic.rawValue, by: try await actor("choi.woojin"), requestID: nil, on: db)
        let leaked = try await service.comment(on: .debate, riverside.id, body: "The stall owner at Yeouido, Mr Kim at 010-9876-5432, sells alcohol after midnight.",
                                               parent: nil, by: try await actor("kang.dohyun"), requestID: nil, on: db)
        try await service.report(leaked.id, reason: ReportReason.personalData.rawValue, by: try await actor("jung.haeun"), requestID: nil, on: db)
        _ = try await service.moderate(leaked.id, hide: true, reason: "It names a person and a telephone number. Report sales after hours to the park office instead.",
                                       by: try await actor("official.acrc"), requestID: nil, on: db)
        _ = try await service.comment(on: .debate, riverside.id, body: "Thank you. The park office will look at sales after hours; please keep personal details out of the discussion.",
                                      parent: nil, by: try await actor("official.seoul"), requestID: nil, on: db)

        let scooters = try await service.openDebate(title: "Shared e-scooters on pavements: what rules?",
                                                    description: "Shared e-scooters are left across pavements and ridden among pedestrians. The ministry is preparing rules on parking zones, speed limits and operators' duties, and asks for your experience.",
                                                    closesAt: nil, by: try await actor("official.molit"), requestID: nil, on: db)
        let scooterComment = try await service.comment(on: .debate, scooters.id, body: "Fixed parking zones at every subway exit would solve most of the clutter.",
                                                       parent: nil, by: try await actor("jung.haeun"), requestID: nil, on: db)
        _ = try await service.comment(on: .debate, scooters.id, body: "And operators should collect a scooter left outside a zone within an hour.",
                                      parent: scooterComment.id, by: try await actor("kim.minji"), requestID: nil, on: db)
    }
}
