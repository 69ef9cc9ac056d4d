import FluentKit
import Foundation

public enum AgencyKind: String, Sendable, Codable, CaseIterable {
    case ministry
    case agency
    case office
}

public final class AgencyModel: Model, @unchecked Sendable {
    public static let schema = "agencies"

    @ID(key: .id) public var id: UUID?
    @Field(key: "code") public var code: String
    @Field(key: "name_en") public var nameEN: String
    @Field(key: "name_ko") public var nameKO: String
    @Field(key: "kind") public var kind: String
    @OptionalParent(key: "parent_id") public var parent: AgencyModel?
    @Field(key: "active") public var active: Bool
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(id: UUID = UUID(), code: String, nameEN: String, nameKO: String, kind: AgencyKind, parentID: UUID?, createdAt: Date) {
        self.id = id
        self.code = code
        self.nameEN = nameEN
        self.nameKO = nameKO
        self.kind = kind.rawValue
        self.$parent.id = parentID
        self.active = true
        self.createdAt = createdAt
    }
}

public enum AccountStatus: String, Sendable, Codable {
    case active
    case disabled
}

public final class AccountModel: Model, @unchecked Sendable {
    public static let schema = "accounts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "kind") public var kind: String
    @OptionalParent(key: "agency_id") public var agency: AgencyModel?
    @OptionalField(key: "national_id_cipher") public var nationalIDCipher: String?
    @OptionalField(key: "national_id_hash") public var nationalIDHash: String?
    @OptionalField(key: "national_id_masked") public var nationalIDMasked: String?
    @OptionalField(key: "business_number") public var businessNumber: String?
    @OptionalField(key: "business_name") public var businessName: String?
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "phone") public var phone: String?
    @Field(key: "password_hash") public var passwordHash: String
    @OptionalField(key: "totp_secret_cipher") public var totpSecretCipher: String?
    @OptionalField(key: "totp_last_step") public var totpLastStep: Int64?
    @Field(key: "status") public var status: String
    @Field(key: "locale") public var locale: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

public final class AccountRoleModel: Model, @unchecked Sendable {
    public static let schema = "account_roles"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "account_id") public var account: AccountModel
    @Field(key: "role") public var role: String

    public init() {}

    public init(accountID: UUID, role: String) {
        self.id = UUID()
        self.$account.id = accountID
        self.role = role
    }
}

public final class SessionModel: Model, @unchecked Sendable {
    public static let schema = "sessions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") public var tokenHash: String
    @Parent(key: "account_id") public var account: AccountModel
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "last_seen_at") public var lastSeenAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "second_factor_at") public var secondFactorAt: Date?
    @Field(key: "second_factor_failures") public var secondFactorFailures: Int
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @Field(key: "address") public var address: String
    @Field(key: "user_agent") public var userAgent: String

    public init() {}
}

public final class AgencySystemModel: Model, @unchecked Sendable {
    public static let schema = "agency_systems"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "agency_id") public var agency: AgencyModel
    @Field(key: "name") public var name: String
    @Field(key: "client_id") public var clientID: String
    @Field(key: "secret_hash") public var secretHash: String
    /// Space-separated permission names.
    @Field(key: "permissions") public var permissions: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?

    public init() {}
}

public final class APITokenModel: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") public var tokenHash: String
    @OptionalParent(key: "account_id") public var account: AccountModel?
    @OptionalParent(key: "system_id") public var system: AgencySystemModel?
    /// Space-separated permission names the token is limited to.
    @Field(key: "scopes") public var scopes: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?

    public init() {}
}

public final class LoginAttemptModel: Model, @unchecked Sendable {
    public static let schema = "login_attempts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username_key") public var usernameKey: String
    @Field(key: "address") public var address: String
    @Field(key: "at") public var at: Date
    @Field(key: "outcome") public var outcome: String

    public init() {}

    public init(usernameKey: String, address: String, at: Date, outcome: String) {
        self.id = UUID()
        self.usernameKey = usernameKey
        self.address = address
        self.at = at
        self.outcome = outcome
    }
}
