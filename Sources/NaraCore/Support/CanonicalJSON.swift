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

    /// A value of a flat canonical object.
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
    }

    /// A flat object of strings and integers in RFC 8785 form, written directly: the same bytes
    /// as `encode` gives for such objects (a test holds the two together), without the cost of
    /// `JSONEncoder` on hot paths. Nil values are left out, as `Encodable` leaves them out.
    public static func object(_ fields: [(String, Value?)]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        out.append(UInt8(ascii: "{"))
        var first = true
        // RFC 8785 sorts keys by their UTF-16 code units.
        for (key, value) in fields.sorted(by: { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) }) {
            guard let value else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case .string(let text): appendString(text, to: &out)
            case .integer(let number): out.append(contentsOf: String(number).utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// A flat object of strings only (released data).
    public static func object(_ fields: [String: String]) -> Data {
        object(fields.map { ($0.key, Value.string($0.value)) })
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
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
