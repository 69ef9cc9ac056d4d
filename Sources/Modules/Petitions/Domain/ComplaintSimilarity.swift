import Foundation

/// What similarity looks at in a complaint.
public struct SimilarityInput: Sendable, Equatable {
    public let id: UUID
    public let category: String?
    public let location: String?
    /// Millionths of a degree (WGS 84).
    public let latitudeMicro: Int64?
    public let longitudeMicro: Int64?
    public let title: String
    public let body: String

    public init(id: UUID, category: String?, location: String?, latitudeMicro: Int64?, longitudeMicro: Int64?, title: String, body: String) {
        self.id = id
        self.category = category
        self.location = location
        self.latitudeMicro = latitudeMicro
        self.longitudeMicro = longitudeMicro
        self.title = title
        self.body = body
    }
}

/// Why a complaint looks like another.
public struct SimilarityMatch: Sendable, Equatable {
    public let id: UUID
    /// 0 to 1: 1 for the same subject at the same place, otherwise the likeness of the texts.
    public let score: Double
    public let samePlace: Bool
    public let textLikeness: Double
}

/// Duplicates proposed for merging: the same subject at the same place (coordinates within
/// `nearbyMetres`, or the same address), or texts alike enough. Pure: the service gives it the
/// open complaints of one agency.
public enum ComplaintSimilarity {
    /// Two points this close are one place (a pothole reported from both sides of the road).
    public static let nearbyMetres = 100.0
    /// Jaccard likeness of the texts' character bigrams from which two complaints are proposed.
    public static let textThreshold = 0.4

    /// Character bigrams of the letters and digits of each word, case-folded: they match Korean
    /// words whatever particle follows, and English words whatever their ending.
    public static func bigrams(_ text: String) -> Set<String> {
        var result = Set<String>()
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let chars = Array(word)
            if chars.count == 1 { result.insert(String(chars[0])); continue }
            for i in 0..<(chars.count - 1) { result.insert(String(chars[i...i + 1])) }
        }
        return result
    }

    public static func likeness(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let common = a.intersection(b).count
        return Double(common) / Double(a.count + b.count - common)
    }

    /// The address reduced to its letters and digits, without what is in brackets (the landmark).
    public static func normalisedPlace(_ location: String?) -> String? {
        guard var text = location?.lowercased() else { return nil }
        while let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")") { text.removeSubrange(open...close) }
        let kept = String(text.filter { $0.isLetter || $0.isNumber })
        return kept.isEmpty ? nil : kept
    }

    /// Metres between two points (equirectangular: exact enough at the scale of a street).
    public static func distance(latA: Int64, lonA: Int64, latB: Int64, lonB: Int64) -> Double {
        let lat1 = Double(latA) / 1_000_000 * .pi / 180, lat2 = Double(latB) / 1_000_000 * .pi / 180
        let dLon = Double(lonB - lonA) / 1_000_000 * .pi / 180
        let x = dLon * cos((lat1 + lat2) / 2), y = lat2 - lat1
        return (x * x + y * y).squareRoot() * 6_371_000
    }

    public static func samePlace(_ a: SimilarityInput, _ b: SimilarityInput) -> Bool {
        if let la = a.latitudeMicro, let oa = a.longitudeMicro, let lb = b.latitudeMicro, let ob = b.longitudeMicro {
            return distance(latA: la, lonA: oa, latB: lb, lonB: ob) <= nearbyMetres
        }
        guard let pa = normalisedPlace(a.location), let pb = normalisedPlace(b.location) else { return false }
        return pa == pb
    }

    /// The candidates that look like `target`, most alike first.
    public static func matches(for target: SimilarityInput, among candidates: [SimilarityInput]) -> [SimilarityMatch] {
        let mine = bigrams(target.title + " " + target.body)
        return candidates.compactMap { c -> SimilarityMatch? in
            guard c.id != target.id else { return nil }
            let place = target.category != nil && target.category == c.category && samePlace(target, c)
            let text = likeness(mine, bigrams(c.title + " " + c.body))
            guard place || text >= textThreshold else { return nil }
            return SimilarityMatch(id: c.id, score: place ? 1 : text, samePlace: place, textLikeness: text)
        }.sorted { ($0.score, $0.textLikeness) > ($1.score, $1.textLikeness) }
    }
}
