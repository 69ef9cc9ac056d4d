import FluentKit
import Foundation
import NaraCore

/// Open contracting data: every public change of a contracting process writes a release (a full
/// snapshot of what is public at that moment) in the same transaction as the change. Sealed bids
/// appear only after the opening.
extension ProcurementService {
    static let ocdsLicense = "https://www.kogl.or.kr/info/licenseTypeEn.do"

    /// Writes the release of the tender's current public state with the given tags.
    func release(_ tender: TenderModel, tags: [String], on tx: any Database) async throws {
        guard tender.state != TenderState.draft.rawValue else { return }
        let year = 0  // one feed, one counter
        let seq = try await platform.sequences.next("procurement-ocds", year: year, on: tx)
        let ocid = ocid(tender.reference)
        let now = clock.now()
        let release = try await snapshot(tender, id: "\(ocid)-\(seq)", date: now, tags: tags, on: tx)
        let model = ReleaseModel()
        model.id = UUID()
        model.seq = seq
        model.ocid = ocid
        model.releaseID = release.id
        model.date = now
        model.body = String(decoding: try Self.ocdsEncoder.encode(release), as: UTF8.self)
        try await model.create(on: tx)
    }

    static let ocdsEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func snapshot(_ t: TenderModel, id: String, date: Date, tags: [String], on db: any Database) async throws -> OCDSRelease {
        let decoder = JSONDecoder()
        let iso = Timestamp.iso8601Millis
        let base = platform.configuration.effectiveBaseURL
        guard let agency = try await platform.identity.agency(id: t.agencyID, on: db) else { throw NaraError.notFound("The agency") }
        let buyerID = "KR-AGENCY-\(agency.code)"
        let buyer = OCDSOrganizationReference(id: buyerID, name: agency.nameEN)
        var parties: [String: OCDSParty] = [buyerID: OCDSParty(id: buyerID, name: agency.nameEN,
                                                              identifier: OCDSIdentifier(scheme: "KR-AGENCY", id: agency.code, legalName: agency.nameEN),
                                                              address: OCDSAddress(countryName: "Republic of Korea"), roles: ["buyer", "procuringEntity"])]
        func party(_ supplier: SupplierModel, role: String) -> OCDSOrganizationReference {
            let partyID = "KR-BRN-\(supplier.businessNumber)"
            var entry = parties[partyID] ?? OCDSParty(id: partyID, name: supplier.name,
                                                      identifier: OCDSIdentifier(scheme: "KR-BRN", id: supplier.businessNumber, legalName: supplier.name),
                                                      address: OCDSAddress(countryName: "Republic of Korea"), roles: [])
            if !entry.roles.contains(role) { entry.roles.append(role) }
            parties[partyID] = entry
            return OCDSOrganizationReference(id: partyID, name: supplier.name)
        }
        let lots = try decoder.decode([Lot].self, from: Data(t.lots.utf8))
        let items = try t.items.map { try decoder.decode([TenderItem].self, from: Data($0.utf8)) } ?? []
        func ocdsItems(_ lot: Int?) -> [OCDSItem] {
            items.filter { lot == nil || $0.lot == lot }.map { item in
                OCDSItem(id: item.id ?? "1", description: lots.count > 1 ? "Lot \(item.lot): \(item.description)" : item.description,
                         classification: OCDSClassification(scheme: item.scheme, id: item.classification, description: item.classificationDescription),
                         quantity: item.quantity, unit: OCDSUnit(id: item.unitCode, name: item.unitName))
            }
        }
        let rules = try Self.rules(t)
        let state = TenderState(rawValue: t.state) ?? .draft
        let procedure = Procedure(rawValue: t.procedure) ?? .open
        let tenderURL = "\(base)/procurement/tenders/\(t.id!.uuidString.lowercased())"
        var documents = [OCDSDocument(id: "notice", documentType: "tenderNotice", title: "Tender notice \(t.reference)", url: tenderURL,
                                      datePublished: (t.publishedAt ?? t.plannedAt).map(iso), format: "text/html", language: "en")]
        documents += try (t.documents.map { try decoder.decode([TenderDocument].self, from: Data($0.utf8)) } ?? []).map {
            OCDSDocument(id: $0.id ?? "doc", documentType: $0.documentType, title: $0.title, url: $0.url, datePublished: $0.datePublished.map(iso))
        }
        let amendments = try (t.amendments.map { try decoder.decode([TenderAmendment].self, from: Data($0.utf8)) } ?? [])
        let opened = try t.openedAt != nil ? (t.result.map { try decoder.decode([OpenedBid].self, from: Data($0.utf8)) } ?? []) : nil
        var tenderers: [OCDSOrganizationReference]?
        if let opened {
            var refs: [OCDSOrganizationReference] = []
            for bid in opened {
                guard let supplier = try await SupplierModel.query(on: db).filter(\.$businessNumber == bid.bidder).first() else { continue }
                let ref = party(supplier, role: "tenderer")
                if !refs.contains(where: { $0.id == ref.id }) { refs.append(ref) }
            }
            tenderers = refs
        }
        let criteriaDetails: String
        switch rules.method {
        case .lowestPrice: criteriaDetails = "Lowest valid price per lot."
        case .floorPrice:
            let rate = Double(rules.floorRatePPM ?? 1_000_000) / 10_000
            criteriaDetails = "Lowest price at or above \(String(format: "%.3f", rate)) % of the reserve price"
                + (rules.lottery.map { "; reserve price by lottery of 15 preliminary prices within ±\(Double($0.rangeBasisPoints) / 100) % of the base amount, \($0.picks) picks per bidder, the 4 most picked averaged (seed SHA-256 \(t.lotteryCommitment ?? ""))" } ?? "")
                + "."
        case .priceQuality: criteriaDetails = "Score of price (\(rules.priceWeight ?? 0)) and quality (\(rules.qualityWeight ?? 0)) out of 100."
        }
        let enquiries = try await EnquiryModel.query(on: db).filter(\.$tenderID == t.id!).count()
        let published = t.publishedAt != nil
        var tender = OCDSTender(
            id: t.reference, title: t.title, description: t.descriptionText, status: state.ocdsStatus, procuringEntity: buyer,
            items: ocdsItems(nil), value: OCDSValue(amount: lots.map(\.estimatedValueMinor).reduce(0, +), currency: t.currency),
            procurementMethod: procedure.ocdsMethod.method, procurementMethodDetails: procedure.ocdsMethod.details,
            mainProcurementCategory: t.category ?? "goods", awardCriteria: rules.method.ocdsAwardCriteria, awardCriteriaDetails: criteriaDetails,
            submissionMethod: ["electronicSubmission"], submissionMethodDetails: "Sealed electronic bids on \(base), encrypted at submission and opened at the deadline.",
            tenderPeriod: published ? OCDSPeriod(startDate: t.publishedAt.map(iso), endDate: iso(t.deadline)) : nil,
            enquiryPeriod: published ? OCDSPeriod(startDate: t.publishedAt.map(iso), endDate: t.enquiryDeadline.map(iso)) : nil,
            hasEnquiries: enquiries > 0, eligibilityCriteria: t.eligibility ?? "", awardPeriod: nil,
            numberOfTenderers: tenderers?.count, tenderers: tenderers, documents: documents,
            amendments: amendments.isEmpty ? nil : amendments.map { OCDSAmendment(id: $0.id, date: iso($0.date), rationale: $0.rationale, description: $0.description) })
        let awardModels = try await AwardModel.query(on: db).filter(\.$tenderID == t.id!).sort(\.$createdAt).all()
        var awards: [OCDSAward] = []
        for award in awardModels {
            guard let supplier = try await SupplierModel.find(award.supplierID, on: db) else { continue }
            let lotTitle = lots.first { $0.number == award.lot }?.title ?? ""
            awards.append(OCDSAward(id: Self.ocdsAwardID(award), title: lots.count > 1 ? "Lot \(award.lot): \(lotTitle)" : t.title,
                                    description: award.reason, status: award.status, date: iso(award.decidedAt ?? award.createdAt),
                                    value: OCDSValue(amount: award.amount, currency: t.currency), suppliers: [party(supplier, role: "supplier")],
                                    items: ocdsItems(award.lot)))
        }
        if let first = awardModels.first {
            tender.awardPeriod = OCDSPeriod(startDate: iso(first.createdAt), endDate: awardModels.compactMap(\.standstillEnd).max().map(iso))
        }
        let awardIDs = Dictionary(uniqueKeysWithValues: awardModels.map { ($0.id!, Self.ocdsAwardID($0)) })
        var contracts: [OCDSContract] = []
        for contract in try await ContractModel.query(on: db).filter(\.$tenderID == t.id!).sort(\.$createdAt).all() {
            guard let supplier = try await SupplierModel.find(contract.supplierID, on: db) else { continue }
            let payee = party(supplier, role: "payee")
            if !parties["KR-AGENCY-\(agency.code)"]!.roles.contains("payer") { parties[buyerID]!.roles.append("payer") }
            var transactions: [OCDSTransaction] = []
            for invoice in try await InvoiceModel.query(on: db).filter(\.$contractID == contract.id!).filter(\.$status == InvoiceStatus.paid.rawValue)
                .sort(\.$submittedAt).all() {
                let payment = try await invoice.paymentID.asyncMap { try await PaymentModel.find($0, on: db) } ?? nil
                transactions.append(OCDSTransaction(id: "\(contract.reference)-\(invoice.number)", source: nil,
                                                    date: iso(payment?.paidAt ?? invoice.decidedAt ?? invoice.submittedAt),
                                                    value: OCDSValue(amount: invoice.amount, currency: "KRW"), payer: buyer, payee: payee, uri: nil))
            }
            let contractAmendments = try decoder.decode([ContractAmendment].self, from: Data(contract.amendments.utf8)).filter { $0.status == "accepted" }
            let signed = [contract.agencySignedAt, contract.supplierSignedAt]
            let award = awardModels.first { $0.id == contract.awardID }
            contracts.append(OCDSContract(
                id: contract.reference, awardID: awardIDs[contract.awardID] ?? "", title: contract.title, status: contract.status,
                period: OCDSPeriod(startDate: iso(contract.periodStart), endDate: iso(contract.periodEnd)),
                value: OCDSValue(amount: contract.value, currency: "KRW"), items: ocdsItems(award?.lot),
                dateSigned: signed.allSatisfy({ $0 != nil }) ? signed.compactMap { $0 }.max().map(iso) : nil,
                documents: [OCDSDocument(id: "\(contract.reference)-terms", documentType: "contractSigned", title: "Contract \(contract.reference), signed terms",
                                         url: "\(base)/api/v1/procurement/contracts/\(contract.id!.uuidString.lowercased())", datePublished: iso(contract.createdAt),
                                         format: "application/json", language: "en")],
                amendments: contractAmendments.isEmpty ? nil : contractAmendments.map { OCDSAmendment(id: $0.id, date: iso($0.date), rationale: $0.rationale, description: $0.description) },
                implementation: transactions.isEmpty ? nil : OCDSImplementation(transactions: transactions)))
        }
        var bids: OCDSBids?
        if let opened, let openedAt = t.openedAt {
            let valid = opened.filter { $0.problem == nil }
            var statistics = [OCDSBidStatistic(id: "bids", measure: "bids", value: Double(opened.count), date: iso(openedAt)),
                              OCDSBidStatistic(id: "validBids", measure: "validBids", value: Double(valid.count), date: iso(openedAt))]
            // Totals of multi-lot bids cover different lots: the lowest is meaningful for one lot only.
            if lots.count == 1, let lowest = valid.compactMap(\.total).min() {
                statistics.append(OCDSBidStatistic(id: "lowestValidBidValue", measure: "lowestValidBidValue", value: Double(lowest), date: iso(openedAt)))
            }
            var details: [OCDSBidDetail] = []
            for (index, bid) in opened.enumerated() {
                guard let supplier = try await SupplierModel.query(on: db).filter(\.$businessNumber == bid.bidder).first() else { continue }
                details.append(OCDSBidDetail(id: "\(t.reference)-B\(index + 1)", date: iso(bid.receivedAt), status: bid.problem == nil ? "valid" : "disqualified",
                                             tenderers: [party(supplier, role: "tenderer")],
                                             value: bid.total.map { OCDSValue(amount: $0, currency: t.currency) }))
            }
            bids = OCDSBids(statistics: statistics, details: details)
        }
        var planning: OCDSPlanning?
        if t.planBudget != nil || t.planRationale != nil {
            planning = OCDSPlanning(rationale: t.planRationale,
                                    budget: t.planBudget.map { OCDSBudget(description: "Budget of \(agency.nameEN)", amount: OCDSValue(amount: $0, currency: t.currency)) })
        }
        return OCDSRelease(ocid: ocid(t.reference), id: id, date: iso(date), tag: tags,
                           parties: parties.values.sorted { $0.id < $1.id }, buyer: buyer, planning: planning, tender: tender,
                           awards: awards.isEmpty ? nil : awards, contracts: contracts.isEmpty ? nil : contracts, bids: bids)
    }

    /// Stable across releases: the award's own id.
    static func ocdsAwardID(_ award: AwardModel) -> String { award.id!.uuidString.lowercased() }

    // MARK: Reading the feed

    func publisher() -> OCDSPublisher {
        OCDSPublisher(name: "Nara e-Procurement (\(platform.configuration.effectiveBaseURL))", uri: platform.configuration.effectiveBaseURL)
    }

    /// Releases after `cursor` (the feed's sequence number), oldest first.
    func releasePackage(after cursor: Int64, limit: Int, selfURI: String, nextURI: (Int64) -> String, ocid: String? = nil) async throws -> Data {
        var query = ReleaseModel.query(on: db).filter(\.$seq > cursor)
        if let ocid { query = query.filter(\.$ocid == ocid) }
        let models = try await query.sort(\.$seq).limit(limit).all()
        let releases = try models.map { try JSONDecoder().decode(OCDSRelease.self, from: Data($0.body.utf8)) }
        let package = OCDSReleasePackage(uri: selfURI, publishedDate: Timestamp.iso8601Millis(clock.now()), publisher: publisher(),
                                         license: Self.ocdsLicense, publicationPolicy: "\(platform.configuration.effectiveBaseURL)/procurement/open-data",
                                         releases: releases, links: models.count == limit ? OCDSLinks(next: nextURI(models.last!.seq)) : nil)
        return try Self.ocdsEncoder.encode(package)
    }

    /// The record of one contracting process: every release, and the compiled release (the latest
    /// snapshot, which each release already is in full).
    func recordPackage(ocid: String, selfURI: String) async throws -> Data {
        let models = try await ReleaseModel.query(on: db).filter(\.$ocid == ocid).sort(\.$seq).all()
        guard let last = models.last else { throw NaraError.notFound("The contracting process") }
        let releases = try models.map { try JSONDecoder().decode(OCDSRelease.self, from: Data($0.body.utf8)) }
        var compiled = try JSONDecoder().decode(OCDSRelease.self, from: Data(last.body.utf8))
        compiled.id = "\(ocid)-compiled"
        compiled.tag = ["compiled"]
        let base = platform.configuration.effectiveBaseURL
        let package = OCDSRecordPackage(uri: selfURI, publishedDate: Timestamp.iso8601Millis(clock.now()), publisher: publisher(), license: Self.ocdsLicense,
                                        publicationPolicy: "\(base)/procurement/open-data",
                                        packages: ["\(base)/api/v1/procurement/ocds/releases?ocid=\(ocid)"],
                                        records: [OCDSRecord(ocid: ocid, releases: releases, compiledRelease: compiled)])
        return try Self.ocdsEncoder.encode(package)
    }

    func releases(ocid: String) async throws -> [ReleaseModel] {
        try await ReleaseModel.query(on: db).filter(\.$ocid == ocid).sort(\.$seq).all()
    }
}
