import FluentKit
import Foundation
import NaraCore

/// Registry changes decided by other services (civil applications), applied through the
/// registry's own rules, history and audit.
struct RegistryChangeProvider: RegistryChangeService {
    let service: RegistryService

    func recordMoveIn(nationalID: NationalID, address: String, postalCode: String, movedInOn: String, reason: String,
                      by actor: AuditActor, on db: any Database) async throws -> String {
        guard let person = try await service.person(nationalID: nationalID, on: db) else {
            throw NaraError(.unprocessable, code: "registry_no_record", "The resident registry holds no registration for this person.")
        }
        let record = try await service.moveIn(personID: person.id, MoveIn(householdNumber: nil, address: address, postalCode: postalCode,
                                                                          relationship: "head", movedIn: movedInOn, reason: reason),
                                              by: actor, on: db)
        return record.address
    }

    func registerBusiness(_ registration: BusinessRegistration, by actor: AuditActor, on db: any Database) async throws -> String {
        // Tax office 101, an individual business (type 10-79 → 2x), a serial and the check digit.
        for _ in 0..<20 {
            let firstNine = "101" + String(Int.random(in: 20...29)) + String(format: "%04d", Int.random(in: 0...9999))
            guard let check = BusinessNumber.checkDigit(firstNine) else { continue }
            let number = try BusinessNumber(firstNine + String(check))
            if try await service.business(number: number, on: db) != nil { continue }
            _ = try await service.createBusiness(NewBusiness(businessNumber: number.digits, name: registration.name,
                                                                      representativeName: registration.representativeName,
                                                                      representativeNationalID: registration.representativeNationalID.digits,
                                                                      address: registration.address, industryCode: registration.industryCode,
                                                                      openedOn: registration.openedOn), by: actor, on: db)
            return number.formatted
        }
        throw NaraError(.unavailable, code: .unavailable, "No free business registration number was found; try again.")
    }
}
