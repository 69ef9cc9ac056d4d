import FluentKit
import Foundation
import NaraCore

public struct NewCatalogueItem: Sendable, Codable {
    public var name: String
    /// UNSPSC, 8 digits.
    public var classification: String
    public var unitCode: String
    public var unitName: String
    public var priceMinor: Int64
    /// Working days from the order to the delivery.
    public var deliveryDays: Int
    public var minQuantity: Int?
}

public struct NewFramework: Sendable, Codable {
    public var supplierBusinessNumber: String
    public var title: String
    /// ISO 8601 date-time until which agencies may order.
    public var validUntil: String
    /// The largest order an agency may place directly.
    public var maxOrderMinor: Int64
    public var items: [NewCatalogueItem]
}

public struct CatalogueItemView: Sendable, Codable, Equatable {
    public let id: UUID
    public let code: String
    public let name: String
    public let classification: String
    public let unitCode: String
    public let unitName: String
    public let priceMinor: Int64
    public let deliveryDays: Int
    public let minQuantity: Int
    public let supplierName: String
    public let frameworkReference: String
}

public struct FrameworkView: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let agencyName: String
    public let supplierName: String
    public let supplierBusinessNumber: String
    public let title: String
    public let validFrom: Date
    public let validUntil: Date
    public let maxOrderMinor: Int64
    public let status: String
    public let items: [CatalogueItemView]
}

public struct OrderLineInput: Sendable, Codable {
    public var itemID: UUID
    public var quantity: Int
}

public struct NewOrder: Sendable, Codable {
    public var lines: [OrderLineInput]
}

public struct OrderLine: Sendable, Codable, Equatable {
    public let itemID: UUID
    public let code: String
    public let name: String
    public let quantity: Int
    public let unitName: String
    public let unitPriceMinor: Int64
    public let amountMinor: Int64
}

public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    /// Placed by the agency; the supplier delivers.
    case placed
    /// The agency confirmed the delivery: the payment is due on the ledger.
    case delivered
    /// The treasury's transfer was recorded.
    case paid
    case cancelled
}

public struct OrderView: Sendable, Codable, Equatable {
    public let id: UUID
    public let reference: String
    public let agencyName: String
    public let supplierName: String
    public let frameworkReference: String
    public let lines: [OrderLine]
    public let totalMinor: Int64
    public let status: OrderStatus
    public let placedAt: Date
    public let dueAt: Date
    public let deliveredAt: Date?
    /// Delivered after the due date (or still undelivered past it).
    public let late: Bool
    public let cancelReason: String?
    public let paymentReference: String?
}

/// The shopping mall: framework agreements with catalogue items that agencies order directly.
extension ProcurementService {
    /// The Public Procurement Service concludes a framework agreement with a registered supplier.
    func createFramework(_ input: NewFramework, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> FrameworkView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        guard let agency = try await platform.identity.agency(id: agencyID, on: db), agency.code == Self.registryAgencyCode else {
            throw NaraError.forbidden("Framework agreements are concluded by the Public Procurement Service.")
        }
        let now = clock.now()
        var v = Validator()
        v.require(input.title, "title", maxLength: 300)
        let number = try? BusinessNumber(input.supplierBusinessNumber)
        let supplier = try await number.asyncMap { n in try await SupplierModel.query(on: db).filter(\.$businessNumber == n.digits).first() } ?? nil
        if supplier?.status != "active" { v.add("supplierBusinessNumber", "unknown", "Give the business registration number of an active registered supplier.") }
        let until = Timestamp.parseISO8601(input.validUntil)
        if until == nil || until! <= now { v.add("validUntil", "range", "Give the end of the agreement as a future ISO 8601 date-time.") }
        if input.maxOrderMinor <= 0 { v.add("maxOrderMinor", "range", "The direct-order limit is positive.") }
        if input.items.isEmpty || input.items.count > 200 { v.add("items", "count", "A framework lists 1 to 200 catalogue items.") }
        for (i, item) in input.items.enumerated() {
            if item.name.trimmingCharacters(in: .whitespaces).isEmpty || item.name.count > 300 { v.add("items/\(i)/name", "required", "Name the item.") }
            if !ItemClassification.isValid(scheme: "UNSPSC", code: item.classification) { v.add("items/\(i)/classification", "format", "Classify the item with UNSPSC (8 digits).") }
            if item.unitCode.isEmpty || item.unitCode.count > 3 || item.unitName.isEmpty { v.add("items/\(i)/unitCode", "format", "Give the UN/ECE unit code and its name.") }
            if item.priceMinor <= 0 || item.priceMinor > 10_000_000_000_000 { v.add("items/\(i)/priceMinor", "range", "The price is a positive amount in KRW.") }
            if !(1...120).contains(item.deliveryDays) { v.add("items/\(i)/deliveryDays", "range", "Delivery takes 1 to 120 working days.") }
            if let minimum = item.minQuantity, !(1...100_000).contains(minimum) { v.add("items/\(i)/minQuantity", "range", "The minimum quantity is 1 to 100,000.") }
        }
        try v.check()
        guard let supplier, let until else { throw NaraError.validation(v.errors) }
        let id = UUID()
        try await db.transaction { tx in
            let year = self.platform.calendar.localDay(of: now).components.year
            let reference = String(format: "FA-%d-%06d", year, try await self.platform.sequences.next("procurement-framework", year: year, on: tx))
            let model = FrameworkModel()
            model.id = id
            model.reference = reference
            model.agencyID = agencyID
            model.supplierID = supplier.id!
            model.title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            model.validFrom = now
            model.validUntil = until
            model.maxOrder = input.maxOrderMinor
            model.status = "active"
            model.createdAt = now
            try await model.create(on: tx)
            for (index, item) in input.items.enumerated() {
                let row = CatalogueItemModel()
                row.id = UUID()
                row.frameworkID = id
                row.code = "\(reference)-\(String(format: "%03d", index + 1))"
                row.name = item.name.trimmingCharacters(in: .whitespacesAndNewlines)
                row.classification = item.classification
                row.unitCode = item.unitCode
                row.unitName = item.unitName
                row.price = item.priceMinor
                row.deliveryDays = item.deliveryDays
                row.minQuantity = item.minQuantity ?? 1
                row.status = "listed"
                try await row.create(on: tx)
            }
            try await self.platform.audit.append(AuditRecord(action: "procurement.framework.create", objectType: "framework", objectID: reference,
                                                             detail: "\(supplier.name), \(input.items.count) items"), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await framework(id: id, on: db)
    }

    func framework(id: UUID, on database: (any Database)? = nil) async throws -> FrameworkView {
        let db = database ?? self.db
        guard let m = try await FrameworkModel.find(id, on: db) else { throw NaraError.notFound("The framework agreement") }
        return try await frameworkView(m, on: db)
    }

    func frameworks(on database: (any Database)? = nil) async throws -> [FrameworkView] {
        let db = database ?? self.db
        var views: [FrameworkView] = []
        for m in try await FrameworkModel.query(on: db).sort(\.$createdAt, .descending).limit(200).all() { views.append(try await frameworkView(m, on: db)) }
        return views
    }

    func frameworkView(_ m: FrameworkModel, on db: any Database) async throws -> FrameworkView {
        let supplier = try await SupplierModel.find(m.supplierID, on: db)
        let agency = try await platform.identity.agency(id: m.agencyID, on: db)
        let items = try await CatalogueItemModel.query(on: db).filter(\.$frameworkID == m.id!).sort(\.$code).all()
        let status = m.status == "active" && clock.now() > m.validUntil ? "expired" : m.status
        return FrameworkView(id: m.id!, reference: m.reference, agencyName: agency?.nameEN ?? "", supplierName: supplier?.name ?? "",
                             supplierBusinessNumber: supplier.map { (try? BusinessNumber($0.businessNumber).formatted) ?? $0.businessNumber } ?? "",
                             title: m.title, validFrom: m.validFrom, validUntil: m.validUntil, maxOrderMinor: m.maxOrder, status: status,
                             items: items.map { Self.itemView($0, supplier: supplier?.name ?? "", framework: m.reference) })
    }

    static func itemView(_ m: CatalogueItemModel, supplier: String, framework: String) -> CatalogueItemView {
        CatalogueItemView(id: m.id!, code: m.code, name: m.name, classification: m.classification, unitCode: m.unitCode, unitName: m.unitName,
                          priceMinor: m.price, deliveryDays: m.deliveryDays, minQuantity: m.minQuantity, supplierName: supplier, frameworkReference: framework)
    }

    /// What agencies can order today: listed items of agreements in force, matching the search.
    func catalogue(query: String) async throws -> [CatalogueItemView] {
        let now = clock.now()
        let frameworks = try await FrameworkModel.query(on: db).filter(\.$status == "active").filter(\.$validFrom <= now).filter(\.$validUntil > now).all()
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
        var result: [CatalogueItemView] = []
        for framework in frameworks {
            let supplier = try await SupplierModel.find(framework.supplierID, on: db)
            for item in try await CatalogueItemModel.query(on: db).filter(\.$frameworkID == framework.id!).filter(\.$status == "listed").all()
            where needle.isEmpty || item.name.lowercased().contains(needle) || item.code.lowercased().contains(needle) || item.classification.hasPrefix(needle)
                || (supplier?.name.lowercased().contains(needle) ?? false) {
                result.append(Self.itemView(item, supplier: supplier?.name ?? "", framework: framework.reference))
            }
        }
        return result.sorted { ($0.classification, $0.priceMinor) < ($1.classification, $1.priceMinor) }
    }

    // MARK: Orders

    /// An agency orders directly from one framework agreement, within its direct-order limit.
    /// The same idempotency key again returns the first order.
    func placeOrder(_ input: NewOrder, idempotencyKey: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> OrderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let key = idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 100 else {
            throw NaraError.validation([FieldError(field: "idempotencyKey", code: "required", message: "Send an Idempotency-Key of at most 100 characters.")])
        }
        if let earlier = try await OrderModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$idempotencyKey == key).first() {
            return try await orderView(earlier, on: db)
        }
        let now = clock.now()
        var v = Validator()
        if input.lines.isEmpty || input.lines.count > 50 { v.add("lines", "count", "An order has 1 to 50 lines.") }
        if Set(input.lines.map(\.itemID)).count != input.lines.count { v.add("lines", "duplicate", "Each item appears once in an order.") }
        var lines: [OrderLine] = []
        var frameworkIDs = Set<UUID>()
        var total: Int64 = 0
        var longestDelivery = 0
        for (i, line) in input.lines.enumerated() {
            guard let item = try await CatalogueItemModel.find(line.itemID, on: db), item.status == "listed" else {
                v.add("lines/\(i)/itemID", "unknown", "The catalogue has no such item.")
                continue
            }
            frameworkIDs.insert(item.frameworkID)
            if line.quantity < item.minQuantity || line.quantity > 1_000_000 {
                v.add("lines/\(i)/quantity", "range", "Order \(item.name) in quantities of \(item.minQuantity) to 1,000,000.")
                continue
            }
            let (amount, overflow) = item.price.multipliedReportingOverflow(by: Int64(line.quantity))
            if overflow { v.add("lines/\(i)/quantity", "range", "The amount is too large."); continue }
            let (sum, sumOverflow) = total.addingReportingOverflow(amount)
            if sumOverflow { v.add("lines/\(i)/quantity", "range", "The amount is too large."); continue }
            total = sum
            longestDelivery = max(longestDelivery, item.deliveryDays)
            lines.append(OrderLine(itemID: item.id!, code: item.code, name: item.name, quantity: line.quantity, unitName: item.unitName,
                                   unitPriceMinor: item.price, amountMinor: amount))
        }
        if frameworkIDs.count > 1 { v.add("lines", "frameworks", "Order from one framework agreement (one supplier) at a time.") }
        try v.check()
        guard let frameworkID = frameworkIDs.first, let framework = try await FrameworkModel.find(frameworkID, on: db) else {
            throw NaraError.validation([FieldError(field: "lines", code: "required", message: "Order at least one catalogue item.")])
        }
        guard framework.status == "active", framework.validFrom <= now, now < framework.validUntil else {
            throw NaraError(.conflict, code: "framework_not_in_force", "The framework agreement \(framework.reference) is not in force.")
        }
        guard total <= framework.maxOrder else {
            throw NaraError.validation([FieldError(field: "lines", code: "over_limit",
                                                   message: "\(Money.format(total, currency: "KRW")) is above the direct-order limit of \(Money.format(framework.maxOrder, currency: "KRW")) for \(framework.reference): run a second-stage competition (a tender) instead.")])
        }
        let due = try await platform.calendar.calendar(on: db).deadline(for: .workingDays(longestDelivery), from: now)
        let id = UUID()
        let orderLines = lines
        let orderTotal = total
        do {
            try await db.transaction { tx in
                let year = self.platform.calendar.localDay(of: now).components.year
                let reference = String(format: "PO-%d-%06d", year, try await self.platform.sequences.next("procurement-order", year: year, on: tx))
                let model = OrderModel()
                model.id = id
                model.reference = reference
                model.agencyID = agencyID
                model.officerID = actor.accountID!
                model.frameworkID = framework.id!
                model.supplierID = framework.supplierID
                model.lines = String(decoding: try JSONEncoder().encode(orderLines), as: UTF8.self)
                model.total = orderTotal
                model.status = OrderStatus.placed.rawValue
                model.placedAt = now
                model.dueAt = due
                model.idempotencyKey = key
                model.version = 1
                try await model.create(on: tx)
                try await self.platform.audit.append(AuditRecord(action: "procurement.order.place", objectType: "order", objectID: reference,
                                                                 detail: "\(framework.reference) \(Money.format(orderTotal, currency: "KRW"))"),
                                                     by: AuditActor(actor, requestID: requestID), on: tx)
                if let supplier = try await SupplierModel.find(framework.supplierID, on: tx) {
                    try await self.platform.notifications.notify(accountID: supplier.accountID, module: Self.module,
                                                                 title: "[\(reference)] 납품 요구 / New order",
                                                                 body: "An order of \(Money.format(orderTotal, currency: "KRW")) under \(framework.reference); delivery due \(Timestamp.iso8601Millis(due)).",
                                                                 link: "/procurement/orders/\(id.uuidString.lowercased())", on: tx)
                }
            }
        } catch {
            // The same key raced in from another request: answer with the order it stored.
            guard (error as? any DatabaseError)?.isConstraintFailure == true,
                  let earlier = try await OrderModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$idempotencyKey == key).first() else { throw error }
            return try await orderView(earlier, on: db)
        }
        return try await order(id: id, by: actor, on: db)
    }

    /// The ordering agency confirms the delivery: the payment is put on the ledger, due in 5 working days.
    func confirmDelivery(orderID: UUID, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> OrderView {
        let db = database ?? self.db
        let agencyID = try officerAgency(actor)
        let audit = AuditActor(actor, requestID: requestID)
        try await db.transaction { tx in
            try await tx.lockRow(OrderModel.schema, id: orderID)
            guard let order = try await OrderModel.find(orderID, on: tx), order.agencyID == agencyID else { throw NaraError.notFound("The order") }
            guard order.status == OrderStatus.placed.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "This order is \(order.status).") }
            let now = self.clock.now()
            let payment = try await self.payOut(from: agencyID, to: order.supplierID, for: "Order \(order.reference) delivered",
                                                amount: order.total, by: audit, on: tx)
            order.status = OrderStatus.delivered.rawValue
            order.deliveredAt = now
            order.paymentID = payment.id
            try await order.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.order.delivered", objectType: "order", objectID: order.reference,
                                                             detail: now > order.dueAt ? "late" : "on time"), by: audit, on: tx)
        }
        return try await order(id: orderID, by: actor, on: db)
    }

    /// The ordering agency or the supplier cancels an order that is not delivered yet, with a reason.
    func cancelOrder(orderID: UUID, reason: String, by actor: Actor, requestID: String?, on database: (any Database)? = nil) async throws -> OrderView {
        let db = database ?? self.db
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 2000 else {
            throw NaraError.validation([FieldError(field: "reason", code: "required", message: "A cancellation states its reason.")])
        }
        try await db.transaction { tx in
            try await tx.lockRow(OrderModel.schema, id: orderID)
            guard let order = try await OrderModel.find(orderID, on: tx), try await self.isParty(actor, to: order, on: tx) else {
                throw NaraError.notFound("The order")
            }
            guard order.status == OrderStatus.placed.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "This order is \(order.status).") }
            order.status = OrderStatus.cancelled.rawValue
            order.cancelReason = text
            try await order.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "procurement.order.cancel", objectType: "order", objectID: order.reference, detail: text),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await order(id: orderID, by: actor, on: db)
    }

    func isParty(_ actor: Actor, to order: OrderModel, on db: any Database) async throws -> Bool {
        if let agencyID = try? officerAgency(actor), agencyID == order.agencyID { return true }
        guard let accountID = actor.accountID, let supplier = try await SupplierModel.find(order.supplierID, on: db) else { return false }
        return supplier.accountID == accountID
    }

    func order(id: UUID, by actor: Actor, on database: (any Database)? = nil) async throws -> OrderView {
        let db = database ?? self.db
        guard let m = try await OrderModel.find(id, on: db), try await isParty(actor, to: m, on: db) else { throw NaraError.notFound("The order") }
        return try await orderView(m, on: db)
    }

    /// The orders of the caller's agency (officers) or addressed to the caller (suppliers).
    func orders(by actor: Actor) async throws -> [OrderView] {
        var query = OrderModel.query(on: db)
        if let agencyID = try? officerAgency(actor) {
            query = query.filter(\.$agencyID == agencyID)
        } else if let supplier = try await self.supplier(of: actor, on: db) {
            query = query.filter(\.$supplierID == supplier.id!)
        } else {
            return []
        }
        var views: [OrderView] = []
        for m in try await query.sort(\.$placedAt, .descending).limit(200).all() { views.append(try await orderView(m, on: db)) }
        return views
    }

    func orderView(_ m: OrderModel, on db: any Database) async throws -> OrderView {
        let supplier = try await SupplierModel.find(m.supplierID, on: db)
        let agency = try await platform.identity.agency(id: m.agencyID, on: db)
        let framework = try await FrameworkModel.find(m.frameworkID, on: db)
        let payment = try await m.paymentID.asyncMap { try await PaymentModel.find($0, on: db) } ?? nil
        let status = OrderStatus(rawValue: m.status) ?? .placed
        let late = (m.deliveredAt ?? (status == .placed ? clock.now() : m.dueAt)) > m.dueAt
        return OrderView(id: m.id!, reference: m.reference, agencyName: agency?.nameEN ?? "", supplierName: supplier?.name ?? "",
                         frameworkReference: framework?.reference ?? "", lines: try JSONDecoder().decode([OrderLine].self, from: Data(m.lines.utf8)),
                         totalMinor: m.total, status: status, placedAt: m.placedAt, dueAt: m.dueAt, deliveredAt: m.deliveredAt, late: late,
                         cancelReason: m.cancelReason, paymentReference: payment?.reference)
    }
}
