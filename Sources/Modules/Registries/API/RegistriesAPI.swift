import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/api/v1/registries/...`: the keeper agencies' systems and officials maintain the registries.
enum RegistriesAPI {
    struct PersonDetail: Encodable {
        let record: PersonRecord
        let addresses: [AddressEntry]
        let household: [HouseholdMember]
        let history: [ChangeEntry]
    }

    struct Detail<Record: Encodable>: Encodable {
        let record: Record
        let history: [ChangeEntry]
    }

    struct PersonChange: Decodable {
        let name: String?
        let relationship: String?
        let reason: String
    }

    static let change = Schema.object([
        "version": Schema.integer, "action": Schema.string, "before": Schema.nullable(Schema.string("JSON snapshot before the change")),
        "after": Schema.string("JSON snapshot after the change"), "reason": Schema.string, "changedBy": Schema.string, "changedAt": Schema.dateTime,
    ], required: ["version", "action", "after", "reason", "changedBy", "changedAt"])

    static let person = Schema.object([
        "id": Schema.uuid, "nationalIDMasked": Schema.string("Masked resident registration number"), "name": Schema.string, "birthDate": Schema.date,
        "sex": Schema.string("M or F", enumValues: ["M", "F"]), "householdNumber": Schema.string, "relationship": Schema.string, "address": Schema.string,
        "postalCode": Schema.string, "movedIn": Schema.date, "status": Schema.string("registered or closed", enumValues: ["registered", "closed"]),
        "closedReason": Schema.nullable(Schema.string), "registeredOn": Schema.date, "version": Schema.integer,
    ], required: ["id", "nationalIDMasked", "name", "birthDate", "householdNumber", "relationship", "address", "status", "version"])

    static let business = Schema.object([
        "id": Schema.uuid, "businessNumber": Schema.string, "name": Schema.string, "representativeName": Schema.string, "address": Schema.string,
        "industryCode": Schema.string("KSIC, 5 digits"), "status": Schema.string("Status", enumValues: BusinessStatus.allCases.map(\.rawValue)),
        "openedOn": Schema.date, "suspendedOn": Schema.nullable(Schema.date), "closedOn": Schema.nullable(Schema.date), "version": Schema.integer,
    ], required: ["id", "businessNumber", "name", "representativeName", "address", "industryCode", "status", "openedOn", "version"])

    static let lien = Schema.object([
        "id": Schema.uuid, "creditor": Schema.string, "amountMinor": Schema.integer, "currency": Schema.string, "registeredOn": Schema.date,
        "releasedOn": Schema.nullable(Schema.date),
    ], required: ["id", "creditor", "amountMinor", "currency", "registeredOn"])

    static let vehicle = Schema.object([
        "id": Schema.uuid, "plate": Schema.string, "vin": Schema.string, "ownerKind": Schema.string("person or business", enumValues: ["person", "business"]),
        "ownerName": Schema.string, "model": Schema.string, "modelYear": Schema.integer, "firstRegistered": Schema.date,
        "lastInspection": Schema.nullable(Schema.date), "nextInspection": Schema.date,
        "status": Schema.string("registered or deregistered", enumValues: ["registered", "deregistered"]), "liens": Schema.array(Schema.ref("RegistryLien")),
        "version": Schema.integer,
    ], required: ["id", "plate", "vin", "ownerKind", "ownerName", "model", "modelYear", "firstRegistered", "nextInspection", "status", "liens", "version"])

    static let closure = Schema.object(["effectiveOn": Schema.date, "reason": Schema.string], required: ["effectiveOn", "reason"])

    static func register(_ routes: RouteRegistry, portal: Portal, service: RegistryService) {
        let platform = portal.platform
        routes.schema("RegistryChange", change)
        routes.schema("RegistryPerson", person)
        routes.schema("RegistryBusiness", business)
        routes.schema("RegistryLien", lien)
        routes.schema("RegistryVehicle", vehicle)
        routes.schema("RegistryClosure", closure)
        let history = Schema.array(Schema.ref("RegistryChange"))
        let search: [(name: String, schema: JSONValue, description: String)] = [("q", Schema.string, "Identifier or part of the name")]

        @Sendable func actor(_ context: NaraRequestContext, _ kind: RegistryKind, write: Bool) async throws -> AuditActor {
            try await RegistryAccess.require(context.actor, kind, write: write, platform: platform)
            return context.auditActor
        }
        @Sendable func uuid(_ context: NaraRequestContext, _ name: String = "id") throws -> UUID {
            guard let id = context.parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw NaraError.notFound("The record") }
            return id
        }

        // Residents
        routes.api(.get, "/api/v1/registries/residents", APIOperation(summary: "Search the resident registry", tag: "registries",
                                                                      response: Schema.array(Schema.ref("RegistryPerson")), query: search)) { request, context in
            _ = try await actor(context, .resident, write: false)
            return try .json(try await service.searchPersons(request.uri.queryParameters.get("q") ?? "", on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/residents", APIOperation(
            summary: "Register a person (joining a household, or forming one at an address)", tag: "registries",
            requestBody: Schema.object(["nationalID": Schema.string, "name": Schema.string, "householdNumber": Schema.nullable(Schema.string),
                                        "relationship": Schema.string("Relationship to the household head", enumValues: Relationship.allCases.map(\.rawValue)),
                                        "address": Schema.nullable(Schema.string), "postalCode": Schema.nullable(Schema.string), "movedIn": Schema.date],
                                       required: ["nationalID", "name", "relationship", "movedIn"]),
            response: Schema.ref("RegistryPerson"), successStatus: 201)) { request, context in
            let by = try await actor(context, .resident, write: true)
            let input = try await request.decode(as: NewPerson.self, context: context)
            return try .json(try await service.createPerson(input, by: by, on: platform.db), status: .created)
        }
        routes.api(.get, "/api/v1/registries/residents/:id", APIOperation(
            summary: "A person with address history, household and change history", tag: "registries",
            response: Schema.object(["record": Schema.ref("RegistryPerson"),
                                     "addresses": Schema.array(Schema.object(["address": Schema.string, "postalCode": Schema.string, "movedIn": Schema.date,
                                                                              "movedOut": Schema.nullable(Schema.date)], required: ["address", "postalCode", "movedIn"])),
                                     "household": Schema.array(Schema.object(["name": Schema.string, "relationship": Schema.string, "birthDate": Schema.date],
                                                                             required: ["name", "relationship", "birthDate"])),
                                     "history": history], required: ["record", "addresses", "household", "history"]),
            errors: [404])) { _, context in
            _ = try await actor(context, .resident, write: false)
            let id = try uuid(context)
            guard let record = try await service.person(id: id, on: platform.db) else { throw NaraError.notFound("The person") }
            return try .json(PersonDetail(record: record, addresses: try await service.addressHistory(personID: id, on: platform.db),
                                          household: try await service.householdMembers(personID: id, on: platform.db),
                                          history: try await service.history(.resident, recordID: id, on: platform.db)))
        }
        routes.api(.patch, "/api/v1/registries/residents/:id", APIOperation(
            summary: "Correct a person's name or relationship (with the reason)", tag: "registries",
            requestBody: Schema.object(["name": Schema.string, "relationship": Schema.string, "reason": Schema.string], required: ["reason"]),
            response: Schema.ref("RegistryPerson"), errors: [404, 409])) { request, context in
            let by = try await actor(context, .resident, write: true)
            let body = try await request.decode(as: PersonChange.self, context: context)
            return try .json(try await service.changePerson(personID: try uuid(context), name: body.name, relationship: body.relationship,
                                                            reason: body.reason, by: by, on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/residents/:id/move", APIOperation(
            summary: "Record a move-in: the person joins a household or forms one at a new address", tag: "registries",
            requestBody: Schema.object(["householdNumber": Schema.nullable(Schema.string), "address": Schema.nullable(Schema.string),
                                        "postalCode": Schema.nullable(Schema.string), "relationship": Schema.string, "movedIn": Schema.date, "reason": Schema.string],
                                       required: ["relationship", "movedIn", "reason"]),
            response: Schema.ref("RegistryPerson"), errors: [404, 409])) { request, context in
            let by = try await actor(context, .resident, write: true)
            let body = try await request.decode(as: MoveIn.self, context: context)
            return try .json(try await service.moveIn(personID: try uuid(context), body, by: by, on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/residents/:id/close", APIOperation(
            summary: "Close a registration (death, emigration)", tag: "registries", requestBody: Schema.ref("RegistryClosure"),
            response: Schema.ref("RegistryPerson"), errors: [404, 409])) { request, context in
            let by = try await actor(context, .resident, write: true)
            let body = try await request.decode(as: Closure.self, context: context)
            return try .json(try await service.closePerson(personID: try uuid(context), body, by: by, on: platform.db))
        }

        // Businesses
        routes.api(.get, "/api/v1/registries/businesses", APIOperation(summary: "Search the business registry", tag: "registries",
                                                                       response: Schema.array(Schema.ref("RegistryBusiness")), query: search)) { request, context in
            _ = try await actor(context, .business, write: false)
            return try .json(try await service.searchBusinesses(request.uri.queryParameters.get("q") ?? "", on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/businesses", APIOperation(
            summary: "Register a business", tag: "registries",
            requestBody: Schema.object(["businessNumber": Schema.string, "name": Schema.string, "representativeName": Schema.string,
                                        "representativeNationalID": Schema.nullable(Schema.string), "address": Schema.string,
                                        "industryCode": Schema.string, "openedOn": Schema.date],
                                       required: ["businessNumber", "name", "representativeName", "address", "industryCode", "openedOn"]),
            response: Schema.ref("RegistryBusiness"), successStatus: 201)) { request, context in
            let by = try await actor(context, .business, write: true)
            let input = try await request.decode(as: NewBusiness.self, context: context)
            return try .json(try await service.createBusiness(input, by: by, on: platform.db), status: .created)
        }
        routes.api(.get, "/api/v1/registries/businesses/:id", APIOperation(
            summary: "A business with its change history", tag: "registries",
            response: Schema.object(["record": Schema.ref("RegistryBusiness"), "history": history], required: ["record", "history"]), errors: [404])) { _, context in
            _ = try await actor(context, .business, write: false)
            let id = try uuid(context)
            guard let record = try await service.business(id: id, on: platform.db) else { throw NaraError.notFound("The business") }
            return try .json(Detail(record: record, history: try await service.history(.business, recordID: id, on: platform.db)))
        }
        routes.api(.patch, "/api/v1/registries/businesses/:id", APIOperation(
            summary: "Change a business: details, or status (suspend, resume, close) with its effective date", tag: "registries",
            requestBody: Schema.object(["name": Schema.string, "representativeName": Schema.string, "representativeNationalID": Schema.string,
                                        "address": Schema.string, "industryCode": Schema.string,
                                        "status": Schema.string("New status", enumValues: BusinessStatus.allCases.map(\.rawValue)),
                                        "effectiveOn": Schema.date, "reason": Schema.string], required: ["reason"]),
            response: Schema.ref("RegistryBusiness"), errors: [404, 409])) { request, context in
            let by = try await actor(context, .business, write: true)
            let body = try await request.decode(as: BusinessChange.self, context: context)
            return try .json(try await service.changeBusiness(id: try uuid(context), body, by: by, on: platform.db))
        }

        // Vehicles
        routes.api(.get, "/api/v1/registries/vehicles", APIOperation(summary: "Search the vehicle registry (plate, VIN or owner name)", tag: "registries",
                                                                     response: Schema.array(Schema.ref("RegistryVehicle")), query: search)) { request, context in
            _ = try await actor(context, .vehicle, write: false)
            return try .json(try await service.searchVehicles(request.uri.queryParameters.get("q") ?? "", on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/vehicles", APIOperation(
            summary: "Register a vehicle", tag: "registries",
            requestBody: Schema.object(["plate": Schema.string, "vin": Schema.string, "ownerNationalID": Schema.nullable(Schema.string),
                                        "ownerBusinessNumber": Schema.nullable(Schema.string), "ownerName": Schema.string, "model": Schema.string,
                                        "modelYear": Schema.integer, "firstRegistered": Schema.date, "lastInspection": Schema.nullable(Schema.date),
                                        "nextInspection": Schema.date],
                                       required: ["plate", "vin", "ownerName", "model", "modelYear", "firstRegistered", "nextInspection"]),
            response: Schema.ref("RegistryVehicle"), successStatus: 201)) { request, context in
            let by = try await actor(context, .vehicle, write: true)
            let input = try await request.decode(as: NewVehicle.self, context: context)
            return try .json(try await service.createVehicle(input, by: by, on: platform.db), status: .created)
        }
        routes.api(.get, "/api/v1/registries/vehicles/:id", APIOperation(
            summary: "A vehicle with its liens and change history", tag: "registries",
            response: Schema.object(["record": Schema.ref("RegistryVehicle"), "history": history], required: ["record", "history"]), errors: [404])) { _, context in
            _ = try await actor(context, .vehicle, write: false)
            let id = try uuid(context)
            guard let record = try await service.vehicle(id: id, on: platform.db) else { throw NaraError.notFound("The vehicle") }
            return try .json(Detail(record: record, history: try await service.history(.vehicle, recordID: id, on: platform.db)))
        }
        routes.api(.patch, "/api/v1/registries/vehicles/:id", APIOperation(
            summary: "Transfer a vehicle to a new owner, or record an inspection", tag: "registries",
            requestBody: Schema.object(["ownerNationalID": Schema.string, "ownerBusinessNumber": Schema.string, "ownerName": Schema.string,
                                        "lastInspection": Schema.date, "nextInspection": Schema.date, "reason": Schema.string], required: ["reason"]),
            response: Schema.ref("RegistryVehicle"), errors: [404, 409])) { request, context in
            let by = try await actor(context, .vehicle, write: true)
            let body = try await request.decode(as: VehicleChange.self, context: context)
            return try .json(try await service.changeVehicle(id: try uuid(context), body, by: by, on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/vehicles/:id/liens", APIOperation(
            summary: "Register a lien on a vehicle", tag: "registries",
            requestBody: Schema.object(["creditor": Schema.string, "amountMinor": Schema.integer, "registeredOn": Schema.date, "reason": Schema.string],
                                       required: ["creditor", "amountMinor", "registeredOn", "reason"]),
            response: Schema.ref("RegistryVehicle"), errors: [404])) { request, context in
            let by = try await actor(context, .vehicle, write: true)
            let body = try await request.decode(as: NewLien.self, context: context)
            return try .json(try await service.addLien(vehicleID: try uuid(context), body, by: by, on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/vehicles/:id/liens/:lienId/release", APIOperation(
            summary: "Release a lien", tag: "registries", requestBody: Schema.ref("RegistryClosure"), response: Schema.ref("RegistryVehicle"),
            errors: [404, 409])) { request, context in
            let by = try await actor(context, .vehicle, write: true)
            let body = try await request.decode(as: Closure.self, context: context)
            return try .json(try await service.releaseLien(vehicleID: try uuid(context), lienID: try uuid(context, "lienId"), body, by: by, on: platform.db))
        }
        routes.api(.post, "/api/v1/registries/vehicles/:id/close", APIOperation(
            summary: "Deregister a vehicle (every lien released first)", tag: "registries", requestBody: Schema.ref("RegistryClosure"),
            response: Schema.ref("RegistryVehicle"), errors: [404, 409])) { request, context in
            let by = try await actor(context, .vehicle, write: true)
            let body = try await request.decode(as: Closure.self, context: context)
            return try .json(try await service.deregisterVehicle(id: try uuid(context), body, by: by, on: platform.db))
        }
    }
}
