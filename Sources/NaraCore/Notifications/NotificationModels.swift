import FluentKit
import Foundation

public final class InboxMessageModel: Model, @unchecked Sendable {
    public static let schema = "inbox_messages"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "account_id") public var account: AccountModel
    @Field(key: "module") public var module: String
    @Field(key: "title") public var title: String
    @Field(key: "body") public var body: String
    @OptionalField(key: "link") public var link: String?
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "read_at") public var readAt: Date?

    public init() {}
}

public enum OutboxChannel: String, Sendable, Codable { case email, sms }

public enum OutboxStatus: String, Sendable, Codable {
    case pending
    case sent
    /// Gave up after the maximum number of attempts.
    case failed
}

public final class OutboxMessageModel: Model, @unchecked Sendable {
    public static let schema = "outbox_messages"

    @ID(key: .id) public var id: UUID?
    @OptionalParent(key: "account_id") public var account: AccountModel?
    @Field(key: "channel") public var channel: String
    @Field(key: "recipient") public var recipient: String
    @Field(key: "subject") public var subject: String
    @Field(key: "body") public var body: String
    @Field(key: "status") public var status: String
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "next_attempt_at") public var nextAttemptAt: Date
    /// A dispatcher that claimed the message owns it until this time (several nodes share the outbox).
    @OptionalField(key: "claimed_until") public var claimedUntil: Date?
    @OptionalField(key: "last_error") public var lastError: String?
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "sent_at") public var sentAt: Date?

    public init() {}
}
