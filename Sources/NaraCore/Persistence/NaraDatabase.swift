import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// The platform's storage: embedded SQLite by default, PostgreSQL when a URL is configured.
/// One code path for both (see docs/ARCHITECTURE.md, "Data").
public final class NaraDatabase: Sendable {
    public enum Kind: Sendable, Equatable {
        case sqlite(path: String)
        case postgres
    }

    public let kind: Kind
    public let databases: Databases
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let logger: Logger

    private init(kind: Kind, databases: Databases, ownedGroup: MultiThreadedEventLoopGroup?, logger: Logger) {
        self.kind = kind
        self.databases = databases
        self.ownedGroup = ownedGroup
        self.logger = logger
    }

    /// Opens the configured database. SQLite gets its own single-thread event loop, hence exactly
    /// one connection; WAL, `synchronous=FULL` and `foreign_keys=ON` are set before first use.
    public static func open(_ configuration: NaraConfiguration, logger: Logger) async throws -> NaraDatabase {
        if let url = configuration.databaseURL {
            var pg = try SQLPostgresConfiguration(url: url)
            if let schema = configuration.databaseSchema {
                pg.searchPath = [schema]
            }
            let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
            databases.use(
                .postgres(configuration: pg, maxConnectionsPerEventLoop: configuration.databasePoolSize, connectionPoolTimeout: .seconds(30),
                          encodingContext: .default, decodingContext: .default, sqlLogLevel: .trace),
                as: .psql, isDefault: true
            )
            let database = NaraDatabase(kind: .postgres, databases: databases, ownedGroup: nil, logger: logger)
            do {
                if let schema = configuration.databaseSchema {
                    try await database.sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
                }
                _ = try await database.sql.raw("SELECT 1 AS ok").all()
            } catch {
                await database.shutdown()
                throw NaraError(.unavailable, code: .unavailable, "cannot reach PostgreSQL at \(redacted(url)): \(String(reflecting: error))")
            }
            return database
        }
        let directory = configuration.dataDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = configuration.sqlitePath
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: group)
        databases.use(
            .sqlite(.init(storage: .file(path: path), enableForeignKeys: true), connectionPoolTimeout: .seconds(30), sqlLogLevel: .trace),
            as: .sqlite, isDefault: true
        )
        let database = NaraDatabase(kind: .sqlite(path: path), databases: databases, ownedGroup: group, logger: logger)
        do {
            try await database.applySQLitePragmas()
        } catch {
            await database.shutdown()
            throw error
        }
        return database
    }

    public var db: any Database {
        databases.database(logger: logger, on: databases.eventLoopGroup.any())!
    }

    public var sql: any SQLDatabase { db as! any SQLDatabase }

    public var isSQLite: Bool { if case .sqlite = kind { return true } else { return false } }

    private func applySQLitePragmas() async throws {
        _ = try await sql.raw("PRAGMA journal_mode = WAL").all()
        try await sql.raw("PRAGMA synchronous = FULL").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA busy_timeout = 10000").run()
    }

    public struct SQLiteSettings: Sendable, Equatable {
        public let journalMode: String
        public let synchronous: Int
        public let foreignKeys: Int
    }

    /// The PRAGMAs as the connection reports them (tests and /readyz assert them).
    public func sqliteSettings() async throws -> SQLiteSettings? {
        guard isSQLite else { return nil }
        let journal = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self) ?? ""
        let sync = try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) ?? -1
        let fk = try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self) ?? -1
        return SQLiteSettings(journalMode: journal, synchronous: sync, foreignKeys: fk)
    }

    public func migrator(_ migrations: [any Migration]) -> Migrator {
        let registry = Migrations()
        registry.add(migrations)
        return Migrator(databases: databases, migrations: registry, logger: logger, on: databases.eventLoopGroup.any(), migrationLogLevel: .notice)
    }

    /// Applies every migration not yet applied; returns the names it applied.
    @discardableResult
    public func migrate(_ migrations: [any Migration]) async throws -> [String] {
        let migrator = migrator(migrations)
        try await migrator.setupIfNeeded().get()
        let pending = try await migrator.previewPrepareBatch().get().map { $0.0.name }
        if !pending.isEmpty {
            try await migrator.prepareBatch().get()
        }
        return pending
    }

    /// Names of migrations not yet applied.
    public func pendingMigrations(_ migrations: [any Migration]) async throws -> [String] {
        let migrator = migrator(migrations)
        try await migrator.setupIfNeeded().get()
        return try await migrator.previewPrepareBatch().get().map { $0.0.name }
    }

    /// Tables in the database (the configured schema on PostgreSQL).
    public func tableNames() async throws -> Set<String> {
        let rows: [any SQLRow]
        if isSQLite {
            rows = try await sql.raw("SELECT name AS table_name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
        } else {
            rows = try await sql.raw("SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = current_schema()").all()
        }
        return Set(try rows.map { try $0.decode(column: "table_name", as: String.self) })
    }

    /// Whether any agency or account exists: demo data is seeded only into an empty database.
    public func holdsPlatformData() async throws -> Bool {
        let agencies = try await AgencyModel.query(on: db).count()
        let accounts = try await AccountModel.query(on: db).count()
        return agencies + accounts > 0
    }

    /// A consistent online copy of the SQLite database (`VACUUM INTO`), safe while the server runs.
    public func backupSQLite(to path: String) async throws {
        guard isSQLite else { throw NaraError(.badRequest, code: .malformedRequest, "online file backup is for SQLite; use pg_dump for PostgreSQL") }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw NaraError(.conflict, code: .conflict, "\(path) exists; choose a new file name")
        }
        try await sql.raw("VACUUM INTO \(bind: path)").run()
    }

    /// The pg_dump command that backs up the configured PostgreSQL database; the password is
    /// left out (give it through PGPASSWORD or ~/.pgpass), and arguments are shell-quoted.
    public static func pgDumpCommand(url: String, to file: String) -> String {
        var components = URLComponents(string: url)
        components?.password = nil
        let target = components?.string ?? "postgres://…"
        return "pg_dump --format=custom --no-owner --file=\(shellQuoted(file)) \(shellQuoted(target))"
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public func shutdown() async {
        await databases.shutdownAsync()
        if let ownedGroup {
            try? await ownedGroup.shutdownGracefully()
        }
    }
}

/// `postgres://user:***@host/db` for messages.
func redacted(_ url: String) -> String {
    guard var components = URLComponents(string: url) else { return "(unparseable URL)" }
    if components.password != nil { components.password = "***" }
    return components.string ?? "(unparseable URL)"
}
