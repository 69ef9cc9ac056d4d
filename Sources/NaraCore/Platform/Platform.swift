import FluentKit
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The running platform: configuration, storage and every shared service. Built once at start-up
/// (`Platform.start`) and handed to the HTTP layer and to modules.
public final class Platform: Sendable {
    public let configuration: NaraConfiguration
    public let database: NaraDatabase
    public let clock: any NaraClock
    public let logger: Logger
    public let masterKey: MasterKey
    public let masterKeySource: String
    public let pki: PKIService
    public let audit: AuditChain
    public let identity: IdentityService
    public let calendar: CalendarService
    public let notifications: NotificationService
    public let payments: PaymentService
    public let files: FileService
    public let sequences: SequenceService
    /// Issues signed PDF certificates and answers their public verification.
    public let documents: DocumentService
    public let contracts: ContractRegistry
    /// Encrypts resident registration numbers and makes their look-up hash; shared by accounts,
    /// registries and the audit chain, so one person has one reference everywhere.
    public let nationalIDCipher: FieldCipher
    public let modules: [any PlatformModule]
    public let migrations: [any Migration]
    private let demoReport = NIOLockedValueBox<DemoSeedReport?>(nil)

    public var db: any Database { database.db }

    /// What the demo seed created on this start, if it ran (for the start-up banner).
    public var seededDemo: DemoSeedReport? { demoReport.withLockedValue { $0 } }

    public enum MigrationMode: Sendable {
        /// Apply pending migrations (serve, migrate).
        case apply
        /// Refuse to start when migrations are pending (tools that must not change the schema).
        case requireCurrent
    }

    private init(configuration: NaraConfiguration, database: NaraDatabase, clock: any NaraClock, logger: Logger, masterKey: MasterKey,
                 masterKeySource: String, modules: [any PlatformModule], sender: any MessageSender, decoyHash: String) {
        self.configuration = configuration
        self.database = database
        self.clock = clock
        self.logger = logger
        self.masterKey = masterKey
        self.masterKeySource = masterKeySource
        self.modules = modules
        self.pki = PKIService(masterKey: masterKey, clock: clock)
        self.audit = AuditChain(clock: clock, pki: pki, subjectCipher: FieldCipher(masterKey: masterKey, purpose: "national-id"),
                                checkpointInterval: configuration.auditCheckpointInterval)
        var roles = RoleDefinition.platformRoles
        for module in modules { roles += module.roles }
        self.identity = IdentityService(
            policy: .init(sessionIdle: TimeInterval(configuration.sessionIdleMinutes * 60),
                          sessionAbsolute: TimeInterval(configuration.sessionAbsoluteHours * 3600)),
            clock: clock, hasher: PasswordHasher(cost: configuration.bcryptCost), masterKey: masterKey, pki: pki, audit: audit,
            roles: roles, permissions: Permission.platformPermissions + modules.flatMap { $0.permissions }, logger: logger, decoyHash: decoyHash)
        self.calendar = CalendarService(timeZone: configuration.timeZone, clock: clock)
        self.notifications = NotificationService(clock: clock, sender: sender, logger: logger, audit: audit)
        self.payments = PaymentService(clock: clock, audit: audit)
        self.files = FileService(maxBytes: configuration.maxUploadBytes, clock: clock, audit: audit)
        self.sequences = SequenceService()
        self.documents = DocumentService(masterKey: masterKey, pki: pki, audit: audit, clock: clock,
                                         baseURL: configuration.effectiveBaseURL, timeZone: configuration.timeZone)
        self.contracts = ContractRegistry()
        self.nationalIDCipher = FieldCipher(masterKey: masterKey, purpose: "national-id")
        self.migrations = PlatformMigrations.all + modules.flatMap { $0.migrations }
    }

    /// Opens storage, applies migrations, checks the master key, creates the PKI on first start
    /// and seeds demo data into an empty database when configured to.
    public static func start(
        configuration: NaraConfiguration,
        modules: [any PlatformModule],
        clock: any NaraClock = SystemClock(),
        logger: Logger,
        migrationMode: MigrationMode = .apply,
        seedDemo: Bool? = nil,
        sender: (any MessageSender)? = nil
    ) async throws -> Platform {
        // The data directory holds the SQLite file and, without NARA_MASTER_KEY, the key file.
        if !configuration.usesPostgres || configuration.masterKey == nil {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let (masterKey, source) = try MasterKey.load(configured: configuration.masterKey, dataDirectory: configuration.dataDirectory)
        let database = try await NaraDatabase.open(configuration, logger: logger)
        do {
            let deliverer: any MessageSender
            if let sender {
                deliverer = sender
            } else if let url = configuration.smtpURL {
                deliverer = SMTPSender(settings: try SMTPSettings(url: url), fallback: LogMessageSender(logger: logger))
            } else {
                deliverer = LogMessageSender(logger: logger)
            }
            // Unknown user names are checked against this hash so that timing does not reveal them.
            let decoyHash = try await PasswordHasher(cost: configuration.bcryptCost).hash(SecretToken.generate())
            let platform = Platform(configuration: configuration, database: database, clock: clock, logger: logger, masterKey: masterKey,
                                    masterKeySource: source, modules: modules, sender: deliverer, decoyHash: decoyHash)
            let wasEmpty = try await platform.prepareStorage(migrationMode: migrationMode)
            for module in modules { module.registerContracts(in: platform.contracts, platform: platform) }
            let shouldSeed = seedDemo ?? configuration.seedsDemoIntoEmptyDatabase
            if shouldSeed && wasEmpty {
                let report = try await DemoSeed.run(platform: platform)
                platform.demoReport.withLockedValue { $0 = report }
            }
            return platform
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// Returns whether the database holds no data at all: no tables before this start, or only
    /// Nara's own tables with no agency and no account in them.
    private func prepareStorage(migrationMode: MigrationMode) async throws -> Bool {
        let tablesBefore = try await database.tableNames()
        let foreignData = !tablesBefore.isEmpty && !tablesBefore.contains("_fluent_migrations")
        switch migrationMode {
        case .apply:
            let applied = try await database.migrate(migrations)
            if !applied.isEmpty { logger.notice("applied migrations", metadata: ["count": .stringConvertible(applied.count)]) }
        case .requireCurrent:
            let pending = try await database.pendingMigrations(migrations)
            if !pending.isEmpty {
                throw NaraError(.unavailable, code: .unavailable, "the database needs \(pending.count) migrations; run `nara migrate` first")
            }
        }
        try await checkMasterKey()
        try await pki.ensurePlatformKeys(on: db)
        if foreignData {
            logger.notice("the database held other tables before Nara's: no demo data will be seeded")
            return false
        }
        return try await !database.holdsPlatformData()
    }

    /// Stores the key check value on first start; afterwards refuses a different master key,
    /// which could not decrypt anything already stored.
    private func checkMasterKey() async throws {
        if let stored = try await PlatformSettingModel.find("master_key_check", on: db) {
            guard stored.value == masterKey.checkValue else {
                throw NaraError(.unavailable, code: .unavailable,
                                "the master key (\(masterKeySource)) is not the key this database was created with; set NARA_MASTER_KEY or restore master.key")
            }
        } else {
            try await PlatformSettingModel(key: "master_key_check", value: masterKey.checkValue).create(on: db)
        }
    }

    /// Readiness: storage answers and no migration is pending; each module's checks pass.
    public func readiness() async -> [(name: String, ok: Bool, detail: String)] {
        var results: [(String, Bool, String)] = []
        do {
            let pending = try await database.pendingMigrations(migrations)
            results.append(("storage", pending.isEmpty, pending.isEmpty ? "migrations current" : "\(pending.count) migrations pending"))
        } catch {
            results.append(("storage", false, "unreachable"))
        }
        if database.isSQLite {
            if let settings = try? await database.sqliteSettings() {
                let ok = settings.journalMode.lowercased() == "wal" && settings.synchronous == 2 && settings.foreignKeys == 1
                results.append(("sqlite_durability", ok, "journal_mode=\(settings.journalMode) synchronous=\(settings.synchronous) foreign_keys=\(settings.foreignKeys)"))
            }
        }
        for module in modules {
            for check in module.healthChecks {
                do {
                    try await check.run(self)
                    results.append(("\(module.id).\(check.name)", true, "ok"))
                } catch {
                    results.append(("\(module.id).\(check.name)", false, "\(error)"))
                }
            }
        }
        return results
    }

    /// Closes storage. The server signs a final audit checkpoint first; tools do not, so that
    /// `nara audit verify` never signs a head it has not vouched for.
    public func shutdown(signCheckpoint: Bool = false) async {
        if signCheckpoint {
            do {
                if let seq = try await audit.checkpoint(on: db) {
                    logger.info("audit checkpoint signed at shutdown", metadata: ["seq": .stringConvertible(seq)])
                }
            } catch {
                logger.error("could not sign the shutdown audit checkpoint: \(error)")
            }
        }
        await database.shutdown()
    }

    public var menu: [MenuEntry] { modules.flatMap { $0.menu } }

    public func menu(for audience: Set<MenuAudience>) -> [MenuEntry] { menu.filter { audience.contains($0.audience) } }
}

public struct PlatformStatistics: Sendable {
    public let agencies: Int
    public let accounts: Int
    public let activeSessions: Int
    public let auditEntries: Int64
    public let pendingOutbox: Int
}

extension Platform {
    /// Counts for the operator console.
    public func statistics() async throws -> PlatformStatistics {
        let now = clock.now()
        return PlatformStatistics(
            agencies: try await AgencyModel.query(on: db).count(),
            accounts: try await AccountModel.query(on: db).count(),
            activeSessions: try await SessionModel.query(on: db).filter(\.$revokedAt == nil).filter(\.$expiresAt > now).count(),
            auditEntries: try await AuditHeadModel.find(1, on: db)?.lastSeq ?? 0,
            pendingOutbox: try await OutboxMessageModel.query(on: db).filter(\.$status == OutboxStatus.pending.rawValue).count())
    }
}
