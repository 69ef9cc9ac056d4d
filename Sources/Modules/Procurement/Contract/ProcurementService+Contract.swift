import FluentKit
import Foundation
import NaraCore

public enum ContractStatus: String, Sendable, Codable, CaseIterable {
    /// Generated from the award, awaiting both signatures.
    case pending
    /// Signed by the agency and the supplier.
    case active
    case terminated
}

public struct ContractAmendment: Sendable, Codable, Equatable {
    public let id: String
    public let date: Date
    public let rationale: String
    public let description: String
    /// proposed (by the agency, signed), accepted (counter-signed by the supplier: in force), or declined.
    public var status: String
    public let valueMinor: Int64?
    public let periodEnd: Date?
    public var agencySignature: DetachedSignature?
    public var supplierSignature: DetachedSignature?
    public var decidedAt: Date?
    public var declineReason: String?
}

public enum InvoiceStatus: String, Sendable, Codable, CaseIterable {
    case submitted
    /// Approved: the payment is due on the ledger.
    case approved
    case rejected
    /// The treasury's transfer was recorded against the ledger entry.
    case paid
}

public struct InvoiceView: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let amountMinor: Int64
    public let description: String
    public let status: InvoiceStatus
    public let submittedAt: Date
    public let decidedAt: Date?
    public let reason: String?
    public let paymentReference: String?
    public let paidAt: Date?
}

public struct ContractView: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let tenderID: UUID
    public let tenderReference: String
    public let awardID: UUID
    public let lot: Int
    public let agencyName: String
    public let supplierName: String
    public let supplierBusinessNumber: String
    public let title: String
    public let valueMinor: Int64
    public let currency: String
    public let periodStart: Date
    public let periodEnd: Date
    public let status: ContractStatus
    /// The canonical terms both parties sign (JSON text).
    public let document: String
    public let agencySignature: DetachedSignature?
    public let agencySignedAt: Date?
    public let supplierSignature: DetachedSignature?
    public let supplierSignedAt: Date?
    public let amendments: [ContractAmendment]
    public let terminationReason: String?
    public let terminatedAt: Date?
    public let invoices: [InvoiceView]
    public let paidMinor: Int64
}

public struct NewContract: Sendable, Codable {
    public var periodStart: String?
    public var periodEnd: String
}

public struct ContractAmendmentInput: Sendable, Codable {
    public var rationale: String
    public var valueMinor: Int64?
    public var periodEnd: String?
}

public struct NewInvoice: Sendable, Codable {
    public var number: String
    public var amountMinor: Int64
    public var description: String
}

/// The terms both parties sign.
struct ContractTerms: Codable {
    let contract: String
    let tender: String
    let ocid: String
    let lot: Int
    let buyer: String
    let buyerCode: String
    let supplier: String
    let supplierBusinessNumber: String
    let title: String
    let valueMinor: Int64
    let currency: String
    let periodStart: String
    let periodEnd: String
    let items: [String]
}

/// E-contracts from awards, signed by the agency and the supplier with their platform
/// certificates; amendments, termination, invoices and their payment through the ledger.
extension ProcurementService {
    /// Generates the contract of an active award once its standstill is over and no complaint is open.
    func createContract(tenderID: UUID, awardID: UUID, _ input: NewContract, by actor: Actor, requestID: String?,
                        on database: (any Database)? = nil) async throws -> ContractView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let now = clock.now()
        let start = try input.periodStart.map { raw in
            guard let date = Timestamp.parseISO8601(raw) else {
                throw NaraError.validation([FieldError(field: "periodStart", code: "format", message: "Give the start as an ISO 8601 date-time.")])
            }
            return date
        } ?? now
        guard let end = Timestamp.parseISO8601(input.periodEnd), end > start else {
            throw NaraError.validation([FieldError(field: "periodEnd", code: "range", message: "Give the end of the contract period as an ISO 8601 date-time after its start.")])
        }
        let id = UUID()
        try await db.transaction { tx in
            let tender = try await self.lock(tenderID, on: tx)
            guard tender.agencyID == agencyID, let award = try await AwardModel.find(awardID, on: tx), award.tenderID == tenderID else {
                throw NaraError.notFound("The award")
            }
            guard award.status == AwardStatus.active.rawValue,
                  tender.state == TenderState.opened.rawValue || tender.state == TenderState.awarded.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "A contract follows an active award of a live tender; this award is \(award.status), the tender \(tender.state).")
            }
            if let end = award.standstillEnd, now < end {
                throw NaraError(.conflict, code: "standstill", "The standstill runs until \(Timestamp.iso8601Millis(end)); the contract waits until then.")
            }
            let open = try await ComplaintModel.query(on: tx).filter(\.$tenderID == tenderID).filter(\.$status ~~ ["submitted", "accepted"]).count()
            guard open == 0 else {
                throw NaraError(.conflict, code: "complaint_open", "\(open) complaint(s) about this tender await the review body; the contract waits for the decision.")
            }
            guard try await ContractModel.query(on: tx).filter(\.$awardID == awardID).first() == nil else {
                throw NaraError(.conflict, code: .illegalTransition, "This award already has its contract.")
            }
            guard let supplier = try await SupplierModel.find(award.supplierID, on: tx),
                  let agency = try await self.platform.identity.agency(id: tender.agencyID, on: tx) else { throw NaraError.notFound("The award") }
            let year = self.platform.calendar.localDay(of: now).components.year
            let number = try await self.platform.sequences.next("procurement-contract", year: year, on: tx)
            let reference = String(format: "CT-%d-%06d", year, number)
            let lots = try JSONDecoder().decode([Lot].self, from: Data(tender.lots.utf8))
            let items = try (tender.items.map { try JSONDecoder().decode([TenderItem].self, from: Data($0.utf8)) } ?? []).filter { $0.lot == award.lot }
            let lotTitle = lots.first { $0.number == award.lot }?.title ?? ""
            let terms = ContractTerms(contract: reference, tender: tender.reference, ocid: self.ocid(tender.reference), lot: award.lot,
                                      buyer: agency.nameEN, buyerCode: agency.code, supplier: supplier.name, supplierBusinessNumber: supplier.businessNumber,
                                      title: lots.count > 1 ? "\(tender.title): \(lotTitle)" : tender.title, valueMinor: award.amount, currency: tender.currency,
                                      periodStart: Timestamp.iso8601Millis(start), periodEnd: Timestamp.iso8601Millis(end),
                                      items: items.map { "\($0.description) × \(Self.quantity($0.quantity)) \($0.unitName)" })
            let model = ContractModel()
            model.id = id
            model.reference = reference
            model.tenderID = tenderID
            model.awardID = awardID
            model.supplierID = supplier.id!
            model.agencyID = tender.agencyID
            model.title = terms.title
            model.value = award.amount
            model.periodStart = start
            model.periodEnd = end
            model.status = ContractStatus.pending.rawValue
            model.document = String(decoding: try CanonicalJSON.encode(terms), as: UTF8.self)
            model.amendments = "[]"
            model.createdAt = now
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.contract.create", objectType: "contract", objectID: reference,
                                                             detail: tender.reference), by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.platform.notifications.notify(accountID: supplier.accountID, module: Self.module,
                                                         title: "[\(reference)] 계약서 서명 요청 / Contract ready to sign",
                                                         body: "\(terms.title): the contract for \(Money.format(award.amount, currency: tender.currency)) awaits your signature.",
                                                         link: "/procurement/contracts/\(id.uuidString.lowercased())", on: tx)
            try await self.release(tender, tags: ["contract"], on: tx)
        }
        return try await contract(id: id, on: db, forParties: true)
    }

    static func quantity(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }

    /// Signs the contract: a procurement officer of the buyer with the agency's certificate, or the
    /// supplier's representative with the business's certificate. The second signature makes it active.
    func signContract(id: UUID, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ContractView {
        let db = database ?? self.db
        guard let found = try await ContractModel.find(id, on: db) else { throw NaraError.notFound("The contract") }
        let supplier = try await SupplierModel.find(found.supplierID, on: db)
        let asSupplier = actor.accountID != nil && actor.accountID == supplier?.accountID
        if !asSupplier { _ = try officerAgency(actor) }
        if !asSupplier, actor.agencyID != found.agencyID { throw NaraError.notFound("The contract") }
        // Checked before any key is touched (a business's certificate is issued on its first signature).
        try Self.checkSignable(found, asSupplier: asSupplier)
        let identity: SigningIdentity
        if asSupplier, let supplier {
            identity = try await platform.pki.businessIdentity(accountID: supplier.accountID, businessNumber: supplier.businessNumber, name: supplier.name, on: db)
        } else {
            identity = try await platform.pki.identity(purpose: .agency, agencyID: found.agencyID, on: db)
        }
        try await db.transaction { tx in
            let tender = try await self.lock(found.tenderID, on: tx)
            guard let contract = try await ContractModel.find(id, on: tx), let award = try await AwardModel.find(contract.awardID, on: tx) else {
                throw NaraError.notFound("The contract")
            }
            try Self.checkSignable(contract, asSupplier: asSupplier)
            guard award.status == AwardStatus.active.rawValue,
                  tender.state == TenderState.opened.rawValue || tender.state == TenderState.awarded.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "The award behind this contract is no longer active (\(award.status), tender \(tender.state)).")
            }
            let signature = try self.platform.pki.sign(Data(contract.document.utf8), with: identity)
            let encoded = String(decoding: try JSONEncoder().encode(signature), as: UTF8.self)
            let now = self.clock.now()
            if asSupplier {
                contract.supplierSignature = encoded
                contract.supplierSignedAt = now
            } else {
                contract.agencySignature = encoded
                contract.agencySignedAt = now
            }
            var tags = ["contractUpdate"]
            if contract.agencySignature != nil, contract.supplierSignature != nil { contract.status = ContractStatus.active.rawValue }
            try await contract.save(on: tx)
            if try await self.completeIfContracted(tender, on: tx) { tags.append("tenderUpdate") }
            try await self.platform.audit.append(AuditRecord(action: "procurement.contract.sign", objectType: "contract", objectID: contract.reference,
                                                             detail: asSupplier ? "supplier" : "agency"), by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.release(tender, tags: tags, on: tx)
        }
        return try await contract(id: id, on: db, forParties: true)
    }

    static func checkSignable(_ contract: ContractModel, asSupplier: Bool) throws {
        guard contract.status == ContractStatus.pending.rawValue else {
            throw NaraError(.conflict, code: .illegalTransition, "Only a pending contract is signed; this one is \(contract.status).")
        }
        if asSupplier ? contract.supplierSignature != nil : contract.agencySignature != nil {
            throw NaraError(.conflict, code: .illegalTransition, asSupplier ? "The supplier has already signed." : "The agency has already signed.")
        }
    }

    static func terms(_ contract: ContractModel, _ amendment: ContractAmendment) throws -> Data {
        try CanonicalJSON.encode(["contract": contract.reference, "amendment": amendment.id, "rationale": amendment.rationale,
                                  "valueMinor": amendment.valueMinor.map(String.init) ?? "", "periodEnd": amendment.periodEnd.map(Timestamp.iso8601Millis) ?? ""])
    }

    /// The agency proposes an amendment of an active contract's value or period, signed with its
    /// certificate; it takes effect when the supplier counter-signs it (`decideAmendment`).
    func amendContract(id: UUID, _ input: ContractAmendmentInput, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ContractView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        var v = Validator()
        v.require(input.rationale, "rationale", maxLength: 2000)
        if let value = input.valueMinor, value <= 0 || value > Self.maximumAmount { v.add("valueMinor", "range", "The value is positive and at most 10¹⁵ KRW.") }
        let end = input.periodEnd.flatMap(Timestamp.parseISO8601)
        if input.periodEnd != nil, end == nil { v.add("periodEnd", "format", "Give the end as an ISO 8601 date-time.") }
        if input.valueMinor == nil, input.periodEnd == nil { v.add("valueMinor", "required", "An amendment changes the value or the period.") }
        try v.check()
        guard let found = try await ContractModel.find(id, on: db), found.agencyID == agencyID else { throw NaraError.notFound("The contract") }
        let identity = try await platform.pki.identity(purpose: .agency, agencyID: agencyID, on: db)
        try await db.transaction { tx in
            _ = try await self.lock(found.tenderID, on: tx)
            guard let contract = try await ContractModel.find(id, on: tx) else { throw NaraError.notFound("The contract") }
            guard contract.status == ContractStatus.active.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Only an active contract is amended; this one is \(contract.status).")
            }
            var amendments = try JSONDecoder().decode([ContractAmendment].self, from: Data(contract.amendments.utf8))
            guard !amendments.contains(where: { $0.status == "proposed" }) else {
                throw NaraError(.conflict, code: .illegalTransition, "An amendment already awaits the supplier's answer.")
            }
            var changes: [String] = []
            if let value = input.valueMinor {
                let invoiced = try await InvoiceModel.query(on: tx).filter(\.$contractID == id).filter(\.$status != InvoiceStatus.rejected.rawValue).all()
                    .map(\.amount).reduce(0, +)
                guard value >= invoiced else {
                    throw NaraError.validation([FieldError(field: "valueMinor", code: "below_invoiced", message: "The value cannot fall below what is already invoiced (\(Money.format(invoiced, currency: "KRW"))).")])
                }
                changes.append("value \(Money.format(contract.value, currency: "KRW")) → \(Money.format(value, currency: "KRW"))")
            }
            if let end {
                guard end > contract.periodStart else {
                    throw NaraError.validation([FieldError(field: "periodEnd", code: "range", message: "The period ends after it starts.")])
                }
                changes.append("period end \(Timestamp.iso8601Millis(contract.periodEnd)) → \(Timestamp.iso8601Millis(end))")
            }
            var amendment = ContractAmendment(id: "amendment-\(amendments.count + 1)", date: self.clock.now(),
                                              rationale: input.rationale.trimmingCharacters(in: .whitespacesAndNewlines),
                                              description: "Changes: " + changes.joined(separator: "; "), status: "proposed", valueMinor: input.valueMinor,
                                              periodEnd: end, agencySignature: nil, supplierSignature: nil, decidedAt: nil, declineReason: nil)
            amendment.agencySignature = try self.platform.pki.sign(try Self.terms(contract, amendment), with: identity)
            amendments.append(amendment)
            contract.amendments = String(decoding: try JSONEncoder().encode(amendments), as: UTF8.self)
            try await contract.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.contract.amendment_proposed", objectType: "contract", objectID: contract.reference,
                                                             detail: changes.joined(separator: "; ")), by: AuditActor(actor, requestID: requestID), on: tx)
            if let supplier = try await SupplierModel.find(contract.supplierID, on: tx) {
                try await self.platform.notifications.notify(accountID: supplier.accountID, module: Self.module,
                                                             title: "[\(contract.reference)] 계약 변경 요청 / Contract amendment proposed",
                                                             body: "\(amendment.rationale). \(amendment.description). It takes effect when you sign it.",
                                                             link: "/procurement/contracts/\(id.uuidString.lowercased())", on: tx)
            }
        }
        return try await contract(id: id, on: db, forParties: true)
    }

    /// The supplier counter-signs a proposed amendment (it takes effect) or declines it with a reason.
    func decideAmendment(contractID: UUID, amendmentID: String, accept: Bool, reason: String?, by actor: Actor, requestID: String?,
                         on database: (any Database)? = nil) async throws -> ContractView {
        let db = database ?? self.db
        guard let supplier = try await self.supplier(of: actor, on: db),
              let found = try await ContractModel.find(contractID, on: db), found.supplierID == supplier.id else {
            throw NaraError.notFound("The contract")
        }
        let text = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !accept, text.isEmpty { throw NaraError.validation([FieldError(field: "reason", code: "required", message: "Say why the amendment is declined.")]) }
        let identity = try await platform.pki.businessIdentity(accountID: supplier.accountID, businessNumber: supplier.businessNumber, name: supplier.name, on: db)
        try await db.transaction { tx in
            let tender = try await self.lock(found.tenderID, on: tx)
            guard let contract = try await ContractModel.find(contractID, on: tx), contract.status == ContractStatus.active.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Only an active contract's amendment is decided.")
            }
            var amendments = try JSONDecoder().decode([ContractAmendment].self, from: Data(contract.amendments.utf8))
            guard let index = amendments.firstIndex(where: { $0.id == amendmentID }), amendments[index].status == "proposed" else {
                throw NaraError(.conflict, code: .illegalTransition, "No proposed amendment \(amendmentID).")
            }
            amendments[index].decidedAt = self.clock.now()
            if accept {
                if let value = amendments[index].valueMinor {
                    let invoiced = try await InvoiceModel.query(on: tx).filter(\.$contractID == contractID).filter(\.$status != InvoiceStatus.rejected.rawValue).all()
                        .map(\.amount).reduce(0, +)
                    guard value >= invoiced else { throw NaraError(.conflict, code: "below_invoiced", "Invoices since the proposal exceed the new value.") }
                    contract.value = value
                }
                if let end = amendments[index].periodEnd { contract.periodEnd = end }
                amendments[index].status = "accepted"
                amendments[index].supplierSignature = try self.platform.pki.sign(try Self.terms(contract, amendments[index]), with: identity)
            } else {
                amendments[index].status = "declined"
                amendments[index].declineReason = text
            }
            contract.amendments = String(decoding: try JSONEncoder().encode(amendments), as: UTF8.self)
            try await contract.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.contract.amendment_\(amendments[index].status)", objectType: "contract",
                                                             objectID: contract.reference, detail: amendmentID), by: AuditActor(actor, requestID: requestID), on: tx)
            if accept { try await self.release(tender, tags: ["contractAmendment"], on: tx) }
        }
        return try await contract(id: contractID, on: db, forParties: true)
    }

    func terminateContract(id: UUID, reason: String, by actor: Actor, requestID: String?) async throws -> ContractView {
        let agencyID = try officerAgency(actor)
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 2000 else {
            throw NaraError.validation([FieldError(field: "reason", code: "required", message: "A termination states its reason.")])
        }
        guard let found = try await ContractModel.find(id, on: db), found.agencyID == agencyID else { throw NaraError.notFound("The contract") }
        try await db.transaction { tx in
            let tender = try await self.lock(found.tenderID, on: tx)
            guard let contract = try await ContractModel.find(id, on: tx), contract.status == ContractStatus.active.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Only an active contract is terminated.")
            }
            contract.status = ContractStatus.terminated.rawValue
            contract.terminationReason = text
            contract.terminatedAt = self.clock.now()
            try await contract.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.contract.terminate", objectType: "contract", objectID: contract.reference,
                                                             detail: text), by: AuditActor(actor, requestID: requestID), on: tx)
            if let supplier = try await SupplierModel.find(contract.supplierID, on: tx) {
                try await self.platform.notifications.notify(accountID: supplier.accountID, module: Self.module,
                                                             title: "[\(contract.reference)] 계약 해지 / Contract terminated", body: text,
                                                             link: "/procurement/tenders/\(tender.id!.uuidString.lowercased())", on: tx)
            }
            try await self.release(tender, tags: ["contractTermination"], on: tx)
        }
        return try await contract(id: id, on: db, forParties: true)
    }

    // MARK: Invoices

    /// The supplier invoices against an active contract, up to its value.
    func submitInvoice(contractID: UUID, _ input: NewInvoice, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> ContractView {
        let db = database ?? self.db
        guard let supplier = try await self.supplier(of: actor, on: db),
              let found = try await ContractModel.find(contractID, on: db), found.supplierID == supplier.id else {
            throw NaraError.notFound("The contract")
        }
        var v = Validator()
        v.require(input.number, "number", maxLength: 40)
        v.require(input.description, "description", maxLength: 1000)
        if input.amountMinor <= 0 || input.amountMinor > Self.maximumAmount { v.add("amountMinor", "range", "An invoice is a positive amount, at most 10¹⁵ KRW.") }
        try v.check()
        try await db.transaction { tx in
            _ = try await self.lock(found.tenderID, on: tx)
            guard let contract = try await ContractModel.find(contractID, on: tx), contract.status == ContractStatus.active.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Invoices are sent against an active contract.")
            }
            let invoices = try await InvoiceModel.query(on: tx).filter(\.$contractID == contractID).all()
            let number = input.number.trimmingCharacters(in: .whitespaces)
            guard !invoices.contains(where: { $0.number == number }) else {
                throw NaraError.validation([FieldError(field: "number", code: "duplicate", message: "Invoice \(number) was already sent for this contract.")])
            }
            let invoiced = invoices.filter { $0.status != InvoiceStatus.rejected.rawValue }.map(\.amount).reduce(0, +)
            guard input.amountMinor <= contract.value - invoiced else {
                throw NaraError.validation([FieldError(field: "amountMinor", code: "over_value",
                                                       message: "Invoices would exceed the contract's value: \(Money.format(contract.value - invoiced, currency: "KRW")) is left to invoice.")])
            }
            let invoice = InvoiceModel()
            invoice.id = UUID()
            invoice.contractID = contractID
            invoice.number = number
            invoice.amount = input.amountMinor
            invoice.descriptionText = input.description.trimmingCharacters(in: .whitespacesAndNewlines)
            invoice.status = InvoiceStatus.submitted.rawValue
            invoice.submittedAt = self.clock.now()
            try await invoice.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.invoice.submit", objectType: "contract", objectID: contract.reference,
                                                             detail: "\(number) \(Money.format(input.amountMinor, currency: "KRW"))"),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await contract(id: contractID, on: db, forParties: true)
    }

    /// The officer approves an invoice (the payment is put on the ledger, due within 5 working days,
    /// Enforcement Decree art. 58) or rejects it with a reason.
    func decideInvoice(contractID: UUID, invoiceID: UUID, approve: Bool, reason: String?, by actor: Actor, requestID: String?,
                       on database: (any Database)? = nil) async throws -> ContractView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        guard let found = try await ContractModel.find(contractID, on: db), found.agencyID == agencyID else { throw NaraError.notFound("The contract") }
        let text = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve, text.isEmpty { throw NaraError.validation([FieldError(field: "reason", code: "required", message: "A rejection states its reason.")]) }
        let audit = AuditActor(actor, requestID: requestID)
        try await db.transaction { tx in
            _ = try await self.lock(found.tenderID, on: tx)
            guard let invoice = try await InvoiceModel.find(invoiceID, on: tx), invoice.contractID == contractID else { throw NaraError.notFound("The invoice") }
            guard invoice.status == InvoiceStatus.submitted.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "This invoice is \(invoice.status).")
            }
            guard let contract = try await ContractModel.find(contractID, on: tx), contract.status == ContractStatus.active.rawValue || !approve else {
                throw NaraError(.conflict, code: .illegalTransition, "Invoices are approved against an active contract only.")
            }
            let now = self.clock.now()
            invoice.decidedAt = now
            if approve {
                let payment = try await self.payOut(from: found.agencyID, to: found.supplierID, for: "Invoice \(invoice.number) under contract \(found.reference)",
                                                    amount: invoice.amount, by: audit, on: tx)
                invoice.status = InvoiceStatus.approved.rawValue
                invoice.paymentID = payment.id
            } else {
                invoice.status = InvoiceStatus.rejected.rawValue
                invoice.reason = text
            }
            try await invoice.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.invoice.\(invoice.status)", objectType: "contract", objectID: found.reference,
                                                             detail: invoice.number), by: audit, on: tx)
        }
        return try await contract(id: contractID, on: db, forParties: true)
    }

    // MARK: Reading

    /// A contract as the public sees it; `forParties` adds the payment references (the treasury's transfer orders).
    func contract(id: UUID, on database: (any Database)? = nil, forParties: Bool = false) async throws -> ContractView {
        let db = database ?? self.db
        guard let m = try await ContractModel.find(id, on: db) else { throw NaraError.notFound("The contract") }
        return try await contractView(m, on: db, forParties: forParties)
    }

    func contracts(tenderID: UUID? = nil, on database: (any Database)? = nil) async throws -> [ContractView] {
        let db = database ?? self.db
        var query = ContractModel.query(on: db)
        if let tenderID { query = query.filter(\.$tenderID == tenderID) }
        var views: [ContractView] = []
        for m in try await query.sort(\.$createdAt, .descending).limit(500).all() { views.append(try await contractView(m, on: db)) }
        return views
    }

    func contractView(_ m: ContractModel, on db: any Database, forParties: Bool = false) async throws -> ContractView {
        let supplier = try await SupplierModel.find(m.supplierID, on: db)
        let agency = try await platform.identity.agency(id: m.agencyID, on: db)
        let tender = try await TenderModel.find(m.tenderID, on: db)
        let award = try await AwardModel.find(m.awardID, on: db)
        var invoices: [InvoiceView] = []
        for invoice in try await InvoiceModel.query(on: db).filter(\.$contractID == m.id!).sort(\.$submittedAt).all() {
            let payment = try await invoice.paymentID.asyncMap { try await PaymentModel.find($0, on: db) } ?? nil
            invoices.append(InvoiceView(id: invoice.id!, number: invoice.number, amountMinor: invoice.amount, description: invoice.descriptionText,
                                        status: InvoiceStatus(rawValue: invoice.status) ?? .submitted, submittedAt: invoice.submittedAt,
                                        decidedAt: invoice.decidedAt, reason: invoice.reason, paymentReference: forParties ? payment?.reference : nil,
                                        paidAt: payment?.paidAt))
        }
        let decoder = JSONDecoder()
        return ContractView(
            id: m.id!, reference: m.reference, tenderID: m.tenderID, tenderReference: tender?.reference ?? "", awardID: m.awardID, lot: award?.lot ?? 1,
            agencyName: agency?.nameEN ?? "", supplierName: supplier?.name ?? "",
            supplierBusinessNumber: supplier.map { (try? BusinessNumber($0.businessNumber).formatted) ?? $0.businessNumber } ?? "",
            title: m.title, valueMinor: m.value, currency: "KRW", periodStart: m.periodStart, periodEnd: m.periodEnd,
            status: ContractStatus(rawValue: m.status) ?? .pending, document: m.document,
            agencySignature: try m.agencySignature.map { try decoder.decode(DetachedSignature.self, from: Data($0.utf8)) }, agencySignedAt: m.agencySignedAt,
            supplierSignature: try m.supplierSignature.map { try decoder.decode(DetachedSignature.self, from: Data($0.utf8)) },
            supplierSignedAt: m.supplierSignedAt, amendments: try decoder.decode([ContractAmendment].self, from: Data(m.amendments.utf8)),
            terminationReason: m.terminationReason, terminatedAt: m.terminatedAt, invoices: invoices,
            paidMinor: invoices.filter { $0.status == .paid }.map(\.amountMinor).reduce(0, +))
    }
}
