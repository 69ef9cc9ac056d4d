import Foundation
import NaraCore
import NaraTesting
import Testing

@Suite("Fees and payments")
struct PaymentTests {
    @Test("references are 14 digits with a Luhn check digit")
    func references() {
        for _ in 0..<100 {
            let reference = PaymentService.makeReference()
            #expect(reference.count == 14)
            #expect(PaymentService.isValidReference(reference))
        }
        #expect(PaymentService.luhnCheckDigit("7992739871") == 3)
        #expect(!PaymentService.isValidReference("12345678901234"))
    }

    @Test("amounts are integer minor units, shown by currency")
    func money() throws {
        #expect(Money.format(1_234_500, currency: "KRW") == "1,234,500 KRW")
        #expect(Money.format(123_456, currency: "USD") == "1,234.56 USD")
        #expect(Money.format(-5, currency: "EUR") == "-0.05 EUR")
        #expect(throws: NaraError.self) { try Money(minorUnits: 1, currency: "WON!") }
        #expect(throws: NaraError.self) { try Money(minorUnits: Money.maximumMinorUnits + 1, currency: "KRW") }
        #expect(throws: NaraError.self) { try Money(minorUnits: Int64.min, currency: "KRW") }
        #expect(try Money(minorUnits: Money.maximumMinorUnits, currency: "KRW").minorUnits == Money.maximumMinorUnits)
    }

    @Test("a bank notice pays a fee once; the same notice again changes nothing")
    func reconcileIdempotent() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let fee = try await platform.payments.charge(accountID: fixtures.alice!.id, agencyID: fixtures.ministry!.id, module: "test", purpose: "Certificate fee",
                                                         amount: try Money(minorUnits: 1000, currency: "KRW"), dueAt: clock.now().addingTimeInterval(86400),
                                                         by: .system("t"), on: platform.db)
            #expect(try await platform.payments.balance(paymentID: fee.id, on: platform.db) == 1000)
            let notice = PaymentNotice(reference: fee.reference, amountMinor: 1000, currency: "KRW", bankTransactionID: "KFTC-1", paidAt: clock.now())
            guard case .recorded(let paid) = try await platform.payments.reconcile(notice, by: .system("bank"), on: platform.db) else {
                Issue.record("not recorded"); return
            }
            #expect(paid.status == .paid)
            guard case .alreadyRecorded = try await platform.payments.reconcile(notice, by: .system("bank"), on: platform.db) else {
                Issue.record("a repeated notice was applied twice"); return
            }
            #expect(try await platform.payments.balance(paymentID: fee.id, on: platform.db) == 0)
            // Another transaction for the same reference is a double payment.
            let second = PaymentNotice(reference: fee.reference, amountMinor: 1000, currency: "KRW", bankTransactionID: "KFTC-2", paidAt: clock.now())
            await #expect(throws: NaraError.self) { _ = try await platform.payments.reconcile(second, by: .system("bank"), on: platform.db) }
        }
    }

    @Test("a wrong amount, currency or unknown reference changes nothing")
    func reconcileRefusals() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let fee = try await platform.payments.charge(accountID: fixtures.alice!.id, agencyID: nil, module: "test", purpose: "Fee",
                                                         amount: try Money(minorUnits: 1000, currency: "KRW"), dueAt: clock.now(), by: .system("t"), on: platform.db)
            for notice in [
                PaymentNotice(reference: fee.reference, amountMinor: 999, currency: "KRW", bankTransactionID: "T1", paidAt: clock.now()),
                PaymentNotice(reference: fee.reference, amountMinor: 1000, currency: "USD", bankTransactionID: "T2", paidAt: clock.now()),
                PaymentNotice(reference: PaymentService.makeReference(), amountMinor: 1000, currency: "KRW", bankTransactionID: "T3", paidAt: clock.now()),
                PaymentNotice(reference: "123", amountMinor: 1000, currency: "KRW", bankTransactionID: "T4", paidAt: clock.now()),
            ] {
                await #expect(throws: NaraError.self) { _ = try await platform.payments.reconcile(notice, by: .system("bank"), on: platform.db) }
            }
            #expect(try await platform.payments.payment(reference: fee.reference, on: platform.db)?.status == .pending)
        }
    }

    @Test("only a paid fee can be refunded, and the ledger stays settled")
    func refund() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let fee = try await platform.payments.charge(accountID: fixtures.alice!.id, agencyID: nil, module: "test", purpose: "Fee",
                                                         amount: try Money(minorUnits: 500, currency: "KRW"), dueAt: clock.now(), by: .system("t"), on: platform.db)
            await #expect(throws: NaraError.self) { _ = try await platform.payments.refund(paymentID: fee.id, reason: "rejected", by: .system("t"), on: platform.db) }
            _ = try await platform.payments.reconcile(PaymentNotice(reference: fee.reference, amountMinor: 500, currency: "KRW", bankTransactionID: "R1", paidAt: clock.now()),
                                                      by: .system("bank"), on: platform.db)
            let refunded = try await platform.payments.refund(paymentID: fee.id, reason: "application rejected", by: .system("t"), on: platform.db)
            #expect(refunded.status == .refunded)
            #expect(try await platform.payments.balance(paymentID: fee.id, on: platform.db) == 0)
            await #expect(throws: NaraError.self) { _ = try await platform.payments.refund(paymentID: fee.id, reason: "again", by: .system("t"), on: platform.db) }
        }
    }
}
