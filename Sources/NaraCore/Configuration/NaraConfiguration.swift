import Foundation
import Logging

/// Every setting Nara reads, with its default. Built from environment variables (`NARA_*`) and
/// command-line flags; flags win. Unknown or invalid settings stop start-up with a clear message.
public struct NaraConfiguration: Sendable {
    public enum DemoSeed: String, Sendable, CaseIterable {
        /// Seed the demo government into an empty database, unless the portal is published over
        /// HTTPS (a production address): demo passwords are public.
        case auto
        /// Seed the demo government into an empty database, whatever the address.
        case on
        /// Never seed demo data.
        case off
    }

    /// Whether an empty database gets the demo government on start.
    public var seedsDemoIntoEmptyDatabase: Bool {
        switch demoSeed {
        case .on: return true
        case .off: return false
        case .auto: return !servesOverTLS
        }
    }

    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: String = "./data"
    /// `nil` means the embedded SQLite database `<dataDirectory>/nara.sqlite`.
    public var databaseURL: String?
    /// 32 bytes, base64 or hex. `nil` means the key file `<dataDirectory>/master.key`.
    public var masterKey: String?
    public var timeZone: TimeZone = TimeZone(identifier: "Asia/Seoul")!
    /// The address citizens use to reach the portal; defaults to `http://<host>:<port>`.
    public var baseURL: String?
    public var smtpURL: String?
    public var bcryptCost: Int = 12
    public var logLevel: Logger.Level = .info
    public var sessionIdleMinutes: Int = 30
    public var sessionAbsoluteHours: Int = 12
    public var maxUploadBytes: Int = 10 * 1024 * 1024
    public var auditCheckpointInterval: Int = 1000
    public var demoSeed: DemoSeed = .auto
    /// Number of reverse proxies in front of Nara whose `X-Forwarded-For` entries are trusted.
    public var trustedProxies: Int = 0
    /// Schema for PostgreSQL (tests use one schema per test run).
    public var databaseSchema: String?
    /// PostgreSQL connections per event loop.
    public var databasePoolSize: Int = 8
    /// Days the exchange's message log keeps an entry before purging it (with a signed purge record).
    public var exchangeRetentionDays: Int = 1826
    /// Benchmarks only: look-ups are logged and chained but not signed. Refused over HTTPS.
    public var exchangeSigningDisabled: Bool = false
    /// How many times a civil application may be transferred between agencies.
    public var civilMaxTransfers: Int = 2
    /// Minimum tendering period per procurement procedure.
    public var procurementPeriods: [String: LegalPeriod] = ["open": .calendarDays(7), "restricted": .calendarDays(10), "quotation": .workingDays(3)]
    /// Standstill after an award, per procedure, during which bidders may complain.
    public var procurementStandstill: [String: LegalPeriod] = ["open": .calendarDays(7), "restricted": .calendarDays(7), "quotation": .workingDays(2)]
    /// The OCDS identifier prefix registered for this publisher.
    public var ocdsPrefix: String = "ocds-nara00"

    public init() {}

    public var effectiveBaseURL: String {
        if let baseURL { return baseURL }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)"
    }

    public var servesOverTLS: Bool { effectiveBaseURL.lowercased().hasPrefix("https://") }

    public var usesPostgres: Bool { databaseURL != nil }

    public var sqlitePath: String {
        (dataDirectory as NSString).appendingPathComponent("nara.sqlite")
    }
}

/// A setting Nara understands: its environment name, its flag, what it means and its default.
public struct SettingDescriptor: Sendable {
    public let environmentName: String
    public let flag: String
    public let summary: String
    public let defaultDescription: String
    let apply: @Sendable (inout NaraConfiguration, String) throws(ConfigurationError) -> Void
}

public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let setting: String
    public let message: String
    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }
    public var description: String { "\(setting): \(message)" }
}

extension NaraConfiguration {
    /// Environment variables Nara reads that are not server settings (test harness only).
    public static let auxiliaryEnvironmentNames: Set<String> = ["NARA_TEST_DATABASE_URL", "NARA_STANDARDS_DIR"]

    public static let settings: [SettingDescriptor] = [
        SettingDescriptor(
            environmentName: "NARA_HOST", flag: "--host", summary: "Address to listen on.",
            defaultDescription: "127.0.0.1"
        ) { c, v throws(ConfigurationError) in
            guard !v.isEmpty, !v.contains(" ") else { throw .init(setting: "NARA_HOST", message: "must be a host name or IP address") }
            c.host = v
        },
        SettingDescriptor(
            environmentName: "NARA_PORT", flag: "--port", summary: "TCP port to listen on.",
            defaultDescription: "8080"
        ) { c, v throws(ConfigurationError) in
            c.port = try parseInt(v, setting: "NARA_PORT", range: 0...65535)
        },
        SettingDescriptor(
            environmentName: "NARA_DATA_DIR", flag: "--data-dir",
            summary: "Directory for the SQLite database, the master key file and other local state; created on first start.",
            defaultDescription: "./data"
        ) { c, v throws(ConfigurationError) in
            guard !v.isEmpty else { throw .init(setting: "NARA_DATA_DIR", message: "must not be empty") }
            c.dataDirectory = v
        },
        SettingDescriptor(
            environmentName: "NARA_DATABASE_URL", flag: "--database-url",
            summary: "postgres://user:password@host:5432/database to use PostgreSQL instead of the embedded SQLite file.",
            defaultDescription: "(embedded SQLite in the data directory)"
        ) { c, v throws(ConfigurationError) in
            guard let url = URL(string: v), let scheme = url.scheme?.lowercased(),
                  ["postgres", "postgresql"].contains(scheme), url.host != nil
            else {
                throw .init(setting: "NARA_DATABASE_URL", message: "must be a postgres://user:password@host:port/database URL")
            }
            c.databaseURL = v
        },
        SettingDescriptor(
            environmentName: "NARA_MASTER_KEY", flag: "--master-key",
            summary: "32-byte master key (base64 or 64 hex digits) that encrypts private keys and national ID numbers.",
            defaultDescription: "(key file master.key generated in the data directory, mode 0600)"
        ) { c, v throws(ConfigurationError) in
            guard MasterKey.decode(v) != nil else {
                throw .init(setting: "NARA_MASTER_KEY", message: "must be 32 bytes written as base64 or as 64 hexadecimal digits")
            }
            c.masterKey = v
        },
        SettingDescriptor(
            environmentName: "NARA_TIMEZONE", flag: "--timezone",
            summary: "Time zone for display and for the business calendar (IANA name).",
            defaultDescription: "Asia/Seoul"
        ) { c, v throws(ConfigurationError) in
            guard let tz = TimeZone(identifier: v) else {
                throw .init(setting: "NARA_TIMEZONE", message: "'\(v)' is not an IANA time zone such as Asia/Seoul")
            }
            c.timeZone = tz
        },
        SettingDescriptor(
            environmentName: "NARA_BASE_URL", flag: "--base-url",
            summary: "Public address of the portal, used in links, e-mails and to decide Secure cookies and HSTS.",
            defaultDescription: "http://<host>:<port>"
        ) { c, v throws(ConfigurationError) in
            guard let url = URL(string: v), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw .init(setting: "NARA_BASE_URL", message: "must be an http:// or https:// URL")
            }
            c.baseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        },
        SettingDescriptor(
            environmentName: "NARA_SMTP_URL", flag: "--smtp-url",
            summary: "smtp://user:password@host:port?from=address (or smtps:// for implicit TLS) to send e-mail; without it messages are written to the log.",
            defaultDescription: "(log sender)"
        ) { c, v throws(ConfigurationError) in
            do throws(SMTPSettings.Invalid) { _ = try SMTPSettings(url: v) } catch {
                throw .init(setting: "NARA_SMTP_URL", message: error.message)
            }
            c.smtpURL = v
        },
        SettingDescriptor(
            environmentName: "NARA_BCRYPT_COST", flag: "--bcrypt-cost",
            summary: "bcrypt work factor for passwords (4-16).",
            defaultDescription: "12"
        ) { c, v throws(ConfigurationError) in
            c.bcryptCost = try parseInt(v, setting: "NARA_BCRYPT_COST", range: 4...16)
        },
        SettingDescriptor(
            environmentName: "NARA_LOG_LEVEL", flag: "--log-level",
            summary: "trace, debug, info, notice, warning, error or critical.",
            defaultDescription: "info"
        ) { c, v throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: v.lowercased()) else {
                throw .init(setting: "NARA_LOG_LEVEL", message: "must be one of trace, debug, info, notice, warning, error, critical")
            }
            c.logLevel = level
        },
        SettingDescriptor(
            environmentName: "NARA_SESSION_IDLE_MINUTES", flag: "--session-idle-minutes",
            summary: "A session unused for this long expires.", defaultDescription: "30"
        ) { c, v throws(ConfigurationError) in
            c.sessionIdleMinutes = try parseInt(v, setting: "NARA_SESSION_IDLE_MINUTES", range: 1...1440)
        },
        SettingDescriptor(
            environmentName: "NARA_SESSION_ABSOLUTE_HOURS", flag: "--session-absolute-hours",
            summary: "A session expires this long after sign-in, used or not.", defaultDescription: "12"
        ) { c, v throws(ConfigurationError) in
            c.sessionAbsoluteHours = try parseInt(v, setting: "NARA_SESSION_ABSOLUTE_HOURS", range: 1...168)
        },
        SettingDescriptor(
            environmentName: "NARA_MAX_UPLOAD_BYTES", flag: "--max-upload-bytes",
            summary: "Largest accepted request body and uploaded file, in bytes.", defaultDescription: "10485760 (10 MiB)"
        ) { c, v throws(ConfigurationError) in
            c.maxUploadBytes = try parseInt(v, setting: "NARA_MAX_UPLOAD_BYTES", range: 1024...(1 << 30))
        },
        SettingDescriptor(
            environmentName: "NARA_AUDIT_CHECKPOINT_INTERVAL", flag: "--audit-checkpoint-interval",
            summary: "Sign an audit-chain checkpoint every this many entries (and on shutdown).", defaultDescription: "1000"
        ) { c, v throws(ConfigurationError) in
            c.auditCheckpointInterval = try parseInt(v, setting: "NARA_AUDIT_CHECKPOINT_INTERVAL", range: 1...1_000_000)
        },
        SettingDescriptor(
            environmentName: "NARA_DEMO_SEED", flag: "--demo-seed",
            summary: "auto: seed the demo government into an empty database unless NARA_BASE_URL is https; on: also then; off: never.", defaultDescription: "auto"
        ) { c, v throws(ConfigurationError) in
            guard let seed = DemoSeed(rawValue: v.lowercased()) else {
                throw .init(setting: "NARA_DEMO_SEED", message: "must be auto, on or off")
            }
            c.demoSeed = seed
        },
        SettingDescriptor(
            environmentName: "NARA_DATABASE_POOL_SIZE", flag: "--database-pool-size",
            summary: "PostgreSQL connections per event loop (one event loop per core).", defaultDescription: "8"
        ) { c, v throws(ConfigurationError) in
            c.databasePoolSize = try parseInt(v, setting: "NARA_DATABASE_POOL_SIZE", range: 1...100)
        },
        SettingDescriptor(
            environmentName: "NARA_EXCHANGE_RETENTION_DAYS", flag: "--exchange-retention-days",
            summary: "Days the exchange message log keeps an entry; older entries are purged with a signed purge record.",
            defaultDescription: "1826 (5 years)"
        ) { c, v throws(ConfigurationError) in
            c.exchangeRetentionDays = try parseInt(v, setting: "NARA_EXCHANGE_RETENTION_DAYS", range: 1...36_500)
        },
        SettingDescriptor(
            environmentName: "NARA_EXCHANGE_SIGNING", flag: "--exchange-signing",
            summary: "on: every exchange message is signed and time-stamped; off: for benchmarks only, refused with an https base URL.",
            defaultDescription: "on"
        ) { c, v throws(ConfigurationError) in
            switch v.lowercased() {
            case "on": c.exchangeSigningDisabled = false
            case "off": c.exchangeSigningDisabled = true
            default: throw .init(setting: "NARA_EXCHANGE_SIGNING", message: "must be on or off")
            }
        },
        SettingDescriptor(
            environmentName: "NARA_CIVIL_MAX_TRANSFERS", flag: "--civil-max-transfers",
            summary: "How many times a civil application may be transferred to another agency before it must be decided.",
            defaultDescription: "2"
        ) { c, v throws(ConfigurationError) in
            c.civilMaxTransfers = try parseInt(v, setting: "NARA_CIVIL_MAX_TRANSFERS", range: 0...10)
        },
        SettingDescriptor(
            environmentName: "NARA_PROCUREMENT_PERIODS", flag: "--procurement-periods",
            summary: "Minimum tendering period per procedure, in calendar days (d) or working days (wd).",
            defaultDescription: "open=7d,restricted=10d,quotation=3wd"
        ) { c, v throws(ConfigurationError) in
            c.procurementPeriods.merge(try parsePeriodTable(v, setting: "NARA_PROCUREMENT_PERIODS")) { $1 }
        },
        SettingDescriptor(
            environmentName: "NARA_PROCUREMENT_STANDSTILL", flag: "--procurement-standstill",
            summary: "Standstill after an award per procedure, before the contract, in calendar days (d) or working days (wd).",
            defaultDescription: "open=7d,restricted=7d,quotation=2wd"
        ) { c, v throws(ConfigurationError) in
            c.procurementStandstill.merge(try parsePeriodTable(v, setting: "NARA_PROCUREMENT_STANDSTILL")) { $1 }
        },
        SettingDescriptor(
            environmentName: "NARA_OCDS_PREFIX", flag: "--ocds-prefix",
            summary: "The OCDS identifier prefix registered for this publisher (ocds- and 6 characters).",
            defaultDescription: "ocds-nara00"
        ) { c, v throws(ConfigurationError) in
            guard v.hasPrefix("ocds-"), v.count == 11, v.dropFirst(5).allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
                throw .init(setting: "NARA_OCDS_PREFIX", message: "must be ocds- followed by 6 lower-case letters or digits")
            }
            c.ocdsPrefix = v
        },
        SettingDescriptor(
            environmentName: "NARA_TRUSTED_PROXIES", flag: "--trusted-proxies",
            summary: "How many reverse proxies in front of Nara append to X-Forwarded-For (0 = use the socket address).",
            defaultDescription: "0"
        ) { c, v throws(ConfigurationError) in
            c.trustedProxies = try parseInt(v, setting: "NARA_TRUSTED_PROXIES", range: 0...10)
        },
    ]

    /// Builds the configuration from the environment, then applies flags (already parsed to
    /// environment names). Any `NARA_*` variable that Nara does not know is an error.
    public static func load(
        environment: [String: String],
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> NaraConfiguration {
        var configuration = NaraConfiguration()
        let known = Dictionary(uniqueKeysWithValues: settings.map { ($0.environmentName, $0) })
        for name in environment.keys.sorted() where name.hasPrefix("NARA_") {
            guard known[name] != nil || auxiliaryEnvironmentNames.contains(name) else {
                let hint = closestSetting(to: name).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigurationError(setting: name, message: "unknown setting\(hint); see README.md for the list")
            }
        }
        for descriptor in settings {
            if let value = overrides[descriptor.environmentName] ?? environment[descriptor.environmentName] {
                try descriptor.apply(&configuration, value)
            }
        }
        for name in overrides.keys where known[name] == nil {
            throw ConfigurationError(setting: name, message: "unknown setting")
        }
        if configuration.exchangeSigningDisabled && configuration.servesOverTLS {
            throw ConfigurationError(setting: "NARA_EXCHANGE_SIGNING", message: "off is for benchmarks only and is refused with an https base URL")
        }
        return configuration
    }

    static func closestSetting(to name: String) -> String? {
        let candidates = settings.map(\.environmentName)
        let scored = candidates.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let best = scored, best.1 <= 3 else { return nil }
        return best.0
    }

    /// `open=7d,restricted=10d,quotation=3wd`: procedures open, restricted and quotation.
    private static func parsePeriodTable(_ value: String, setting: String) throws(ConfigurationError) -> [String: LegalPeriod] {
        var table: [String: LegalPeriod] = [:]
        for entry in value.split(separator: ",") {
            let parts = entry.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, ["open", "restricted", "quotation"].contains(parts[0]) else {
                throw ConfigurationError(setting: setting, message: "write procedure=period pairs such as open=7d,quotation=3wd (procedures: open, restricted, quotation)")
            }
            let period: LegalPeriod
            if parts[1].hasSuffix("wd"), let n = Int(parts[1].dropLast(2)), (0...60).contains(n) { period = .workingDays(n) }
            else if parts[1].hasSuffix("d"), let n = Int(parts[1].dropLast()), (0...90).contains(n) { period = .calendarDays(n) }
            else { throw ConfigurationError(setting: setting, message: "'\(parts[1])' is not a period such as 7d (calendar days) or 3wd (working days)") }
            table[parts[0]] = period
        }
        return table
    }

    private static func parseInt(_ value: String, setting: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw ConfigurationError(setting: setting, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(value)'")
        }
        return number
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
