import FluentKit
import Foundation
import NaraCore
import SQLKit

/// The three registries: create, change with history, close. Every change is written with its
/// before/after snapshot and an audit entry about the person or business, in one transaction.
/// Callers check access first (`RegistryAccess`).
public final class RegistryService: Sendable {
    let platform: Platform

    init(platform: Platform) {
        self.platform = platform
    }

    private var clock: any NaraClock { platform.clock }
    private var cipher: FieldCipher { platform.nationalIDCipher }

    static func snapshot(_ value: some Encodable) throws -> String {
        String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
    }

    private func recordChange(_ kind: RegistryKind, id: UUID, version: Int, action: String, before: String?, after: String, reason: String,
                              subjectRef: String, by actor: AuditActor, on db: any Database) async throws {
        let change = ChangeModel()
        change.id = UUID()
        change.registry = kind.rawValue
        change.recordID = id
        change.version = version
        change.action = action
        change.before = before
        change.after = after
        change.reason = reason
        change.changedBy = actor.name
        change.changedAt = clock.now()
        try await change.create(on: db)
        try await platform.audit.append(
            AuditRecord(action: "registries.\(kind.rawValue).\(action)", objectType: "registry.\(kind.rawValue)", objectID: id.uuidString.lowercased(),
                        subjectRef: subjectRef, detail: reason.isEmpty ? nil : String(reason.prefix(200))),
            by: actor, on: db)
    }

    public func history(_ kind: RegistryKind, recordID: UUID, on db: any Database) async throws -> [ChangeEntry] {
        try await ChangeModel.query(on: db).filter(\.$registry == kind.rawValue).filter(\.$recordID == recordID).sort(\.$version, .descending).all().map {
            ChangeEntry(version: $0.version, action: $0.action, before: $0.before, after: $0.after, reason: $0.reason, changedBy: $0.changedBy, changedAt: $0.changedAt)
        }
    }

    public func counts(on db: any Database) async throws -> [RegistryKind: Int] {
        [
            .resident: try await PersonModel.query(on: db).filter(\.$status == PersonStatus.registered.rawValue).count(),
            .business: try await BusinessModel.query(on: db).filter(\.$status != BusinessStatus.closed.rawValue).count(),
            .vehicle: try await VehicleModel.query(on: db).filter(\.$status == VehicleStatus.registered.rawValue).count(),
        ]
    }

    // MARK: Residents

    func personRecord(_ person: PersonModel, on db: any Database) async throws -> PersonRecord {
        let household = try await HouseholdModel.find(person.$household.id, on: db)
        let current = try await AddressModel.query(on: db).filter(\.$person.$id == person.id!).filter(\.$movedOut == nil).first()
        return PersonRecord(id: person.id!, nationalIDMasked: person.nationalIDMasked, name: person.name, birthDate: person.birthDate, sex: person.sex,
                            householdNumber: household?.number ?? "", relationship: person.relationship,
                            address: current?.address ?? household?.address ?? "", postalCode: current?.postalCode ?? household?.postalCode ?? "",
                            movedIn: current?.movedIn ?? "", status: person.status, closedReason: person.closedReason,
                            registeredOn: person.registeredOn, version: person.version)
    }

    /// Finds a household by number, or forms a new one at the given address.
    private func householdFor(number: String?, address: String?, postalCode: String?, validator: inout Validator,
                              on db: any Database) async throws -> HouseholdModel? {
        if let number = number?.trimmingCharacters(in: .whitespaces), !number.isEmpty {
            guard let household = try await HouseholdModel.query(on: db).filter(\.$number == number).first() else {
                validator.add("householdNumber", "unknown", "No household has this number.")
                return nil
            }
            return household
        }
        validator.require(address, "address", maxLength: 200)
        if let postal = postalCode, !RegistryRules.isValidPostalCode(postal) {
            validator.add("postalCode", "format", "A postal code has 5 digits.")
        } else if postalCode == nil {
            validator.add("postalCode", "required", "This field is required.")
        }
        guard validator.errors.isEmpty else { return nil }
        let household = HouseholdModel()
        household.id = UUID()
        let year = platform.calendar.today.components.year
        household.number = SequenceService.format(prefix: "HH", year: year, number: try await platform.sequences.next("registries.household", year: year, on: db))
        household.address = address!.trimmingCharacters(in: .whitespaces)
        household.postalCode = postalCode!
        household.createdAt = clock.now()
        try await household.create(on: db)
        return household
    }

    public func createPerson(_ input: NewPerson, by actor: AuditActor, on db: any Database) async throws -> PersonRecord {
        try await db.transaction { tx in
            var validator = Validator()
            var nationalID: NationalID?
            do throws(NaraError) { nationalID = try NationalID(input.nationalID) } catch { for e in error.fieldErrors { validator.add(e.field, e.code, e.message) } }
            validator.require(input.name, "name", maxLength: 100)
            if Relationship(rawValue: input.relationship) == nil { validator.add("relationship", "unknown", "Choose head, spouse, child, parent, sibling, grandchild or other.") }
            let movedIn = RegistryRules.day(input.movedIn, field: "movedIn", into: &validator, notAfter: self.platform.calendar.today,
                                              notBefore: nationalID.flatMap { let b = $0.birthDate; return LocalDay(year: b.year!, month: b.month!, day: b.day!) })
            if let nationalID, try await PersonModel.query(on: tx).filter(\.$nationalIDHash == self.cipher.lookupHash(nationalID.digits)).first() != nil {
                validator.add("nationalId", "registered", "This person is already registered.")
            }
            let household = try await self.householdFor(number: input.householdNumber, address: input.address, postalCode: input.postalCode,
                                                        validator: &validator, on: tx)
            try validator.check()
            guard let nationalID, let movedIn, let household else { throw NaraError.validation(validator.errors) }
            let birth = nationalID.birthDate
            let person = PersonModel()
            person.id = UUID()
            person.nationalIDCipher = try self.cipher.sealString(nationalID.digits)
            person.nationalIDHash = self.cipher.lookupHash(nationalID.digits)
            person.nationalIDMasked = nationalID.masked
            person.name = input.name.trimmingCharacters(in: .whitespaces)
            person.birthDate = LocalDay(year: birth.year!, month: birth.month!, day: birth.day!)!.description
            person.sex = [1, 3, 5, 7, 9].contains(nationalID.digits.compactMap(\.wholeNumberValue)[6]) ? "M" : "F"
            person.$household.id = household.id!
            person.relationship = input.relationship
            person.status = PersonStatus.registered.rawValue
            person.registeredOn = movedIn.description
            person.version = 1
            person.createdAt = self.clock.now()
            person.updatedAt = person.createdAt
            try await person.create(on: tx)
            let address = AddressModel()
            address.id = UUID()
            address.$person.id = person.id!
            address.address = household.address
            address.postalCode = household.postalCode
            address.movedIn = movedIn.description
            address.createdAt = self.clock.now()
            try await address.create(on: tx)
            let record = try await self.personRecord(person, on: tx)
            try await self.recordChange(.resident, id: person.id!, version: 1, action: "create", before: nil, after: try Self.snapshot(record),
                                        reason: "registration", subjectRef: person.nationalIDHash, by: actor, on: tx)
            return record
        }
    }

    public func person(id: UUID, on db: any Database) async throws -> PersonRecord? {
        guard let person = try await PersonModel.find(id, on: db) else { return nil }
        return try await personRecord(person, on: db)
    }

    public func person(nationalID: NationalID, on db: any Database) async throws -> PersonRecord? {
        guard let person = try await PersonModel.query(on: db).filter(\.$nationalIDHash == cipher.lookupHash(nationalID.digits)).first() else { return nil }
        return try await personRecord(person, on: db)
    }

    /// Search by exact resident number, or by part of the name.
    public func searchPersons(_ query: String, limit: Int = 50, on db: any Database) async throws -> [PersonRecord] {
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        var models: [PersonModel]
        if let id = try? NationalID(trimmed) {
            models = try await PersonModel.query(on: db).filter(\.$nationalIDHash == cipher.lookupHash(id.digits)).all()
        } else if trimmed.isEmpty {
            models = try await PersonModel.query(on: db).sort(\.$updatedAt, .descending).limit(limit).all()
        } else {
            models = try await PersonModel.query(on: db).filter(\.$name ~~ trimmed).sort(\.$name).limit(limit).all()
        }
        var records: [PersonRecord] = []
        for model in models { records.append(try await personRecord(model, on: db)) }
        return records
    }

    public func addressHistory(personID: UUID, on db: any Database) async throws -> [AddressEntry] {
        try await AddressModel.query(on: db).filter(\.$person.$id == personID).sort(\.$movedIn, .descending).all().map {
            AddressEntry(address: $0.address, postalCode: $0.postalCode, movedIn: $0.movedIn, movedOut: $0.movedOut)
        }
    }

    public func householdMembers(personID: UUID, on db: any Database) async throws -> [HouseholdMember] {
        guard let person = try await PersonModel.find(personID, on: db) else { return [] }
        return try await PersonModel.query(on: db).filter(\.$household.$id == person.$household.id)
            .filter(\.$status == PersonStatus.registered.rawValue).sort(\.$birthDate).all()
            .map { HouseholdMember(name: $0.name, relationship: $0.relationship, birthDate: $0.birthDate) }
    }

    /// A move-in report: closes the current address and opens the new one.
    public func moveIn(personID: UUID, _ move: MoveIn, by actor: AuditActor, on db: any Database) async throws -> PersonRecord {
        try await db.transaction { tx in
            guard let person = try await PersonModel.find(personID, on: tx) else { throw NaraError.notFound("The person") }
            guard person.status == PersonStatus.registered.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "A closed registration cannot move.")
            }
            var validator = Validator()
            let day = RegistryRules.day(move.movedIn, field: "movedIn", into: &validator, notAfter: self.platform.calendar.today)
            if Relationship(rawValue: move.relationship) == nil { validator.add("relationship", "unknown", "Choose a relationship to the household head.") }
            validator.require(move.reason, "reason", maxLength: 300)
            let current = try await AddressModel.query(on: tx).filter(\.$person.$id == personID).filter(\.$movedOut == nil).first()
            if let day, let current, let since = LocalDay(current.movedIn), day < since {
                validator.add("movedIn", "order", "The move-in date is before the current address began (\(since)).")
            }
            let household = try await self.householdFor(number: move.householdNumber, address: move.address, postalCode: move.postalCode,
                                                        validator: &validator, on: tx)
            try validator.check()
            guard let day, let household else { throw NaraError.validation(validator.errors) }
            let before = try Self.snapshot(try await self.personRecord(person, on: tx))
            if let current {
                current.movedOut = day.description
                try await current.save(on: tx)
            }
            let address = AddressModel()
            address.id = UUID()
            address.$person.id = personID
            address.address = household.address
            address.postalCode = household.postalCode
            address.movedIn = day.description
            address.createdAt = self.clock.now()
            try await address.create(on: tx)
            person.$household.id = household.id!
            person.relationship = move.relationship
            person.version += 1
            person.updatedAt = self.clock.now()
            try await person.save(on: tx)
            let record = try await self.personRecord(person, on: tx)
            try await self.recordChange(.resident, id: personID, version: person.version, action: "move", before: before, after: try Self.snapshot(record),
                                        reason: move.reason, subjectRef: person.nationalIDHash, by: actor, on: tx)
            return record
        }
    }

    public func changePerson(personID: UUID, name: String?, relationship: String?, reason: String, by actor: AuditActor,
                             on db: any Database) async throws -> PersonRecord {
        try await db.transaction { tx in
            guard let person = try await PersonModel.find(personID, on: tx) else { throw NaraError.notFound("The person") }
            var validator = Validator()
            validator.require(reason, "reason", maxLength: 300)
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 100 { validator.add("name", "format", "Enter the name (at most 100 characters).") }
            if let relationship, Relationship(rawValue: relationship) == nil { validator.add("relationship", "unknown", "Choose a relationship to the household head.") }
            if name == nil && relationship == nil { validator.add("name", "required", "Change at least one field.") }
            try validator.check()
            let before = try Self.snapshot(try await self.personRecord(person, on: tx))
            if let name { person.name = name.trimmingCharacters(in: .whitespaces) }
            if let relationship { person.relationship = relationship }
            person.version += 1
            person.updatedAt = self.clock.now()
            try await person.save(on: tx)
            let record = try await self.personRecord(person, on: tx)
            try await self.recordChange(.resident, id: personID, version: person.version, action: "change", before: before, after: try Self.snapshot(record),
                                        reason: reason, subjectRef: person.nationalIDHash, by: actor, on: tx)
            return record
        }
    }

    public func closePerson(personID: UUID, _ closure: Closure, by actor: AuditActor, on db: any Database) async throws -> PersonRecord {
        try await db.transaction { tx in
            guard let person = try await PersonModel.find(personID, on: tx) else { throw NaraError.notFound("The person") }
            guard person.status == PersonStatus.registered.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "This registration is already closed.") }
            var validator = Validator()
            let day = RegistryRules.day(closure.effectiveOn, field: "effectiveOn", into: &validator, notAfter: self.platform.calendar.today)
            validator.require(closure.reason, "reason", maxLength: 300)
            try validator.check()
            let before = try Self.snapshot(try await self.personRecord(person, on: tx))
            if let current = try await AddressModel.query(on: tx).filter(\.$person.$id == personID).filter(\.$movedOut == nil).first() {
                current.movedOut = day!.description
                try await current.save(on: tx)
            }
            person.status = PersonStatus.closed.rawValue
            person.closedReason = closure.reason
            person.version += 1
            person.updatedAt = self.clock.now()
            try await person.save(on: tx)
            let record = try await self.personRecord(person, on: tx)
            try await self.recordChange(.resident, id: personID, version: person.version, action: "close", before: before, after: try Self.snapshot(record),
                                        reason: closure.reason, subjectRef: person.nationalIDHash, by: actor, on: tx)
            return record
        }
    }

    // MARK: Businesses

    func businessRecord(_ b: BusinessModel) -> BusinessRecord {
        BusinessRecord(id: b.id!, businessNumber: b.businessNumber, name: b.name, representativeName: b.representativeName, address: b.address,
                       industryCode: b.industryCode, status: b.status, openedOn: b.openedOn, suspendedOn: b.suspendedOn, closedOn: b.closedOn, version: b.version)
    }

    public func createBusiness(_ input: NewBusiness, by actor: AuditActor, on db: any Database) async throws -> BusinessRecord {
        try await db.transaction { tx in
            var validator = Validator()
            var number: BusinessNumber?
            do throws(NaraError) { number = try BusinessNumber(input.businessNumber) } catch { for e in error.fieldErrors { validator.add(e.field, e.code, e.message) } }
            validator.require(input.name, "name", maxLength: 150)
            validator.require(input.representativeName, "representativeName", maxLength: 100)
            validator.require(input.address, "address", maxLength: 200)
            if !RegistryRules.isValidIndustryCode(input.industryCode) { validator.add("industryCode", "format", "An industry code (KSIC) has 5 digits.") }
            let opened = RegistryRules.day(input.openedOn, field: "openedOn", into: &validator, notAfter: self.platform.calendar.today)
            var representativeRef: String?
            if let text = input.representativeNationalID, !text.isEmpty {
                do { representativeRef = self.cipher.lookupHash(try NationalID(text).digits) } catch {
                    validator.add("representativeNationalId", "format", "Enter the representative's 13-digit resident registration number.")
                }
            }
            if let number, try await BusinessModel.query(on: tx).filter(\.$businessNumber == number.digits).first() != nil {
                validator.add("businessNumber", "registered", "This business number is already registered.")
            }
            try validator.check()
            let business = BusinessModel()
            business.id = UUID()
            business.businessNumber = number!.digits
            business.name = input.name.trimmingCharacters(in: .whitespaces)
            business.representativeName = input.representativeName.trimmingCharacters(in: .whitespaces)
            business.representativeRef = representativeRef
            business.address = input.address.trimmingCharacters(in: .whitespaces)
            business.industryCode = input.industryCode
            business.status = BusinessStatus.active.rawValue
            business.openedOn = opened!.description
            business.version = 1
            business.createdAt = self.clock.now()
            business.updatedAt = business.createdAt
            try await business.create(on: tx)
            let record = self.businessRecord(business)
            try await self.recordChange(.business, id: business.id!, version: 1, action: "create", before: nil, after: try Self.snapshot(record),
                                        reason: "registration", subjectRef: self.platform.audit.subjectRef(businessNumber: business.businessNumber), by: actor, on: tx)
            return record
        }
    }

    public func business(id: UUID, on db: any Database) async throws -> BusinessRecord? {
        try await BusinessModel.find(id, on: db).map(businessRecord)
    }

    public func business(number: BusinessNumber, on db: any Database) async throws -> BusinessRecord? {
        try await BusinessModel.query(on: db).filter(\.$businessNumber == number.digits).first().map(businessRecord)
    }

    /// The fields of a business the exchange releases, read with plain SQL: the exchange's hot
    /// path, where Fluent's reflective model decoding dominated the cost.
    struct BusinessStatusRow: Decodable {
        let business_number: String
        let name: String
        let representative_name: String
        let industry_code: String
        let address: String
        let status: String
        let opened_on: String
        let suspended_on: String?
        let closed_on: String?
    }

    func businessStatus(number: BusinessNumber, on db: any Database) async throws -> BusinessStatusRow? {
        try await (db as! any SQLDatabase).raw("""
            SELECT business_number, name, representative_name, industry_code, address, status, opened_on, suspended_on, closed_on
            FROM registries_businesses WHERE business_number = \(bind: number.digits)
            """).first(decoding: BusinessStatusRow.self)
    }

    /// Businesses whose registered representative is this person.
    public func businesses(representedBy nationalID: NationalID, on db: any Database) async throws -> [BusinessRecord] {
        try await BusinessModel.query(on: db).filter(\.$representativeRef == cipher.lookupHash(nationalID.digits)).sort(\.$name).all().map(businessRecord)
    }

    public func searchBusinesses(_ query: String, limit: Int = 50, on db: any Database) async throws -> [BusinessRecord] {
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        if let number = try? BusinessNumber(trimmed) {
            return try await BusinessModel.query(on: db).filter(\.$businessNumber == number.digits).all().map(businessRecord)
        }
        if trimmed.isEmpty {
            return try await BusinessModel.query(on: db).sort(\.$updatedAt, .descending).limit(limit).all().map(businessRecord)
        }
        return try await BusinessModel.query(on: db).filter(\.$name ~~ trimmed).sort(\.$name).limit(limit).all().map(businessRecord)
    }

    public func changeBusiness(id: UUID, _ change: BusinessChange, by actor: AuditActor, on db: any Database) async throws -> BusinessRecord {
        try await db.transaction { tx in
            guard let business = try await BusinessModel.find(id, on: tx) else { throw NaraError.notFound("The business") }
            let current = BusinessStatus(rawValue: business.status) ?? .active
            var validator = Validator()
            validator.require(change.reason, "reason", maxLength: 300)
            if current == .closed { throw NaraError(.conflict, code: .illegalTransition, "A closed business cannot change.") }
            if let name = change.name, name.trimmingCharacters(in: .whitespaces).isEmpty { validator.add("name", "required", "Enter the business name.") }
            if let code = change.industryCode, !RegistryRules.isValidIndustryCode(code) { validator.add("industryCode", "format", "An industry code (KSIC) has 5 digits.") }
            var representativeRef: String??
            if let text = change.representativeNationalID, !text.isEmpty {
                if let id = try? NationalID(text) { representativeRef = .some(self.cipher.lookupHash(id.digits)) } else {
                    validator.add("representativeNationalId", "format", "Enter the representative's 13-digit resident registration number.")
                }
            }
            var next: BusinessStatus?
            var effective: LocalDay?
            if let status = change.status {
                guard let wanted = BusinessStatus(rawValue: status) else {
                    throw NaraError.validation([FieldError(field: "status", code: "unknown", message: "Use active, suspended or closed.")])
                }
                if wanted != current {
                    guard current.canMove(to: wanted) else {
                        throw NaraError(.conflict, code: .illegalTransition, "A business cannot go from \(current.rawValue) to \(wanted.rawValue).")
                    }
                    next = wanted
                    effective = RegistryRules.day(change.effectiveOn, field: "effectiveOn", into: &validator, notAfter: self.platform.calendar.today)
                }
            }
            let changesSomething = change.name != nil || change.representativeName != nil || change.address != nil || change.industryCode != nil
                || representativeRef != nil || next != nil
            if !changesSomething { validator.add("name", "required", "Change at least one field.") }
            try validator.check()
            let before = try Self.snapshot(self.businessRecord(business))
            if let name = change.name { business.name = name.trimmingCharacters(in: .whitespaces) }
            if let representative = change.representativeName { business.representativeName = representative.trimmingCharacters(in: .whitespaces) }
            if let ref = representativeRef { business.representativeRef = ref }
            if let address = change.address { business.address = address.trimmingCharacters(in: .whitespaces) }
            if let code = change.industryCode { business.industryCode = code }
            var action = "change"
            if let next, let effective {
                business.status = next.rawValue
                switch next {
                case .suspended: business.suspendedOn = effective.description; action = "suspend"
                case .active: business.suspendedOn = nil; action = "resume"
                case .closed: business.closedOn = effective.description; action = "close"
                }
            }
            business.version += 1
            business.updatedAt = self.clock.now()
            try await business.save(on: tx)
            let record = self.businessRecord(business)
            try await self.recordChange(.business, id: id, version: business.version, action: action, before: before, after: try Self.snapshot(record),
                                        reason: change.reason, subjectRef: self.platform.audit.subjectRef(businessNumber: business.businessNumber), by: actor, on: tx)
            return record
        }
    }

    // MARK: Vehicles

    func vehicleRecord(_ v: VehicleModel, on db: any Database) async throws -> VehicleRecord {
        let liens = try await LienModel.query(on: db).filter(\.$vehicle.$id == v.id!).sort(\.$registeredOn).all().map {
            LienRecord(id: $0.id!, creditor: $0.creditor, amountMinor: $0.amountMinor, currency: $0.currency, registeredOn: $0.registeredOn, releasedOn: $0.releasedOn)
        }
        return VehicleRecord(id: v.id!, plate: v.plate, vin: v.vin, ownerKind: v.ownerKind, ownerName: v.ownerName, model: v.model, modelYear: v.modelYear,
                             firstRegistered: v.firstRegistered, lastInspection: v.lastInspection, nextInspection: v.nextInspection, status: v.status,
                             liens: liens, version: v.version)
    }

    /// The owner's reference for storage: the resident-number hash, or the business number.
    private func ownerReference(nationalID: String?, businessNumber: String?, validator: inout Validator) -> (kind: String, ref: String)? {
        let person = nationalID.flatMap { $0.isEmpty ? nil : $0 }
        let business = businessNumber.flatMap { $0.isEmpty ? nil : $0 }
        switch (person, business) {
        case (let text?, nil):
            guard let id = try? NationalID(text) else { validator.add("ownerNationalId", "format", "Enter the owner's 13-digit resident registration number."); return nil }
            return ("person", cipher.lookupHash(id.digits))
        case (nil, let text?):
            guard let number = try? BusinessNumber(text) else { validator.add("ownerBusinessNumber", "check_digit", "This business registration number is not valid."); return nil }
            return ("business", number.digits)
        case (nil, nil):
            validator.add("ownerNationalId", "required", "Give the owner's resident number or business number.")
            return nil
        default:
            validator.add("ownerBusinessNumber", "not_allowed", "Give either a resident number or a business number, not both.")
            return nil
        }
    }

    private func vehicleSubject(_ v: VehicleModel) -> String {
        v.ownerKind == "business" ? platform.audit.subjectRef(businessNumber: v.ownerRef) : v.ownerRef
    }

    public func createVehicle(_ input: NewVehicle, by actor: AuditActor, on db: any Database) async throws -> VehicleRecord {
        try await db.transaction { tx in
            var validator = Validator()
            let plate = RegistryRules.normalisedPlate(input.plate)
            if !RegistryRules.isValidPlate(plate) { validator.add("plate", "format", "Enter a plate such as 12가3456 or 123가4567.") }
            let vin = input.vin.uppercased()
            if !RegistryRules.isValidVIN(vin) { validator.add("vin", "format", "A VIN has 17 letters and digits, without I, O or Q.") }
            let owner = self.ownerReference(nationalID: input.ownerNationalID, businessNumber: input.ownerBusinessNumber, validator: &validator)
            validator.require(input.ownerName, "ownerName", maxLength: 150)
            validator.require(input.model, "model", maxLength: 100)
            if !(1950...2100).contains(input.modelYear) { validator.add("modelYear", "range", "Enter the model year.") }
            let first = RegistryRules.day(input.firstRegistered, field: "firstRegistered", into: &validator, notAfter: self.platform.calendar.today)
            let last = RegistryRules.day(input.lastInspection, field: "lastInspection", into: &validator, required: false, notAfter: self.platform.calendar.today)
            let next = RegistryRules.day(input.nextInspection, field: "nextInspection", into: &validator)
            if let first, let next, next < first { validator.add("nextInspection", "order", "The next inspection cannot be before the first registration.") }
            if try await VehicleModel.query(on: tx).filter(\.$plate == plate).first() != nil { validator.add("plate", "registered", "This plate is already registered.") }
            if try await VehicleModel.query(on: tx).filter(\.$vin == vin).first() != nil { validator.add("vin", "registered", "This VIN is already registered.") }
            try validator.check()
            let vehicle = VehicleModel()
            vehicle.id = UUID()
            vehicle.plate = plate
            vehicle.vin = vin
            vehicle.ownerKind = owner!.kind
            vehicle.ownerRef = owner!.ref
            vehicle.ownerName = input.ownerName.trimmingCharacters(in: .whitespaces)
            vehicle.model = input.model.trimmingCharacters(in: .whitespaces)
            vehicle.modelYear = input.modelYear
            vehicle.firstRegistered = first!.description
            vehicle.lastInspection = last?.description
            vehicle.nextInspection = next!.description
            vehicle.status = VehicleStatus.registered.rawValue
            vehicle.version = 1
            vehicle.createdAt = self.clock.now()
            vehicle.updatedAt = vehicle.createdAt
            try await vehicle.create(on: tx)
            let record = try await self.vehicleRecord(vehicle, on: tx)
            try await self.recordChange(.vehicle, id: vehicle.id!, version: 1, action: "create", before: nil, after: try Self.snapshot(record),
                                        reason: "registration", subjectRef: self.vehicleSubject(vehicle), by: actor, on: tx)
            return record
        }
    }

    public func vehicle(id: UUID, on db: any Database) async throws -> VehicleRecord? {
        guard let v = try await VehicleModel.find(id, on: db) else { return nil }
        return try await vehicleRecord(v, on: db)
    }

    /// Vehicles registered to a person or a business.
    public func vehicles(ownedByNationalID id: NationalID? = nil, businessNumber: BusinessNumber? = nil, on db: any Database) async throws -> [VehicleRecord] {
        let ref = id.map { cipher.lookupHash($0.digits) } ?? businessNumber?.digits
        guard let ref else { return [] }
        var records: [VehicleRecord] = []
        for v in try await VehicleModel.query(on: db).filter(\.$ownerRef == ref).filter(\.$status == VehicleStatus.registered.rawValue).sort(\.$plate).all() {
            records.append(try await vehicleRecord(v, on: db))
        }
        return records
    }

    public func searchVehicles(_ query: String, limit: Int = 50, on db: any Database) async throws -> [VehicleRecord] {
        let trimmed = RegistryRules.normalisedPlate(query.trimmingCharacters(in: .whitespaces))
        let models: [VehicleModel]
        if trimmed.isEmpty {
            models = try await VehicleModel.query(on: db).sort(\.$updatedAt, .descending).limit(limit).all()
        } else {
            models = try await VehicleModel.query(on: db).group(.or) { $0.filter(\.$plate == trimmed).filter(\.$vin == trimmed.uppercased()).filter(\.$ownerName ~~ trimmed) }
                .sort(\.$plate).limit(limit).all()
        }
        var records: [VehicleRecord] = []
        for v in models { records.append(try await vehicleRecord(v, on: db)) }
        return records
    }

    public func changeVehicle(id: UUID, _ change: VehicleChange, by actor: AuditActor, on db: any Database) async throws -> VehicleRecord {
        try await db.transaction { tx in
            guard let vehicle = try await VehicleModel.find(id, on: tx) else { throw NaraError.notFound("The vehicle") }
            guard vehicle.status == VehicleStatus.registered.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "A deregistered vehicle cannot change.") }
            var validator = Validator()
            validator.require(change.reason, "reason", maxLength: 300)
            let transfer = change.ownerNationalID?.isEmpty == false || change.ownerBusinessNumber?.isEmpty == false
            var owner: (kind: String, ref: String)?
            if transfer {
                owner = self.ownerReference(nationalID: change.ownerNationalID, businessNumber: change.ownerBusinessNumber, validator: &validator)
                validator.require(change.ownerName, "ownerName", maxLength: 150)
            }
            let last = RegistryRules.day(change.lastInspection, field: "lastInspection", into: &validator, required: false, notAfter: self.platform.calendar.today)
            let next = RegistryRules.day(change.nextInspection, field: "nextInspection", into: &validator, required: false)
            if !transfer && last == nil && next == nil { validator.add("ownerNationalId", "required", "Change the owner or the inspection dates.") }
            try validator.check()
            let before = try Self.snapshot(try await self.vehicleRecord(vehicle, on: tx))
            let previousSubject = self.vehicleSubject(vehicle)
            if let owner {
                vehicle.ownerKind = owner.kind
                vehicle.ownerRef = owner.ref
                vehicle.ownerName = change.ownerName!.trimmingCharacters(in: .whitespaces)
            }
            if let last { vehicle.lastInspection = last.description }
            if let next { vehicle.nextInspection = next.description }
            vehicle.version += 1
            vehicle.updatedAt = self.clock.now()
            try await vehicle.save(on: tx)
            let record = try await self.vehicleRecord(vehicle, on: tx)
            let action = transfer ? "transfer" : "inspection"
            try await self.recordChange(.vehicle, id: id, version: vehicle.version, action: action, before: before, after: try Self.snapshot(record),
                                        reason: change.reason, subjectRef: self.vehicleSubject(vehicle), by: actor, on: tx)
            if transfer && previousSubject != self.vehicleSubject(vehicle) {
                // The former owner sees the transfer in their history too.
                try await self.platform.audit.append(AuditRecord(action: "registries.vehicle.transfer_out", objectType: "registry.vehicle",
                                                                 objectID: id.uuidString.lowercased(), subjectRef: previousSubject, detail: change.reason),
                                                     by: actor, on: tx)
            }
            return record
        }
    }

    public func addLien(vehicleID: UUID, _ lien: NewLien, by actor: AuditActor, on db: any Database) async throws -> VehicleRecord {
        try await db.transaction { tx in
            guard let vehicle = try await VehicleModel.find(vehicleID, on: tx) else { throw NaraError.notFound("The vehicle") }
            var validator = Validator()
            validator.require(lien.creditor, "creditor", maxLength: 150)
            validator.require(lien.reason, "reason", maxLength: 300)
            if lien.amountMinor <= 0 { validator.add("amountMinor", "positive", "The secured amount must be positive.") }
            let day = RegistryRules.day(lien.registeredOn, field: "registeredOn", into: &validator, notAfter: self.platform.calendar.today)
            try validator.check()
            let before = try Self.snapshot(try await self.vehicleRecord(vehicle, on: tx))
            let model = LienModel()
            model.id = UUID()
            model.$vehicle.id = vehicleID
            model.creditor = lien.creditor.trimmingCharacters(in: .whitespaces)
            model.amountMinor = lien.amountMinor
            model.currency = "KRW"
            model.registeredOn = day!.description
            try await model.create(on: tx)
            vehicle.version += 1
            vehicle.updatedAt = self.clock.now()
            try await vehicle.save(on: tx)
            let record = try await self.vehicleRecord(vehicle, on: tx)
            try await self.recordChange(.vehicle, id: vehicleID, version: vehicle.version, action: "lien.add", before: before, after: try Self.snapshot(record),
                                        reason: lien.reason, subjectRef: self.vehicleSubject(vehicle), by: actor, on: tx)
            return record
        }
    }

    public func releaseLien(vehicleID: UUID, lienID: UUID, _ closure: Closure, by actor: AuditActor, on db: any Database) async throws -> VehicleRecord {
        try await db.transaction { tx in
            guard let vehicle = try await VehicleModel.find(vehicleID, on: tx),
                  let lien = try await LienModel.find(lienID, on: tx), lien.$vehicle.id == vehicleID
            else { throw NaraError.notFound("The lien") }
            guard lien.releasedOn == nil else { throw NaraError(.conflict, code: .illegalTransition, "This lien is already released.") }
            var validator = Validator()
            let day = RegistryRules.day(closure.effectiveOn, field: "effectiveOn", into: &validator, notAfter: self.platform.calendar.today)
            validator.require(closure.reason, "reason", maxLength: 300)
            try validator.check()
            let before = try Self.snapshot(try await self.vehicleRecord(vehicle, on: tx))
            lien.releasedOn = day!.description
            try await lien.save(on: tx)
            vehicle.version += 1
            vehicle.updatedAt = self.clock.now()
            try await vehicle.save(on: tx)
            let record = try await self.vehicleRecord(vehicle, on: tx)
            try await self.recordChange(.vehicle, id: vehicleID, version: vehicle.version, action: "lien.release", before: before, after: try Self.snapshot(record),
                                        reason: closure.reason, subjectRef: self.vehicleSubject(vehicle), by: actor, on: tx)
            return record
        }
    }

    public func deregisterVehicle(id: UUID, _ closure: Closure, by actor: AuditActor, on db: any Database) async throws -> VehicleRecord {
        try await db.transaction { tx in
            guard let vehicle = try await VehicleModel.find(id, on: tx) else { throw NaraError.notFound("The vehicle") }
            guard vehicle.status == VehicleStatus.registered.rawValue else { throw NaraError(.conflict, code: .illegalTransition, "This vehicle is already deregistered.") }
            var validator = Validator()
            _ = RegistryRules.day(closure.effectiveOn, field: "effectiveOn", into: &validator, notAfter: self.platform.calendar.today)
            validator.require(closure.reason, "reason", maxLength: 300)
            if try await LienModel.query(on: tx).filter(\.$vehicle.$id == id).filter(\.$releasedOn == nil).count() > 0 {
                validator.add("effectiveOn", "liens", "Release every lien before deregistering the vehicle.")
            }
            try validator.check()
            let before = try Self.snapshot(try await self.vehicleRecord(vehicle, on: tx))
            vehicle.status = VehicleStatus.deregistered.rawValue
            vehicle.version += 1
            vehicle.updatedAt = self.clock.now()
            try await vehicle.save(on: tx)
            let record = try await self.vehicleRecord(vehicle, on: tx)
            try await self.recordChange(.vehicle, id: id, version: vehicle.version, action: "close", before: before, after: try Self.snapshot(record),
                                        reason: closure.reason, subjectRef: self.vehicleSubject(vehicle), by: actor, on: tx)
            return record
        }
    }
}
