import Foundation
import NaraCore

/// Open311 GeoReport v2 documents: one tree of records written as JSON or as XML, with the
/// element names of the specification (https://wiki.open311.org/GeoReport_v2).
enum Open311 {
    enum Format: String {
        case json
        case xml

        var contentType: String { self == .json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8" }
    }

    /// A value of a record: text, a number, a truth value, a list of records under a name, or nothing.
    indirect enum Value {
        case text(String)
        case number(Double)
        case integer(Int)
        case bool(Bool)
        /// In XML each element of the list is wrapped in `element`; in JSON it is an array.
        case list(element: String, [Value])
        case record(Record)
        case null
    }

    typealias Record = [(String, Value)]

    /// `services.json` → (services, json); nil without one of the two formats.
    static func split(_ file: String) -> (name: String, format: Format)? {
        guard let dot = file.lastIndex(of: "."), let format = Format(rawValue: String(file[file.index(after: dot)...]).lowercased()) else { return nil }
        return (String(file[..<dot]), format)
    }

    /// The whole document: a list of records, `root`/`element` in XML, an array in JSON.
    static func document(_ records: [Record], root: String, element: String, format: Format) -> String {
        switch format {
        case .json: return json(.list(element: element, records.map { .record($0) }))
        case .xml:
            var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<\(root)>"
            for r in records { out += xml(element, .record(r)) }
            return out + "</\(root)>\n"
        }
    }

    /// One record as the document (a service definition).
    static func single(_ record: Record, root: String, format: Format) -> String {
        switch format {
        case .json: return json(.record(record))
        case .xml: return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + xml(root, .record(record)) + "\n"
        }
    }

    static func json(_ value: Value) -> String {
        switch value {
        case .text(let s): return quote(s)
        case .number(let d): return d.isFinite ? String(format: "%.6f", d) : "null"
        case .integer(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(_, let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .record(let fields): return "{" + fields.map { quote($0.0) + ":" + json($0.1) }.joined(separator: ",") + "}"
        }
    }

    static func xml(_ name: String, _ value: Value) -> String {
        switch value {
        case .text(let s): return "<\(name)>\(escape(s))</\(name)>"
        case .number(let d): return "<\(name)>\(d.isFinite ? String(format: "%.6f", d) : "")</\(name)>"
        case .integer(let n): return "<\(name)>\(n)</\(name)>"
        case .bool(let b): return "<\(name)>\(b ? "true" : "false")</\(name)>"
        case .null: return "<\(name)/>"
        case .list(let element, let items): return "<\(name)>" + items.map { xml(element, $0) }.joined() + "</\(name)>"
        case .record(let fields): return "<\(name)>" + fields.map { xml($0.0, $0.1) }.joined() + "</\(name)>"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// Text for XML 1.0: markup characters escaped, characters XML cannot carry left out.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = scalar.value
                if v < 0x20 && v != 0x9 && v != 0xA && v != 0xD { continue }
                if v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The errors document: `[{"code":400,"description":"…"}]` or `<errors><error>…</error></errors>`.
    static func errors(_ items: [(code: Int, description: String)], format: Format) -> String {
        document(items.map { [("code", .integer($0.code)), ("description", .text($0.description))] }, root: "errors", element: "error", format: format)
    }

    /// W3C date-time with the offset of the platform's time zone (2026-11-25T09:30:00+09:00).
    static func dateTime(_ date: Date, timeZone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = timeZone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func parseDateTime(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    /// A complaint's state as Open311 knows it: closed once answered, open before.
    static func status(_ state: ComplaintState) -> String {
        state == .answered || state == .closed ? "closed" : "open"
    }
}
