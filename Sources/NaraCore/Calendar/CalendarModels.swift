import FluentKit
import Foundation

public enum HolidayKind: String, Sendable, Codable, CaseIterable {
    case publicHoliday = "public"
    case substitute
    case election
    /// Added by an operator (a temporary holiday, a local closure).
    case designated
}

public final class HolidayModel: Model, @unchecked Sendable {
    public static let schema = "holidays"

    @ID(key: .id) public var id: UUID?
    /// `YYYY-MM-DD` in the platform time zone.
    @Field(key: "day") public var day: String
    @Field(key: "name_en") public var nameEN: String
    @Field(key: "name_ko") public var nameKO: String
    @Field(key: "kind") public var kind: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(day: String, nameEN: String, nameKO: String, kind: HolidayKind, createdAt: Date) {
        self.id = UUID()
        self.day = day
        self.nameEN = nameEN
        self.nameKO = nameKO
        self.kind = kind.rawValue
        self.createdAt = createdAt
    }
}

public final class OutageWindowModel: Model, @unchecked Sendable {
    public static let schema = "outage_windows"

    @ID(key: .id) public var id: UUID?
    @Field(key: "starts_at") public var startsAt: Date
    @Field(key: "ends_at") public var endsAt: Date
    @Field(key: "reason") public var reason: String
    @Field(key: "declared_by") public var declaredBy: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}
