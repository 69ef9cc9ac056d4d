import FluentKit
import Foundation

public enum KeyPurpose: String, Sendable, Codable {
    /// The platform root certification authority.
    case root
    /// The platform's own signing key (audit checkpoints, platform documents).
    case platform
    /// An agency's document-signing certificate.
    case agency
    /// A business's signing certificate (contracts), its key held by the platform and used only
    /// when the business's own signed-in representative signs.
    case business
}

public final class PKIKeyModel: Model, @unchecked Sendable {
    public static let schema = "pki_keys"

    @ID(key: .id) public var id: UUID?
    @Field(key: "purpose") public var purpose: String
    @OptionalParent(key: "agency_id") public var agency: AgencyModel?
    @OptionalField(key: "account_id") public var accountID: UUID?
    @Field(key: "subject") public var subject: String
    @Field(key: "certificate_pem") public var certificatePEM: String
    @Field(key: "private_key_cipher") public var privateKeyCipher: String
    @Field(key: "fingerprint") public var fingerprint: String
    @Field(key: "not_before") public var notBefore: Date
    @Field(key: "not_after") public var notAfter: Date
    @Field(key: "status") public var status: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}
