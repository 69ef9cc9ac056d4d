import FluentKit
import Foundation
import NaraCore

public struct RedFlag: Sendable, Codable, Equatable {
    /// singleBidder, shortPeriod, sameWinner.
    public let kind: String
    public let tender: String?
    public let tenderID: UUID?
    public let title: String
    public let detail: String
}

public struct ProcurementDashboard: Sendable, Codable, Equatable {
    public let tendersByState: [DashboardCount]
    /// Over opened tenders: bids per tender.
    public let averageBidders: Double?
    /// Days from the notice to the (last) signed contract, per contracted tender.
    public let daysNoticeToContract: [DashboardCount]
    public let averageDaysNoticeToContract: Double?
    /// Signed contracts per procurement officer.
    public let contractsPerOfficer: [DashboardCount]
    public let redFlags: [RedFlag]
    public let generatedAt: Date
}

/// Figures and red flags over every public tender (computed on request from the tables).
extension ProcurementService {
    func dashboard() async throws -> ProcurementDashboard {
        let tenders = try await TenderModel.query(on: db).filter(\.$state != TenderState.draft.rawValue).all()
        var byState: [DashboardCount] = []
        for state in TenderState.allCases where state != .draft {
            byState.append(DashboardCount(label: state.rawValue, value: Double(tenders.filter { $0.state == state.rawValue }.count)))
        }
        var bidCounts: [Int] = []
        var flags: [RedFlag] = []
        let calendar = try await platform.calendar.calendar(on: db)
        for tender in tenders {
            if tender.openedAt != nil, let raw = tender.result, let bids = try? JSONDecoder().decode([OpenedBid].self, from: Data(raw.utf8)) {
                bidCounts.append(bids.count)
                if bids.filter({ $0.problem == nil }).count == 1 {
                    flags.append(RedFlag(kind: "singleBidder", tender: tender.reference, tenderID: tender.id, title: tender.title,
                                         detail: "Only one valid bid arrived (\(bids.first { $0.problem == nil }?.bidderName ?? ""))."))
                }
            }
            if let published = tender.publishedAt {
                let procedure = Procedure(rawValue: tender.procedure) ?? .open
                let minimum = calendar.deadline(for: procedure.minimumPeriod(platform.configuration), from: published)
                // At the legal minimum (within a day of it): little time for bidders who were not told in advance.
                if tender.deadline.timeIntervalSince(minimum) < 86_400 {
                    let days = tender.deadline.timeIntervalSince(published) / 86_400
                    flags.append(RedFlag(kind: "shortPeriod", tender: tender.reference, tenderID: tender.id, title: tender.title,
                                         detail: String(format: "Open for bids %.1f days, the legal minimum for a %@ tender.", days, procedure.rawValue)))
                }
            }
        }
        // Days from the notice to the contract, and contracts per officer.
        var days: [DashboardCount] = []
        var perOfficer: [UUID: Int] = [:]
        let contracts = try await ContractModel.query(on: db).filter(\.$status != ContractStatus.pending.rawValue).all()
        for tender in tenders where tender.state == TenderState.contracted.rawValue {
            let signed = contracts.filter { $0.tenderID == tender.id }.compactMap { [$0.agencySignedAt, $0.supplierSignedAt].compactMap { $0 }.max() }
            if let published = tender.publishedAt, let last = signed.max() {
                days.append(DashboardCount(label: tender.reference, value: (last.timeIntervalSince(published) / 86_400 * 10).rounded() / 10))
            }
        }
        for contract in contracts {
            guard let tender = tenders.first(where: { $0.id == contract.tenderID }) else { continue }
            perOfficer[tender.officerID, default: 0] += 1
        }
        var officers: [DashboardCount] = []
        for (officerID, count) in perOfficer {
            let name = try await platform.identity.account(id: officerID, on: db)?.displayName ?? "?"
            officers.append(DashboardCount(label: name, value: Double(count)))
        }
        // The same winner for an agency every time (at least three decided awards).
        let awards = try await AwardModel.query(on: db).filter(\.$status == AwardStatus.active.rawValue).all()
        var byAgency: [UUID: [UUID]] = [:]
        for award in awards {
            guard let tender = tenders.first(where: { $0.id == award.tenderID }) else { continue }
            byAgency[tender.agencyID, default: []].append(award.supplierID)
        }
        for (agencyID, winners) in byAgency where winners.count >= 3 && Set(winners).count == 1 {
            let agency = try await platform.identity.agency(id: agencyID, on: db)
            let supplier = try await SupplierModel.find(winners[0], on: db)
            flags.append(RedFlag(kind: "sameWinner", tender: nil, tenderID: nil, title: agency?.nameEN ?? "",
                                 detail: "All \(winners.count) awards of this agency went to \(supplier?.name ?? "one supplier")."))
        }
        return ProcurementDashboard(
            tendersByState: byState, averageBidders: bidCounts.isEmpty ? nil : Double(bidCounts.reduce(0, +)) / Double(bidCounts.count),
            daysNoticeToContract: days.sorted { $0.label < $1.label },
            averageDaysNoticeToContract: days.isEmpty ? nil : days.map(\.value).reduce(0, +) / Double(days.count),
            contractsPerOfficer: officers.sorted { ($0.value, $1.label) > ($1.value, $0.label) },
            redFlags: flags.sorted { ($0.kind, $0.tender ?? "") < ($1.kind, $1.tender ?? "") }, generatedAt: clock.now())
    }
}
