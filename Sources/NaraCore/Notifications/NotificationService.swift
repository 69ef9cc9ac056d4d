import FluentKit
import Foundation
import Logging
import SQLKit

public struct InboxItem: Sendable, Codable, Equatable {
    public let id: UUID
    public let module: String
    public let title: String
    public let body: String
    public let link: String?
    public let createdAt: Date
    public let readAt: Date?
}

public struct OutboxItem: Sendable, Codable, Equatable {
    public let id: UUID
    public let channel: String
    public let recipient: String
    public let subject: String
    public let status: String
    public let attempts: Int
    public let nextAttemptAt: Date
    public let lastError: String?
    public let sentAt: Date?
}

/// One message to deliver outside the portal.
public struct OutgoingMessage: Sendable, Equatable {
    public let channel: OutboxChannel
    public let recipient: String
    public let subject: String
    public let body: String

    public init(channel: OutboxChannel, recipient: String, subject: String, body: String) {
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
    }
}

/// Delivers e-mail or SMS. The default writes to the log; `SMTPSender` speaks SMTP.
public protocol MessageSender: Sendable {
    func send(_ message: OutgoingMessage) async throws
}

public struct LogMessageSender: MessageSender {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }
    public func send(_ message: OutgoingMessage) async throws {
        logger.info("outbox delivery", metadata: [
            "channel": .string(message.channel.rawValue), "to": .string(Self.masked(message.recipient)), "subject": .string(message.subject),
        ])
    }

    /// `m***@example.kr`, `010-****-7812`: enough to tell messages apart, not to contact anyone.
    static func masked(_ recipient: String) -> String {
        if let at = recipient.firstIndex(of: "@") {
            return String(recipient.prefix(1)) + "***" + String(recipient[at...])
        }
        let digits = recipient.filter(\.isNumber)
        return digits.count > 4 ? "****" + String(digits.suffix(4)) : "****"
    }
}

/// Per-user inbox in the portal, and an outbox for e-mail and SMS delivered with retries.
public final class NotificationService: Sendable {
    public let maxAttempts = 8
    private let clock: any NaraClock
    private let sender: any MessageSender
    private let logger: Logger
    private let audit: AuditChain

    init(clock: any NaraClock, sender: any MessageSender, logger: Logger, audit: AuditChain) {
        self.clock = clock
        self.sender = sender
        self.logger = logger
        self.audit = audit
    }

    /// Puts a message in the account's inbox and queues an e-mail if the account has an address.
    /// Runs inside the caller's transaction, so the notice exists exactly when the change does.
    public func notify(accountID: UUID, module: String, title: String, body: String, link: String? = nil, on db: any Database) async throws {
        guard let account = try await AccountModel.find(accountID, on: db) else { throw NaraError.notFound("The account") }
        let now = clock.now()
        let inbox = InboxMessageModel()
        inbox.id = UUID()
        inbox.$account.id = accountID
        inbox.module = module
        inbox.title = title
        inbox.body = body
        inbox.link = link
        inbox.createdAt = now
        try await inbox.create(on: db)
        if let email = account.email {
            try await enqueue(OutgoingMessage(channel: .email, recipient: email, subject: title, body: body), accountID: accountID, on: db)
        }
    }

    public func enqueue(_ message: OutgoingMessage, accountID: UUID?, on db: any Database) async throws {
        let outbox = OutboxMessageModel()
        outbox.id = UUID()
        outbox.$account.id = accountID
        outbox.channel = message.channel.rawValue
        outbox.recipient = message.recipient
        outbox.subject = message.subject
        outbox.body = message.body
        outbox.status = OutboxStatus.pending.rawValue
        outbox.attempts = 0
        outbox.nextAttemptAt = clock.now()
        outbox.createdAt = clock.now()
        try await outbox.create(on: db)
    }

    public func inbox(accountID: UUID, limit: Int = 50, on db: any Database) async throws -> [InboxItem] {
        try await InboxMessageModel.query(on: db).filter(\.$account.$id == accountID).sort(\.$createdAt, .descending).limit(limit).all().map {
            InboxItem(id: $0.id!, module: $0.module, title: $0.title, body: $0.body, link: $0.link, createdAt: $0.createdAt, readAt: $0.readAt)
        }
    }

    public func unreadCount(accountID: UUID, on db: any Database) async throws -> Int {
        try await InboxMessageModel.query(on: db).filter(\.$account.$id == accountID).filter(\.$readAt == nil).count()
    }

    /// Marks one of the account's own messages read; another account's message is "not found".
    public func markRead(messageID: UUID, accountID: UUID, on db: any Database) async throws {
        guard let message = try await InboxMessageModel.find(messageID, on: db), message.$account.id == accountID else {
            throw NaraError.notFound("The message")
        }
        if message.readAt == nil {
            message.readAt = clock.now()
            try await db.transaction { tx in
                try await message.save(on: tx)
                try await self.audit.append(AuditRecord(action: "notification.read", objectType: "inbox_message", objectID: messageID.uuidString.lowercased()),
                                            by: AuditActor(name: "account:" + accountID.uuidString.lowercased(), agencyID: nil, requestID: nil), on: tx)
            }
        }
    }

    public func outbox(limit: Int = 100, on db: any Database) async throws -> [OutboxItem] {
        try await OutboxMessageModel.query(on: db).sort(\.$createdAt, .descending).limit(limit).all().map(Self.item)
    }

    static func item(_ m: OutboxMessageModel) -> OutboxItem {
        OutboxItem(id: m.id!, channel: m.channel, recipient: m.recipient, subject: m.subject, status: m.status, attempts: m.attempts,
                   nextAttemptAt: m.nextAttemptAt, lastError: m.lastError, sentAt: m.sentAt)
    }

    /// Back-off before attempt `n + 1`: 30 s, 1 min, 2 min, ... capped at one hour.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempts - 1))))
    }

    /// Delivers due messages once. Each message is claimed with a lease first, so several nodes
    /// never send the same message at the same time. Returns how many were sent.
    @discardableResult
    public func deliverDue(batch: Int = 20, on db: any Database) async throws -> (sent: Int, failed: Int) {
        let now = clock.now()
        let due = try await OutboxMessageModel.query(on: db)
            .filter(\.$status == OutboxStatus.pending.rawValue)
            .filter(\.$nextAttemptAt <= now)
            .sort(\.$nextAttemptAt)
            .limit(batch)
            .all()
        var sent = 0, failed = 0
        let sql = db as! any SQLDatabase
        for message in due {
            if let claimed = message.claimedUntil, claimed > now { continue }
            let lease = now.addingTimeInterval(120)
            // Claim: only one node wins the conditional update.
            let claimedRows = try await sql.raw("""
                UPDATE outbox_messages SET claimed_until = \(bind: lease)
                WHERE id = \(bind: message.id!) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= \(bind: now))
                RETURNING id
                """).all()
            if claimedRows.isEmpty { continue }
            let outgoing = OutgoingMessage(channel: OutboxChannel(rawValue: message.channel) ?? .email, recipient: message.recipient,
                                           subject: message.subject, body: message.body)
            do {
                try await sender.send(outgoing)
                message.status = OutboxStatus.sent.rawValue
                message.sentAt = clock.now()
                message.attempts += 1
                message.lastError = nil
                sent += 1
            } catch {
                message.attempts += 1
                message.lastError = String(String(describing: error).prefix(500))
                if message.attempts >= maxAttempts {
                    message.status = OutboxStatus.failed.rawValue
                } else {
                    message.nextAttemptAt = clock.now().addingTimeInterval(Self.backoff(afterAttempts: message.attempts))
                }
                failed += 1
                logger.warning("outbox delivery failed", metadata: ["id": .string(message.id!.uuidString), "attempts": .stringConvertible(message.attempts)])
            }
            message.claimedUntil = nil
            try await message.save(on: db)
        }
        return (sent, failed)
    }
}
