import FluentKit
import Foundation
import SQLKit

/// The platform's own tables. Migrations are additive and never renamed once landed.
enum PlatformMigrations {
    static let all: [any Migration] = [
        CreatePlatformSettings(),
        CreateAgencies(),
        CreateAccounts(),
        CreateAccountRoles(),
        CreateSessions(),
        CreateAgencySystems(),
        CreateAPITokens(),
        CreateLoginAttempts(),
        CreateAuditChain(),
        CreateHolidays(),
        CreateOutageWindows(),
        SeedKoreanPublicHolidays(),
        CreatePKIKeys(),
        CreateNotifications(),
        CreatePayments(),
        CreateFiles(),
        CreateSequences(),
        CreateIssuedDocuments(),
        AddPKIKeyAccount(),
        AddPaymentDirection(),
    ]
}

extension Database {
    /// Takes the write lock of one row before reading it in a transaction: `UPDATE … SET version =
    /// version + 1` (a row lock on PostgreSQL, the write lock on SQLite), so that two requests
    /// acting on the same case one after the other see each other's result.
    public func lockRow(_ table: String, id: UUID) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        try await sql.update(table).set(SQLIdentifier("version"), to: SQLRaw("version + 1"))
            .where(SQLIdentifier("id"), .equal, SQLBind(id)).run()
    }

    /// Creates a plain (non-unique) index; Fluent's schema builder has none.
    public func createIndex(_ name: String, on table: String, columns: [String]) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }
}

struct CreatePlatformSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("platform_settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("platform_settings").delete() }
}

struct CreateAgencies: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("agencies")
            .id()
            .field("code", .string, .required)
            .field("name_en", .string, .required)
            .field("name_ko", .string, .required)
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references("agencies", "id"))
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("agencies").delete() }
}

struct CreateAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("accounts")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("kind", .string, .required)
            .field("agency_id", .uuid, .references("agencies", "id"))
            .field("national_id_cipher", .string)
            .field("national_id_hash", .string)
            .field("national_id_masked", .string)
            .field("business_number", .string)
            .field("business_name", .string)
            .field("email", .string)
            .field("phone", .string)
            .field("password_hash", .string, .required)
            .field("totp_secret_cipher", .string)
            .field("totp_last_step", .int64)
            .field("status", .string, .required)
            .field("locale", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "username")
            .unique(on: "national_id_hash")
            .create()
        try await database.createIndex("accounts_agency_idx", on: "accounts", columns: ["agency_id"])
        try await database.createIndex("accounts_business_number_idx", on: "accounts", columns: ["business_number"])
    }
    func revert(on database: any Database) async throws { try await database.schema("accounts").delete() }
}

struct CreateAccountRoles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("account_roles")
            .id()
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .unique(on: "account_id", "role")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("account_roles").delete() }
}

struct CreateSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("second_factor_at", .datetime)
            .field("second_factor_failures", .int, .required)
            .field("revoked_at", .datetime)
            .field("address", .string, .required)
            .field("user_agent", .string, .required)
            .unique(on: "token_hash")
            .create()
        try await database.createIndex("sessions_account_idx", on: "sessions", columns: ["account_id"])
    }
    func revert(on database: any Database) async throws { try await database.schema("sessions").delete() }
}

struct CreateAgencySystems: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("agency_systems")
            .id()
            .field("agency_id", .uuid, .required, .references("agencies", "id"))
            .field("name", .string, .required)
            .field("client_id", .string, .required)
            .field("secret_hash", .string, .required)
            .field("permissions", .string, .required)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "client_id")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("agency_systems").delete() }
}

struct CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("account_id", .uuid, .references("accounts", "id", onDelete: .cascade))
            .field("system_id", .uuid, .references("agency_systems", "id", onDelete: .cascade))
            .field("scopes", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("last_used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("api_tokens").delete() }
}

struct CreateLoginAttempts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("login_attempts")
            .id()
            .field("username_key", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .field("outcome", .string, .required)
            .create()
        try await database.createIndex("login_attempts_user_idx", on: "login_attempts", columns: ["username_key", "at"])
        try await database.createIndex("login_attempts_address_idx", on: "login_attempts", columns: ["address", "at"])
    }
    func revert(on database: any Database) async throws { try await database.schema("login_attempts").delete() }
}

struct CreateAuditChain: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .field("seq", .int64, .identifier(auto: false))
            .field("at_ms", .int64, .required)
            .field("actor", .string, .required)
            .field("agency_id", .string)
            .field("action", .string, .required)
            .field("object_type", .string, .required)
            .field("object_id", .string)
            .field("subject_ref", .string)
            .field("purpose", .string)
            .field("legal_basis", .string)
            .field("request_id", .string)
            .field("detail", .string)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
        try await database.createIndex("audit_entries_subject_idx", on: "audit_entries", columns: ["subject_ref", "seq"])
        try await database.createIndex("audit_entries_object_idx", on: "audit_entries", columns: ["object_type", "object_id"])
        try await database.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("last_seq", .int64, .required)
            .field("last_hash", .string, .required)
            .create()
        let head = AuditHeadModel()
        head.id = 1
        head.lastSeq = 0
        head.lastHash = AuditChain.genesisHash
        try await head.create(on: database)
        try await database.schema("audit_checkpoints")
            .field("seq", .int64, .identifier(auto: false))
            .field("entry_hash", .string, .required)
            .field("prev_seq", .int64, .required)
            .field("interval", .int, .required)
            .field("at_ms", .int64, .required)
            .field("signature", .string, .required)
            .field("certificate_fingerprint", .string, .required)
            .create()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("audit_checkpoints").delete()
        try await database.schema("audit_head").delete()
        try await database.schema("audit_entries").delete()
    }
}

struct CreateHolidays: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("holidays")
            .id()
            .field("day", .string, .required)
            .field("name_en", .string, .required)
            .field("name_ko", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "day")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("holidays").delete() }
}

struct CreateOutageWindows: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outage_windows")
            .id()
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("reason", .string, .required)
            .field("declared_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("outage_windows").delete() }
}

/// Korean public holidays for 2026 and 2027 are reference data, present in every database.
struct SeedKoreanPublicHolidays: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let now = Date()
        for holiday in KoreanPublicHolidays.y2026And2027 {
            try await HolidayModel(day: holiday.day, nameEN: holiday.nameEN, nameKO: holiday.nameKO, kind: holiday.kind, createdAt: now)
                .create(on: database)
        }
    }
    func revert(on database: any Database) async throws {
        try await HolidayModel.query(on: database).filter(\.$day ~~ KoreanPublicHolidays.y2026And2027.map(\.day)).delete()
    }
}

struct CreatePKIKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("pki_keys")
            .id()
            .field("purpose", .string, .required)
            .field("agency_id", .uuid, .references("agencies", "id"))
            .field("subject", .string, .required)
            .field("certificate_pem", .string, .required)
            .field("private_key_cipher", .string, .required)
            .field("fingerprint", .string, .required)
            .field("not_before", .datetime, .required)
            .field("not_after", .datetime, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "fingerprint")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("pki_keys").delete() }
}

/// Business signing certificates belong to an account.
struct AddPKIKeyAccount: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("pki_keys").field("account_id", .uuid).update()
    }
    func revert(on database: any Database) async throws { try await database.schema("pki_keys").deleteField("account_id").update() }
}

/// Payments the government makes (to suppliers) beside the fees it receives.
struct AddPaymentDirection: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("payments").field("direction", .string).update()
    }
    func revert(on database: any Database) async throws { try await database.schema("payments").deleteField("direction").update() }
}

struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("inbox_messages")
            .id()
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("module", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await database.createIndex("inbox_account_idx", on: "inbox_messages", columns: ["account_id", "created_at"])
        try await database.schema("outbox_messages")
            .id()
            .field("account_id", .uuid, .references("accounts", "id", onDelete: .setNull))
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        try await database.createIndex("outbox_due_idx", on: "outbox_messages", columns: ["status", "next_attempt_at"])
    }
    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
        try await database.schema("inbox_messages").delete()
    }
}

struct CreatePayments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("payments")
            .id()
            .field("reference", .string, .required)
            .field("account_id", .uuid, .references("accounts", "id"))
            .field("agency_id", .uuid, .references("agencies", "id"))
            .field("module", .string, .required)
            .field("purpose", .string, .required)
            .field("amount_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("due_at", .datetime, .required)
            .field("paid_at", .datetime)
            .field("bank_transaction_id", .string)
            .field("refunded_at", .datetime)
            .field("refund_reason", .string)
            .unique(on: "reference")
            .unique(on: "bank_transaction_id")
            .create()
        try await database.createIndex("payments_account_idx", on: "payments", columns: ["account_id"])
        try await database.schema("ledger_entries")
            .id()
            .field("payment_id", .uuid, .required, .references("payments", "id"))
            .field("kind", .string, .required)
            .field("amount_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("at", .datetime, .required)
            .field("note", .string, .required)
            .create()
        try await database.createIndex("ledger_payment_idx", on: "ledger_entries", columns: ["payment_id"])
    }
    func revert(on database: any Database) async throws {
        try await database.schema("ledger_entries").delete()
        try await database.schema("payments").delete()
    }
}

struct CreateFiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("file_blobs")
            .field("sha256", .string, .identifier(auto: false))
            .field("size", .int64, .required)
            .field("content", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("files")
            .id()
            .field("sha256", .string, .required, .references("file_blobs", "sha256"))
            .field("name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int64, .required)
            .field("owner_account_id", .uuid, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws {
        try await database.schema("files").delete()
        try await database.schema("file_blobs").delete()
    }
}

struct CreateSequences: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sequences")
            .id()
            .field("kind", .string, .required)
            .field("year", .int, .required)
            .field("last_value", .int64, .required)
            .unique(on: "kind", "year")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema("sequences").delete() }
}
