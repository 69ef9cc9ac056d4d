import Foundation
import NaraCore
import Testing
@testable import Petitions

@Suite("Complaint machine and routing")
struct ComplaintMachineTests {
    let here = UUID(), there = UUID()
    let now = Date(timeIntervalSince1970: 1_795_568_400)

    func facts(transfers: Int = 0, extended: Bool = false, draft: Bool = false, answeredAt: Date? = nil, objected: Bool = false) -> ComplaintFacts {
        ComplaintFacts(currentAgency: here, transfers: transfers, maxTransfers: 2, extended: extended, dueAt: now.addingTimeInterval(86_400 * 7),
                       latestExtension: now.addingTimeInterval(86_400 * 14), hasDraft: draft, answeredAt: answeredAt, objected: objected, objectionDays: 30, now: now)
    }

    func refusal(_ event: ComplaintEvent, _ state: ComplaintState, _ f: ComplaintFacts) -> ComplaintTransitionError? {
        do { _ = try ComplaintMachine.apply(event, to: state, facts: f); return nil } catch { return error }
    }

    @Test("every state's allowed events lead where the law says, and everything else is refused as the wrong moment")
    func transitions() throws {
        let events: [(ComplaintEvent, ComplaintFacts)] = [
            (.receive, facts()), (.transfer(toAgency: there, reason: "not ours"), facts()), (.escalate(toAgency: there), facts()), (.startReview, facts()),
            (.extend(reason: "need the ministry's view", dueAt: now.addingTimeInterval(86_400 * 10)), facts()), (.answer, facts(draft: true)), (.close, facts()),
            (.object(grounds: "wrong"), facts(answeredAt: now)),
        ]
        let expected: [ComplaintState: [String: ComplaintState]] = [
            .submitted: ["receive": .received, "transfer": .transferred, "escalate": .transferred],
            .transferred: ["receive": .received, "transfer": .transferred, "escalate": .transferred],
            .received: ["transfer": .transferred, "start_review": .underReview, "extend": .extended, "answer": .answered],
            .underReview: ["extend": .extended, "answer": .answered],
            .extended: ["answer": .answered],
            .answered: ["close": .closed, "object": .reopened],
            .closed: ["object": .reopened],
            .reopened: ["start_review": .underReview, "answer": .answered],
        ]
        for state in ComplaintState.allCases {
            for (event, f) in events {
                let result = Result { () throws(ComplaintTransitionError) in try ComplaintMachine.apply(event, to: state, facts: f) }
                if let next = expected[state]?[event.name] {
                    #expect(try result.get() == next, "\(state) \(event.name)")
                } else {
                    guard case .failure(let error) = result else { Issue.record("\(state) \(event.name) was allowed"); continue }
                    #expect(error.code == "illegal_transition" && error.field == nil, "\(state) \(event.name): \(error)")
                }
            }
        }
    }

    @Test("refusals: a transfer needs a reason, another agency and room under the cap; one extension within the limit; an answer needs a draft; one objection in time")
    func refusals() {
        #expect(refusal(.transfer(toAgency: there, reason: "  "), .received, facts())?.field == "reason")
        #expect(refusal(.transfer(toAgency: here, reason: "x"), .received, facts())?.code == "same_agency")
        #expect(refusal(.transfer(toAgency: there, reason: "x"), .received, facts(transfers: 2))?.code == "transfer_limit")
        #expect(refusal(.transfer(toAgency: there, reason: "x"), .received, facts(transfers: 1)) == nil)
        var toCoordinator = facts(transfers: 2)
        toCoordinator.coordinator = there
        #expect(refusal(.transfer(toAgency: there, reason: "x"), .received, toCoordinator) == nil, "beyond the cap to the coordinating agency")
        #expect(refusal(.extend(reason: "x", dueAt: now.addingTimeInterval(86_400 * 10)), .underReview, facts(extended: true))?.code == "extended_once")
        #expect(refusal(.extend(reason: "", dueAt: now.addingTimeInterval(86_400 * 10)), .underReview, facts())?.field == "reason")
        #expect(refusal(.extend(reason: "x", dueAt: now.addingTimeInterval(86_400 * 7)), .underReview, facts())?.field == "dueAt", "not after the due date")
        #expect(refusal(.extend(reason: "x", dueAt: now.addingTimeInterval(86_400 * 14 + 1)), .underReview, facts())?.field == "dueAt", "beyond the limit")
        #expect(refusal(.extend(reason: "x", dueAt: now.addingTimeInterval(86_400 * 14)), .underReview, facts()) == nil)
        #expect(refusal(.answer, .underReview, facts())?.code == "no_draft")
        #expect(refusal(.object(grounds: "x"), .answered, facts(answeredAt: now, objected: true))?.code == "objected_once")
        #expect(refusal(.object(grounds: " "), .answered, facts(answeredAt: now))?.field == "grounds")
        #expect(refusal(.object(grounds: "x"), .closed, facts(answeredAt: now.addingTimeInterval(-86_400 * 30 - 1)))?.code == "objection_period")
        #expect(refusal(.object(grounds: "x"), .closed, facts(answeredAt: now.addingTimeInterval(-86_400 * 30))) == nil, "the last second of the period")
    }

    @Test("routing: the chosen subject, a clear text overriding it, the place naming the local government, the coordinator when nothing is known")
    func routing() {
        func route(_ category: String?, _ title: String, _ body: String = "", at place: String? = nil) -> RoutingSuggestion {
            ComplaintRouting.suggest(category: category, title: title, body: body, location: place, categories: ComplaintCatalogue.categories,
                                     areas: ComplaintCatalogue.areas, coordinator: ComplaintCatalogue.coordinator)
        }
        #expect(route("roads", "Pothole", at: "서울특별시 종로구 율곡로 33").agencyCode == "3000000", "the district before the city")
        #expect(route("roads", "Pothole", at: "서울 마포구").agencyCode == "6110000")
        #expect(route("roads", "Pothole", at: "Busan").agencyCode == "1613000", "no local government known: the ministry")
        #expect(route("roads", "Pothole").agencyCode == "1613000")
        let tax = route("roads", "VAT refund not paid", "My income tax refund is late")
        #expect(tax.agencyCode == "1210000" && tax.category == "tax" && tax.reasons.contains { $0.contains("points to tax") }, "\(tax)")
        #expect(route("roads", "Road closed for a tax office event").agencyCode == "1613000", "one keyword does not override the choice")
        #expect(route("customs", "관세 환급", "해외직구 통관이 늦습니다").agencyCode == "1220000")
        #expect(route(nil, "Something odd").agencyCode == "1140100")
        #expect(route("transport", "Taxi refused a short ride", "The taxi driver said the ride was too short.").agencyCode == "6110000",
                "taxi is not tax: whole words only")
        #expect(route("transport", "Business hours of the bus office", "The bus office closes at noon.").category == "transport")
        #expect(route("transport", "Night bus", at: "종로구").agencyCode == "6110000", "a city-wide subject stays with the city")
    }
}
