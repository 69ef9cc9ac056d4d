import FluentKit
import Foundation
import NaraCore

/// What the base registries release through the exchange: a resident registration abstract, a
/// business registration status and the vehicles registered to a person.
struct RegistryInformationProvider: InformationProvider {
    let service: RegistryService

    static let residentAbstract = InformationType(
        code: "resident.abstract",
        title: LocalizedText(en: "Resident registration abstract", ko: "주민등록표 초본"),
        summary: LocalizedText(en: "Name, birth date, current address since when, household and registration status.",
                               ko: "성명, 생년월일, 현 주소와 전입일, 세대 및 등록 상태."),
        providerAgencyCode: "1741000", subjectKind: .person,
        fields: [InformationField("name", "Name"), InformationField("birthDate", "Birth date (YYYY-MM-DD)"), InformationField("sex", "M or F"),
                 InformationField("address", "Current address"), InformationField("postalCode", "Postal code"),
                 InformationField("movedIn", "Moved in to the current address (YYYY-MM-DD)"), InformationField("householdNumber", "Household number"),
                 InformationField("relationship", "Relationship to the household head"), InformationField("householdSize", "Members of the household"),
                 InformationField("status", "registered or closed")],
        legalBases: [.sharedUseWithConsent, .sharedUseByStatute, .criminalInvestigation])

    static let businessStatus = InformationType(
        code: "business.status",
        title: LocalizedText(en: "Business registration status", ko: "사업자등록 상태"),
        summary: LocalizedText(en: "Whether a business is active, suspended or closed, since when, and who represents it.",
                               ko: "사업자의 계속·휴업·폐업 여부와 그 일자, 대표자."),
        providerAgencyCode: "1210000", subjectKind: .business,
        fields: [InformationField("businessNumber", "Business registration number"), InformationField("name", "Trade name"),
                 InformationField("representativeName", "Representative"), InformationField("industryCode", "KSIC industry code"),
                 InformationField("address", "Place of business"), InformationField("status", "active, suspended or closed"),
                 InformationField("openedOn", "Opened (YYYY-MM-DD)"), InformationField("suspendedOn", "Suspended since, or empty"),
                 InformationField("closedOn", "Closed on, or empty")],
        legalBases: [.sharedUseByStatute, .sharedUseWithConsent])

    static let vehicleRegistration = InformationType(
        code: "vehicle.registration",
        title: LocalizedText(en: "Vehicle registration", ko: "자동차 등록원부"),
        summary: LocalizedText(en: "Vehicles registered to a person, with inspections due and unreleased liens.",
                               ko: "개인 명의로 등록된 자동차와 검사 유효기간, 미해지 저당."),
        providerAgencyCode: "1613000", subjectKind: .person,
        fields: [InformationField("count", "Number of registered vehicles"),
                 InformationField("vehicles", "JSON list: plate, model, modelYear, firstRegistered, nextInspection, openLiens")],
        legalBases: [.sharedUseWithConsent, .sharedUseByStatute, .criminalInvestigation])

    var informationTypes: [InformationType] { [Self.residentAbstract, Self.businessStatus, Self.vehicleRegistration] }

    private struct VehicleSummary: Encodable {
        let plate: String
        let model: String
        let modelYear: Int
        let firstRegistered: String
        let nextInspection: String
        let openLiens: Int
    }

    func provide(type: String, subject: ExchangeSubject, on db: any Database) async throws -> [String: String]? {
        switch (type, subject.identifier) {
        case (Self.residentAbstract.code, .person(let id)):
            guard let person = try await service.person(nationalID: id, on: db) else { return nil }
            let household = try await service.householdMembers(personID: person.id, on: db)
            return ["name": person.name, "birthDate": person.birthDate, "sex": person.sex, "address": person.address, "postalCode": person.postalCode,
                    "movedIn": person.movedIn, "householdNumber": person.householdNumber, "relationship": person.relationship,
                    "householdSize": String(household.count), "status": person.status]
        case (Self.businessStatus.code, .business(let number)):
            guard let b = try await service.businessStatus(number: number, on: db) else { return nil }
            return ["businessNumber": b.business_number, "name": b.name, "representativeName": b.representative_name, "industryCode": b.industry_code,
                    "address": b.address, "status": b.status, "openedOn": b.opened_on, "suspendedOn": b.suspended_on ?? "", "closedOn": b.closed_on ?? ""]
        case (Self.vehicleRegistration.code, .person(let id)):
            guard try await service.person(nationalID: id, on: db) != nil else { return nil }
            let vehicles = try await service.vehicles(ownedByNationalID: id, on: db).map {
                VehicleSummary(plate: $0.plate, model: $0.model, modelYear: $0.modelYear, firstRegistered: $0.firstRegistered,
                               nextInspection: $0.nextInspection, openLiens: $0.liens.filter { $0.releasedOn == nil }.count)
            }
            return ["count": String(vehicles.count), "vehicles": String(decoding: try CanonicalJSON.encode(vehicles), as: UTF8.self)]
        default:
            return nil
        }
    }
}
