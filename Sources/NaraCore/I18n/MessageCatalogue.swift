import Foundation

public enum Language: String, Sendable, CaseIterable, Codable {
    case english = "en"
    case korean = "ko"

    public var nativeName: String {
        switch self {
        case .english: return "English"
        case .korean: return "한국어"
        }
    }

    /// Picks the first supported language from an `Accept-Language` header.
    public static func negotiate(_ header: String?) -> Language? {
        guard let header else { return nil }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";")
            guard let tag = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased(), !tag.isEmpty else { return nil }
            var quality = 1.0
            for piece in pieces.dropFirst() {
                let kv = piece.split(separator: "=")
                if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == "q" { quality = Double(kv[1]) ?? 0 }
            }
            return (tag, quality)
        }.sorted { $0.1 > $1.1 }
        for (tag, quality) in ranked where quality > 0 {
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            if let language = Language(rawValue: primary) { return language }
        }
        return nil
    }
}

/// Text in both portal languages.
public struct LocalizedText: Sendable, Codable, Equatable {
    public let en: String
    public let ko: String

    public init(en: String, ko: String) {
        self.en = en
        self.ko = ko
    }

    public func text(_ language: Language) -> String { language == .korean ? ko : en }
}

/// Every user-visible string, by key, in English and Korean. The platform and each module
/// contribute their own tables; a key missing in one language is a test failure.
public struct MessageCatalogue: Sendable {
    public private(set) var tables: [Language: [String: String]] = [:]

    public init() {}

    public mutating func merge(_ table: [String: String], language: Language) {
        tables[language, default: [:]].merge(table) { _, new in new }
    }

    /// Loads `en.json` and `ko.json` (flat objects of key to text) from a directory.
    public mutating func load(directory: URL) throws {
        for language in Language.allCases {
            let url = directory.appendingPathComponent("\(language.rawValue).json")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let table = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
            merge(table, language: language)
        }
    }

    public func text(_ key: String, _ language: Language) -> String {
        tables[language]?[key] ?? tables[.english]?[key] ?? key
    }

    public func table(_ language: Language) -> [String: String] {
        var table = tables[.english] ?? [:]
        if language != .english { table.merge(tables[language] ?? [:]) { _, new in new } }
        return table
    }

    /// Keys present in one language and missing in another.
    public var missingTranslations: [String] {
        let all = Set(tables.values.flatMap(\.keys))
        var missing: [String] = []
        for language in Language.allCases {
            let keys = Set(tables[language]?.keys ?? [:].keys)
            missing += all.subtracting(keys).map { "\(language.rawValue): \($0)" }
        }
        return missing.sorted()
    }
}
