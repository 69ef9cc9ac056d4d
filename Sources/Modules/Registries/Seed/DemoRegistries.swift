import FluentKit
import Foundation
import NaraCore

/// A few hundred consistent registry records: households around the demo citizens, businesses
/// represented by seeded people (the demo businesses among them), vehicles of people and
/// businesses with liens and inspections, and records in every state. Generated from a fixed seed,
/// so every demo database is the same.
enum DemoRegistries {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let streets: [(String, String)] = [
        ("서울특별시 종로구 자하문로 45", "03044"), ("서울특별시 종로구 율곡로 88", "03156"), ("서울특별시 중구 세종대로 110", "04524"),
        ("서울특별시 마포구 월드컵북로 396", "03925"), ("서울특별시 강남구 테헤란로 152", "06236"), ("서울특별시 송파구 올림픽로 300", "05551"),
        ("서울특별시 서초구 반포대로 58", "06591"), ("서울특별시 용산구 이태원로 29", "04383"), ("서울특별시 노원구 동일로 1414", "01689"),
        ("경기도 성남시 분당구 판교역로 166", "13529"), ("경기도 수원시 팔달구 효원로 241", "16490"), ("부산광역시 해운대구 센텀중앙로 79", "48058"),
        ("대전광역시 서구 청사로 189", "35208"), ("세종특별자치시 도움6로 11", "30128"), ("인천광역시 연수구 컨벤시아대로 165", "21998"),
    ]
    static let families = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안", "송", "류", "홍"]
    static let givenNames = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지유", "시우", "서윤", "주원", "하린", "지훈", "채원", "건우",
                             "지아", "우진", "유나", "현우", "다은", "성민", "영희", "철수", "미경", "정호", "은정", "상훈", "혜진", "동현", "수빈"]
    static let industries: [(String, String)] = [
        ("41221", "건설"), ("46109", "무역"), ("58221", "소프트웨어"), ("56111", "식당"), ("47190", "소매"), ("29299", "기계제조"),
        ("49401", "화물운송"), ("71531", "경영컨설팅"), ("10712", "제과"), ("86201", "의원"),
    ]
    static let models = ["현대 아반떼", "현대 쏘나타", "기아 K5", "기아 스포티지", "제네시스 G80", "현대 아이오닉 5", "기아 EV6", "KG모빌리티 토레스",
                         "르노코리아 QM6", "현대 그랜저"]
    static let commercialModels = ["현대 포터2", "기아 봉고3", "현대 스타리아"]
    static let creditors = ["현대캐피탈", "KB캐피탈", "신한카드", "우리금융캐피탈"]

    struct Person {
        let nationalID: String
        let name: String
        let birth: LocalDay
    }

    static func nationalID(birth: LocalDay, female: Bool, rng: inout Generator) -> String {
        let c = birth.components
        let centuryDigit = c.year >= 2000 ? (female ? 4 : 3) : (female ? 2 : 1)
        let twelve = String(format: "%02d%02d%02d", c.year % 100, c.month, c.day) + String(centuryDigit)
            + String(format: "%05d", Int.random(in: 0..<100_000, using: &rng))
        return twelve + String(NationalID.legacyCheckDigit(twelve)!)
    }

    static func businessNumber(rng: inout Generator) -> String {
        let nine = String(Int.random(in: 101...899, using: &rng)) + String(format: "%02d", Int.random(in: 81...88, using: &rng))
            + String(format: "%04d", Int.random(in: 0..<10_000, using: &rng))
        return nine + String(BusinessNumber.checkDigit(nine)!)
    }

    static func vin(rng: inout Generator) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
        return "KMH" + String((0..<14).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    static func plate(index: Int, commercial: Bool) -> String {
        let syllables = commercial ? ["바", "사", "아", "자"] : ["가", "나", "다", "라", "마", "거", "너", "더", "러", "머", "고", "노", "도", "로", "모"]
        return String(format: "%d", 10 + (index * 7) % 290) + syllables[index % syllables.count] + String(format: "%04d", (index * 3571) % 10_000)
    }

    static func seed(_ context: DemoSeedContext, service: RegistryService) async throws {
        let db = context.db
        let actor = context.actor
        var rng = Generator(state: 2026_1127)

        // Registrar roles for the keepers' demo officials.
        for (username, kind) in [("official.mois", RegistryKind.resident), ("official.jongno", .resident), ("official.nts", .business),
                                 ("official.jongno-tax", .business), ("official.molit", .vehicle)] {
            if let account = context.accounts[username] {
                try await context.platform.identity.grantRole(accountID: account.id, role: kind.role, by: actor, on: db)
            }
        }

        // Households: the demo citizens first, each with family, then generated households.
        let calendar = try await context.platform.calendar.calendar(on: db)
        let now = calendar.localDay(of: context.platform.clock.now())
        var used = Set<String>()
        var everyone: [Person] = []
        func person(ageRange: ClosedRange<Int>, female: Bool) -> Person {
            let birth = now.adding(days: -(Int.random(in: ageRange, using: &rng) * 365 + Int.random(in: 0..<365, using: &rng)))
            var id = nationalID(birth: birth, female: female, rng: &rng)
            while used.contains(id) { id = nationalID(birth: birth, female: female, rng: &rng) }
            used.insert(id)
            let name = families[Int.random(in: 0..<families.count, using: &rng)] + givenNames[Int.random(in: 0..<givenNames.count, using: &rng)]
            return Person(nationalID: id, name: name, birth: birth)
        }
        func register(_ p: Person, household: String?, relationship: Relationship, street: (String, String), unit: String, since: LocalDay) async throws -> PersonRecord {
            let record = try await service.createPerson(
                NewPerson(nationalID: p.nationalID, name: p.name, householdNumber: household, relationship: relationship.rawValue,
                          address: household == nil ? "\(street.0), \(unit)" : nil, postalCode: household == nil ? street.1 : nil,
                          movedIn: max(since, p.birth).description), by: actor, on: db)  // a child born later is registered at birth
            everyone.append(p)
            return record
        }

        var demoHeads: [String: PersonRecord] = [:]
        for (index, citizen) in DemoSeed.citizens.enumerated() {
            let id = DemoSeed.nationalID(citizen)
            used.insert(id)
            let birth = LocalDay(year: (citizen.sexDigit >= 3 ? 2000 : 1900) + Int(citizen.birth.prefix(2))!,
                                 month: Int(citizen.birth.dropFirst(2).prefix(2))!, day: Int(citizen.birth.suffix(2))!)!
            let me = Person(nationalID: id, name: String(citizen.name.split(separator: " ").first ?? Substring(citizen.name)), birth: birth)
            let street = streets[index % streets.count]
            let since = now.adding(days: -(400 + index * 211))
            let head: PersonRecord
            switch citizen.username {
            case "park.soyeon":
                // Lives with her parents: the father heads the household.
                let father = person(ageRange: 50...58, female: false)
                let parentRecord = try await register(father, household: nil, relationship: .head, street: street, unit: "101동 1203호", since: since)
                _ = try await register(person(ageRange: 48...55, female: true), household: parentRecord.householdNumber, relationship: .spouse, street: street, unit: "", since: since)
                head = try await register(me, household: parentRecord.householdNumber, relationship: .child, street: street, unit: "", since: since)
            default:
                // First an earlier address, then the move to the current one: a real address history.
                let earlier = streets[(index + 5) % streets.count]
                let record = try await register(me, household: nil, relationship: .head, street: earlier, unit: "\(index + 2)층", since: since.adding(days: -900))
                head = try await service.moveIn(personID: record.id, MoveIn(householdNumber: nil, address: "\(street.0), \(200 + index)동 \(index + 3)01호",
                                                                            postalCode: street.1, relationship: Relationship.head.rawValue,
                                                                            movedIn: since.description, reason: "전입신고"), by: actor, on: db)
                if ["kim.minji", "choi.woojin", "kang.dohyun"].contains(citizen.username) {
                    _ = try await register(person(ageRange: 30...55, female: citizen.sexDigit % 2 == 1), household: head.householdNumber, relationship: .spouse,
                                           street: street, unit: "", since: since)
                    for _ in 0..<(citizen.username == "kim.minji" ? 1 : 2) {
                        _ = try await register(person(ageRange: 1...17, female: Bool.random(using: &rng)), household: head.householdNumber, relationship: .child,
                                               street: street, unit: "", since: since)
                    }
                }
            }
            demoHeads[citizen.username] = head
        }
        for index in 0..<80 {
            let street = streets[Int.random(in: 0..<streets.count, using: &rng)]
            let since = now.adding(days: -Int.random(in: 30...6000, using: &rng))
            let headPerson = person(ageRange: 25...80, female: index % 3 == 0)
            let head = try await register(headPerson, household: nil, relationship: .head, street: street,
                                          unit: "\(Int.random(in: 101...120, using: &rng))동 \(Int.random(in: 1...25, using: &rng))0\(Int.random(in: 1...4, using: &rng))호", since: since)
            let size = Int.random(in: 0...3, using: &rng)
            if size > 0 {
                _ = try await register(person(ageRange: 25...78, female: index % 3 != 0), household: head.householdNumber, relationship: .spouse, street: street, unit: "", since: since)
                for _ in 1..<size {
                    _ = try await register(person(ageRange: 0...24, female: Bool.random(using: &rng)), household: head.householdNumber, relationship: .child,
                                           street: street, unit: "", since: since)
                }
            }
            if index % 17 == 5 {
                _ = try await service.closePerson(personID: head.id, Closure(effectiveOn: now.adding(days: -40).description, reason: "국외이주(emigration)"),
                                                  by: actor, on: db)
            }
        }

        // Businesses: the demo businesses with their seeded representatives, then generated ones.
        var businesses: [BusinessRecord] = []
        let demoBusinessReps = ["hanbit.construction": "choi.woojin", "daehan.trading": "kang.dohyun", "seoul.software": "jung.haeun"]
        for (index, business) in DemoSeed.businesses.enumerated() {
            let rep = DemoSeed.citizens.first { $0.username == demoBusinessReps[business.username] }!
            let industry = [industries[0], industries[1], industries[2]][index]
            businesses.append(try await service.createBusiness(
                NewBusiness(businessNumber: DemoSeed.businessNumber(business.firstNine), name: business.businessName, representativeName: rep.name,
                            representativeNationalID: DemoSeed.nationalID(rep), address: "\(streets[index + 2].0), \(index + 3)층", industryCode: industry.0,
                            openedOn: now.adding(days: -(3000 - index * 500)).description), by: actor, on: db))
        }
        var numbers = Set(businesses.map(\.businessNumber))
        for index in 0..<37 {
            var number = businessNumber(rng: &rng)
            while numbers.contains(number) { number = businessNumber(rng: &rng) }
            numbers.insert(number)
            let rep = everyone.filter { now.ordinal - $0.birth.ordinal > 25 * 365 }.randomElement(using: &rng)!
            let industry = industries[Int.random(in: 0..<industries.count, using: &rng)]
            let record = try await service.createBusiness(
                NewBusiness(businessNumber: number, name: "\(rep.name.prefix(1))\(["한결", "새빛", "누리", "가온", "다온", "미래", "푸른", "바른"].randomElement(using: &rng)!) \(industry.1)",
                            representativeName: rep.name, representativeNationalID: rep.nationalID,
                            address: "\(streets[Int.random(in: 0..<streets.count, using: &rng)].0), \(index % 9 + 1)층", industryCode: industry.0,
                            openedOn: now.adding(days: -Int.random(in: 60...7000, using: &rng)).description), by: actor, on: db)
            businesses.append(record)
            if index % 9 == 3 {
                _ = try await service.changeBusiness(id: record.id, BusinessChange(status: BusinessStatus.suspended.rawValue,
                                                                                  effectiveOn: now.adding(days: -20).description, reason: "휴업신고(suspension)"),
                                                     by: actor, on: db)
            } else if index % 9 == 7 {
                _ = try await service.changeBusiness(id: record.id, BusinessChange(status: BusinessStatus.closed.rawValue,
                                                                                  effectiveOn: now.adding(days: -75).description, reason: "폐업신고(closure)"),
                                                     by: actor, on: db)
            }
        }

        // Vehicles of people and businesses, with inspections and liens.
        var vins = Set<String>()
        func newVIN() -> String {
            var value = vin(rng: &rng)
            while vins.contains(value) { value = vin(rng: &rng) }
            vins.insert(value)
            return value
        }
        var vehicleIndex = 0
        func vehicle(ownerID: String?, business: String?, ownerName: String, commercial: Bool) async throws -> VehicleRecord {
            vehicleIndex += 1
            let year = Int.random(in: 2014...2026, using: &rng)
            let first = min(LocalDay(year: year, month: Int.random(in: 1...12, using: &rng), day: Int.random(in: 1...28, using: &rng))!, now.adding(days: -30))
            let last = max(now.adding(days: -Int.random(in: 20...700, using: &rng)), first)
            return try await service.createVehicle(
                NewVehicle(plate: plate(index: vehicleIndex, commercial: commercial), vin: newVIN(), ownerNationalID: ownerID, ownerBusinessNumber: business,
                           ownerName: ownerName, model: (commercial ? commercialModels : models).randomElement(using: &rng)!, modelYear: year,
                           firstRegistered: first.description, lastInspection: last.description, nextInspection: last.adding(days: 730).description),
                by: actor, on: db)
        }
        for citizen in DemoSeed.citizens where citizen.username != "park.soyeon" {
            let car = try await vehicle(ownerID: DemoSeed.nationalID(citizen), business: nil, ownerName: String(citizen.name.split(separator: " ").first!), commercial: false)
            if citizen.username == "kim.minji" || citizen.username == "lee.junho" {
                _ = try await service.addLien(vehicleID: car.id, NewLien(creditor: creditors[0], amountMinor: 12_000_000, registeredOn: car.firstRegistered,
                                                                        reason: "할부금융(instalment finance)"), by: actor, on: db)
            }
        }
        for (index, p) in everyone.enumerated() where index % 3 == 1 && now.ordinal - p.birth.ordinal > 20 * 365 {
            let car = try await vehicle(ownerID: p.nationalID, business: nil, ownerName: p.name, commercial: false)
            if index % 4 == 0 {
                let lienAmount = Int64(Int.random(in: 5...25, using: &rng)) * 1_000_000
                let withLien = try await service.addLien(vehicleID: car.id, NewLien(creditor: creditors.randomElement(using: &rng)!, amountMinor: lienAmount,
                                                                                   registeredOn: car.firstRegistered, reason: "할부금융"), by: actor, on: db)
                if index % 8 == 0, let lien = withLien.liens.first {
                    _ = try await service.releaseLien(vehicleID: car.id, lienID: lien.id, Closure(effectiveOn: now.adding(days: -10).description, reason: "완납(paid off)"),
                                                      by: actor, on: db)
                }
            }
            if index % 29 == 7 {
                _ = try await service.changeVehicle(id: car.id, VehicleChange(lastInspection: now.adding(days: -3).description,
                                                                             nextInspection: now.adding(days: 727).description, reason: "정기검사(periodic inspection)"),
                                                    by: actor, on: db)
            }
        }
        for (index, business) in businesses.enumerated() where business.status != BusinessStatus.closed.rawValue && index % 2 == 0 {
            let truck = try await vehicle(ownerID: nil, business: business.businessNumber, ownerName: business.name, commercial: true)
            if index % 6 == 0 {
                _ = try await service.addLien(vehicleID: truck.id, NewLien(creditor: creditors.randomElement(using: &rng)!, amountMinor: 18_000_000,
                                                                          registeredOn: truck.firstRegistered, reason: "시설자금(equipment loan)"), by: actor, on: db)
            }
        }
        // A car sold from one demo citizen to another, and one scrapped.
        if let minji = DemoSeed.citizens.first(where: { $0.username == "jung.haeun" }), let buyer = DemoSeed.citizens.first(where: { $0.username == "lee.junho" }) {
            let old = try await vehicle(ownerID: DemoSeed.nationalID(minji), business: nil, ownerName: "정하은", commercial: false)
            _ = try await service.changeVehicle(id: old.id, VehicleChange(ownerNationalID: DemoSeed.nationalID(buyer), ownerName: "이준호",
                                                                         reason: "매매(sale)"), by: actor, on: db)
            let scrap = try await vehicle(ownerID: DemoSeed.nationalID(buyer), business: nil, ownerName: "이준호", commercial: false)
            _ = try await service.deregisterVehicle(id: scrap.id, Closure(effectiveOn: now.adding(days: -5).description, reason: "폐차(scrapped)"), by: actor, on: db)
        }
        _ = demoHeads
    }
}
