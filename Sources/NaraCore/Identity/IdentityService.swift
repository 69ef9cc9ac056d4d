import FluentKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// Accounts, agencies, sign-in, sessions and API tokens.
public final class IdentityService: Sendable {
    public struct Policy: Sendable {
        public var maxFailures = 5
        public var failureWindow: TimeInterval = 15 * 60
        public var coolingOff: TimeInterval = 15 * 60
        public var sessionIdle: TimeInterval
        public var sessionAbsolute: TimeInterval
        public var tokenLifetime: TimeInterval = 3600
        public var maxSecondFactorFailures = 5
    }

    public let policy: Policy
    private let clock: any NaraClock
    private let hasher: PasswordHasher
    let nationalIDCipher: FieldCipher
    private let totpCipher: FieldCipher
    private let pki: PKIService
    private let audit: AuditChain
    private let roles: [String: RoleDefinition]
    /// Every permission the platform and its modules define.
    public let knownPermissions: Set<Permission>
    private let logger: Logger
    /// A real bcrypt hash to verify against when the user does not exist, so timing does not tell.
    private let decoyHash: String
    /// Bearer token → actor, kept for `bearerCacheSeconds` so that API calls do not repeat the
    /// token, account and role queries. Cleared in this process whenever a token, account, role or
    /// system changes; another node sharing a PostgreSQL database sees such a change within
    /// `bearerCacheSeconds`.
    private let bearerCache = NIOLockedValueBox<[String: (actor: Actor, until: Date)]>([:])
    public static let bearerCacheSeconds: TimeInterval = 5

    /// Forgets every cached bearer actor (after a change to tokens, accounts, roles or systems).
    public func forgetBearerActors() { bearerCache.withLockedValue { $0.removeAll() } }

    init(policy: Policy, clock: any NaraClock, hasher: PasswordHasher, masterKey: MasterKey, pki: PKIService, audit: AuditChain,
         roles: [RoleDefinition], permissions: [PermissionDescriptor], logger: Logger, decoyHash: String) {
        self.policy = policy
        self.clock = clock
        self.hasher = hasher
        self.nationalIDCipher = FieldCipher(masterKey: masterKey, purpose: "national-id")
        self.totpCipher = FieldCipher(masterKey: masterKey, purpose: "totp-secret")
        self.pki = pki
        self.audit = audit
        self.roles = Dictionary(roles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.knownPermissions = Set(permissions.map(\.permission)).union(roles.flatMap(\.permissions))
        self.logger = logger
        self.decoyHash = decoyHash
    }

    public var roleDefinitions: [RoleDefinition] { roles.values.sorted { $0.name < $1.name } }

    // MARK: Agencies

    public func createAgency(_ input: NewAgency, by actor: AuditActor, on db: any Database) async throws -> AgencySummary {
        var validator = Validator()
        let code = input.code.trimmingCharacters(in: .whitespaces)
        if code.count != 7 || !code.allSatisfy({ $0.isASCII && $0.isNumber }) {
            validator.add("code", "format", "An agency code has 7 digits.")
        }
        validator.require(input.nameEN, "nameEn", maxLength: 120)
        validator.require(input.nameKO, "nameKo", maxLength: 120)
        let parentCode = input.parentCode?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if input.kind == .ministry && parentCode != nil {
            validator.add("parentCode", "not_allowed", "A ministry has no parent agency.")
        }
        if input.kind != .ministry && parentCode == nil {
            validator.add("parentCode", "required", "Choose the parent ministry or agency.")
        }
        try validator.check()
        let agency = try await db.transaction { tx -> AgencySummary in
            if try await AgencyModel.query(on: tx).filter(\.$code == code).first() != nil {
                throw NaraError.validation([FieldError(field: "code", code: "duplicate", message: "An agency with this code exists.")])
            }
            var parentID: UUID?
            if let parentCode {
                guard let parent = try await AgencyModel.query(on: tx).filter(\.$code == parentCode).first() else {
                    throw NaraError.validation([FieldError(field: "parentCode", code: "unknown", message: "No agency has this code.")])
                }
                let parentKind = AgencyKind(rawValue: parent.kind) ?? .agency
                let allowed: Bool = switch input.kind {
                case .ministry: false
                case .agency: parentKind == .ministry
                case .office: parentKind == .ministry || parentKind == .agency
                }
                if !allowed {
                    throw NaraError.validation([FieldError(field: "parentCode", code: "hierarchy",
                                                           message: "A \(input.kind.rawValue) cannot sit under a \(parentKind.rawValue).")])
                }
                parentID = parent.id
            }
            let model = AgencyModel(code: code, nameEN: input.nameEN.trimmingCharacters(in: .whitespaces),
                                    nameKO: input.nameKO.trimmingCharacters(in: .whitespaces), kind: input.kind, parentID: parentID,
                                    createdAt: self.clock.now())
            try await model.create(on: tx)
            try await self.pki.ensureAgencyCertificate(agencyID: model.id!, code: code, nameEN: model.nameEN, on: tx)
            try await self.audit.append(AuditRecord(action: "agency.create", objectType: "agency", objectID: code, detail: model.nameEN), by: actor, on: tx)
            return AgencySummary(model)
        }
        return agency
    }

    public func agencies(on db: any Database) async throws -> [AgencySummary] {
        try await AgencyModel.query(on: db).sort(\.$code).all().map(AgencySummary.init)
    }

    public func agency(id: UUID, on db: any Database) async throws -> AgencySummary? {
        try await AgencyModel.find(id, on: db).map(AgencySummary.init)
    }

    public func agency(code: String, on db: any Database) async throws -> AgencySummary? {
        try await AgencyModel.query(on: db).filter(\.$code == code).first().map(AgencySummary.init)
    }

    // MARK: Accounts

    static func normalisedUsername(_ username: String) -> String {
        username.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func validUsername(_ username: String) -> Bool {
        guard (3...40).contains(username.count), let first = username.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return username.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
    }

    /// Creates an account after validating every field; all problems are reported together.
    public func createAccount(_ input: NewAccount, by actor: AuditActor, on db: any Database) async throws -> CreatedAccount {
        var errors: [FieldError] = []
        let username = Self.normalisedUsername(input.username)
        if !Self.validUsername(username) {
            errors.append(FieldError(field: "username", code: "format", message: "Use 3-40 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit."))
        }
        errors += PasswordHasher.validateNew(input.password, username: username.isEmpty ? nil : username)
        let displayName = input.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if displayName.isEmpty { errors.append(FieldError(field: "displayName", code: "required", message: "This field is required.")) }
        if displayName.count > 100 { errors.append(FieldError(field: "displayName", code: "too_long", message: "Use at most 100 characters.")) }

        var nationalID: NationalID?
        if let text = input.nationalID?.nilIfEmpty {
            do { nationalID = try NationalID(text) } catch { errors += error.fieldErrors }
        } else if input.kind == .citizen {
            errors.append(FieldError(field: "nationalId", code: "required", message: "Citizens register with their resident registration number."))
        }
        var businessNumber: BusinessNumber?
        if let text = input.businessNumber?.nilIfEmpty {
            do { businessNumber = try BusinessNumber(text) } catch { errors += error.fieldErrors }
        } else if input.kind == .business {
            errors.append(FieldError(field: "businessNumber", code: "required", message: "Enter the business registration number."))
        }
        let businessName = input.businessName?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if input.kind == .business && businessName == nil {
            errors.append(FieldError(field: "businessName", code: "required", message: "Enter the registered business name."))
        }
        let email = input.email?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let email, !Self.looksLikeEmail(email) {
            errors.append(FieldError(field: "email", code: "format", message: "Enter an e-mail address such as name@example.kr."))
        }
        let phone = input.phone?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let phone, !(phone.allSatisfy { $0.isNumber || $0 == "-" || $0 == "+" || $0 == " " } && (9...20).contains(phone.count)) {
            errors.append(FieldError(field: "phone", code: "format", message: "Enter a telephone number such as 010-1234-5678."))
        }
        if input.kind == .official && input.agencyCode?.nilIfEmpty == nil {
            errors.append(FieldError(field: "agencyCode", code: "required", message: "An official belongs to an agency."))
        }
        if input.kind != .official && input.agencyCode?.nilIfEmpty != nil {
            errors.append(FieldError(field: "agencyCode", code: "not_allowed", message: "Only officials belong to an agency."))
        }
        var roleNames = [input.kind.rawValue]
        for role in input.extraRoles where !role.isEmpty {
            guard let definition = roles[role] else {
                errors.append(FieldError(field: "roles", code: "unknown", message: "There is no role named \(role)."))
                continue
            }
            if !definition.assignableTo.contains(input.kind) {
                errors.append(FieldError(field: "roles", code: "not_assignable", message: "The role \(role) cannot be given to a \(input.kind.rawValue)."))
            }
            roleNames.append(role)
        }
        let locale = Language(rawValue: input.locale)?.rawValue ?? Language.english.rawValue
        if !errors.isEmpty { throw NaraError.validation(errors) }

        let (nationalIDValue, businessNumberValue, roleNamesValue) = (nationalID, businessNumber, roleNames)
        let passwordHash = try await hasher.hash(input.password)
        let totpSecret: Data? = input.kind.requiresSecondFactor ? (input.fixedTOTPSecret ?? TOTP.generateSecret()) : nil
        let nationalIDHash = nationalIDValue.map { nationalIDCipher.lookupHash($0.digits) }

        let summary: AccountSummary
        do {
            summary = try await db.transaction { tx -> AccountSummary in
                var conflicts: [FieldError] = []
                if try await AccountModel.query(on: tx).filter(\.$username == username).first() != nil {
                    conflicts.append(FieldError(field: "username", code: "taken", message: "This user name is taken."))
                }
                if let nationalIDHash, try await AccountModel.query(on: tx).filter(\.$nationalIDHash == nationalIDHash).first() != nil {
                    conflicts.append(FieldError(field: "nationalId", code: "registered",
                                            message: "This resident registration number cannot be used for a new account. If you already have an account, sign in."))
                }
                var agencyID: UUID?
                if let code = input.agencyCode?.nilIfEmpty {
                    if let agency = try await AgencyModel.query(on: tx).filter(\.$code == code).first() {
                        agencyID = agency.id
                    } else {
                        conflicts.append(FieldError(field: "agencyCode", code: "unknown", message: "No agency has this code."))
                    }
                }
                if !conflicts.isEmpty { throw NaraError.validation(conflicts) }
                let now = self.clock.now()
                let model = AccountModel()
                model.id = UUID()
                model.username = username
                model.displayName = displayName
                model.kind = input.kind.rawValue
                model.$agency.id = agencyID
                if let nationalID = nationalIDValue {
                    model.nationalIDCipher = try self.nationalIDCipher.sealString(nationalID.digits)
                    model.nationalIDHash = nationalIDHash
                    model.nationalIDMasked = nationalID.masked
                }
                model.businessNumber = businessNumberValue?.digits
                model.businessName = businessName
                model.email = email
                model.phone = phone
                model.passwordHash = passwordHash
                model.totpSecretCipher = try totpSecret.map { try self.totpCipher.seal($0).base64EncodedString() }
                model.status = AccountStatus.active.rawValue
                model.locale = locale
                model.createdAt = now
                model.updatedAt = now
                try await model.create(on: tx)
                for role in Set(roleNamesValue) {
                    try await AccountRoleModel(accountID: model.id!, role: role).create(on: tx)
                }
                try await self.audit.append(
                    AuditRecord(action: "account.create", objectType: "account", objectID: model.id!.uuidString.lowercased(),
                                subjectRef: nationalIDValue.map { self.audit.subjectRef(nationalID: $0) } ?? self.audit.subjectRef(accountID: model.id!),
                                detail: "\(input.kind.rawValue) \(username)"),
                    by: actor, on: tx)
                return AccountSummary(model, roles: Array(Set(roleNamesValue)))
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A registration with the same user name or number committed a moment earlier.
            throw NaraError.validation([FieldError(field: "username", code: "taken", message: "This user name or number was registered a moment ago.")])
        }
        let uri = totpSecret.map { TOTP(secret: $0).provisioningURI(account: username, issuer: "Nara") }
        return CreatedAccount(account: summary, totpSecret: totpSecret, totpURI: uri)
    }

    static func looksLikeEmail(_ text: String) -> Bool { EmailAddress.isValid(text) }

    public func account(id: UUID, on db: any Database) async throws -> AccountSummary? {
        guard let model = try await AccountModel.find(id, on: db) else { return nil }
        return AccountSummary(model, roles: try await roleNames(of: id, on: db))
    }

    public func account(username: String, on db: any Database) async throws -> AccountSummary? {
        guard let model = try await AccountModel.query(on: db).filter(\.$username == Self.normalisedUsername(username)).first() else { return nil }
        return AccountSummary(model, roles: try await roleNames(of: model.id!, on: db))
    }

    public func accounts(kind: AccountKind? = nil, agencyID: UUID? = nil, limit: Int = 500, on db: any Database) async throws -> [AccountSummary] {
        var query = AccountModel.query(on: db).sort(\.$username).limit(limit)
        if let kind { query = query.filter(\.$kind == kind.rawValue) }
        if let agencyID { query = query.filter(\.$agency.$id == agencyID) }
        let models = try await query.all()
        let ids = models.compactMap(\.id)
        let roleRows = ids.isEmpty ? [] : try await AccountRoleModel.query(on: db).filter(\.$account.$id ~~ ids).all()
        let byAccount = Dictionary(grouping: roleRows, by: { $0.$account.id })
        return models.map { AccountSummary($0, roles: byAccount[$0.id!]?.map(\.role) ?? []) }
    }

    private func roleNames(of accountID: UUID, on db: any Database) async throws -> [String] {
        try await AccountRoleModel.query(on: db).filter(\.$account.$id == accountID).all().map(\.role)
    }

    /// The full national ID of an account, for an authorised and audited read.
    public func revealNationalID(accountID: UUID, by actor: Actor, purpose: String, requestID: String?, on db: any Database) async throws -> NationalID? {
        try AccessPolicy.require(actor, .personalDataRead, on: .platform)
        var validator = Validator()
        validator.require(purpose, "purpose", maxLength: 300)
        try validator.check()
        guard let model = try await AccountModel.find(accountID, on: db) else { throw NaraError.notFound("The account") }
        guard let cipher = model.nationalIDCipher else { return nil }
        let id = try NationalID(try nationalIDCipher.openString(cipher))
        try await audit.append(AuditRecord(action: "personal_data.read", objectType: "account", objectID: accountID.uuidString.lowercased(),
                                           subjectRef: audit.subjectRef(nationalID: id), purpose: purpose, detail: "national ID"),
                               by: AuditActor(actor, requestID: requestID), on: db)
        return id
    }

    /// The signed-in person's own resident registration number, for a service they apply for
    /// themselves (their own data: not audited as a read of another person's data).
    public func ownNationalID(of actor: Actor, on db: any Database) async throws -> NationalID? {
        guard let accountID = actor.accountID, let model = try await AccountModel.find(accountID, on: db),
              let cipher = model.nationalIDCipher else { return nil }
        return try NationalID(try nationalIDCipher.openString(cipher))
    }

    /// The account of the person with this resident registration number, if they have one.
    public func accountID(nationalID: NationalID, on db: any Database) async throws -> UUID? {
        try await AccountModel.query(on: db).filter(\.$nationalIDHash == nationalIDCipher.lookupHash(nationalID.digits)).first()?.id
    }

    /// Audit references under which entries about this account's person are filed.
    public func subjectRefs(accountID: UUID, on db: any Database) async throws -> [String] {
        guard let model = try await AccountModel.find(accountID, on: db) else { return [] }
        var refs = [audit.subjectRef(accountID: accountID)]
        if let hash = model.nationalIDHash { refs.append(hash) }
        // A business representative also sees what was looked up about their business.
        if let number = model.businessNumber { refs.append(audit.subjectRef(businessNumber: number)) }
        return refs
    }

    /// Adds a role to an account (for example a registrar role to an official).
    public func grantRole(accountID: UUID, role: String, by actor: AuditActor, on db: any Database) async throws {
        guard let definition = roles[role] else {
            throw NaraError.validation([FieldError(field: "role", code: "unknown", message: "There is no role named \(role).")])
        }
        try await db.transaction { tx in
            guard let model = try await AccountModel.find(accountID, on: tx) else { throw NaraError.notFound("The account") }
            guard let kind = AccountKind(rawValue: model.kind), definition.assignableTo.contains(kind) else {
                throw NaraError.validation([FieldError(field: "role", code: "not_assignable", message: "The role \(role) cannot be given to this account.")])
            }
            if try await AccountRoleModel.query(on: tx).filter(\.$account.$id == accountID).filter(\.$role == role).first() != nil { return }
            try await AccountRoleModel(accountID: accountID, role: role).create(on: tx)
            try await self.audit.append(AuditRecord(action: "account.role.grant", objectType: "account", objectID: accountID.uuidString.lowercased(),
                                                    detail: role), by: actor, on: tx)
        }
        forgetBearerActors()
    }

    public func setStatus(accountID: UUID, status: AccountStatus, by actor: AuditActor, on db: any Database) async throws {
        try await db.transaction { tx in
            guard let model = try await AccountModel.find(accountID, on: tx) else { throw NaraError.notFound("The account") }
            model.status = status.rawValue
            model.updatedAt = self.clock.now()
            try await model.save(on: tx)
            if status == .disabled {
                try await SessionModel.query(on: tx).filter(\.$account.$id == accountID).filter(\.$revokedAt == nil)
                    .set(\.$revokedAt, to: self.clock.now()).update()
                try await APITokenModel.query(on: tx).filter(\.$account.$id == accountID).filter(\.$revokedAt == nil)
                    .set(\.$revokedAt, to: self.clock.now()).update()
            }
            try await self.audit.append(AuditRecord(action: "account.status", objectType: "account", objectID: accountID.uuidString.lowercased(),
                                                    detail: status.rawValue), by: actor, on: tx)
        }
        forgetBearerActors()
    }

    // MARK: Permissions

    public func permissions(forRoles roleNames: [String]) -> Set<Permission> {
        roleNames.reduce(into: Set<Permission>()) { $0.formUnion(roles[$1]?.permissions ?? []) }
    }

    public func actor(for account: AccountSummary, secondFactorVerified: Bool, scopes: Set<Permission>? = nil) -> Actor {
        var permissions = permissions(forRoles: account.roles)
        if let scopes { permissions.formIntersection(scopes) }
        return Actor(principal: .account(id: account.id, kind: account.kind), agencyID: account.agencyID,
                     displayName: account.displayName, permissions: permissions, secondFactorVerified: secondFactorVerified)
    }

    // MARK: Sign-in

    /// Verifies a password with throttling: after `maxFailures` failures for the user name or from
    /// the address within the window, every attempt is refused until the cooling-off ends, the
    /// right password included. Failures never say whether the account exists.
    public func login(username: String, password: String, address: String, userAgent: String, requestID: String? = nil,
                      on db: any Database) async throws -> LoginOutcome {
        let key = Self.normalisedUsername(username)
        let attempt = try await beginAttempt(usernameKey: key, address: address, on: db)
        let model = try await AccountModel.query(on: db).filter(\.$username == key).first()
        let passwordOK = try await hasher.verify(password, hash: model?.passwordHash ?? decoyHash)
        guard let model, passwordOK, model.status == AccountStatus.active.rawValue else {
            try await settleAttempt(attempt, succeeded: false, on: db)
            throw NaraError(.unauthorized, code: .invalidCredentials, "The user name or password is not correct.")
        }
        let summary = AccountSummary(model, roles: try await roleNames(of: model.id!, on: db))
        let needsSecondFactor = summary.kind.requiresSecondFactor
        if needsSecondFactor && model.totpSecretCipher == nil {
            try await settleAttempt(attempt, succeeded: false, on: db)
            throw NaraError(.forbidden, code: .secondFactorRequired, "This account has no second factor enrolled; ask an operator to enrol one.")
        }
        try await settleAttempt(attempt, succeeded: true, on: db)
        let (token, session) = try await createSession(account: summary, secondFactorVerified: !needsSecondFactor, address: address,
                                                       userAgent: userAgent, requestID: requestID, on: db)
        return needsSecondFactor ? .needsSecondFactor(token: token, session: session) : .signedIn(token: token, session: session)
    }

    /// Reserves a sign-in attempt before the slow password check: the attempt counts at once (as
    /// pending), so requests sent in parallel cannot all slip under the limit. Throws 429 when the
    /// user name or the address is cooling off.
    func beginAttempt(usernameKey: String, address: String, on db: any Database) async throws -> UUID {
        let attempt = LoginAttemptModel(usernameKey: String(usernameKey.prefix(100)), address: address, at: clock.now(), outcome: "pending")
        try await attempt.create(on: db)
        do {
            try await checkThrottle(usernameKey: usernameKey, address: address, excluding: attempt.id, on: db)
        } catch {
            try await LoginAttemptModel.query(on: db).filter(\.$id == attempt.id!).set(\.$outcome, to: "throttled").update()
            throw error
        }
        return attempt.id!
    }

    /// A failed attempt stays on record for the window; a successful one is removed.
    func settleAttempt(_ id: UUID, succeeded: Bool, on db: any Database) async throws {
        if succeeded {
            try await LoginAttemptModel.query(on: db).filter(\.$id == id).delete()
        } else {
            try await LoginAttemptModel.query(on: db).filter(\.$id == id).set(\.$outcome, to: "failure").update()
        }
    }

    func checkThrottle(usernameKey: String, address: String, excluding own: UUID? = nil, on db: any Database) async throws {
        let now = clock.now()
        let since = now.addingTimeInterval(-policy.failureWindow)
        let counted = ["failure", "pending"]
        func recent(_ query: QueryBuilder<LoginAttemptModel>) async throws -> [LoginAttemptModel] {
            var query = query.filter(\.$outcome ~~ counted).filter(\.$at > since)
            if let own { query = query.filter(\.$id != own) }
            return try await query.sort(\.$at, .descending).limit(policy.maxFailures).all()
        }
        let byUser = try await recent(LoginAttemptModel.query(on: db).filter(\.$usernameKey == usernameKey))
        let byAddress = try await recent(LoginAttemptModel.query(on: db).filter(\.$address == address))
        var lockedUntil: Date?
        for attempts in [byUser, byAddress] where attempts.count >= policy.maxFailures {
            let until = attempts[policy.maxFailures - 1].at.addingTimeInterval(policy.coolingOff)
            if until > now { lockedUntil = max(lockedUntil ?? until, until) }
        }
        if let lockedUntil {
            if own == nil { try await recordAttempt(usernameKey: usernameKey, address: address, outcome: "throttled", on: db) }
            let seconds = max(1, Int(lockedUntil.timeIntervalSince(now).rounded(.up)))
            throw NaraError(.tooManyRequests(retryAfterSeconds: seconds), code: .tooManyRequests,
                            "Too many failed sign-in attempts. Try again in \(max(1, seconds / 60)) minutes.")
        }
    }

    func recordAttempt(usernameKey: String, address: String, outcome: String, on db: any Database) async throws {
        try await LoginAttemptModel(usernameKey: String(usernameKey.prefix(100)), address: address, at: clock.now(), outcome: outcome).create(on: db)
    }

    /// Checks a one-time code and consumes its time step in one conditional update, so that a
    /// code works once even when two requests present it at the same moment.
    private func consumeTOTP(account model: AccountModel, code: String, on db: any Database) async throws -> Bool {
        guard let sealed = model.totpSecretCipher, let data = Data(base64Encoded: sealed) else { return false }
        let totp = TOTP(secret: try totpCipher.open(data))
        guard let step = totp.matchingStep(code, at: clock.now()) else { return false }
        let sql = db as! any SQLDatabase
        let consumed = try await sql.raw("""
            UPDATE accounts SET totp_last_step = \(bind: Int64(step))
            WHERE id = \(bind: model.id!) AND (totp_last_step IS NULL OR totp_last_step < \(bind: Int64(step)))
            RETURNING id
            """).all()
        return !consumed.isEmpty
    }

    /// Completes a sign-in waiting for the second factor and issues a new session token (the
    /// token from the password step is retired). Too many wrong codes end the sign-in.
    public func verifySecondFactor(sessionID: UUID, code: String, address: String, requestID: String? = nil,
                                   on db: any Database) async throws -> (token: String, session: SessionInfo) {
        guard let session = try await SessionModel.find(sessionID, on: db), session.revokedAt == nil, clock.now() < session.expiresAt,
              let model = try await AccountModel.find(session.$account.id, on: db)
        else { throw NaraError(.unauthorized, code: .unauthenticated, "Your sign-in has expired; sign in again.") }
        let attempt = try await beginAttempt(usernameKey: model.username, address: address, on: db)
        guard try await consumeTOTP(account: model, code: code, on: db) else {
            try await settleAttempt(attempt, succeeded: false, on: db)
            let sql = db as! any SQLDatabase
            let failures = try await sql.raw("""
                UPDATE sessions SET second_factor_failures = second_factor_failures + 1 WHERE id = \(bind: sessionID) RETURNING second_factor_failures
                """).first()?.decode(column: "second_factor_failures", as: Int.self) ?? policy.maxSecondFactorFailures
            if failures >= policy.maxSecondFactorFailures {
                try await SessionModel.query(on: db).filter(\.$id == sessionID).set(\.$revokedAt, to: clock.now()).update()
                throw NaraError(.unauthorized, code: .unauthenticated, "Too many wrong codes; sign in again.")
            }
            throw NaraError.validation([FieldError(field: "code", code: "invalid", message: "The code is not correct or has already been used.")])
        }
        try await settleAttempt(attempt, succeeded: true, on: db)
        let now = clock.now()
        let token = SecretToken.generate()
        try await db.transaction { tx in
            try await SessionModel.query(on: tx).filter(\.$id == sessionID)
                .set(\.$secondFactorAt, to: now).set(\.$lastSeenAt, to: now).set(\.$tokenHash, to: SecretToken.storageHash(token)).update()
            try await self.audit.append(AuditRecord(action: "session.second_factor", objectType: "session", objectID: sessionID.uuidString.lowercased()),
                                        by: AuditActor(name: "\(model.kind):\(model.id!.uuidString.lowercased())", agencyID: model.$agency.id, requestID: requestID), on: tx)
        }
        let summary = AccountSummary(model, roles: try await roleNames(of: model.id!, on: db))
        return (token, SessionInfo(id: sessionID, account: summary, secondFactorVerified: true, createdAt: session.createdAt, expiresAt: session.expiresAt))
    }

    // MARK: Sessions

    func createSession(account: AccountSummary, secondFactorVerified: Bool, address: String, userAgent: String, requestID: String?,
                       on db: any Database) async throws -> (String, SessionInfo) {
        let token = SecretToken.generate()
        let now = clock.now()
        let model = SessionModel()
        model.id = UUID()
        model.tokenHash = SecretToken.storageHash(token)
        model.$account.id = account.id
        model.createdAt = now
        model.lastSeenAt = now
        model.expiresAt = now.addingTimeInterval(policy.sessionAbsolute)
        model.secondFactorAt = secondFactorVerified ? now : nil
        model.secondFactorFailures = 0
        model.address = String(address.prefix(64))
        model.userAgent = String(userAgent.prefix(200))
        try await db.transaction { tx in
            try await model.create(on: tx)
            try await self.audit.append(AuditRecord(action: "session.create", objectType: "session", objectID: model.id!.uuidString.lowercased(),
                                                    detail: secondFactorVerified ? "signed in" : "password verified"),
                                        by: AuditActor(name: "\(account.kind.rawValue):\(account.id.uuidString.lowercased())", agencyID: account.agencyID, requestID: requestID), on: tx)
        }
        return (token, SessionInfo(id: model.id!, account: account, secondFactorVerified: secondFactorVerified, createdAt: now, expiresAt: model.expiresAt))
    }

    /// The live session for a cookie token, or nil when unknown, revoked, idle too long or past its absolute expiry.
    public func session(token: String, on db: any Database) async throws -> SessionInfo? {
        // One query for the session and its account: this runs on every signed-in page.
        guard !token.isEmpty, token.count < 200,
              let model = try await SessionModel.query(on: db)
                .join(AccountModel.self, on: \SessionModel.$account.$id == \AccountModel.$id)
                .filter(\.$tokenHash == SecretToken.storageHash(token)).first(),
              model.revokedAt == nil
        else { return nil }
        let now = clock.now()
        if now >= model.expiresAt || now.timeIntervalSince(model.lastSeenAt) >= policy.sessionIdle { return nil }
        let account = try model.joined(AccountModel.self)
        guard account.status == AccountStatus.active.rawValue else { return nil }
        if now.timeIntervalSince(model.lastSeenAt) > 60 {
            // Coarse touch: one write a minute per session keeps idle expiry honest without a write per request.
            try await SessionModel.query(on: db).filter(\.$id == model.id!).set(\.$lastSeenAt, to: now).update()
        }
        let summary = AccountSummary(account, roles: try await roleNames(of: account.id!, on: db))
        return SessionInfo(id: model.id!, account: summary, secondFactorVerified: model.secondFactorAt != nil,
                           createdAt: model.createdAt, expiresAt: model.expiresAt)
    }

    public func revokeSession(id: UUID, by actor: AuditActor, on db: any Database) async throws {
        try await db.transaction { tx in
            guard let model = try await SessionModel.find(id, on: tx), model.revokedAt == nil else { return }
            model.revokedAt = self.clock.now()
            try await model.save(on: tx)
            try await self.audit.append(AuditRecord(action: "session.revoke", objectType: "session", objectID: id.uuidString.lowercased()), by: actor, on: tx)
        }
    }

    // MARK: API tokens

    private func parseScopes(_ scope: String?, allowed: Set<Permission>) throws -> Set<Permission> {
        guard let scope = scope?.trimmingCharacters(in: .whitespaces).nilIfEmpty else { return allowed }
        let requested = Set(scope.split(separator: " ").map { Permission(rawValue: String($0)) })
        let unknown = requested.subtracting(allowed)
        if !unknown.isEmpty {
            throw NaraError.validation([FieldError(field: "scope", code: "not_granted",
                                                   message: "These scopes are not available to you: \(unknown.sorted().map(\.rawValue).joined(separator: " ")).")])
        }
        return requested
    }

    /// Password grant for an account (officials and operators also give a current TOTP code).
    public func issueToken(username: String, password: String, totp: String?, scope: String?, address: String, requestID: String? = nil,
                           on db: any Database) async throws -> IssuedToken {
        let key = Self.normalisedUsername(username)
        let attempt = try await beginAttempt(usernameKey: key, address: address, on: db)
        let model = try await AccountModel.query(on: db).filter(\.$username == key).first()
        let passwordOK = try await hasher.verify(password, hash: model?.passwordHash ?? decoyHash)
        guard let model, passwordOK, model.status == AccountStatus.active.rawValue else {
            try await settleAttempt(attempt, succeeded: false, on: db)
            throw NaraError(.unauthorized, code: .invalidCredentials, "The user name or password is not correct.")
        }
        let summary = AccountSummary(model, roles: try await roleNames(of: model.id!, on: db))
        if summary.kind.requiresSecondFactor {
            guard let code = totp?.nilIfEmpty else {
                try await settleAttempt(attempt, succeeded: true, on: db)
                throw NaraError(.unauthorized, code: .secondFactorRequired, "This account needs a current one-time code in the totp field.")
            }
            guard try await consumeTOTP(account: model, code: code, on: db) else {
                try await settleAttempt(attempt, succeeded: false, on: db)
                throw NaraError(.unauthorized, code: .invalidCredentials, "The one-time code is not correct or has already been used.")
            }
        }
        try await settleAttempt(attempt, succeeded: true, on: db)
        let scopes = try parseScopes(scope, allowed: permissions(forRoles: summary.roles))
        return try await storeToken(accountID: summary.id, systemID: nil, scopes: scopes,
                                    actor: AuditActor(name: "\(summary.kind.rawValue):\(summary.id.uuidString.lowercased())", agencyID: summary.agencyID, requestID: requestID), on: db)
    }

    /// Client-credentials grant for an agency system.
    public func issueToken(clientID: String, clientSecret: String, scope: String?, address: String, requestID: String? = nil,
                           on db: any Database) async throws -> IssuedToken {
        let key = "client:" + clientID.prefix(80)
        try await checkThrottle(usernameKey: key, address: address, on: db)
        guard let system = try await AgencySystemModel.query(on: db).filter(\.$clientID == clientID).first(), system.revokedAt == nil,
              constantTimeEquals(system.secretHash, SecretToken.storageHash(clientSecret))
        else {
            try await recordAttempt(usernameKey: key, address: address, outcome: "failure", on: db)
            throw NaraError(.unauthorized, code: .invalidCredentials, "The client credentials are not correct.")
        }
        let granted = Set(system.permissions.split(separator: " ").map { Permission(rawValue: String($0)) })
        let scopes = try parseScopes(scope, allowed: granted)
        return try await storeToken(accountID: nil, systemID: system.id, scopes: scopes,
                                    actor: AuditActor(name: "system:\(system.id!.uuidString.lowercased())", agencyID: system.$agency.id, requestID: requestID), on: db)
    }

    private func storeToken(accountID: UUID?, systemID: UUID?, scopes: Set<Permission>, actor: AuditActor, on db: any Database) async throws -> IssuedToken {
        let token = SecretToken.generate(prefix: "nara_at_")
        let now = clock.now()
        let model = APITokenModel()
        model.id = UUID()
        model.tokenHash = SecretToken.storageHash(token)
        model.$account.id = accountID
        model.$system.id = systemID
        model.scopes = scopes.sorted().map(\.rawValue).joined(separator: " ")
        model.createdAt = now
        model.expiresAt = now.addingTimeInterval(policy.tokenLifetime)
        try await db.transaction { tx in
            try await model.create(on: tx)
            try await self.audit.append(AuditRecord(action: "token.issue", objectType: "api_token", objectID: model.id!.uuidString.lowercased(),
                                                    detail: model.scopes), by: actor, on: tx)
        }
        return IssuedToken(accessToken: token, tokenType: "Bearer", expiresIn: Int(policy.tokenLifetime), scope: model.scopes)
    }

    /// The actor behind a bearer token, or nil when the token is unknown, expired or revoked.
    public func actor(bearer token: String, on db: any Database) async throws -> Actor? {
        guard token.hasPrefix("nara_at_"), token.count < 200 else { return nil }
        let hash = SecretToken.storageHash(token)
        let now = clock.now()
        if let cached = bearerCache.withLockedValue({ $0[hash] }), now < cached.until { return cached.actor }
        guard let actor = try await resolveBearer(hash: hash, now: now, on: db) else { return nil }
        return actor.actor
    }

    private func resolveBearer(hash: String, now: Date, on db: any Database) async throws -> (actor: Actor, until: Date)? {
        guard let model = try await APITokenModel.query(on: db).filter(\.$tokenHash == hash).first(),
              model.revokedAt == nil, now < model.expiresAt
        else { return nil }
        let until = min(now.addingTimeInterval(Self.bearerCacheSeconds), model.expiresAt)
        guard let actor = try await bearerActor(model, on: db) else { return nil }
        bearerCache.withLockedValue {
            if $0.count > 10_000 { $0.removeAll() }
            $0[hash] = (actor, until)
        }
        return (actor, until)
    }

    private func bearerActor(_ model: APITokenModel, on db: any Database) async throws -> Actor? {
        let scopes = Set(model.scopes.split(separator: " ").map { Permission(rawValue: String($0)) })
        if let accountID = model.$account.id {
            guard let account = try await self.account(id: accountID, on: db), account.status == .active else { return nil }
            return actor(for: account, secondFactorVerified: true, scopes: scopes)
        }
        if let systemID = model.$system.id, let system = try await AgencySystemModel.find(systemID, on: db), system.revokedAt == nil {
            let granted = Set(system.permissions.split(separator: " ").map { Permission(rawValue: String($0)) })
            return Actor(principal: .system(id: systemID), agencyID: system.$agency.id, displayName: system.name,
                         permissions: granted.intersection(scopes), secondFactorVerified: true)
        }
        return nil
    }

    /// Revokes a token (RFC 7009 semantics: unknown tokens are not an error).
    public func revokeToken(_ token: String, by actor: AuditActor, on db: any Database) async throws {
        guard let model = try await APITokenModel.query(on: db).filter(\.$tokenHash == SecretToken.storageHash(token)).first(), model.revokedAt == nil else { return }
        try await db.transaction { tx in
            model.revokedAt = self.clock.now()
            try await model.save(on: tx)
            try await self.audit.append(AuditRecord(action: "token.revoke", objectType: "api_token", objectID: model.id!.uuidString.lowercased()), by: actor, on: tx)
        }
        forgetBearerActors()
    }

    /// Registers an agency system and returns its credentials (the secret is shown once).
    public func createAgencySystem(agencyCode: String, name: String, permissions: [Permission], fixedSecret: String? = nil,
                                   by actor: AuditActor, on db: any Database) async throws -> AgencySystemCredentials {
        guard let agency = try await AgencyModel.query(on: db).filter(\.$code == agencyCode).first() else {
            throw NaraError.validation([FieldError(field: "agencyCode", code: "unknown", message: "No agency has this code.")])
        }
        let unknown = permissions.filter { !knownPermissions.contains($0) }
        if !unknown.isEmpty {
            throw NaraError.validation([FieldError(field: "permissions", code: "unknown", message: "Unknown permissions: \(unknown.map(\.rawValue).joined(separator: " "))")])
        }
        let secret = fixedSecret ?? SecretToken.generate(prefix: "nara_cs_")
        let model = AgencySystemModel()
        model.id = UUID()
        model.$agency.id = agency.id!
        model.name = name
        model.clientID = "sys-\(agency.code)-" + Data.random(count: 6).hexString
        model.secretHash = SecretToken.storageHash(secret)
        model.permissions = permissions.map(\.rawValue).sorted().joined(separator: " ")
        model.createdAt = clock.now()
        try await db.transaction { tx in
            try await model.create(on: tx)
            try await self.audit.append(AuditRecord(action: "agency_system.create", objectType: "agency_system", objectID: model.clientID, detail: name), by: actor, on: tx)
        }
        return AgencySystemCredentials(id: model.id!, clientID: model.clientID, clientSecret: secret)
    }
}

extension String {
    var nilIfEmpty: String? {
        let trimmed = trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension IdentityService {
    /// Drops sign-in attempts older than a day and sessions that expired a week ago.
    public func purgeExpired(on db: any Database) async throws {
        let now = clock.now()
        try await LoginAttemptModel.query(on: db).filter(\.$at < now.addingTimeInterval(-86400)).delete()
        try await SessionModel.query(on: db).filter(\.$expiresAt < now.addingTimeInterval(-7 * 86400)).delete()
    }
}

// MARK: Self-registration, agency systems, second-factor enrolment

public struct AgencySystemSummary: Sendable, Codable, Equatable {
    public let id: UUID
    public let agencyID: UUID
    public let name: String
    public let clientID: String
    public let permissions: [String]
    public let createdAt: Date
    public let revokedAt: Date?
}

extension IdentityService {
    /// Registration from the public form. A resident registration number that already has an
    /// account is refused like any invalid field, but such attempts are throttled per address and
    /// the holder of the existing account is told, so the form cannot be used to probe who is
    /// registered.
    public func register(_ input: NewAccount, address: String, notifications: NotificationService, on db: any Database) async throws -> CreatedAccount {
        let probeKey = "register:" + address
        try await checkThrottle(usernameKey: probeKey, address: probeKey, on: db)
        do {
            return try await createAccount(input, by: AuditActor(name: "anonymous", agencyID: nil, requestID: nil), on: db)
        } catch let error as NaraError where error.fieldErrors.contains(where: { $0.code == "registered" }) {
            try await recordAttempt(usernameKey: probeKey, address: probeKey, outcome: "failure", on: db)
            if let text = input.nationalID, let id = try? NationalID(text),
               let holder = try await AccountModel.query(on: db).filter(\.$nationalIDHash == nationalIDCipher.lookupHash(id.digits)).first() {
                try await notifications.notify(accountID: holder.id!, module: "platform", title: "Someone tried to register with your number",
                                               body: "A new Nara account was requested with your resident registration number and refused. If this was not you, tell the help desk.",
                                               link: "/my/access-log", on: db)
            }
            throw error
        }
    }

    public func agencySystems(on db: any Database) async throws -> [AgencySystemSummary] {
        try await AgencySystemModel.query(on: db).sort(\.$createdAt).all().map {
            AgencySystemSummary(id: $0.id!, agencyID: $0.$agency.id, name: $0.name, clientID: $0.clientID,
                                permissions: $0.permissions.split(separator: " ").map(String.init), createdAt: $0.createdAt, revokedAt: $0.revokedAt)
        }
    }

    /// Revokes an agency system and every token it holds.
    public func revokeAgencySystem(id: UUID, by actor: AuditActor, on db: any Database) async throws {
        try await db.transaction { tx in
            guard let system = try await AgencySystemModel.find(id, on: tx) else { throw NaraError.notFound("The agency system") }
            guard system.revokedAt == nil else { return }
            let now = self.clock.now()
            system.revokedAt = now
            try await system.save(on: tx)
            try await APITokenModel.query(on: tx).filter(\.$system.$id == id).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            try await self.audit.append(AuditRecord(action: "agency_system.revoke", objectType: "agency_system", objectID: system.clientID), by: actor, on: tx)
        }
        forgetBearerActors()
    }

    /// Gives an official or operator a new TOTP secret (lost phone, first enrolment). The old one
    /// stops working at once; the new one is returned to be shown once.
    public func resetSecondFactor(accountID: UUID, by actor: AuditActor, on db: any Database) async throws -> (secret: Data, uri: String) {
        let secret = TOTP.generateSecret()
        let username = try await db.transaction { tx -> String in
            guard let model = try await AccountModel.find(accountID, on: tx) else { throw NaraError.notFound("The account") }
            guard AccountKind(rawValue: model.kind)?.requiresSecondFactor == true else {
                throw NaraError.conflict("Only officials and operators use a second factor.")
            }
            model.totpSecretCipher = try self.totpCipher.seal(secret).base64EncodedString()
            model.totpLastStep = nil
            model.updatedAt = self.clock.now()
            try await model.save(on: tx)
            try await self.audit.append(AuditRecord(action: "account.second_factor.reset", objectType: "account", objectID: accountID.uuidString.lowercased()),
                                        by: actor, on: tx)
            return model.username
        }
        return (secret, TOTP(secret: secret).provisioningURI(account: username, issuer: "Nara"))
    }
}
