import FluentKit
import Foundation
import NaraCore

/// What the government pays suppliers, for invoices and for mall orders, through the ledger.
extension ProcurementService {
    /// An outgoing payment from the agency to the supplier, due within 5 working days (Enforcement
    /// Decree of the Act on Contracts to Which the State Is a Party, art. 58).
    func payOut(from agencyID: UUID, to supplierID: UUID, for what: String, amount: Int64, by actor: AuditActor,
                on tx: any Database) async throws -> PaymentSummary {
        guard let supplier = try await SupplierModel.find(supplierID, on: tx) else { throw NaraError.notFound("The supplier") }
        let due = try await platform.calendar.calendar(on: tx).deadline(for: .workingDays(5), from: clock.now())
        return try await platform.payments.disburse(payerAgencyID: agencyID, payeeAccountID: supplier.accountID, module: Self.module,
                                                    purpose: "\(what): to \(supplier.name) (\(supplier.businessNumber))",
                                                    amount: try Money(minorUnits: amount, currency: "KRW"), dueAt: due, by: actor, on: tx)
    }

    /// Marks approved invoices and delivered orders whose payment the treasury confirmed as paid, and
    /// publishes each paid invoice as an OCDS transaction (the clock's job).
    func recordPayments(on database: (any Database)? = nil) async throws {
        let db = database ?? self.db
        let invoices = try await InvoiceModel.query(on: db).filter(\.$status == InvoiceStatus.approved.rawValue).all()
        let orders = try await OrderModel.query(on: db).filter(\.$status == OrderStatus.delivered.rawValue).all()
        let waiting = invoices.compactMap(\.paymentID) + orders.compactMap(\.paymentID)
        guard !waiting.isEmpty else { return }
        let paid = Set(try await PaymentModel.query(on: db).filter(\.$id ~~ waiting).filter(\.$status == PaymentStatus.paid.rawValue).all().compactMap(\.id))
        let system = AuditActor.system("procurement-payments")
        for invoice in invoices where invoice.paymentID.map(paid.contains) == true {
            try await inTransaction(db) { tx in
                guard let fresh = try await InvoiceModel.find(invoice.id!, on: tx), let contract = try await ContractModel.find(fresh.contractID, on: tx) else { return }
                let tender = try await self.lock(contract.tenderID, on: tx)
                guard let locked = try await InvoiceModel.find(invoice.id!, on: tx), locked.status == InvoiceStatus.approved.rawValue else { return }
                locked.status = InvoiceStatus.paid.rawValue
                try await locked.save(on: tx)
                try await self.platform.audit.append(AuditRecord(action: "procurement.invoice.paid", objectType: "contract", objectID: contract.reference,
                                                                 detail: locked.number), by: system, on: tx)
                try await self.release(tender, tags: ["implementation"], on: tx)
            }
        }
        for order in orders where order.paymentID.map(paid.contains) == true {
            try await inTransaction(db) { tx in
                try await tx.lockRow(OrderModel.schema, id: order.id!)
                guard let fresh = try await OrderModel.find(order.id!, on: tx), fresh.status == OrderStatus.delivered.rawValue else { return }
                fresh.status = OrderStatus.paid.rawValue
                try await fresh.save(on: tx)
                try await self.platform.audit.append(AuditRecord(action: "procurement.order.paid", objectType: "order", objectID: fresh.reference),
                                                     by: system, on: tx)
            }
        }
    }

    /// Runs in the caller's transaction when there is one (the demo seed), else in a new one.
    func inTransaction(_ db: any Database, _ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        if db.inTransaction { try await work(db) } else { try await db.transaction(work) }
    }
}
