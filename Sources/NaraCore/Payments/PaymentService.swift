import FluentKit
import Foundation
import SQLKit

public struct PaymentSummary: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let accountID: UUID?
    public let agencyID: UUID?
    public let module: String
    public let purpose: String
    public let amountMinor: Int64
    public let currency: String
    public let status: PaymentStatus
    public let createdAt: Date
    public let dueAt: Date
    public let paidAt: Date?
    public let bankTransactionID: String?
    /// `incoming` (a fee the account pays the agency) or `outgoing` (the agency pays the account).
    public let direction: String

    public init(_ m: PaymentModel) {
        id = m.id!
        reference = m.reference
        accountID = m.$account.id
        agencyID = m.$agency.id
        module = m.module
        purpose = m.purpose
        amountMinor = m.amountMinor
        currency = m.currency
        status = PaymentStatus(rawValue: m.status) ?? .pending
        createdAt = m.createdAt
        dueAt = m.dueAt
        paidAt = m.paidAt
        bankTransactionID = m.bankTransactionID
        direction = m.direction ?? "incoming"
    }
}

/// An amount in minor units of an ISO 4217 currency (KRW has no minor unit: 1 = 1 won).
public struct Money: Sendable, Codable, Equatable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: String

    public init(minorUnits: Int64, currency: String) throws(NaraError) {
        let code = currency.uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw NaraError.validation([FieldError(field: "currency", code: "format", message: "Use a three-letter ISO 4217 currency code.")])
        }
        guard minorUnits.magnitude <= UInt64(Self.maximumMinorUnits) else {
            throw NaraError.validation([FieldError(field: "amount", code: "range",
                                                   message: "An amount is at most \(Self.maximumMinorUnits) minor units (10^15), so that ledger sums stay exact.")])
        }
        self.minorUnits = minorUnits
        self.currency = code
    }

    /// The largest amount one ledger entry holds: 9,000 such entries still sum within 64 bits.
    public static let maximumMinorUnits: Int64 = 1_000_000_000_000_000

    /// Digits after the decimal point for the currencies Nara displays.
    public static func exponent(_ currency: String) -> Int {
        switch currency {
        case "KRW", "JPY": return 0
        case "BHD", "KWD": return 3
        default: return 2
        }
    }

    public var description: String { Money.format(minorUnits, currency: currency) }

    public static func format(_ minor: Int64, currency: String) -> String {
        let exponent = exponent(currency)
        let negative = minor < 0
        let magnitude = minor.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = magnitude / divisor
        let fraction = magnitude % divisor
        var grouped = ""
        for (index, char) in String(whole).reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(char)
        }
        var text = String(grouped.reversed())
        if exponent > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: exponent - f.count) + f
        }
        return (negative ? "-" : "") + text + " " + currency
    }
}

public struct PaymentNotice: Sendable, Codable {
    public let reference: String
    public let amountMinor: Int64
    public let currency: String
    public let bankTransactionID: String
    public let paidAt: Date

    public init(reference: String, amountMinor: Int64, currency: String, bankTransactionID: String, paidAt: Date) {
        self.reference = reference
        self.amountMinor = amountMinor
        self.currency = currency
        self.bankTransactionID = bankTransactionID
        self.paidAt = paidAt
    }
}

public enum ReconciliationResult: Sendable, Equatable {
    /// The payment was recorded now.
    case recorded(PaymentSummary)
    /// The same notice was already recorded; nothing changed.
    case alreadyRecorded(PaymentSummary)
}

/// The fee ledger: charges, payments reported by banks, refunds. Amounts are integer minor units.
public final class PaymentService: Sendable {
    private let clock: any NaraClock
    private let audit: AuditChain

    init(clock: any NaraClock, audit: AuditChain) {
        self.clock = clock
        self.audit = audit
    }

    /// A 14-digit virtual-account style reference: `9` + 12 random digits + a Luhn check digit.
    public static func makeReference() -> String {
        var generator = SystemRandomNumberGenerator()
        let body = "9" + (0..<12).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        return body + String(luhnCheckDigit(body))
    }

    public static func luhnCheckDigit(_ digits: String) -> Int {
        var sum = 0
        for (index, char) in digits.reversed().enumerated() {
            var d = char.wholeNumberValue ?? 0
            if index % 2 == 0 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return (10 - sum % 10) % 10
    }

    public static func isValidReference(_ reference: String) -> Bool {
        guard reference.count == 14, reference.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return luhnCheckDigit(String(reference.dropLast())) == reference.last?.wholeNumberValue
    }

    /// Records a fee to be paid by an account; returns the payment with its reference.
    public func charge(accountID: UUID?, agencyID: UUID?, module: String, purpose: String, amount: Money, dueAt: Date,
                       by actor: AuditActor, on db: any Database) async throws -> PaymentSummary {
        try await open(accountID: accountID, agencyID: agencyID, outgoing: false, module: module, purpose: purpose, amount: amount, dueAt: dueAt,
                       by: actor, on: db)
    }

    /// Records a payment the agency owes an account (a supplier's invoice): the treasury's transfer
    /// is reported with `confirmTransfer`, never with a bank's notice of money received.
    public func disburse(payerAgencyID: UUID, payeeAccountID: UUID, module: String, purpose: String, amount: Money, dueAt: Date,
                         by actor: AuditActor, on db: any Database) async throws -> PaymentSummary {
        try await open(accountID: payeeAccountID, agencyID: payerAgencyID, outgoing: true, module: module, purpose: purpose, amount: amount,
                       dueAt: dueAt, by: actor, on: db)
    }

    private func open(accountID: UUID?, agencyID: UUID?, outgoing: Bool, module: String, purpose: String, amount: Money, dueAt: Date,
                      by actor: AuditActor, on db: any Database) async throws -> PaymentSummary {
        guard amount.minorUnits > 0 else {
            throw NaraError.validation([FieldError(field: "amountMinor", code: "positive", message: "A payment is a positive amount.")])
        }
        let body: @Sendable (any Database) async throws -> PaymentSummary = { tx in
            let payment = PaymentModel()
            payment.id = UUID()
            payment.reference = Self.makeReference()
            payment.$account.id = accountID
            payment.$agency.id = agencyID
            payment.module = module
            payment.purpose = purpose
            payment.amountMinor = amount.minorUnits
            payment.currency = amount.currency
            payment.status = PaymentStatus.pending.rawValue
            payment.createdAt = self.clock.now()
            payment.dueAt = dueAt
            payment.direction = outgoing ? "outgoing" : nil
            try await payment.create(on: tx)
            try await self.ledger(payment, kind: .charge, amount: amount.minorUnits, note: purpose, on: tx)
            try await self.audit.append(AuditRecord(action: outgoing ? "payment.disburse" : "payment.charge", objectType: "payment",
                                                    objectID: payment.reference, detail: "\(amount) \(module)"), by: actor, on: tx)
            return PaymentSummary(payment)
        }
        return db.inTransaction ? try await body(db) : try await db.transaction(body)
    }

    private func ledger(_ payment: PaymentModel, kind: LedgerEntryKind, amount: Int64, note: String, on db: any Database) async throws {
        let entry = LedgerEntryModel()
        entry.id = UUID()
        entry.$payment.id = payment.id!
        entry.kind = kind.rawValue
        entry.amountMinor = amount
        entry.currency = payment.currency
        entry.at = clock.now()
        entry.note = note
        try await entry.create(on: db)
    }

    /// A bank reports money received for a reference. Idempotent: the same notice again changes
    /// nothing and answers the same; a different transaction for a paid reference is a conflict;
    /// a wrong amount or currency is refused.
    public func reconcile(_ notice: PaymentNotice, by actor: AuditActor, on db: any Database) async throws -> ReconciliationResult {
        try await settle(notice, outgoing: false, by: actor, on: db)
    }

    /// The treasury reports the transfer of a payment the government owed (`disburse`). Idempotent
    /// like `reconcile`; a fee's reference is refused.
    public func confirmTransfer(_ notice: PaymentNotice, by actor: AuditActor, on db: any Database) async throws -> ReconciliationResult {
        try await settle(notice, outgoing: true, by: actor, on: db)
    }

    private func settle(_ notice: PaymentNotice, outgoing: Bool, by actor: AuditActor, on db: any Database) async throws -> ReconciliationResult {
        var validator = Validator()
        if !Self.isValidReference(notice.reference) { validator.add("reference", "format", "A payment reference has 14 digits with a valid check digit.") }
        if notice.bankTransactionID.isEmpty || notice.bankTransactionID.count > 64 {
            validator.add("bankTransactionId", "format", "Give the bank's transaction id (1-64 characters).")
        }
        if notice.amountMinor <= 0 { validator.add("amountMinor", "positive", "The amount must be positive.") }
        try validator.check()
        do {
            return try await db.transaction { tx in try await self.apply(notice, outgoing: outgoing, by: actor, on: tx) }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two notices raced and the other committed first: answer as its outcome dictates.
            return try await db.transaction { tx in try await self.apply(notice, outgoing: outgoing, by: actor, on: tx) }
        }
    }

    private func apply(_ notice: PaymentNotice, outgoing: Bool, by actor: AuditActor, on tx: any Database) async throws -> ReconciliationResult {
        guard let payment = try await PaymentModel.query(on: tx).filter(\.$reference == notice.reference).first() else {
            throw NaraError(.notFound, code: "payment_unknown", "No payment has this reference.")
        }
        guard (payment.direction == "outgoing") == outgoing else {
            throw NaraError(.conflict, code: "payment_direction", outgoing
                ? "This reference is a fee paid to an agency; banks report it with /api/v1/payments/reconcile."
                : "This reference is a payment the government makes; the treasury reports its transfer with /api/v1/payments/transfers.")
        }
        switch PaymentStatus(rawValue: payment.status) ?? .pending {
        case .paid, .refunded:
            if payment.bankTransactionID == notice.bankTransactionID && payment.amountMinor == notice.amountMinor {
                return .alreadyRecorded(PaymentSummary(payment))
            }
            throw NaraError.conflict("This reference has already been paid by another transaction.", code: "payment_already_paid")
        case .cancelled:
            throw NaraError.conflict("This payment was cancelled; return the money to the payer.", code: "payment_cancelled")
        case .pending:
            break
        }
        guard notice.currency.uppercased() == payment.currency, notice.amountMinor == payment.amountMinor else {
            throw NaraError(.unprocessable, code: "payment_amount_mismatch",
                            "The amount \(Money.format(notice.amountMinor, currency: notice.currency.uppercased())) does not match the fee \(Money.format(payment.amountMinor, currency: payment.currency)).")
        }
        if try await PaymentModel.query(on: tx).filter(\.$bankTransactionID == notice.bankTransactionID).first() != nil {
            throw NaraError.conflict("This bank transaction was already applied to another reference.", code: "payment_transaction_reused")
        }
        // Only a payment still pending is marked paid: of two notices racing, one wins.
        let sql = tx as! any SQLDatabase
        let won = try await sql.raw("""
            UPDATE payments SET status = 'paid', paid_at = \(bind: notice.paidAt), bank_transaction_id = \(bind: notice.bankTransactionID)
            WHERE id = \(bind: payment.id!) AND status = 'pending' RETURNING id
            """).all()
        guard !won.isEmpty, let paid = try await PaymentModel.find(payment.id!, on: tx) else {
            throw NaraError.conflict("This payment was settled by another notice at the same moment; send the notice again.", code: "payment_race")
        }
        try await self.ledger(paid, kind: .payment, amount: -notice.amountMinor, note: "bank \(notice.bankTransactionID)", on: tx)
        try await self.audit.append(AuditRecord(action: "payment.reconcile", objectType: "payment", objectID: paid.reference,
                                                detail: notice.bankTransactionID), by: actor, on: tx)
        return .recorded(PaymentSummary(paid))
    }

    /// Refunds a paid payment (for example after a rejected application).
    public func refund(paymentID: UUID, reason: String, by actor: AuditActor, on db: any Database) async throws -> PaymentSummary {
        var validator = Validator()
        validator.require(reason, "reason", maxLength: 500)
        try validator.check()
        return try await db.transaction { tx in
            guard let payment = try await PaymentModel.find(paymentID, on: tx) else { throw NaraError.notFound("The payment") }
            guard payment.status == PaymentStatus.paid.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Only a paid payment can be refunded (this one is \(payment.status)).")
            }
            payment.status = PaymentStatus.refunded.rawValue
            payment.refundedAt = self.clock.now()
            payment.refundReason = reason
            try await payment.save(on: tx)
            // Money goes back (+) and the fee is withdrawn (-): the balance stays settled at zero.
            try await self.ledger(payment, kind: .refund, amount: payment.amountMinor, note: reason, on: tx)
            try await self.ledger(payment, kind: .cancellation, amount: -payment.amountMinor, note: reason, on: tx)
            try await self.audit.append(AuditRecord(action: "payment.refund", objectType: "payment", objectID: payment.reference, detail: reason), by: actor, on: tx)
            return PaymentSummary(payment)
        }
    }

    /// Cancels a charge nobody has paid yet (the declaration or application it was for was
    /// withdrawn): the ledger gets the opposite entry, so the balance is zero and a late bank notice
    /// for the reference is refused instead of being recorded as a payment.
    public func cancel(paymentID: UUID, reason: String, by actor: AuditActor, on db: any Database) async throws -> PaymentSummary {
        var validator = Validator()
        validator.require(reason, "reason", maxLength: 500)
        try validator.check()
        let body: @Sendable (any Database) async throws -> PaymentSummary = { tx in
            // Only a charge still pending is cancelled: against a bank notice racing it, one wins.
            let won = try await (tx as! any SQLDatabase).raw("""
                UPDATE payments SET status = 'cancelled' WHERE id = \(bind: paymentID) AND status = 'pending' RETURNING id
                """).all()
            guard let payment = try await PaymentModel.find(paymentID, on: tx) else { throw NaraError.notFound("The payment") }
            guard !won.isEmpty else {
                throw NaraError(.conflict, code: .illegalTransition, "Only an unpaid charge can be cancelled (this one is \(payment.status)); a paid one is refunded.")
            }
            try await self.ledger(payment, kind: .cancellation, amount: -payment.amountMinor, note: reason, on: tx)
            try await self.audit.append(AuditRecord(action: "payment.cancel", objectType: "payment", objectID: payment.reference, detail: reason), by: actor, on: tx)
            return PaymentSummary(payment)
        }
        return db.inTransaction ? try await body(db) : try await db.transaction(body)
    }

    public func payments(accountID: UUID, on db: any Database) async throws -> [PaymentSummary] {
        // Fees the account pays; payments the government makes to it are read by the module that owes them.
        try await PaymentModel.query(on: db).filter(\.$account.$id == accountID).filter(\.$direction == nil).sort(\.$createdAt, .descending).all()
            .map(PaymentSummary.init)
    }

    public func payment(reference: String, on db: any Database) async throws -> PaymentSummary? {
        try await PaymentModel.query(on: db).filter(\.$reference == reference).first().map(PaymentSummary.init)
    }

    /// What the payer still owes on a payment according to the ledger (0 when settled).
    public func balance(paymentID: UUID, on db: any Database) async throws -> Int64 {
        try await LedgerEntryModel.query(on: db).filter(\.$payment.$id == paymentID).all().reduce(0) { $0 + $1.amountMinor }
    }
}
