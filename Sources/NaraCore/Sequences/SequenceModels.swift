import FluentKit
import Foundation

public final class SequenceModel: Model, @unchecked Sendable {
    public static let schema = "sequences"

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: String
    @Field(key: "year") public var year: Int
    @Field(key: "last_value") public var lastValue: Int64

    public init() {}
}

public final class PlatformSettingModel: Model, @unchecked Sendable {
    public static let schema = "platform_settings"

    @ID(custom: "key", generatedBy: .user) public var id: String?
    @Field(key: "value") public var value: String

    public init() {}

    public init(key: String, value: String) {
        self.id = key
        self.value = value
    }
}
