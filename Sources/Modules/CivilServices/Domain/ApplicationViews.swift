import Foundation
import NaraCore

/// A catalogue entry with its agency, for pages and the API.
public struct ServiceSummary: Sendable, Codable, Equatable {
    public let code: String
    public let nameEN: String
    public let nameKO: String
    public let agencyCode: String
    public let agencyNameEN: String
    public let agencyNameKO: String
    public let period: ProcessingPeriod
    public let feeMinor: Int64
    public let currency: String
    public let issuesCertificate: Bool
    public let lifeEvents: [LifeEvent]
    public let definition: ServiceDefinition
}

public struct ApplicationEventView: Sendable, Codable, Equatable {
    public let at: Date
    public let actor: String
    public let event: String
    public let fromState: ApplicationState
    public let toState: ApplicationState
    public let message: String
}

public struct AttachmentView: Sendable, Codable, Equatable {
    public let id: UUID
    public let requirementKey: String
    public let fileID: UUID
    public let fileName: String
    public let uploadedAt: Date
}

public struct EvidenceUsed: Sendable, Codable, Equatable {
    public let informationType: String
    public let providerAgencyCode: String
    /// The exchange message that delivered it; nil for demo history seeded from the registry directly.
    public let messageID: UUID?
    public let consentReference: String?
    public let fields: [String: String]
}

public struct ApplicationView: Sendable, Codable, Equatable {
    public let id: UUID
    public let receiptNumber: String?
    public let service: ServiceSummary
    public let applicantAccountID: UUID
    public let applicantName: String
    public let agencyID: UUID
    public let agencyNameEN: String
    public let agencyNameKO: String
    public let state: ApplicationState
    public let inputs: [String: String]
    public let evidence: [EvidenceUsed]
    public let createdAt: Date
    public let submittedAt: Date?
    public let dueAt: Date?
    public let clockStoppedAt: Date?
    public let overdue: Bool
    public let transfers: Int
    public let payment: PaymentSummary?
    public let documentID: UUID?
    public let documentNumber: String?
    public let decidedAt: Date?
    public let decisionReasons: String?
    public let howToObject: String?
    public let objectionAccepted: Bool?
    public let outcome: String?
    public let events: [ApplicationEventView]
    public let attachments: [AttachmentView]
}

/// One row of an agency queue.
public struct QueueItem: Sendable, Codable, Equatable {
    public let id: UUID
    public let receiptNumber: String
    public let serviceNameEN: String
    public let serviceNameKO: String
    public let applicantName: String
    public let state: ApplicationState
    public let submittedAt: Date
    public let dueAt: Date?
    public let clockStopped: Bool
    public let overdue: Bool
}
