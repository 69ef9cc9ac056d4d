import Foundation

public struct AgencySummary: Sendable, Codable, Equatable {
    public let id: UUID
    public let code: String
    public let nameEN: String
    public let nameKO: String
    public let kind: AgencyKind
    public let parentID: UUID?
    public let active: Bool

    public func name(for language: Language) -> String { language == .korean ? nameKO : nameEN }

    init(_ m: AgencyModel) {
        id = m.id!
        code = m.code
        nameEN = m.nameEN
        nameKO = m.nameKO
        kind = AgencyKind(rawValue: m.kind) ?? .agency
        parentID = m.$parent.id
        active = m.active
    }
}

public struct AccountSummary: Sendable, Codable, Equatable {
    public let id: UUID
    public let username: String
    public let displayName: String
    public let kind: AccountKind
    public let agencyID: UUID?
    public let nationalIDMasked: String?
    public let businessNumber: String?
    public let businessName: String?
    public let email: String?
    public let phone: String?
    public let status: AccountStatus
    public let locale: String
    public let roles: [String]
    public let secondFactorEnrolled: Bool
    public let createdAt: Date

    init(_ m: AccountModel, roles: [String]) {
        id = m.id!
        username = m.username
        displayName = m.displayName
        kind = AccountKind(rawValue: m.kind) ?? .citizen
        agencyID = m.$agency.id
        nationalIDMasked = m.nationalIDMasked
        businessNumber = m.businessNumber
        businessName = m.businessName
        email = m.email
        phone = m.phone
        status = AccountStatus(rawValue: m.status) ?? .disabled
        locale = m.locale
        self.roles = roles.sorted()
        secondFactorEnrolled = m.totpSecretCipher != nil
        createdAt = m.createdAt
    }
}

/// Input for a new account, from registration, the operator console, the CLI or the demo seed.
public struct NewAccount: Sendable {
    public var username: String
    public var password: String
    public var displayName: String
    public var kind: AccountKind
    public var agencyCode: String?
    public var nationalID: String?
    public var businessNumber: String?
    public var businessName: String?
    public var email: String?
    public var phone: String?
    public var extraRoles: [String]
    public var locale: String
    /// For demo accounts only: a fixed TOTP secret so the README can list it.
    public var fixedTOTPSecret: Data?

    public init(username: String, password: String, displayName: String, kind: AccountKind, agencyCode: String? = nil,
                nationalID: String? = nil, businessNumber: String? = nil, businessName: String? = nil, email: String? = nil,
                phone: String? = nil, extraRoles: [String] = [], locale: String = "en", fixedTOTPSecret: Data? = nil) {
        self.username = username
        self.password = password
        self.displayName = displayName
        self.kind = kind
        self.agencyCode = agencyCode
        self.nationalID = nationalID
        self.businessNumber = businessNumber
        self.businessName = businessName
        self.email = email
        self.phone = phone
        self.extraRoles = extraRoles
        self.locale = locale
        self.fixedTOTPSecret = fixedTOTPSecret
    }
}

public struct CreatedAccount: Sendable {
    public let account: AccountSummary
    /// Present for officials and operators: show it once so the user can enrol an authenticator.
    public let totpSecret: Data?
    public let totpURI: String?
}

public struct NewAgency: Sendable {
    public var code: String
    public var nameEN: String
    public var nameKO: String
    public var kind: AgencyKind
    public var parentCode: String?

    public init(code: String, nameEN: String, nameKO: String, kind: AgencyKind, parentCode: String?) {
        self.code = code
        self.nameEN = nameEN
        self.nameKO = nameKO
        self.kind = kind
        self.parentCode = parentCode
    }
}

/// A signed-in browser session, as middleware and pages see it.
public struct SessionInfo: Sendable {
    public let id: UUID
    public let account: AccountSummary
    public let secondFactorVerified: Bool
    public let createdAt: Date
    public let expiresAt: Date
    /// Whether the session is only waiting for the second factor.
    public var awaitingSecondFactor: Bool { account.kind.requiresSecondFactor && !secondFactorVerified }
}

public enum LoginOutcome: Sendable {
    /// Signed in; the session token goes into the cookie.
    case signedIn(token: String, session: SessionInfo)
    /// Password accepted; the session waits for the second factor.
    case needsSecondFactor(token: String, session: SessionInfo)
}

public struct IssuedToken: Sendable, Codable {
    public let accessToken: String
    public let tokenType: String
    public let expiresIn: Int
    public let scope: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case scope
    }
}

public struct AgencySystemCredentials: Sendable {
    public let id: UUID
    public let clientID: String
    public let clientSecret: String
}
