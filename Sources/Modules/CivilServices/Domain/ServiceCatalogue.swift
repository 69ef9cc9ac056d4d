import Foundation
import NaraCore

/// Life events by which citizens browse the catalogue.
public enum LifeEvent: String, Sendable, Codable, CaseIterable {
    case movingHouse = "moving-house"
    case startingBusiness = "starting-a-business"
    case buyingCar = "buying-a-car"
    case havingChild = "having-a-child"

    public var title: LocalizedText {
        switch self {
        case .movingHouse: return LocalizedText(en: "Moving house", ko: "이사")
        case .startingBusiness: return LocalizedText(en: "Starting a business", ko: "창업")
        case .buyingCar: return LocalizedText(en: "Buying a car", ko: "자동차 구입")
        case .havingChild: return LocalizedText(en: "Having a child", ko: "출산")
        }
    }
}

/// The legal processing period of a service.
public struct ProcessingPeriod: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Issued at once by the system.
        case instant
        case calendarDays = "calendar_days"
        case workingDays = "working_days"
        case workingHours = "working_hours"
    }
    public let kind: Kind
    public let amount: Int

    public init(_ kind: Kind, _ amount: Int = 0) {
        self.kind = kind
        self.amount = amount
    }

    public static let instant = ProcessingPeriod(.instant)

    public var legalPeriod: LegalPeriod? {
        switch kind {
        case .instant: return nil
        case .calendarDays: return .calendarDays(amount)
        case .workingDays: return .workingDays(amount)
        case .workingHours: return .workingHours(amount)
        }
    }

    public var text: LocalizedText {
        switch kind {
        case .instant: return LocalizedText(en: "Immediately", ko: "즉시")
        case .calendarDays: return LocalizedText(en: "\(amount) days", ko: "\(amount)일")
        case .workingDays: return LocalizedText(en: "\(amount) working days", ko: "\(amount)근무일")
        case .workingHours: return LocalizedText(en: "\(amount) working hours", ko: "\(amount)근무시간")
        }
    }
}

/// What happens when the agency decides (and what the system does by itself).
public enum Fulfilment: String, Sendable, Codable {
    /// Looked up through the exchange and issued at once, without an official.
    case instantCertificate = "instant_certificate"
    /// Reviewed by an official; a certificate is issued on approval.
    case reviewedCertificate = "reviewed_certificate"
    /// Reviewed by an official; the decision is the outcome.
    case reviewedDecision = "reviewed_decision"
    /// A move-in report: on approval the resident registry address changes.
    case moveIn = "move_in"
    /// A business registration: on approval the business is registered and its certificate issued.
    case businessRegistration = "business_registration"

    public var issuesCertificate: Bool { self != .reviewedDecision && self != .moveIn }
    public var needsReview: Bool { self != .instantCertificate }
}

public struct ServiceInput: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case text, textarea, date, number, select, postalCode = "postal_code", industryCode = "industry_code" }
    public struct Option: Sendable, Codable, Equatable {
        public let value: String
        public let labelEN: String
        public let labelKO: String
        public init(_ value: String, en: String, ko: String) { self.value = value; self.labelEN = en; self.labelKO = ko }
    }
    public let key: String
    public let labelEN: String
    public let labelKO: String
    public let kind: Kind
    public let required: Bool
    public let options: [Option]

    public init(_ key: String, en: String, ko: String, kind: Kind = .text, required: Bool = true, options: [Option] = []) {
        self.key = key
        self.labelEN = en
        self.labelKO = ko
        self.kind = kind
        self.required = required
        self.options = options
    }
}

/// Evidence the system looks up itself through the exchange ("you do not need to submit ...").
public struct EvidenceLookup: Sendable, Codable, Equatable {
    public let informationType: String
    public let labelEN: String
    public let labelKO: String
    public init(_ informationType: String, en: String, ko: String) { self.informationType = informationType; self.labelEN = en; self.labelKO = ko }
}

/// A document the applicant must upload.
public struct UploadRequirement: Sendable, Codable, Equatable {
    public let key: String
    public let labelEN: String
    public let labelKO: String
    public let required: Bool
    public init(_ key: String, en: String, ko: String, required: Bool = true) { self.key = key; self.labelEN = en; self.labelKO = ko; self.required = required }
}

public struct CertificateSpec: Sendable, Codable, Equatable {
    public let documentType: String
    public let titleEN: String
    public let titleKO: String
    public let validDays: Int
}

/// One service of the catalogue.
public struct ServiceDefinition: Sendable, Codable, Equatable {
    public let code: String
    public let nameEN: String
    public let nameKO: String
    public let descriptionEN: String
    public let descriptionKO: String
    /// Agency code of the responsible agency.
    public let agencyCode: String
    public let legalBasisEN: String
    public let legalBasisKO: String
    public let period: ProcessingPeriod
    public let feeMinor: Int64
    public let currency: String
    public let inputs: [ServiceInput]
    public let evidence: [EvidenceLookup]
    public let uploads: [UploadRequirement]
    public let lifeEvents: [LifeEvent]
    public let keywords: [String]
    public let fulfilment: Fulfilment
    public let certificate: CertificateSpec?

    public var issuesCertificate: Bool { certificate != nil }

    /// Lower-cased words for search, English and Korean.
    public var searchText: String {
        ([nameEN, nameKO, descriptionEN, descriptionKO] + keywords).joined(separator: " ").lowercased()
    }

    /// Checks the applicant's inputs against the definition; returns them trimmed.
    public func validate(inputs raw: [String: String], today: LocalDay, requireAll: Bool = true) throws(NaraError) -> [String: String] {
        var validator = Validator()
        var clean: [String: String] = [:]
        for input in inputs {
            let value = (raw[input.key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty {
                if input.required && requireAll { validator.add(input.key, "required", "\(input.labelEN) is required.") }
                continue
            }
            if value.count > (input.kind == .textarea ? 4000 : 300) {
                validator.add(input.key, "too_long", "\(input.labelEN) is too long.")
                continue
            }
            switch input.kind {
            case .date:
                guard let day = LocalDay(value) else { validator.add(input.key, "format", "Enter \(input.labelEN) as YYYY-MM-DD."); continue }
                if day > today.adding(days: 366) || day < today.adding(days: -36_500) {
                    validator.add(input.key, "range", "\(input.labelEN) is out of range.")
                }
            case .number:
                if Int64(value) == nil || Int64(value)! < 0 { validator.add(input.key, "format", "\(input.labelEN) must be a whole number.") }
            case .select:
                if !input.options.contains(where: { $0.value == value }) { validator.add(input.key, "unknown", "Choose \(input.labelEN) from the list.") }
            case .postalCode:
                if value.count != 5 || !value.allSatisfy({ $0.isASCII && $0.isNumber }) { validator.add(input.key, "format", "A postal code has 5 digits.") }
            case .industryCode:
                if value.count != 5 || !value.allSatisfy({ $0.isASCII && $0.isNumber }) { validator.add(input.key, "format", "An industry code (KSIC) has 5 digits.") }
            case .text, .textarea:
                break
            }
            clean[input.key] = value
        }
        let unknown = raw.keys.filter { key in !inputs.contains { $0.key == key } }
        for key in unknown.sorted() { validator.add(key, "unknown", "\(key) is not a field of this service.") }
        try validator.check()
        return clean
    }
}

/// Due dates with the legal clock stopped while a supplement is awaited (Civil Petitions Act
/// Enforcement Decree art. 23: the time for supplementation is not counted).
public enum DueDates {
    public static func initial(period: ProcessingPeriod, from start: Date, calendar: BusinessCalendar) -> Date {
        guard let legal = period.legalPeriod else { return start }
        return calendar.dueDate(for: legal, from: start)
    }

    /// The due date after the clock stood still from `stoppedAt` to `resumedAt`.
    public static func resumed(due: Date, stoppedAt: Date, resumedAt: Date, period: ProcessingPeriod, calendar: BusinessCalendar) -> Date {
        guard resumedAt > stoppedAt else { return due }
        let moved: Date
        switch period.kind {
        case .instant:
            return due
        case .calendarDays:
            let days = calendar.localDay(of: resumedAt).ordinal - calendar.localDay(of: stoppedAt).ordinal
            moved = calendar.endOfDay(calendar.nextWorkingDay(onOrAfter: calendar.localDay(of: due.addingTimeInterval(-1)).adding(days: days)))
        case .workingDays:
            let days = calendar.workingDays(after: calendar.localDay(of: stoppedAt), through: calendar.localDay(of: resumedAt))
            moved = calendar.endOfDay(calendar.addingWorkingDays(days, to: calendar.localDay(of: due.addingTimeInterval(-1))))
        case .workingHours:
            moved = calendar.addingWorkingTime(calendar.workingSeconds(from: stoppedAt, to: resumedAt), to: due)
        }
        return calendar.extend(moved)
    }
}

extension ServiceDefinition {
    /// Checks a definition before it is published: every field error at once.
    /// `informationTypes` are the codes the exchange can look up on this platform.
    public func problems(informationTypes: Set<String>) -> [FieldError] {
        var v = Validator()
        func slug(_ text: String, max: Int) -> Bool {
            !text.isEmpty && text.count <= max && text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." }
        }
        if !slug(code, max: 60) { v.add("code", "format", "Use lower-case letters, digits and dashes (at most 60).") }
        v.require(nameEN, "nameEN", maxLength: 200)
        v.require(nameKO, "nameKO", maxLength: 200)
        v.require(descriptionEN, "descriptionEN", maxLength: 2000)
        v.require(descriptionKO, "descriptionKO", maxLength: 2000)
        v.require(legalBasisEN, "legalBasisEN", maxLength: 500)
        v.require(legalBasisKO, "legalBasisKO", maxLength: 500)
        switch period.kind {
        case .instant:
            if fulfilment != .instantCertificate { v.add("period", "instant", "Only an instant certificate is decided at once; give a processing period.") }
        case .calendarDays, .workingDays:
            if !(1...365).contains(period.amount) { v.add("period", "range", "A period is 1 to 365 days.") }
        case .workingHours:
            if !(1...200).contains(period.amount) { v.add("period", "range", "A period is 1 to 200 working hours.") }
        }
        if fulfilment == .instantCertificate {
            if period.kind != .instant { v.add("period", "instant", "An instant certificate has the period `instant`.") }
            if evidence.isEmpty { v.add("evidence", "required", "An instant certificate is built from evidence looked up through the exchange.") }
            if !uploads.isEmpty { v.add("uploads", "instant", "Nobody reviews uploads of an instant certificate.") }
        }
        if !(0...10_000_000).contains(feeMinor) { v.add("feeMinor", "range", "A fee is 0 to 10,000,000.") }
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) { v.add("currency", "format", "Use an ISO 4217 code such as KRW.") }
        var keys = Set<String>()
        for (i, input) in inputs.enumerated() {
            if input.key.isEmpty || input.key.count > 40 || !input.key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                v.add("inputs/\(i)/key", "format", "Use letters and digits (at most 40).")
            }
            if !keys.insert(input.key).inserted { v.add("inputs/\(i)/key", "duplicate", "Each input has its own key.") }
            if input.labelEN.isEmpty || input.labelKO.isEmpty { v.add("inputs/\(i)/labelEN", "required", "Give English and Korean labels.") }
            if input.kind == .select && input.options.isEmpty { v.add("inputs/\(i)/options", "required", "A choice needs options.") }
        }
        for (i, item) in evidence.enumerated() where !informationTypes.contains(item.informationType) {
            v.add("evidence/\(i)/informationType", "unknown", "\(item.informationType) cannot be looked up on this platform.")
        }
        var uploadKeys = Set<String>()
        for (i, upload) in uploads.enumerated() {
            if upload.key.isEmpty || upload.key == "supplement" || !uploadKeys.insert(upload.key).inserted {
                v.add("uploads/\(i)/key", "invalid", "Each upload has its own key (not `supplement`).")
            }
        }
        let needsCertificate = fulfilment.issuesCertificate
        if needsCertificate && certificate == nil { v.add("certificate", "required", "This kind of service ends with a certificate: describe it.") }
        if !needsCertificate && certificate != nil { v.add("certificate", "unexpected", "This kind of service issues no certificate.") }
        if let certificate {
            if !slug(certificate.documentType, max: 60) { v.add("certificate/documentType", "format", "Use lower-case letters, digits, dots and dashes.") }
            if certificate.titleEN.isEmpty || certificate.titleKO.isEmpty { v.add("certificate/titleEN", "required", "Give English and Korean titles.") }
            if !(1...3650).contains(certificate.validDays) { v.add("certificate/validDays", "range", "A certificate is valid 1 to 3,650 days.") }
        }
        let required: [String]
        switch fulfilment {
        case .moveIn: required = ["newAddress", "postalCode", "moveInDate"]
        case .businessRegistration: required = ["businessName", "industryCode", "businessAddress", "openingDate"]
        default: required = []
        }
        for key in required where !keys.contains(key) { v.add("inputs", "required", "A \(fulfilment.rawValue) service needs the input `\(key)`.") }
        return v.errors
    }
}
