import FluentKit
import Foundation
import NaraCore

/// A file attached to a complaint, as its complainant and the agency's officials see it.
public struct ComplaintAttachmentView: Sendable, Codable, Equatable {
    public let id: UUID
    public let name: String
    public let contentType: String
    public let size: Int64
    public let uploadedAt: Date
}

/// Attachments: the complainant (signed in, or anonymous with the access code) adds files (PDF,
/// PNG, JPEG or text, checked by the platform's file service) while the agency still handles the
/// complaint; the complainant and the agency's officials download them.
extension PetitionsService {
    /// The most files one complaint carries.
    static let attachmentLimit = 5

    /// `accessCode`: an anonymous complainant's, in place of signing in.
    public func attach(_ id: UUID, data: Data, name: String?, contentType: String?, by actor: Actor?, accessCode: String? = nil, requestID: String?,
                       on database: (any Database)? = nil) async throws -> ComplaintView {
        let audit = actor.map { AuditActor($0, requestID: requestID) } ?? AuditActor(name: "anonymous", agencyID: nil, requestID: requestID)
        return try await change(id, by: actor, accessCode: accessCode, on: database ?? db) { m, role, tx in
            guard case .complainant = role else { throw NaraError.forbidden("The complainant attaches files to the complaint.") }
            let state = ComplaintState(rawValue: m.state) ?? .submitted
            guard state.waitsForAgency || state == .merged else {
                throw NaraError(.conflict, code: .illegalTransition, "Files are attached while the agency handles the complaint, not once it is \(m.state).")
            }
            let count = try await ComplaintAttachmentModel.query(on: tx).filter(\.$complaintID == id).count()
            guard count < Self.attachmentLimit else {
                throw NaraError.validation([FieldError(field: "file", code: "too_many", message: "A complaint carries at most \(Self.attachmentLimit) files.")])
            }
            let stored = try await self.platform.files.store(data, name: name, declaredType: contentType, ownerAccountID: actor?.accountID, by: audit, on: tx)
            let a = ComplaintAttachmentModel()
            a.id = UUID()
            a.complaintID = id
            a.fileID = stored.id
            a.fileName = stored.name
            a.contentType = stored.contentType
            a.size = stored.size
            a.uploadedAt = self.clock.now()
            try await a.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.complaint.attach", objectType: "complaint", objectID: m.number,
                                                             detail: "\(stored.contentType) \(stored.size) bytes"), by: audit, on: tx)
        }
    }

    /// An attachment's file, for the complainant (signed in, or by the access code of an anonymous
    /// complaint) or the officials of the agency that has the complaint.
    public func attachment(_ id: UUID, attachmentID: UUID, by actor: Actor?, accessCode: String? = nil) async throws -> StoredFile {
        guard let m = try await ComplaintModel.find(id, on: db) else { throw NaraError.notFound("The complaint") }
        _ = try await role(actor, accessCode: accessCode, on: m, on: db)
        guard let a = try await ComplaintAttachmentModel.find(attachmentID, on: db), a.complaintID == id,
              let file = try await platform.files.file(id: a.fileID, on: db) else { throw NaraError.notFound("The attachment") }
        return file
    }

    func attachments(of m: ComplaintModel, on db: any Database) async throws -> [ComplaintAttachmentView] {
        try await ComplaintAttachmentModel.query(on: db).filter(\.$complaintID == m.id!).sort(\.$uploadedAt).all().map {
            ComplaintAttachmentView(id: $0.id!, name: $0.fileName, contentType: $0.contentType, size: $0.size, uploadedAt: $0.uploadedAt)
        }
    }
}
