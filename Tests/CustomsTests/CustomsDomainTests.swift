import FluentKit
import Foundation
import HummingbirdTesting
import NaraApp
import NaraCore
import NaraTesting
import Testing
@testable import Customs

@Suite("Customs lanes and states")
struct CustomsDomainTests {
    @Test("every step of the declaration machine, and the steps it refuses")
    func machine() throws {
        func next(_ event: DeclarationEvent, _ state: DeclarationState, _ kind: DeclarationKind = .import, due: Int64 = 0) throws(DeclarationTransitionError) -> DeclarationState {
            try DeclarationMachine.apply(event, to: state, kind: kind, amountDue: due)
        }
        #expect(try next(.accept, .submitted) == .accepted)
        #expect(try next(.assignLane(.red), .accepted) == .laneAssigned)
        #expect(try next(.startInspection, .laneAssigned) == .underInspection)
        #expect(try next(.requestDocuments, .laneAssigned) == .documentsRequested)
        #expect(try next(.startInspection, .documentsRequested) == .underInspection)
        #expect(try next(.recordInspection, .underInspection) == .assessed)
        #expect(try next(.checkDocuments, .documentsRequested) == .assessed)
        #expect(try next(.recordInspection, .documentsRequested) == .assessed)
        #expect(try next(.assess, .laneAssigned) == .assessed)
        #expect(try next(.pay, .assessed, due: 10) == .paid)
        #expect(try next(.guarantee, .assessed, due: 10) == .guaranteed)
        #expect(try next(.release, .assessed, due: 0) == .released)
        #expect(try next(.release, .paid, due: 10) == .released)
        #expect(try next(.release, .guaranteed, due: 10) == .released)
        #expect(try next(.clear, .released) == .cleared)
        #expect(try next(.exit, .released, .export) == .exited)
        #expect(try next(.reroute(.red, reason: "tip-off"), .documentsRequested) == .laneAssigned)
        #expect(try next(.amend(reason: "wrong value"), .assessed) == .accepted)
        #expect(try next(.invalidate(reason: "duplicate"), .underInspection) == .invalidated)
        #expect(try next(.reject(reason: "documents missing"), .documentsRequested) == .rejected)
        // Refused: release with duty unpaid, pay with nothing due, clear an export, exit an import, anything after the end, reasons missing.
        #expect(throws: DeclarationTransitionError.self) { try next(.release, .assessed, due: 10) }
        #expect(throws: DeclarationTransitionError.self) { try next(.pay, .assessed, due: 0) }
        #expect(throws: DeclarationTransitionError.self) { try next(.clear, .released, .export) }
        #expect(throws: DeclarationTransitionError.self) { try next(.exit, .released, .import) }
        #expect(throws: DeclarationTransitionError.self) { try next(.invalidate(reason: "late"), .released) }
        #expect(throws: DeclarationTransitionError.self) { try next(.reroute(.green, reason: "x"), .released) }
        #expect(throws: DeclarationTransitionError.self) { try next(.accept, .cleared) }
        #expect(throws: DeclarationTransitionError.self) { try next(.reject(reason: " "), .submitted) }
        #expect(throws: DeclarationTransitionError.self) { try next(.reroute(.red, reason: ""), .laneAssigned) }
        #expect(throws: DeclarationTransitionError.self) { try next(.invalidate(reason: ""), .accepted) }
        #expect(throws: DeclarationTransitionError.self) { try next(.assess, .submitted) }
        // Held goods are assessed by an officer's step, never as declared; held for inspection, only by its record.
        #expect(throws: DeclarationTransitionError.self) { try next(.assess, .underInspection) }
        #expect(throws: DeclarationTransitionError.self) { try next(.assess, .documentsRequested) }
        #expect(throws: DeclarationTransitionError.self) { try next(.checkDocuments, .underInspection) }
        #expect(throws: DeclarationTransitionError.self) { try next(.checkDocuments, .laneAssigned) }
        for state in DeclarationState.allCases where state.isFinal {
            #expect(throws: DeclarationTransitionError.self) { try next(.release, state, due: 0) }
        }
    }

    static let now = Date(timeIntervalSince1970: 1_795_568_400)

    static func facts(aeo: Bool = false, findings: Int = 0, items: [RiskFacts.Item]) -> RiskFacts {
        RiskFacts(kind: .import, trader: "1018150670", aeo: aeo, findingsLastYear: findings, items: items)
    }

    @Test("the lane: the highest of the criteria that hit and the random draw; item conditions on one item; validity; AEO rates; the draw replays from the seed")
    func engine() {
        let seed = Data(repeating: 7, count: 32)
        let zero = SelectivityRates(red: 0, yellow: 0, blue: 0, aeoRed: 0, aeoYellow: 0, aeoBlue: 0)
        let phone = RiskFacts.Item(sequence: 1, hsCode: "8517130000", origin: "CN", valueKRW: 1_000_000, netMassMilli: 10_000)   // 100,000 KRW/kg
        let bag = RiskFacts.Item(sequence: 2, hsCode: "4202210000", origin: "IT", valueKRW: 5_000_000, netMassMilli: 5_000)
        let criteria = [
            RiskCriterion(code: "Y", name: "cheap phones", lane: .yellow, conditions: [RiskCondition(.hsPrefix, values: ["8517"]), RiskCondition(.valuePerKgBelow, amountKRW: 200_000)],
                          validFrom: Self.now.addingTimeInterval(-60), validUntil: Self.now.addingTimeInterval(60)),
            RiskCriterion(code: "R", name: "bags from CN", lane: .red, conditions: [RiskCondition(.hsPrefix, values: ["4202"]), RiskCondition(.origin, values: ["CN"])],
                          validFrom: Self.now.addingTimeInterval(-60), validUntil: Self.now.addingTimeInterval(60)),
            RiskCriterion(code: "B-OLD", name: "expired", lane: .red, conditions: [RiskCondition(.kind, values: ["import"])],
                          validFrom: Self.now.addingTimeInterval(-120), validUntil: Self.now.addingTimeInterval(-60)),
            RiskCriterion(code: "H", name: "history", lane: .blue, conditions: [RiskCondition(.findingsAtLeast, count: 2)],
                          validFrom: Self.now.addingTimeInterval(-60), validUntil: Self.now.addingTimeInterval(60)),
            RiskCriterion(code: "OFF", name: "inactive", lane: .red, conditions: [RiskCondition(.kind, values: ["import"])],
                          validFrom: Self.now.addingTimeInterval(-60), validUntil: Self.now.addingTimeInterval(60), active: false),
        ]
        let d1 = RiskEngine.decide(Self.facts(items: [phone, bag]), criteria: criteria, rates: zero, seed: seed, key: "a", at: Self.now)
        #expect(d1.lane == .yellow && d1.hits.map(\.code) == ["Y"] && d1.hits[0].item == 1, "the Italian bag does not hit the Chinese-bag criterion")
        let chineseBag = RiskFacts.Item(sequence: 2, hsCode: "4202210000", origin: "CN", valueKRW: 5_000_000, netMassMilli: 5_000)
        let d2 = RiskEngine.decide(Self.facts(findings: 2, items: [phone, chineseBag]), criteria: criteria, rates: zero, seed: seed, key: "a", at: Self.now)
        #expect(d2.lane == .red && Set(d2.hits.map(\.code)) == ["Y", "R", "H"] && d2.reason == "criteria")
        let clean = RiskEngine.decide(Self.facts(items: [bag]), criteria: criteria, rates: zero, seed: seed, key: "a", at: Self.now)
        #expect(clean.lane == .green && clean.hits.isEmpty && clean.reason == "none")
        // Random selection: everything at 100 % red is red; the same key and seed draw the same number.
        let allRed = SelectivityRates(red: 10_000, yellow: 0, blue: 0, aeoRed: 0, aeoYellow: 0, aeoBlue: 0)
        #expect(RiskEngine.decide(Self.facts(items: [bag]), criteria: [], rates: allRed, seed: seed, key: "k", at: Self.now).lane == .red)
        #expect(RiskEngine.decide(Self.facts(aeo: true, items: [bag]), criteria: [], rates: allRed, seed: seed, key: "k", at: Self.now).lane == .green,
                "AEOs have their own rates")
        #expect(RiskEngine.draw(seed: seed, key: "k") == RiskEngine.draw(seed: seed, key: "k"))
        #expect(RiskEngine.draw(seed: seed, key: "k") != RiskEngine.draw(seed: Data(repeating: 8, count: 32), key: "k")
                || RiskEngine.draw(seed: seed, key: "k2") != RiskEngine.draw(seed: Data(repeating: 8, count: 32), key: "k2"))
        #expect(RiskEngine.failed().lane == .yellow)
        // Conditions check their parameters.
        #expect(RiskCondition(.hsPrefix, values: ["85a"]).problem != nil && RiskCondition(.origin, values: ["XX"]).problem != nil)
        #expect(RiskCondition(.belowExpectedValue, amountKRW: 1000, percent: 100).problem != nil && RiskCondition(.findingsAtLeast, count: 0).problem != nil)
        #expect(SelectivityRates(red: 6000, yellow: 5000, blue: 0, aeoRed: 0, aeoYellow: 0, aeoBlue: 0).problem != nil)
    }

    @Test("the lane simulator replays generated declarations: with no criteria the shares follow the configured rates; a draft criterion shows its effect")
    func simulator() {
        let rates = SelectivityRates(red: 500, yellow: 1000, blue: 1500, aeoRed: 0, aeoYellow: 0, aeoBlue: 0)
        let traders = (0..<20).map { SimulatedTrader(businessNumber: String(format: "10000000%02d", $0), aeo: false, findingsLastYear: 0) }
        let report = LaneSimulator.run(count: 20_000, seed: 42, kinds: [.import, .export], lines: ["8471300000", "4202210000"], origins: ["CN", "US"],
                                       traders: traders, typicalValuePerKg: { _ in 50_000 }, criteria: [], rates: rates, selectionSeed: Data(repeating: 1, count: 32),
                                       at: Self.now)
        #expect(report.declarations == 20_000)
        let share = Dictionary(uniqueKeysWithValues: report.shares.map { ($0.lane, $0.basisPoints) })
        #expect(abs(share[.red]! - 500) < 100 && abs(share[.yellow]! - 1000) < 150 && abs(share[.blue]! - 1500) < 150 && abs(share[.green]! - 7000) < 200, "\(share)")
        let again = LaneSimulator.run(count: 20_000, seed: 42, kinds: [.import, .export], lines: ["8471300000", "4202210000"], origins: ["CN", "US"],
                                      traders: traders, typicalValuePerKg: { _ in 50_000 }, criteria: [], rates: rates, selectionSeed: Data(repeating: 1, count: 32),
                                      at: Self.now)
        #expect(again == report, "reproducible from its seed")
        let bags = RiskCriterion(code: "R", name: "bags from CN", lane: .red, conditions: [RiskCondition(.hsPrefix, values: ["4202"]), RiskCondition(.origin, values: ["CN"])],
                                 validFrom: Self.now.addingTimeInterval(-1), validUntil: Self.now.addingTimeInterval(60))
        let withDraft = LaneSimulator.run(count: 5_000, seed: 42, kinds: [.import], lines: ["8471300000", "4202210000"], origins: ["CN", "US"], traders: traders,
                                          typicalValuePerKg: { _ in 50_000 }, criteria: [bags], rates: rates, selectionSeed: Data(repeating: 1, count: 32), at: Self.now)
        #expect((withDraft.hits["R"] ?? 0) > 1000 && withDraft.shares.first { $0.lane == .red }!.basisPoints > 3000)
    }

    @Test("the demo seed holds declarations in every lane and the main states, traders with an AEO, criteria, manifests and a tracked cargo")
    func demo() async throws {
        try await withDemoPlatform { platform in
            let db = platform.db
            let states = Set(try await DeclarationModel.query(on: db).all().map(\.state))
            for state in ["released", "cleared", "exited", "assessed", "documents_requested", "under_inspection", "rejected", "invalidated"] {
                #expect(states.contains(state), "a declaration \(state)")
            }
            let lanes = Set(try await DeclarationModel.query(on: db).all().compactMap(\.lane))
            #expect(lanes.isSuperset(of: ["green", "blue", "yellow", "red"]))
            #expect(try await TraderModel.query(on: db).filter(\.$aeo == true).count() >= 1)
            #expect(try await RiskCriterionModel.query(on: db).count() >= 5)
            #expect(try await InspectionModel.query(on: db).filter(\.$discrepancy == true).count() >= 1)
            let events = try await DeclarationEventModel.query(on: db).count()
            #expect(events > 100)
            let service = CustomsModule.service(platform)
            let dashboard = try await service.dashboard()
            #expect(dashboard.released > 10 && dashboard.clearance.first { $0.lane == .green }!.medianSeconds! < 5)
            #expect(dashboard.revenue.first { $0.label == "specific" }!.value > 0)
            let cargo = try #require(try await CargoModel.query(on: db).filter(\.$status == "gate_out").first())
            #expect(try await service.cargoView(trackingNumber: cargo.trackingNumber).events.count >= 4)
        }
    }

    @Test("text that XML 1.0 cannot carry is refused on input and left out of the WCO XML; the VAT rate is written as a percentage")
    func controlCharacters() {
        var v = Validator()
        v.require("Acme\u{0}Trading", "counterpartName")
        v.require("Two\nlines\tand a tab", "note")
        #expect(v.errors.map(\.field) == ["counterpartName"] && v.errors.first?.code == "control_characters")
        #expect(XMLText.escape("a\u{1}b<c\u{FFFF}&\u{1B}") == "ab&lt;c&amp;")
        #expect(XMLText.escape("tab\tnew\nline") == "tab\tnew\nline")
        #expect(WCODeclarationXML.percent(basisPoints: 1000) == "10" && WCODeclarationXML.percent(basisPoints: 1050) == "10.5"
                && WCODeclarationXML.percent(basisPoints: 725) == "7.25")
        // The public cargo tracking never tells the lane.
        #expect(DeclarationState.underInspection.publicName == "in_examination" && DeclarationState.documentsRequested.publicName == "in_examination"
                && DeclarationState.released.publicName == "released")
    }
}
