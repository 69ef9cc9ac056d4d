import FluentKit
import Foundation

// Contracts of the inter-agency information exchange ("once-only", HANARO). Modules that keep
// records register `InformationProvider`s; the exchange module registers the `EvidenceService`
// through which any module (or agency system, over the API) looks records up. Neither side
// imports the other.

/// Whom a look-up is about.
public enum ExchangeSubjectKind: String, Sendable, Codable, CaseIterable {
    /// A person, by resident registration number.
    case person
    /// A business, by business registration number.
    case business
}

/// The subject of a look-up, validated.
public struct ExchangeSubject: Sendable, Equatable {
    public enum Identifier: Sendable, Equatable {
        case person(NationalID)
        case business(BusinessNumber)
    }

    public let identifier: Identifier

    public init(_ identifier: Identifier) { self.identifier = identifier }

    public var kind: ExchangeSubjectKind {
        switch identifier {
        case .person: return .person
        case .business: return .business
        }
    }

    /// The form shown on screens and written to logs.
    public var masked: String {
        switch identifier {
        case .person(let id): return id.masked
        case .business(let number): return number.formatted
        }
    }
}

/// A legal provision under which an information type may be released.
public struct LegalBasis: Sendable, Codable, Equatable {
    /// Stable code, for example `civil-affairs-act-10-2`.
    public let code: String
    public let title: LocalizedText
    /// The subject must have given consent (a consent reference is required with the request).
    public let requiresConsent: Bool
    /// For law-enforcement bases: days during which the subject is not shown the look-up.
    public let deferralDays: Int?

    public init(code: String, title: LocalizedText, requiresConsent: Bool = false, deferralDays: Int? = nil) {
        self.code = code
        self.title = title
        self.requiresConsent = requiresConsent
        self.deferralDays = deferralDays
    }
}

/// One field an information type returns.
public struct InformationField: Sendable, Codable, Equatable {
    public let name: String
    public let description: String

    public init(_ name: String, _ description: String) {
        self.name = name
        self.description = description
    }
}

/// Something that can be looked up: who provides it, about whom, which fields it returns and the
/// legal bases under which it may be released.
public struct InformationType: Sendable, Equatable {
    /// Stable code, for example `resident.abstract`.
    public let code: String
    public let title: LocalizedText
    public let summary: LocalizedText
    /// Code of the agency that provides (and grants access to) it.
    public let providerAgencyCode: String
    public let subjectKind: ExchangeSubjectKind
    public let fields: [InformationField]
    public let legalBases: [LegalBasis]

    public init(code: String, title: LocalizedText, summary: LocalizedText, providerAgencyCode: String, subjectKind: ExchangeSubjectKind,
                fields: [InformationField], legalBases: [LegalBasis]) {
        self.code = code
        self.title = title
        self.summary = summary
        self.providerAgencyCode = providerAgencyCode
        self.subjectKind = subjectKind
        self.fields = fields
        self.legalBases = legalBases
    }

    public func legalBasis(_ code: String) -> LegalBasis? { legalBases.first { $0.code == code } }
}

/// A module that keeps records and answers look-ups about them.
public protocol InformationProvider: Sendable {
    var informationTypes: [InformationType] { get }
    /// The fields of `type` about `subject`, every value a string (dates as `YYYY-MM-DD`, lists
    /// as JSON text); nil when the provider holds no record of the subject.
    func provide(type: String, subject: ExchangeSubject, on db: any Database) async throws -> [String: String]?
}

/// Who asks, for a look-up made on behalf of a module or an agency system.
public struct EvidenceRequester: Sendable, Equatable {
    /// The consumer agency.
    public let agencyID: UUID
    /// How the official or system is written into logs (`official:<uuid>`, `system:<uuid>`).
    public let actorName: String
    /// The official's or system's name, shown to the subject.
    public let displayName: String
    /// The system making the request, when it is one (grants may be limited to one system).
    public let systemID: UUID?

    public init(agencyID: UUID, actorName: String, displayName: String, systemID: UUID?) {
        self.agencyID = agencyID
        self.actorName = actorName
        self.displayName = displayName
        self.systemID = systemID
    }

    public init(actor: Actor) throws {
        guard let agencyID = actor.agencyID else {
            throw NaraError.forbidden("Only officials and systems of an agency can request information.")
        }
        var systemID: UUID?
        if case .system(let id) = actor.principal { systemID = id }
        self.init(agencyID: agencyID, actorName: actor.auditName, displayName: actor.displayName, systemID: systemID)
    }
}

/// A look-up: what, about whom, why and under which law.
public struct EvidenceRequest: Sendable {
    public let requester: EvidenceRequester
    public let informationType: String
    public let subject: ExchangeSubject
    public let purpose: String
    public let legalBasis: String
    public let consentReference: String?
    /// The request id of the HTTP request or job, for correlation in logs.
    public let correlationID: String?

    public init(requester: EvidenceRequester, informationType: String, subject: ExchangeSubject, purpose: String, legalBasis: String,
                consentReference: String?, correlationID: String? = nil) {
        self.requester = requester
        self.informationType = informationType
        self.subject = subject
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.consentReference = consentReference
        self.correlationID = correlationID
    }
}

/// The provider agency's signed answer, as recorded in the message log.
public struct EvidenceResponse: Sendable, Codable {
    public let messageID: UUID
    /// Position in the message log.
    public let logSequence: Int64
    public let informationType: String
    public let providerAgencyCode: String
    public let consumerAgencyCode: String
    public let subject: String
    public let issuedAt: Date
    public let data: [String: String]
    /// The canonical request as signed by the consumer agency, and its signature.
    public let request: SignedMessage
    /// The canonical response envelope (with the SHA-256 of the data) as signed by the provider agency.
    public let response: SignedMessage
    /// The platform's time-stamp over the log entry.
    public let timestamp: SignedMessage

    public init(messageID: UUID, logSequence: Int64, informationType: String, providerAgencyCode: String, consumerAgencyCode: String,
                subject: String, issuedAt: Date, data: [String: String], request: SignedMessage, response: SignedMessage, timestamp: SignedMessage) {
        self.messageID = messageID
        self.logSequence = logSequence
        self.informationType = informationType
        self.providerAgencyCode = providerAgencyCode
        self.consumerAgencyCode = consumerAgencyCode
        self.subject = subject
        self.issuedAt = issuedAt
        self.data = data
        self.request = request
        self.response = response
        self.timestamp = timestamp
    }
}

/// Canonical JSON text and a detached signature over its UTF-8 bytes.
public struct SignedMessage: Sendable, Codable, Equatable {
    public let canonical: String
    public let signature: DetachedSignature?

    public init(canonical: String, signature: DetachedSignature?) {
        self.canonical = canonical
        self.signature = signature
    }
}

/// How modules and agency systems obtain evidence instead of asking the applicant for a paper.
/// Every call, granted or refused, is written to the exchange's message log, and a granted one
/// shows in the subject's "who looked at my data".
public protocol EvidenceService: Sendable {
    /// Every information type the providers of this installation offer.
    func catalogue() -> [InformationType]
    /// Looks the information up, or throws a `NaraError` whose code says why it was refused
    /// (`exchange_not_granted`, `exchange_consent_required`, ...).
    func evidence(_ request: EvidenceRequest) async throws -> EvidenceResponse
    /// Records a consent the subject gave in another service's form (a civil application's
    /// "check it for me" box) and returns its reference (`CNS-YYYY-NNNNNN`). Runs on `db`.
    func recordConsent(accountID: UUID, consumerAgencyCode: String, informationType: String, purpose: String, validUntil: LocalDay,
                       by actor: AuditActor, on db: any Database) async throws -> String
}

extension LegalBasis {
    /// Shared use of administrative information with the subject's prior consent (Electronic
    /// Government Act, arts. 36 and 42): civil-service applications that replace a paper.
    public static let sharedUseWithConsent = LegalBasis(
        code: "egov-act-36-42-consent",
        title: LocalizedText(en: "Electronic Government Act arts. 36 and 42: shared use with the subject's consent",
                             ko: "전자정부법 제36조·제42조: 정보주체 동의에 의한 행정정보 공동이용"),
        requiresConsent: true)
    /// Shared use that a statute requires for the consuming agency's own duties (tax
    /// administration, procurement eligibility, customs clearance): no consent needed.
    public static let sharedUseByStatute = LegalBasis(
        code: "egov-act-36-statute",
        title: LocalizedText(en: "Electronic Government Act art. 36: shared use required by statute for the agency's duties",
                             ko: "전자정부법 제36조: 법령에 따른 소관 업무 수행을 위한 행정정보 공동이용"))
    /// An inquiry for a criminal investigation: the subject is told only after the deferral.
    public static let criminalInvestigation = LegalBasis(
        code: "criminal-procedure-act-199",
        title: LocalizedText(en: "Criminal Procedure Act art. 199(2): inquiry for an investigation (disclosure deferred 180 days)",
                             ko: "형사소송법 제199조 제2항: 수사상 사실조회 (열람 180일 유예)"),
        deferralDays: 180)
}

/// The outcome of walking the exchange's message log.
public struct ExchangeLogVerification: Sendable {
    /// Entries checked (those after the last retention purge).
    public let entries: Int
    /// Entries removed by retention purges, each purge's signed record checked.
    public let purged: Int64
    /// Entries written while signing was off (benchmarks): chained but not signed.
    public let unsigned: Int
    /// The first problem found, with the sequence number it concerns.
    public let failure: (seq: Int64, reason: String)?

    public init(entries: Int, purged: Int64, unsigned: Int, failure: (seq: Int64, reason: String)?) {
        self.entries = entries
        self.purged = purged
        self.unsigned = unsigned
        self.failure = failure
    }

    public var intact: Bool { failure == nil }
}

/// The exchange's message log, for the command line and the background purge.
public protocol ExchangeMessageLog: Sendable {
    func verifyLog(progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) async throws -> ExchangeLogVerification
    /// Removes entries older than the retention period and records the purge; returns how many.
    @discardableResult
    func purgeExpired() async throws -> Int64
}
