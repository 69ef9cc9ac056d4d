import FluentKit
import Foundation
import NaraCore
import NaraTesting
@testable import Registries
import Testing

@Suite("Registries")
struct RegistryServiceTests {
    static func service(_ platform: Platform) -> RegistryService { RegistryService(platform: platform) }

    @Test("a person forms a household, another joins it; the resident number is stored encrypted and shown masked")
    func households() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let service = Self.service(platform)
            let head = try await service.createPerson(NewPerson(nationalID: fixtures.aliceNationalID, name: "김앨리스", householdNumber: nil, relationship: "head",
                                                                address: "서울특별시 종로구 자하문로 45", postalCode: "03044", movedIn: "2024-03-01"),
                                                      by: .system("t"), on: platform.db)
            #expect(head.nationalIDMasked == "900101-2******" && head.birthDate == "1990-01-01" && head.sex == "F")
            #expect(head.householdNumber.hasPrefix("HH-2026-"))
            let child = try await service.createPerson(NewPerson(nationalID: "150606-3123457", name: "김아이", householdNumber: head.householdNumber, relationship: "child",
                                                                 address: nil, postalCode: nil, movedIn: "2024-03-01"), by: .system("t"), on: platform.db)
            #expect(child.address == head.address && child.householdNumber == head.householdNumber)
            #expect(try await service.householdMembers(personID: head.id, on: platform.db).count == 2)
            let stored = try await platform.database.sql.raw("SELECT national_id_cipher FROM registries_persons").all()
            #expect(try stored.allSatisfy { !(try $0.decode(column: "national_id_cipher", as: String.self)).contains("900101") })
            // The same person cannot be registered twice; an unknown household is refused.
            await #expect(throws: NaraError.self) {
                _ = try await service.createPerson(NewPerson(nationalID: fixtures.aliceNationalID, name: "x", householdNumber: head.householdNumber, relationship: "other",
                                                             address: nil, postalCode: nil, movedIn: "2024-03-01"), by: .system("t"), on: platform.db)
            }
            do {
                _ = try await service.createPerson(NewPerson(nationalID: "770707-1234567", name: "x", householdNumber: "HH-1999-000001", relationship: "weird",
                                                             address: nil, postalCode: nil, movedIn: "someday"), by: .system("t"), on: platform.db)
                Issue.record("accepted")
            } catch let error as NaraError {
                #expect(Set(error.fieldErrors.map(\.field)) == ["householdNumber", "relationship", "movedIn"])
            }
            // Dates of past facts: not after today (25 November 2026 on the test clock), not before birth.
            for (movedIn, code) in [("2026-11-26", "future"), ("1969-12-31", "order")] {
                do {
                    _ = try await service.createPerson(NewPerson(nationalID: "700707-1234561", name: "박칠월", householdNumber: head.householdNumber, relationship: "other",
                                                                 address: nil, postalCode: nil, movedIn: movedIn), by: .system("t"), on: platform.db)
                    Issue.record("moved in \(movedIn) accepted")
                } catch let error as NaraError {
                    #expect(error.fieldErrors.map(\.code) == [code], "\(movedIn)")
                }
            }
            _ = try await service.createPerson(NewPerson(nationalID: "700707-1234561", name: "박칠월", householdNumber: head.householdNumber, relationship: "other",
                                                         address: nil, postalCode: nil, movedIn: "2026-11-25"), by: .system("t"), on: platform.db)
            #expect(try await PersonModel.query(on: platform.db).count() == 3)
        }
    }

    @Test("a move-in closes the old address, opens the new, keeps history and tells the person")
    func moveIn() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let service = Self.service(platform)
            let me = try await service.createPerson(NewPerson(nationalID: fixtures.aliceNationalID, name: "김앨리스", householdNumber: nil, relationship: "head",
                                                              address: "서울특별시 종로구 자하문로 45", postalCode: "03044", movedIn: "2020-01-10"),
                                                    by: .system("t"), on: platform.db)
            await #expect(throws: NaraError.self) {
                _ = try await service.moveIn(personID: me.id, MoveIn(householdNumber: nil, address: "부산광역시 해운대구 센텀중앙로 79", postalCode: "48058",
                                                                     relationship: "head", movedIn: "2019-12-31", reason: "전입"), by: .system("t"), on: platform.db)
            }
            let moved = try await service.moveIn(personID: me.id, MoveIn(householdNumber: nil, address: "부산광역시 해운대구 센텀중앙로 79", postalCode: "48058",
                                                                         relationship: "head", movedIn: "2026-11-20", reason: "전입"),
                                                 by: AuditActor(name: "official:x", agencyID: nil, requestID: nil), on: platform.db)
            #expect(moved.address.hasPrefix("부산") && moved.version == 2)
            let addresses = try await service.addressHistory(personID: me.id, on: platform.db)
            #expect(addresses.count == 2 && addresses[1].movedOut == "2026-11-20" && addresses[0].movedOut == nil)
            let history = try await service.history(.resident, recordID: me.id, on: platform.db)
            #expect(history.map(\.action) == ["move", "create"])
            #expect(history[0].before?.contains("자하문로") == true && history[0].after.contains("센텀중앙로"))
            let refs = try await platform.identity.subjectRefs(accountID: fixtures.alice!.id, on: platform.db)
            let aboutAlice = try await platform.audit.entries(aboutSubjects: refs, on: platform.db)
            #expect(aboutAlice.contains { $0.action == "registries.resident.move" })
            let closed = try await service.closePerson(personID: me.id, Closure(effectiveOn: "2026-11-25", reason: "emigration"), by: .system("t"), on: platform.db)
            #expect(closed.status == "closed")
            await #expect(throws: NaraError.self) {
                _ = try await service.moveIn(personID: me.id, MoveIn(householdNumber: nil, address: "x", postalCode: "12345", relationship: "head",
                                                                     movedIn: "2026-11-26", reason: "r"), by: .system("t"), on: platform.db)
            }
        }
    }

    @Test("business status follows its rules; a closed business is final")
    func businesses() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let service = Self.service(platform)
            let b = try await service.createBusiness(NewBusiness(businessNumber: "101-81-50670", name: "테스트상사", representativeName: "김앨리스",
                                                                 representativeNationalID: fixtures.aliceNationalID, address: "서울특별시 중구 세종대로 110",
                                                                 industryCode: "46109", openedOn: "2021-04-01"), by: .system("t"), on: platform.db)
            #expect(b.status == "active")
            let suspended = try await service.changeBusiness(id: b.id, BusinessChange(status: "suspended", effectiveOn: "2026-11-01", reason: "휴업"), by: .system("t"), on: platform.db)
            #expect(suspended.status == "suspended" && suspended.suspendedOn == "2026-11-01")
            _ = try await service.changeBusiness(id: b.id, BusinessChange(status: "closed", effectiveOn: "2026-11-20", reason: "폐업"), by: .system("t"), on: platform.db)
            do {
                _ = try await service.changeBusiness(id: b.id, BusinessChange(status: "active", effectiveOn: "2026-11-21", reason: "재개"), by: .system("t"), on: platform.db)
                Issue.record("a closed business reopened")
            } catch let error as NaraError {
                #expect(error.code == .illegalTransition)
            }
            #expect(try await service.history(.business, recordID: b.id, on: platform.db).map(\.action) == ["close", "suspend", "create"])
            #expect(try await service.businesses(representedBy: try NationalID(fixtures.aliceNationalID), on: platform.db).count == 1)
            await #expect(throws: NaraError.self) {
                _ = try await service.createBusiness(NewBusiness(businessNumber: "101-81-50671", name: "x", representativeName: "y", representativeNationalID: nil,
                                                                 address: "z", industryCode: "1", openedOn: "2021-04-01"), by: .system("t"), on: platform.db)
            }
        }
    }

    @Test("vehicles: transfer tells both owners, liens block deregistration until released")
    func vehicles() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let service = Self.service(platform)
            let car = try await service.createVehicle(NewVehicle(plate: "12가 3456", vin: "KMHD141GPMU123456", ownerNationalID: fixtures.aliceNationalID,
                                                                 ownerBusinessNumber: nil, ownerName: "김앨리스", model: "현대 아반떼", modelYear: 2022,
                                                                 firstRegistered: "2022-03-02", lastInspection: nil, nextInspection: "2026-03-02"),
                                                      by: .system("t"), on: platform.db)
            #expect(car.plate == "12가3456")
            #expect(try await service.vehicles(ownedByNationalID: try NationalID(fixtures.aliceNationalID), on: platform.db).count == 1)
            let financed = try await service.addLien(vehicleID: car.id, NewLien(creditor: "현대캐피탈", amountMinor: 9_000_000, registeredOn: "2022-03-02", reason: "할부"),
                                                     by: .system("t"), on: platform.db)
            let lien = try #require(financed.liens.first)
            await #expect(throws: NaraError.self) {
                _ = try await service.deregisterVehicle(id: car.id, Closure(effectiveOn: "2026-11-20", reason: "폐차"), by: .system("t"), on: platform.db)
            }
            _ = try await service.changeVehicle(id: car.id, VehicleChange(ownerNationalID: fixtures.bobNationalID, ownerName: "박밥", reason: "매매"),
                                                by: .system("t"), on: platform.db)
            #expect(try await service.vehicles(ownedByNationalID: try NationalID(fixtures.bobNationalID), on: platform.db).count == 1)
            #expect(try await service.vehicles(ownedByNationalID: try NationalID(fixtures.aliceNationalID), on: platform.db).isEmpty)
            let aliceRefs = try await platform.identity.subjectRefs(accountID: fixtures.alice!.id, on: platform.db)
            #expect(try await platform.audit.entries(aboutSubjects: aliceRefs, on: platform.db).contains { $0.action == "registries.vehicle.transfer_out" })
            _ = try await service.releaseLien(vehicleID: car.id, lienID: lien.id, Closure(effectiveOn: "2026-11-01", reason: "완납"), by: .system("t"), on: platform.db)
            let scrapped = try await service.deregisterVehicle(id: car.id, Closure(effectiveOn: "2026-11-20", reason: "폐차"), by: .system("t"), on: platform.db)
            #expect(scrapped.status == "deregistered")
            // Plates and VINs are unique.
            await #expect(throws: NaraError.self) {
                _ = try await service.createVehicle(NewVehicle(plate: "12가3456", vin: "KMHD141GPMU999999", ownerNationalID: nil, ownerBusinessNumber: "1018150670",
                                                               ownerName: "x", model: "y", modelYear: 2020, firstRegistered: "2020-01-01", lastInspection: nil,
                                                               nextInspection: "2022-01-01"), by: .system("t"), on: platform.db)
            }
        }
    }

    @Test("registrars act for keeper agencies only")
    func access() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let keepers = try await Keepers.create(platform)
            try await RegistryAccess.require(registryActor(platform, keepers.residentClerk), .resident, write: true, platform: platform)
            try await RegistryAccess.require(registryActor(platform, keepers.businessClerk), .business, write: true, platform: platform)  // an office of the keeper
            for (account, kind) in [(keepers.outsider, RegistryKind.business), (keepers.residentClerk, .vehicle), (fixtures.official!, .resident)] {
                do {
                    try await RegistryAccess.require(registryActor(platform, account), kind, write: false, platform: platform)
                    Issue.record("\(account.username) got into the \(kind) registry")
                } catch let error as NaraError {
                    #expect(error.kind == .forbidden)
                }
            }
            do {
                try await RegistryAccess.require(platform.identity.actor(for: fixtures.alice!, secondFactorVerified: false), .resident, write: false, platform: platform)
                Issue.record("a citizen got in")
            } catch let error as NaraError {
                #expect(error.kind == .forbidden)
            }
        }
    }

    @Test("CSV import: good rows in, bad rows reported by line and left out entirely")
    func importCSV() async throws {
        try await withTestPlatform { platform, _, _ in
            let importer = try #require(platform.contracts.first((any RegistryImporter).self))
            let csv = """
            national_id,name,household_key,relationship,address,postal_code,moved_in
            800101-1234567,김가장,h1,head,서울특별시 중구 세종대로 110,04524,2020-01-01
            820202-2234567,이배우,h1,spouse,,,2020-01-01
            991332-1234567,잘못된날짜,h2,head,서울특별시 중구 세종대로 110,04524,2020-01-01
            100303-3234567,김자녀,h1,child,,,2021-05-05
            850505-1234561,박가장,h3,boss,부산광역시 해운대구 센텀중앙로 79,48058,2020-01-01
            860606-2234567,"최, 쉼표",h4,head,"서울특별시 마포구 월드컵북로 396, 3층",03925,2019-09-09
            """
            let report = try await importer.importCSV(registry: "resident", data: Data(csv.utf8), by: .system("t"), progress: nil)
            #expect(report.imported == 4)
            #expect(report.rejected.map(\.line) == [4, 6])
            #expect(report.rejected[1].reasons.contains { $0.contains("relationship") })
            let service = Self.service(platform)
            let head = try #require(try await service.person(nationalID: try NationalID("800101-1234567"), on: platform.db))
            #expect(try await service.householdMembers(personID: head.id, on: platform.db).count == 3)
            #expect(try await service.person(nationalID: try NationalID("850505-1234561"), on: platform.db) == nil)
            #expect(try await service.person(nationalID: try NationalID("860606-2234567"), on: platform.db)?.name == "최, 쉼표")
            await #expect(throws: NaraError.self) {
                _ = try await importer.importCSV(registry: "resident", data: Data("wrong,header\n1,2".utf8), by: .system("t"), progress: nil)
            }
        }
    }

    @Test("the demo seed builds a few hundred consistent records around the demo citizens")
    func demoSeed() async throws {
        var configuration = testConfiguration()
        configuration.demoSeed = .on
        let platform = try await Platform.start(configuration: configuration, modules: [RegistriesModule()], clock: ManualClock(testEpoch),
                                                logger: .init(label: "t"), sender: RecordingSender())
        let persons = try await PersonModel.query(on: platform.db).count()
        let businesses = try await BusinessModel.query(on: platform.db).count()
        let vehicles = try await VehicleModel.query(on: platform.db).count()
        #expect(persons >= 180 && businesses >= 40 && vehicles >= 60)
        #expect(persons + businesses + vehicles >= 300)
        let service = RegistryService(platform: platform)
        let minji = try #require(try await service.person(nationalID: try NationalID(DemoSeed.nationalID(DemoSeed.citizens[0])), on: platform.db))
        #expect(minji.name == "김민지" && minji.relationship == "head")
        #expect(try await service.addressHistory(personID: minji.id, on: platform.db).count == 2)
        #expect(try await service.householdMembers(personID: minji.id, on: platform.db).count == 3)
        let hanbit = try #require(try await service.business(number: try BusinessNumber(DemoSeed.businessNumber(DemoSeed.businesses[0].firstNine)), on: platform.db))
        #expect(hanbit.representativeName.contains("최우진"))
        let statuses = Set(try await BusinessModel.query(on: platform.db).all().map(\.status))
        #expect(statuses == ["active", "suspended", "closed"])
        #expect(try await platform.audit.verify(on: platform.db).isIntact)
        await platform.shutdown()
        await removeTestStorage(configuration)
    }
}
