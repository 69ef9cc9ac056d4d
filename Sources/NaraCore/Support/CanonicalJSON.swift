import Foundation

/// Deterministic JSON bytes for hashing and signing: keys sorted, no insignificant whitespace,
/// slashes unescaped. Callers keep values to strings, integers and booleans so that the bytes
/// match RFC 8785 (JCS) for the data Nara signs.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.iso8601Millis(date))
        }
        return try encoder.encode(value)
    }
}

public enum Timestamp {
    /// `2026-11-27T01:02:03.456Z`: UTC with milliseconds, the form stored in signed content.
    public static func iso8601Millis(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    public static func parseISO8601(_ string: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(string) { return date }
        return try? Date.ISO8601FormatStyle().parse(string)
    }

    /// Milliseconds since the epoch, exact for storage in signed and hashed content.
    public static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public static func date(millis: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
    }
}
