import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

@Suite("Complaints: statistics")
struct ComplaintStatisticsTests {
    @Test("percentiles by nearest rank")
    func percentile() {
        #expect(Percentile.nearestRank([], 0.95) == nil)
        #expect(Percentile.nearestRank([4], 0.95) == 4)
        #expect(Percentile.nearestRank([2, 11], 0.95) == 11)
        #expect(Percentile.nearestRank((1...20).map(Double.init), 0.95) == 19)
        #expect(Percentile.nearestRank((1...100).map(Double.init), 0.5) == 50)
    }

    @Test("per week, working days to answer and compliance by agency, satisfaction and top categories; the page draws them; bad periods are refused")
    func statistics() async throws {
        try await withTestApp { client, harness in
            let world = try await PetitionsWorld.create(harness.platform)
            let service = world.service
            let alice = try await world.actor("alice"), bob = try await world.actor("bob")
            func file(_ who: Actor, _ category: String, _ title: String, location: String? = "서울특별시 종로구 종로 129") async throws -> ComplaintView {
                try await service.file(NewComplaint(type: "grievance", category: category, title: title, body: "\(title): please look into it.", location: location),
                                       by: who, requestID: nil)
            }
            func answer(_ id: UUID, _ text: String) async throws {
                _ = try await service.act(id, .receive, by: try await world.actor("jongno"), requestID: nil)
                _ = try await service.act(id, .draft(text: text), by: try await world.actor("jongno"), requestID: nil)
                _ = try await service.act(id, .approve(draft: PetitionsService.fingerprint(text)), by: try await world.actor("jongno.lead"), requestID: nil)
            }
            // Wednesday 25 November 2026, 10:00 in Seoul: four complaints.
            let a = try await file(alice, "roads", "Pothole on Jongno-ro")
            let b = try await file(bob, "roads", "Broken kerb on Jongno-ro")
            let c = try await file(bob, "tax", "VAT refund not paid", location: nil)
            let d = try await file(alice, "noise", "Bar music until 3 am")
            #expect(c.agencyCode == "1210000" && a.agencyCode == "3000000" && d.agencyCode == "3000000")
            // Friday 27 November: A answered after 2 working days, on time; rated 5.
            harness.clock.advance(by: 2 * 86_400)
            try await answer(a.id, "Repaired on 27 November.")
            _ = try await service.complainantAct(a.id, .rate(score: 5, comment: nil), by: alice, accessCode: nil, requestID: nil)
            // Thursday 10 December: B answered after 11 working days, past its due date (4 December); rated 2.
            harness.clock.advance(by: 13 * 86_400)
            try await answer(b.id, "The kerb was replaced.")
            _ = try await service.complainantAct(b.id, .rate(score: 2, comment: nil), by: bob, accessCode: nil, requestID: nil)

            let s = try await service.statistics(weeks: 4)
            #expect(s.from.description == "2026-11-16" && s.through.description == "2026-12-13")
            #expect(s.perWeek.map(\.weekStart.description) == ["2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07"])
            #expect(s.perWeek.map(\.filed) == [0, 4, 0, 0] && s.perWeek.map(\.answered) == [0, 1, 0, 1], "\(s.perWeek)")
            #expect(s.filed == 4 && s.answered == 2 && s.averageWorkingDays == 6.5 && s.onTimeRate == 50)
            let jongno = try #require(s.agencies.first { $0.agencyCode == "3000000" })
            #expect(jongno.answered == 2 && jongno.averageWorkingDays == 6.5 && jongno.p95WorkingDays == 11 && jongno.answeredOnTime == 1
                    && jongno.onTimeRate == 50 && jongno.open == 1 && jongno.overdueOpen == 1, "\(jongno)")
            let nts = try #require(s.agencies.first { $0.agencyCode == "1210000" })
            #expect(nts.answered == 0 && nts.averageWorkingDays == nil && nts.onTimeRate == nil && nts.open == 1 && nts.overdueOpen == 1, "\(nts)")
            #expect(!s.agencies.contains { $0.agencyCode == "1613000" }, "an agency with nothing in the period is left out")
            #expect(s.satisfaction == SatisfactionSummary(rated: 2, average: 3.5, distribution: [0, 1, 0, 0, 1]))
            #expect(s.topCategories.map(\.code) == ["roads", "noise", "tax"] && s.topCategories.map(\.count) == [2, 1, 1], "\(s.topCategories)")
            #expect(s.topCategories.first?.nameEN == "Roads and pavements")
            // One week: only this week's answer; the filings were before it.
            let week = try await service.statistics(weeks: 1)
            #expect(week.filed == 0 && week.answered == 1 && week.perWeek.count == 1 && week.averageWorkingDays == 11 && week.onTimeRate == 0)
            #expect(week.satisfaction.distribution == [0, 1, 0, 0, 0] && week.topCategories.isEmpty)

            // The API (public) and its refusals.
            let json = try await client.api(.get, "/api/v1/petitions/statistics?weeks=4")
            #expect(json.status == .ok && json.text.contains("\"p95WorkingDays\":11") && json.text.contains("\"weekStart\":\"2026-11-23\""), "\(json.text)")
            for (bad, code) in [("0", "range"), ("105", "range"), ("four", "format")] {
                let refused = try await client.api(.get, "/api/v1/petitions/statistics?weeks=\(bad)")
                #expect(refused.status == .unprocessableContent && refused.text.contains("\"code\":\"\(code)\""), "\(bad): \(refused.text)")
            }
            // The page: a chart per figure, the figures in a table too.
            let page = try await client.execute(uri: "/petitions/statistics?weeks=4", method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.components(separatedBy: "<svg").count - 1 == 6, "weekly, average, p95, compliance, satisfaction, categories")
            #expect(html.contains("Jongno-gu Office") && html.contains("6.5") && html.contains("50.0 %") && html.contains("Roads and pavements"))
            #expect(html.contains("<option value=\"4\" selected>"))
            #expect(try await client.execute(uri: "/petitions/statistics?weeks=0", method: .get).status == .unprocessableContent)
        }
    }
}
