import FluentKit
import Foundation
import NaraCore

/// `nara registries import FILE.csv --registry resident|business|vehicle`: every row is validated
/// and imported in its own transaction, so a refused row leaves nothing behind.
struct CSVImporter: RegistryImporter {
    let service: RegistryService
    let platform: Platform

    var registries: [String] { RegistryKind.allCases.map(\.rawValue) }

    static let headers: [RegistryKind: [String]] = [
        .resident: ["national_id", "name", "household_key", "relationship", "address", "postal_code", "moved_in"],
        .business: ["business_number", "name", "representative_name", "representative_national_id", "address", "industry_code", "opened_on"],
        .vehicle: ["plate", "vin", "owner_national_id", "owner_business_number", "owner_name", "model", "model_year", "first_registered",
                   "last_inspection", "next_inspection"],
    ]

    /// The file's column for a field the service names (`movedIn` → `moved_in`), so the report
    /// speaks the file's language; other fields keep their name.
    static func column(_ field: String, in header: [String]) -> String {
        if field == "householdNumber" { return "household_key" }
        var snake = ""
        for char in field {
            if char.isUppercase { snake += "_" + char.lowercased() } else { snake.append(char) }
        }
        return header.contains(snake) ? snake : field
    }

    func expectedHeader(registry: String) -> [String]? { RegistryKind(rawValue: registry).flatMap { Self.headers[$0] } }

    func importCSV(registry: String, data: Data, by actor: AuditActor,
                   progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) async throws -> ImportReport {
        guard let kind = RegistryKind(rawValue: registry), let header = Self.headers[kind] else {
            throw NaraError.validation([FieldError(field: "registry", code: "unknown", message: "Use resident, business or vehicle.")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NaraError(.badRequest, code: .malformedRequest, "The file is not UTF-8 text.")
        }
        let rows: [CSV.Row]
        do { rows = try CSV.parse(text) } catch { throw NaraError(.badRequest, code: .malformedRequest, "The file is not valid CSV: \(error)") }
        guard let first = rows.first, first.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == header else {
            throw NaraError(.badRequest, code: .malformedRequest, "The first line must be the header: \(header.joined(separator: ","))")
        }
        let body = Array(rows.dropFirst())
        var imported = 0
        var rejected: [ImportReport.Rejection] = []
        var households: [String: String] = [:]
        for (index, row) in body.enumerated() {
            defer { progress?(index + 1, body.count) }
            guard row.fields.count == header.count else {
                rejected.append(.init(line: row.line, reasons: ["expected \(header.count) fields, found \(row.fields.count)"]))
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(header, row.fields) { values[name] = value.trimmingCharacters(in: .whitespaces) }
            func text(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
            do {
                switch kind {
                case .resident:
                    let key = text("household_key")
                    let record = try await service.createPerson(
                        NewPerson(nationalID: values["national_id"] ?? "", name: values["name"] ?? "", householdNumber: key.flatMap { households[$0] },
                                  relationship: values["relationship"] ?? "", address: text("address"), postalCode: text("postal_code"),
                                  movedIn: values["moved_in"] ?? ""), by: actor, on: platform.db)
                    if let key, households[key] == nil { households[key] = record.householdNumber }
                case .business:
                    _ = try await service.createBusiness(
                        NewBusiness(businessNumber: values["business_number"] ?? "", name: values["name"] ?? "", representativeName: values["representative_name"] ?? "",
                                    representativeNationalID: text("representative_national_id"), address: values["address"] ?? "",
                                    industryCode: values["industry_code"] ?? "", openedOn: values["opened_on"] ?? ""), by: actor, on: platform.db)
                case .vehicle:
                    guard let year = Int(values["model_year"] ?? "") else {
                        throw NaraError.validation([FieldError(field: "model_year", code: "format", message: "The model year must be a number.")])
                    }
                    _ = try await service.createVehicle(
                        NewVehicle(plate: values["plate"] ?? "", vin: values["vin"] ?? "", ownerNationalID: text("owner_national_id"),
                                   ownerBusinessNumber: text("owner_business_number"), ownerName: values["owner_name"] ?? "", model: values["model"] ?? "",
                                   modelYear: year, firstRegistered: values["first_registered"] ?? "", lastInspection: text("last_inspection"),
                                   nextInspection: values["next_inspection"] ?? ""), by: actor, on: platform.db)
                }
                imported += 1
            } catch let error as NaraError {
                let reasons = error.fieldErrors.isEmpty ? [error.message] : error.fieldErrors.map { "\(Self.column($0.field, in: header)): \($0.message)" }
                rejected.append(.init(line: row.line, reasons: reasons))
            }
        }
        return ImportReport(imported: imported, rejected: rejected)
    }
}
