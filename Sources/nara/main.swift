import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NaraApp
import NaraCore
import NaraHTTP

/// Settings shared by every command; each flag overrides its `NARA_*` environment variable.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("host"), help: "Address to listen on (NARA_HOST).") var host: String?
    @Option(name: .customLong("port"), help: "TCP port (NARA_PORT).") var port: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (NARA_DATA_DIR).") var dataDir: String?
    @Option(name: .customLong("database-url"), help: "postgres:// URL (NARA_DATABASE_URL).") var databaseURL: String?
    @Option(name: .customLong("master-key"), help: "32-byte master key, base64 or hex (NARA_MASTER_KEY).") var masterKey: String?
    @Option(name: .customLong("timezone"), help: "IANA time zone (NARA_TIMEZONE).") var timezone: String?
    @Option(name: .customLong("base-url"), help: "Public address (NARA_BASE_URL).") var baseURL: String?
    @Option(name: .customLong("smtp-url"), help: "smtp:// URL for e-mail (NARA_SMTP_URL).") var smtpURL: String?
    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt cost (NARA_BCRYPT_COST).") var bcryptCost: String?
    @Option(name: .customLong("log-level"), help: "Log level (NARA_LOG_LEVEL).") var logLevel: String?
    @Option(name: .customLong("session-idle-minutes"), help: "NARA_SESSION_IDLE_MINUTES") var sessionIdle: String?
    @Option(name: .customLong("session-absolute-hours"), help: "NARA_SESSION_ABSOLUTE_HOURS") var sessionAbsolute: String?
    @Option(name: .customLong("max-upload-bytes"), help: "NARA_MAX_UPLOAD_BYTES") var maxUpload: String?
    @Option(name: .customLong("audit-checkpoint-interval"), help: "NARA_AUDIT_CHECKPOINT_INTERVAL") var checkpointInterval: String?
    @Option(name: .customLong("demo-seed"), help: "auto or off (NARA_DEMO_SEED).") var demoSeed: String?
    @Option(name: .customLong("trusted-proxies"), help: "NARA_TRUSTED_PROXIES") var trustedProxies: String?
    @Option(name: .customLong("database-pool-size"), help: "NARA_DATABASE_POOL_SIZE") var poolSize: String?
    @Option(name: .customLong("exchange-retention-days"), help: "NARA_EXCHANGE_RETENTION_DAYS") var exchangeRetention: String?
    @Option(name: .customLong("exchange-signing"), help: "on, or off for benchmarks (NARA_EXCHANGE_SIGNING).") var exchangeSigning: String?

    var overrides: [String: String] {
        let pairs: [(String, String?)] = [
            ("NARA_HOST", host), ("NARA_PORT", port), ("NARA_DATA_DIR", dataDir), ("NARA_DATABASE_URL", databaseURL), ("NARA_MASTER_KEY", masterKey),
            ("NARA_TIMEZONE", timezone), ("NARA_BASE_URL", baseURL), ("NARA_SMTP_URL", smtpURL), ("NARA_BCRYPT_COST", bcryptCost),
            ("NARA_LOG_LEVEL", logLevel), ("NARA_SESSION_IDLE_MINUTES", sessionIdle), ("NARA_SESSION_ABSOLUTE_HOURS", sessionAbsolute),
            ("NARA_MAX_UPLOAD_BYTES", maxUpload), ("NARA_AUDIT_CHECKPOINT_INTERVAL", checkpointInterval), ("NARA_DEMO_SEED", demoSeed),
            ("NARA_TRUSTED_PROXIES", trustedProxies), ("NARA_DATABASE_POOL_SIZE", poolSize),
            ("NARA_EXCHANGE_RETENTION_DAYS", exchangeRetention), ("NARA_EXCHANGE_SIGNING", exchangeSigning),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }

    /// The configuration, or exit with a clear message naming the bad setting.
    func configuration() throws -> NaraConfiguration {
        do {
            return try NaraConfiguration.load(environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            throw ValidationError("invalid setting \(error.setting): \(error.message)")
        }
    }

    func logger(_ configuration: NaraConfiguration) -> Logger {
        LoggingBootstrap.once(level: configuration.logLevel)
        return Logger(label: "nara")
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) static var done = false
    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("nara: \(message)\n".utf8))
    exit(1)
}

@main
struct Nara: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nara",
        abstract: "Nara, an open e-Government platform.",
        subcommands: [Serve.self, Migrate.self, Seed.self, UserCommand.self, AuditCommand.self, KeysCommand.self, Backup.self, RegistriesCommand.self, ExchangeCommand.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the portal and the API (the default).")
    @OptionGroup var settings: SettingsOptions

    func run() async throws {
        let configuration = try settings.configuration()
        let logger = settings.logger(configuration)
        let (app, portal): (PortalApplication.App, Portal)
        do {
            (app, portal) = try await buildApplication(configuration, options: ApplicationOptions(logger: logger))
        } catch {
            fail("could not start: \(error)")
        }
        let platform = portal.platform
        var banner = """

        Nara is serving on \(configuration.effectiveBaseURL)
          storage: \(configuration.usesPostgres ? "PostgreSQL" : platform.configuration.sqlitePath)
          master key: \(platform.masterKeySource)

        """
        if let demo = platform.seededDemo {
            banner += """
              Demo government seeded. Every demo account uses the password \(demo.password)
              Officials and operators also need a one-time code: add this secret to an authenticator
              app (TOTP, SHA-1, 6 digits, 30 s): \(demo.totpSecretBase32)

            """
            for login in demo.logins {
                banner += "    \(login.username.padding(toLength: 24, withPad: " ", startingAt: 0)) \(login.description)\n"
            }
            banner += "  Payment gateway system: client_id \(demo.paymentGatewayClientID), client_secret \(demo.paymentGatewaySecret)\n"
        }
        FileHandle.standardOutput.write(Data(banner.utf8))
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var settings: SettingsOptions

    func run() async throws {
        let configuration = try settings.configuration()
        let logger = settings.logger(configuration)
        do {
            let platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false, migrationMode: .apply))
            let pending = try await platform.database.pendingMigrations(platform.migrations)
            print("migrations are current (\(platform.migrations.count) known, \(pending.count) pending)")
            await platform.shutdown()
        } catch {
            fail("migration failed: \(error)")
        }
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed the demo government into an empty database.")
    @OptionGroup var settings: SettingsOptions
    @Flag(name: .customLong("demo"), help: "Seed the demo government.") var demo = false

    func run() async throws {
        guard demo else { throw ValidationError("say what to seed: --demo") }
        let configuration = try settings.configuration()
        let logger = settings.logger(configuration)
        do {
            let platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false))
            if try await platform.database.holdsPlatformData() {
                await platform.shutdown()
                fail("the database already holds agencies or accounts; demo data is only seeded into an empty database")
            }
            print("seeding the demo government...")
            let report = try await DemoSeed.run(platform: platform)
            print("seeded \(report.logins.count) accounts; password \(report.password); TOTP secret \(report.totpSecretBase32)")
            await platform.shutdown()
        } catch {
            fail("seeding failed: \(error)")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @OptionGroup var settings: SettingsOptions
        @Option(help: "User name (3-40 lower-case letters, digits, . - _).") var username: String
        @Option(help: "Password (at least 10 characters).") var password: String
        @Option(help: "citizen, business, official or operator.") var role: String
        @Option(help: "Agency code (officials).") var agency: String?
        @Option(name: .customLong("display-name"), help: "Name shown on screens (default: the user name).") var displayName: String?
        @Option(name: .customLong("national-id"), help: "Resident registration number (citizens).") var nationalID: String?
        @Option(name: .customLong("business-number"), help: "Business registration number (businesses).") var businessNumber: String?
        @Option(name: .customLong("business-name"), help: "Business name (businesses).") var businessName: String?
        @Option(help: "E-mail address.") var email: String?
        @Option(name: .customLong("extra-role"), help: "Additional role (repeatable), e.g. auditor, signer, privacy-officer.") var extraRoles: [String] = []

        func run() async throws {
            guard let kind = AccountKind(rawValue: role) else {
                throw ValidationError("--role must be one of citizen, business, official, operator")
            }
            let configuration = try settings.configuration()
            let logger = settings.logger(configuration)
            let platform: Platform
            do {
                platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false))
            } catch {
                fail("could not open storage: \(error)")
            }
            do {
                let created = try await platform.identity.createAccount(
                    NewAccount(username: username, password: password, displayName: displayName ?? username, kind: kind, agencyCode: agency,
                               nationalID: nationalID, businessNumber: businessNumber, businessName: businessName, email: email, extraRoles: extraRoles),
                    by: .system("cli"), on: platform.db)
                print("created \(created.account.kind.rawValue) \(created.account.username) (\(created.account.id))")
                if let secret = created.totpSecret, let uri = created.totpURI {
                    print("second factor: add this TOTP secret to an authenticator app: \(Base32.encode(secret))")
                    print("  \(uri)")
                }
                await platform.shutdown()
            } catch let error as NaraError {
                await platform.shutdown()
                let details = error.fieldErrors.map { "  \($0.field): \($0.message)" }.joined(separator: "\n")
                fail("\(error.message)\(details.isEmpty ? "" : "\n" + details)")
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit chain tools.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Walk the audit chain and its signed checkpoints; exit 1 at the first broken entry.")
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            let configuration = try settings.configuration()
            let logger = settings.logger(configuration)
            let platform: Platform
            do {
                platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false, migrationMode: .requireCurrent))
            } catch {
                fail("could not open storage: \(error)")
            }
            let result = try await platform.audit.verify(on: platform.db) { checked, total in
                let percent = total == 0 ? 100 : Int(Double(checked) / Double(total) * 100)
                FileHandle.standardError.write(Data("\rverifying audit chain: \(checked)/\(total) entries (\(percent)%)".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            await platform.shutdown()
            if let failure = result.failure {
                print("audit chain BROKEN at entry \(failure.seq): \(failure.reason)")
                print("(\(result.entriesChecked) entries verified before it)")
                throw ExitCode(1)
            }
            print("audit chain intact: \(result.entriesChecked) entries, \(result.checkpointsChecked) signed checkpoints verified, head at \(result.lastSeq)")
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Platform keys and certificates.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print certificate subjects and SHA-256 fingerprints.")
        @OptionGroup var settings: SettingsOptions
        @Option(name: .customLong("export"), help: "Also write every certificate as PEM into this directory.") var exportDirectory: String?

        func run() async throws {
            let configuration = try settings.configuration()
            let logger = settings.logger(configuration)
            let platform: Platform
            do {
                platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false))
            } catch {
                fail("could not open storage: \(error)")
            }
            let certificates = try await platform.pki.certificates(on: platform.db)
            for info in certificates {
                print("\(info.purpose.padding(toLength: 8, withPad: " ", startingAt: 0)) \(info.subject)")
                print("         sha256 \(info.fingerprint)  valid \(Timestamp.iso8601Millis(info.notBefore)) to \(Timestamp.iso8601Millis(info.notAfter))")
            }
            if let exportDirectory {
                try FileManager.default.createDirectory(atPath: exportDirectory, withIntermediateDirectories: true)
                for info in certificates {
                    let name = ["agency", "business"].contains(info.purpose) ? "\(info.purpose)-\(info.fingerprint.prefix(12)).pem" : "\(info.purpose).pem"
                    try info.certificatePEM.write(toFile: (exportDirectory as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
                }
                print("wrote \(certificates.count) certificates to \(exportDirectory)")
            }
            await platform.shutdown()
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Consistent online copy of the SQLite database (PostgreSQL: prints the pg_dump command).")
    @OptionGroup var settings: SettingsOptions
    @Option(name: .customLong("to"), help: "Destination file (must not exist).") var destination: String

    func run() async throws {
        let configuration = try settings.configuration()
        if let url = configuration.databaseURL {
            print("PostgreSQL storage: back it up with pg_dump (give the password through PGPASSWORD or ~/.pgpass):")
            print("  " + NaraDatabase.pgDumpCommand(url: url, to: destination))
            return
        }
        let logger = settings.logger(configuration)
        let platform: Platform
        do {
            platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false, migrationMode: .requireCurrent))
        } catch {
            fail("could not open storage: \(error)")
        }
        FileHandle.standardError.write(Data("copying \(configuration.sqlitePath) to \(destination)...\n".utf8))
        do {
            try await platform.database.backupSQLite(to: destination)
        } catch {
            await platform.shutdown()
            fail("backup failed: \(error)")
        }
        await platform.shutdown()
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        print("backup written: \(destination) (\(size) bytes)")
    }
}

struct RegistriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registries", abstract: "Base registry tools.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a CSV file into a registry. Each row is imported whole or refused; refused rows are reported with their line.",
            discussion: "Headers: resident: national_id,name,household_key,relationship,address,postal_code,moved_in; business: business_number,name,representative_name,representative_national_id,address,industry_code,opened_on; vehicle: plate,vin,owner_national_id,owner_business_number,owner_name,model,model_year,first_registered,last_inspection,next_inspection")
        @OptionGroup var settings: SettingsOptions
        @Argument(help: "The CSV file (UTF-8, header on the first line).") var file: String
        @Option(help: "resident, business or vehicle.") var registry: String

        func run() async throws {
            let configuration = try settings.configuration()
            let logger = settings.logger(configuration)
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let platform: Platform
            do {
                platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false))
            } catch {
                fail("could not open storage: \(error)")
            }
            guard let importer = platform.contracts.first((any RegistryImporter).self) else {
                await platform.shutdown()
                fail("the registries module is not part of this build")
            }
            guard importer.registries.contains(registry) else {
                await platform.shutdown()
                throw ValidationError("--registry must be one of \(importer.registries.joined(separator: ", "))")
            }
            let report: ImportReport
            do {
                report = try await importer.importCSV(registry: registry, data: data, by: .system("cli-import")) { done, total in
                    if done == total || done % 25 == 0 {
                        FileHandle.standardError.write(Data("\rimporting \(registry) rows: \(done)/\(total)".utf8))
                    }
                }
                FileHandle.standardError.write(Data("\n".utf8))
            } catch let error as NaraError {
                await platform.shutdown()
                fail(error.message)
            }
            await platform.shutdown()
            print("imported \(report.imported) rows; refused \(report.rejected.count)")
            for rejection in report.rejected {
                print("  line \(rejection.line): \(rejection.reasons.joined(separator: "; "))")
            }
            if !report.rejected.isEmpty { throw ExitCode(1) }
        }
    }
}

struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exchange", abstract: "Shared-information exchange tools.",
                                                    subcommands: [VerifyLog.self, Purge.self])

    static func open(_ settings: SettingsOptions, migrationMode: Platform.MigrationMode = .requireCurrent) async throws -> (Platform, any ExchangeMessageLog) {
        let configuration = try settings.configuration()
        let logger = settings.logger(configuration)
        let platform: Platform
        do {
            platform = try await startPlatform(configuration, options: ApplicationOptions(logger: logger, seedDemo: false, migrationMode: migrationMode))
        } catch {
            fail("could not open storage: \(error)")
        }
        guard let log = platform.contracts.first((any ExchangeMessageLog).self) else {
            await platform.shutdown()
            fail("the exchange module is not part of this build")
        }
        return (platform, log)
    }

    struct VerifyLog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-log",
            abstract: "Walk the exchange message log: hash chain, consumer and provider signatures, time-stamps and purge records; exit 1 at the first broken entry.")
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            let (platform, log) = try await ExchangeCommand.open(settings)
            let result = try await log.verifyLog { done, total in
                FileHandle.standardError.write(Data("\rverifying exchange log: \(done)/\(total) entries".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            await platform.shutdown()
            if let failure = result.failure {
                print("exchange log BROKEN at entry \(failure.seq): \(failure.reason)")
                print("(\(result.entries) entries verified before it)")
                throw ExitCode(1)
            }
            var line = "exchange log intact: \(result.entries) entries verified"
            if result.purged > 0 { line += ", \(result.purged) purged under the retention period (signed purge records verified)" }
            if result.unsigned > 0 { line += ", \(result.unsigned) written with signing off (chained, not signed)" }
            print(line)
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Purge log entries older than NARA_EXCHANGE_RETENTION_DAYS now (the server also does this every six hours), leaving a signed purge record.")
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            let (platform, log) = try await ExchangeCommand.open(settings)
            let count = try await log.purgeExpired()
            await platform.shutdown()
            print("purged \(count) entries older than \(platform.configuration.exchangeRetentionDays) days")
        }
    }
}
