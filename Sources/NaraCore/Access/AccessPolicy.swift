import Foundation

/// A named right to do something. Platform permissions are declared here; each module declares
/// its own as static members in its own file.
public struct Permission: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }

    /// See one's own profile, applications, documents, notifications and payments.
    public static let selfService: Permission = "self.service"
    /// Upload files (attachments to one's own applications).
    public static let filesUpload: Permission = "files.upload"
    /// Work in the agency workspace of one's own agency.
    public static let agencyWorkspace: Permission = "agency.workspace"
    /// Read a person's personal data on behalf of one's agency (always audited, with purpose).
    public static let personalDataRead: Permission = "personal_data.read"
    /// Sign documents with one's agency certificate.
    public static let agencySign: Permission = "agency.sign"
    /// Operator console: agencies and their hierarchy.
    public static let adminAgencies: Permission = "admin.agencies"
    /// Operator console: accounts, roles, locks and API tokens.
    public static let adminAccounts: Permission = "admin.accounts"
    /// Operator console: public holidays and outage windows.
    public static let adminCalendar: Permission = "admin.calendar"
    /// Read the audit chain and run its verification.
    public static let auditRead: Permission = "audit.read"
    /// Report incoming payments (bank systems).
    public static let paymentsReconcile: Permission = "payments.reconcile"

    /// Every platform permission, with what it allows.
    public static let platformPermissions: [PermissionDescriptor] = [
        PermissionDescriptor(.selfService, "See one's own records in My Nara"),
        PermissionDescriptor(.filesUpload, "Upload attachments"),
        PermissionDescriptor(.agencyWorkspace, "Work in one's agency workspace"),
        PermissionDescriptor(.personalDataRead, "Read personal data for one's agency, audited with a purpose"),
        PermissionDescriptor(.agencySign, "Sign with the agency certificate"),
        PermissionDescriptor(.adminAgencies, "Manage agencies"),
        PermissionDescriptor(.adminAccounts, "Manage accounts"),
        PermissionDescriptor(.adminCalendar, "Manage holidays and outage windows"),
        PermissionDescriptor(.auditRead, "Read and verify the audit chain"),
        PermissionDescriptor(.paymentsReconcile, "Report payments received (bank systems)"),
    ]
}

public enum AccountKind: String, Sendable, Codable, CaseIterable {
    case citizen
    case business
    case official
    case `operator`

    /// Officials and operators must pass a second factor before they can act.
    public var requiresSecondFactor: Bool { self == .official || self == .operator }
}

/// A role groups permissions; every account has the role named after its kind, and may hold more.
public struct RoleDefinition: Sendable {
    public let name: String
    public let title: String
    public let permissions: Set<Permission>
    /// Kinds of account that may hold the role.
    public let assignableTo: Set<AccountKind>

    public init(name: String, title: String, permissions: Set<Permission>, assignableTo: Set<AccountKind>) {
        self.name = name
        self.title = title
        self.permissions = permissions
        self.assignableTo = assignableTo
    }

    public static let platformRoles: [RoleDefinition] = [
        RoleDefinition(name: "citizen", title: "Citizen", permissions: [.selfService, .filesUpload], assignableTo: [.citizen]),
        RoleDefinition(name: "business", title: "Business representative", permissions: [.selfService, .filesUpload], assignableTo: [.business]),
        RoleDefinition(name: "official", title: "Official", permissions: [.selfService, .agencyWorkspace, .filesUpload], assignableTo: [.official]),
        RoleDefinition(name: "operator", title: "Platform operator", permissions: [.selfService, .adminAgencies, .adminAccounts, .adminCalendar, .auditRead], assignableTo: [.operator]),
        RoleDefinition(name: "privacy-officer", title: "Personal data handler", permissions: [.personalDataRead], assignableTo: [.official]),
        RoleDefinition(name: "signer", title: "Agency document signer", permissions: [.agencySign], assignableTo: [.official]),
        RoleDefinition(name: "auditor", title: "Auditor", permissions: [.auditRead], assignableTo: [.official, .operator]),
    ]
}

/// Who is acting: an account (through a session or a token) or an agency system (through a token).
public struct Actor: Sendable, Equatable {
    public enum Principal: Sendable, Equatable {
        case account(id: UUID, kind: AccountKind)
        case system(id: UUID)
    }

    public let principal: Principal
    public let agencyID: UUID?
    public let displayName: String
    /// Effective permissions: the roles' permissions, narrowed to the token's scopes if any.
    public let permissions: Set<Permission>
    public let secondFactorVerified: Bool

    public init(principal: Principal, agencyID: UUID?, displayName: String, permissions: Set<Permission>, secondFactorVerified: Bool) {
        self.principal = principal
        self.agencyID = agencyID
        self.displayName = displayName
        self.permissions = permissions
        self.secondFactorVerified = secondFactorVerified
    }

    public var accountID: UUID? {
        if case .account(let id, _) = principal { return id }
        return nil
    }

    public var accountKind: AccountKind? {
        if case .account(_, let kind) = principal { return kind }
        return nil
    }

    /// How the actor is written into the audit chain.
    public var auditName: String {
        switch principal {
        case .account(let id, let kind): return "\(kind.rawValue):\(id.uuidString.lowercased())"
        case .system(let id): return "system:\(id.uuidString.lowercased())"
        }
    }
}

/// What an action touches, as far as the policy needs to know.
public enum Resource: Sendable, Equatable {
    /// The platform itself (catalogues, console functions).
    case platform
    /// A record that belongs to one account (an application, a payment, a document).
    case ownedBy(accountID: UUID)
    /// A record that belongs to an agency (its queue, its certificate, its records).
    case agency(UUID)
    /// A record of a person that an agency handles: the person sees it, and so does the agency.
    case case_(ownerAccountID: UUID?, agencyID: UUID)
}

public enum AccessDecision: Sendable, Equatable {
    case allow
    case deny(reason: String)

    public var isAllowed: Bool { self == .allow }
}

/// The one function that decides every permission check. Deny unless a rule allows.
public enum AccessPolicy {
    public static func decide(_ actor: Actor?, _ permission: Permission, on resource: Resource) -> AccessDecision {
        guard let actor else { return .deny(reason: "not signed in") }
        if let kind = actor.accountKind, kind.requiresSecondFactor, !actor.secondFactorVerified {
            return .deny(reason: "second factor not verified")
        }
        guard actor.permissions.contains(permission) else {
            return .deny(reason: "lacks permission \(permission)")
        }
        switch resource {
        case .platform:
            return .allow
        case .ownedBy(let owner):
            return actor.accountID == owner ? .allow : .deny(reason: "record belongs to another account")
        case .agency(let agency):
            return actor.agencyID == agency ? .allow : .deny(reason: "acts for another agency")
        case .case_(let owner, let agency):
            if let owner, actor.accountID == owner { return .allow }
            let actsForAgency = actor.agencyID == agency && (actor.accountKind == .official || actor.accountKind == nil)
            return actsForAgency ? .allow : .deny(reason: "neither the owner nor the handling agency")
        }
    }

    /// Throws a 403 problem when the policy denies.
    public static func require(_ actor: Actor?, _ permission: Permission, on resource: Resource) throws(NaraError) {
        switch decide(actor, permission, on: resource) {
        case .allow: return
        case .deny(let reason):
            if actor == nil { throw NaraError(.unauthorized, code: .unauthenticated, "Sign in to continue.") }
            _ = reason
            throw NaraError.forbidden()
        }
    }
}
