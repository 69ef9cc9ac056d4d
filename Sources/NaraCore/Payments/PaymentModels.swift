import FluentKit
import Foundation

public enum PaymentStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case paid
    case cancelled
    case refunded
}

public final class PaymentModel: Model, @unchecked Sendable {
    public static let schema = "payments"

    @ID(key: .id) public var id: UUID?
    /// Virtual-account style reference the payer quotes at the bank.
    @Field(key: "reference") public var reference: String
    @OptionalParent(key: "account_id") public var account: AccountModel?
    @OptionalParent(key: "agency_id") public var agency: AgencyModel?
    @Field(key: "module") public var module: String
    @Field(key: "purpose") public var purpose: String
    @Field(key: "amount_minor") public var amountMinor: Int64
    @Field(key: "currency") public var currency: String
    @Field(key: "status") public var status: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "due_at") public var dueAt: Date
    @OptionalField(key: "paid_at") public var paidAt: Date?
    @OptionalField(key: "bank_transaction_id") public var bankTransactionID: String?
    @OptionalField(key: "refunded_at") public var refundedAt: Date?
    @OptionalField(key: "refund_reason") public var refundReason: String?
    /// `outgoing` for money the government pays (the agency pays the account); nil for fees paid to an agency.
    @OptionalField(key: "direction") public var direction: String?

    public init() {}
}

public enum LedgerEntryKind: String, Sendable, Codable {
    case charge
    case payment
    case refund
    case cancellation
}

public final class LedgerEntryModel: Model, @unchecked Sendable {
    public static let schema = "ledger_entries"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "payment_id") public var payment: PaymentModel
    @Field(key: "kind") public var kind: String
    @Field(key: "amount_minor") public var amountMinor: Int64
    @Field(key: "currency") public var currency: String
    @Field(key: "at") public var at: Date
    @Field(key: "note") public var note: String

    public init() {}
}
