import FluentKit
import Foundation
import NaraCore

public struct NewBillOfLading: Sendable, Codable, Equatable {
    public var billOfLading: String
    public var shipper: String
    public var consignee: String
    public var description: String
    public var packages: Int
    public var grossMassKg: Decimal
}

public struct NewManifest: Sendable, Codable, Equatable {
    /// import (arriving) or export (departing).
    public var kind: String
    public var mode: Int
    public var vessel: String
    public var voyage: String
    /// UN/LOCODE of the Korean port or airport (KRPUS, KRINC, KRICN...).
    public var port: String
    public var scheduledAt: String
    public var bills: [NewBillOfLading]
}

public struct ManifestView: Sendable, Codable, Equatable {
    public let id: UUID
    public let mrn: String
    public let kind: String
    public let vessel: String
    public let voyage: String
    public let port: String
    public let scheduledAt: Date
    public let cargo: [String]
}

/// Manifests (적하목록) from carriers, the cargo on them, and its public tracking.
extension CustomsService {
    static let ports = ["KRPUS": "Busan", "KRINC": "Incheon", "KRICN": "Incheon International Airport", "KRKAN": "Gwangyang", "KRPTK": "Pyeongtaek-Dangjin",
                        "KRUSN": "Ulsan", "KRGMP": "Gimpo International Airport", "KRSEL": "Seoul (inland container depot)"]

    /// A carrier submits a manifest; each bill of lading gets its tracking number (MRN + MSN).
    func submitManifest(_ input: NewManifest, by actor: Actor, requestID: String?) async throws -> ManifestView {
        guard let carrier = try await trader(of: actor, fresh: true), Self.view(carrier).roles.contains("carrier") else {
            throw NaraError.forbidden("Manifests are submitted by registered carriers.")
        }
        var v = Validator()
        if !["import", "export"].contains(input.kind) { v.add("kind", "unknown", "Choose import or export.") }
        if ![1, 4].contains(input.mode) { v.add("mode", "unknown", "Manifests are for sea (1) or air (4) transport.") }
        v.require(input.vessel, "vessel", maxLength: 70)
        v.require(input.voyage, "voyage", maxLength: 17)
        if Self.ports[input.port] == nil { v.add("port", "unknown", "Give the UN/LOCODE of a Korean port or airport (\(Self.ports.keys.sorted().joined(separator: ", "))).") }
        let scheduled = Timestamp.parseISO8601(input.scheduledAt)
        if scheduled == nil { v.add("scheduledAt", "format", "Give the arrival or departure as an ISO 8601 date-time.") }
        if input.bills.isEmpty || input.bills.count > 9999 { v.add("bills", "count", "A manifest lists 1 to 9,999 bills of lading.") }
        for (i, bill) in input.bills.enumerated() {
            v.require(bill.billOfLading, "bills/\(i)/billOfLading", maxLength: 35)
            v.require(bill.shipper, "bills/\(i)/shipper", maxLength: 70)
            v.require(bill.consignee, "bills/\(i)/consignee", maxLength: 70)
            v.require(bill.description, "bills/\(i)/description", maxLength: 256)
            if !(1...1_000_000).contains(bill.packages) { v.add("bills/\(i)/packages", "range", "1 to 1,000,000 packages.") }
            if Self.milli(bill.grossMassKg) == nil { v.add("bills/\(i)/grossMassKg", "format", "Positive kilograms with at most 3 decimals.") }
        }
        try v.check()
        let now = clock.now()
        let year = platform.calendar.localDay(of: now).components.year
        let id = UUID()
        let mrn = try await db.transaction { tx -> String in
            let number = try await self.platform.sequences.next("customs-manifest", year: year, on: tx)
            // 26 + the carrier's 4 letters + serial + I/E: the Korean manifest reference pattern.
            let carrierCode = String(carrier.name.uppercased().filter { $0.isASCII && $0.isLetter }.prefix(4)).padding(toLength: 4, withPad: "X", startingAt: 0)
            let mrn = String(format: "%02d%@%05d%@", year % 100, carrierCode, number, input.kind == "import" ? "I" : "E")
            let manifest = ManifestModel()
            manifest.id = id
            manifest.mrn = mrn
            manifest.carrierID = carrier.id!
            manifest.kind = input.kind
            manifest.mode = input.mode
            manifest.vessel = input.vessel
            manifest.voyage = input.voyage
            manifest.port = input.port
            manifest.scheduledAt = scheduled!
            manifest.submittedAt = now
            try await manifest.create(on: tx)
            let encoder = JSONEncoder()
            let cargo = try input.bills.enumerated().map { index, bill -> CargoModel in
                let c = CargoModel()
                c.id = UUID()
                c.manifestID = id
                c.trackingNumber = mrn + String(format: "%04d", index + 1)
                c.billOfLading = bill.billOfLading
                c.shipper = bill.shipper
                c.consignee = bill.consignee
                c.descriptionText = bill.description
                c.packages = bill.packages
                c.grossMassMilli = Self.milli(bill.grossMassKg)!
                c.status = "manifested"
                c.version = 1
                c.events = String(decoding: try encoder.encode([CargoEvent(at: now, status: "manifested", place: input.port,
                                                                           note: "\(input.vessel) \(input.voyage)")]), as: UTF8.self)
                return c
            }
            try await cargo.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "customs.manifest.submit", objectType: "manifest", objectID: mrn,
                                                             detail: "\(input.bills.count) bills of lading"), by: AuditActor(actor, requestID: requestID), on: tx)
            return mrn
        }
        return ManifestView(id: id, mrn: mrn, kind: input.kind, vessel: input.vessel, voyage: input.voyage, port: input.port, scheduledAt: scheduled!,
                            cargo: input.bills.indices.map { mrn + String(format: "%04d", $0 + 1) })
    }

    /// The carrier or the bonded area reports a movement of cargo: arrival, discharge, gate-out
    /// (an import released leaves: cleared) or departure (an export released leaves: exited).
    func reportCargo(trackingNumber: String, status: String, place: String, by actor: Actor, requestID: String?) async throws -> CargoView {
        let allowed = ["arrived", "discharged", "gate_out", "loaded", "departed"]
        guard allowed.contains(status) else {
            throw NaraError.validation([FieldError(field: "status", code: "unknown", message: "Report one of \(allowed.joined(separator: ", ")).")])
        }
        guard let reporter = try await trader(of: actor, fresh: true), Self.view(reporter).roles.contains("carrier") else {
            throw NaraError.forbidden("Cargo movements are reported by the carrier that manifested the cargo.")
        }
        guard let cargo = try await CargoModel.query(on: db).filter(\.$trackingNumber == trackingNumber).first() else { throw NaraError.notFound("The cargo") }
        guard let manifest = try await ManifestModel.find(cargo.manifestID, on: db), manifest.carrierID == reporter.id else {
            throw NaraError.forbidden("Only the carrier that manifested \(trackingNumber) reports its movements.")
        }
        // Arriving cargo is discharged and leaves the bonded area; departing cargo is loaded and departs.
        let direction = manifest.kind == "import" ? ["arrived", "discharged", "gate_out"] : ["arrived", "loaded", "departed"]
        guard direction.contains(status) else {
            throw NaraError.validation([FieldError(field: "status", code: "direction",
                                                   message: "\(trackingNumber) is on an \(manifest.kind) manifest: report \(direction.joined(separator: ", ")).")])
        }
        // The movement and the clearance or exit it completes are one transaction: the cargo's row
        // lock is taken first, so a declaration released meanwhile is seen by one of the two.
        let where_ = place.isEmpty ? "—" : String(place.prefix(70))
        try await db.transaction { tx in
            try await self.cargoEvent(cargoID: cargo.id, status: status, place: where_, note: "reported by \(reporter.name)", on: tx)
            let released = try await DeclarationModel.query(on: tx).filter(\.$cargoID == cargo.id!).filter(\.$state == DeclarationState.released.rawValue).all()
            for d in released {
                if status == "gate_out", d.kind == DeclarationKind.import.rawValue {
                    try await self.step(d.id!, .clear, note: "Left the bonded area (\(where_)).", by: StepActor(actor, requestID), on: tx)
                } else if status == "departed", d.kind == DeclarationKind.export.rawValue {
                    try await self.step(d.id!, .exit, note: "Left Korea (\(where_)).", by: StepActor(actor, requestID), on: tx)
                }
            }
        }
        return try await cargoView(trackingNumber: trackingNumber)
    }

    /// The public tracking of one cargo: its journey and the declarations covering it (number,
    /// public state, release time; no parties, values or lanes).
    func cargoView(trackingNumber: String) async throws -> CargoView {
        guard let cargo = try await CargoModel.query(on: db).filter(\.$trackingNumber == trackingNumber).first(),
              let manifest = try await ManifestModel.find(cargo.manifestID, on: db) else { throw NaraError.notFound("The cargo") }
        let declarations = try await DeclarationModel.query(on: db).filter(\.$cargoID == cargo.id!).sort(\.$lodgedAt).all().map {
            CargoDeclarationLine(number: $0.number, state: (DeclarationState(rawValue: $0.state) ?? .submitted).publicName, releasedAt: $0.releasedAt)
        }
        return CargoView(trackingNumber: cargo.trackingNumber, billOfLading: cargo.billOfLading, manifest: manifest.mrn, vessel: manifest.vessel,
                         voyage: manifest.voyage, port: manifest.port, mode: manifest.mode, kind: manifest.kind, description: cargo.descriptionText,
                         packages: cargo.packages, grossMassKg: Self.kilograms(cargo.grossMassMilli), status: cargo.status,
                         events: try JSONDecoder().decode([CargoEvent].self, from: Data(cargo.events.utf8)), declarations: declarations)
    }

    /// `12,345.678`-style kilograms from thousandths.
    static func kilograms(_ milli: Int64) -> String {
        let whole = DutyRate.grouped(milli / 1000), fraction = milli % 1000
        return fraction == 0 ? whole : whole + "." + String(format: "%03d", fraction).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }
}
