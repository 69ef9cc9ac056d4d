import Foundation

/// RFC 4180 CSV: comma-separated, fields optionally in double quotes with `""` for a quote,
/// CRLF or LF line ends, UTF-8 with or without a byte-order mark.
enum CSV {
    struct Row {
        /// 1-based line number where the row starts.
        let line: Int
        let fields: [String]
    }

    struct Malformed: Error, CustomStringConvertible {
        let line: Int
        var description: String { "line \(line): a quoted field is not closed" }
    }

    static func parse(_ text: String) throws -> [Row] {
        var rows: [Row] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var iterator = Array(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let char = next() {
            if inQuotes {
                if char == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { inQuotes = false; pending = following }
                    } else { inQuotes = false }
                } else {
                    if char == "\n" || char == "\r\n" { line += 1 }
                    field.append(char)
                }
                continue
            }
            switch char {
            case "\"" where field.isEmpty:
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                fields.append(field)
                if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowStart, fields: fields)) }
                fields = []
                field = ""
                line += 1
                rowStart = line
            default:
                field.append(char)
            }
        }
        if inQuotes { throw Malformed(line: rowStart) }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(line: rowStart, fields: fields))
        }
        return rows
    }
}
