import FluentKit
import Foundation
import SQLKit

public struct StoredFile: Sendable, Codable, Equatable {
    public let id: UUID
    public let sha256: String
    public let name: String
    public let contentType: String
    public let size: Int64
    public let ownerAccountID: UUID?
    public let createdAt: Date
}

/// Uploads: size-limited, content type sniffed from the bytes and allow-listed, names sanitised,
/// content stored once per SHA-256.
public final class FileService: Sendable {
    public static let allowedTypes: [String: String] = [
        "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "text/plain": "txt", "text/csv": "csv",
    ]

    public let maxBytes: Int
    private let clock: any NaraClock
    private let audit: AuditChain

    init(maxBytes: Int, clock: any NaraClock, audit: AuditChain) {
        self.maxBytes = maxBytes
        self.clock = clock
        self.audit = audit
    }

    /// The content type the bytes really are, or nil when not on the allow-list.
    public static func sniff(_ data: Data, declared: String?) -> String? {
        let bytes = [UInt8](data.prefix(16))
        if bytes.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        // Text: valid UTF-8 without NUL or other control characters (tab and line breaks aside).
        guard !data.isEmpty, let text = String(data: data, encoding: .utf8),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" })
        else { return nil }
        let declaredBase = declared?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return declaredBase == "text/csv" ? "text/csv" : "text/plain"
    }

    /// A safe display and download name: no directories, no control or reserved characters, at most 120 characters.
    public static func sanitisedName(_ raw: String?, contentType: String) -> String {
        var name = (raw ?? "").replacingOccurrences(of: "\\", with: "/")
        name = String(name.split(separator: "/").last ?? "")
        name = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !"<>:\"|?*;".unicodeScalars.contains($0) }.map(Character.init))
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " ."))
        let ext = allowedTypes[contentType] ?? "bin"
        if name.isEmpty { name = "file" }
        let stem = (name as NSString).deletingPathExtension.isEmpty ? name : (name as NSString).deletingPathExtension
        let extensionMatches: Bool = {
            let given = (name as NSString).pathExtension.lowercased()
            return given == ext || (ext == "jpg" && given == "jpeg")
        }()
        let base = extensionMatches ? name : stem + "." + ext
        if base.count > 120 {
            return String(stem.prefix(120 - ext.count - 1)) + "." + ext
        }
        return base
    }

    public func store(_ data: Data, name: String?, declaredType: String?, ownerAccountID: UUID?, by actor: AuditActor = .system("files"),
                      on db: any Database) async throws -> StoredFile {
        guard data.count <= maxBytes else {
            throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "Files may be at most \(maxBytes / 1024 / 1024) MiB.")
        }
        guard !data.isEmpty else {
            throw NaraError.validation([FieldError(field: "file", code: "empty", message: "The file is empty.")])
        }
        guard let contentType = Self.sniff(data, declared: declaredType) else {
            throw NaraError(.unsupportedMediaType, code: .unsupportedMediaType, "Only PDF, PNG, JPEG and plain-text or CSV files are accepted.")
        }
        if let declared = declaredType?.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
           declared != "application/octet-stream", !declared.isEmpty, declared != contentType,
           !(declared == "text/plain" && contentType == "text/csv"), !(declared == "image/jpg" && contentType == "image/jpeg") {
            throw NaraError(.unsupportedMediaType, code: .unsupportedMediaType, "The file is \(contentType), not \(declared) as declared.")
        }
        let sha = Digest.sha256Hex(data)
        let now = clock.now()
        let file = StoredFileModel()
        file.id = UUID()
        file.$blob.id = sha
        file.name = Self.sanitisedName(name, contentType: contentType)
        file.contentType = contentType
        file.size = Int64(data.count)
        file.$owner.id = ownerAccountID
        file.createdAt = now
        try await db.transaction { tx in
            // The same content uploaded twice at once is stored once, without a constraint error.
            let sql = tx as! any SQLDatabase
            try await sql.raw("""
                INSERT INTO file_blobs (sha256, size, content, created_at) VALUES (\(bind: sha), \(bind: Int64(data.count)), \(bind: data), \(bind: now))
                ON CONFLICT (sha256) DO NOTHING
                """).run()
            try await file.create(on: tx)
            try await self.audit.append(AuditRecord(action: "file.upload", objectType: "file", objectID: file.id!.uuidString.lowercased(),
                                                    detail: "\(contentType) \(data.count) bytes sha256 \(sha.prefix(16))"), by: actor, on: tx)
        }
        return Self.info(file)
    }

    public func file(id: UUID, on db: any Database) async throws -> StoredFile? {
        try await StoredFileModel.find(id, on: db).map(Self.info)
    }

    public func content(of file: StoredFile, on db: any Database) async throws -> Data {
        guard let blob = try await FileBlobModel.find(file.sha256, on: db) else { throw NaraError.notFound("The file content") }
        return blob.content
    }

    public func files(ownerAccountID: UUID, on db: any Database) async throws -> [StoredFile] {
        try await StoredFileModel.query(on: db).filter(\.$owner.$id == ownerAccountID).sort(\.$createdAt, .descending).all().map(Self.info)
    }

    static func info(_ m: StoredFileModel) -> StoredFile {
        StoredFile(id: m.id!, sha256: m.$blob.id, name: m.name, contentType: m.contentType, size: m.size, ownerAccountID: m.$owner.id, createdAt: m.createdAt)
    }
}
