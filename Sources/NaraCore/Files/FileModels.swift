import FluentKit
import Foundation

/// File content, stored once per SHA-256 in the database so that backups hold everything.
public final class FileBlobModel: Model, @unchecked Sendable {
    public static let schema = "file_blobs"

    @ID(custom: "sha256", generatedBy: .user) public var id: String?
    @Field(key: "size") public var size: Int64
    @Field(key: "content") public var content: Data
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

public final class StoredFileModel: Model, @unchecked Sendable {
    public static let schema = "files"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "sha256") public var blob: FileBlobModel
    @Field(key: "name") public var name: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int64
    @OptionalParent(key: "owner_account_id") public var owner: AccountModel?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}
