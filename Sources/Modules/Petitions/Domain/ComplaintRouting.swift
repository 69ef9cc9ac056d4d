import Foundation
import NaraCore

/// A subject of complaints and the agency that answers it. Local subjects (parking, noise, roads in
/// a district) go to the local government of the place when the place names one.
public struct ComplaintCategory: Sendable, Codable, Equatable {
    public let code: String
    public let nameEN: String
    public let nameKO: String
    /// The agency that answers it nationally (agency code).
    public let agencyCode: String
    public let local: Bool
    /// Lower-case words in English and Korean that point to this subject in a complaint's text.
    public let keywords: [String]

    public init(code: String, nameEN: String, nameKO: String, agencyCode: String, local: Bool, keywords: [String]) {
        self.code = code
        self.nameEN = nameEN
        self.nameKO = nameKO
        self.agencyCode = agencyCode
        self.local = local
        self.keywords = keywords
    }
}

/// A local government and the place names that put a complaint in its area, most specific first.
public struct LocalArea: Sendable, Equatable {
    public let agencyCode: String
    public let names: [String]
}

/// Where a complaint should go, and why (shown to the receiving officials).
public struct RoutingSuggestion: Sendable, Codable, Equatable {
    public let agencyCode: String
    public let category: String?
    public let reasons: [String]
}

public enum ComplaintRouting {
    /// Suggests the agency: the subject the complainant chose, unless the text points clearly
    /// (two or more keywords, more than the chosen one's) to another; a local subject goes to
    /// the local government named by the place; nothing known goes to the coordinating agency.
    public static func suggest(category chosen: String?, title: String, body: String, location: String?, categories: [ComplaintCategory],
                               areas: [LocalArea], coordinator: String) -> RoutingSuggestion {
        let text = (title + " " + body).lowercased()
        // English keywords match whole words ("tax" is not in "taxi"); Korean ones match inside
        // words, which carry their particles ("도로가", "도로에").
        let words = " " + String(text.map { $0.isLetter || $0.isNumber ? $0 : " " }).split(separator: " ").joined(separator: " ") + " "
        func hits(_ c: ComplaintCategory) -> [String] {
            c.keywords.filter { $0.allSatisfy(\.isASCII) ? words.contains(" " + $0 + " ") : text.contains($0) }
        }
        var reasons: [String] = []
        var category = categories.first { $0.code == chosen }
        if let picked = category { reasons.append("subject chosen: \(picked.code)") }
        let own = category.map(hits)?.count ?? 0
        if let best = categories.map({ ($0, hits($0)) }).max(by: { $0.1.count < $1.1.count }), best.0.code != category?.code,
           best.1.count >= 2, best.1.count > own {
            reasons.append("the text points to \(best.0.code): \(best.1.joined(separator: ", "))")
            category = best.0
        }
        guard let category else {
            return RoutingSuggestion(agencyCode: coordinator, category: nil, reasons: reasons + ["no subject recognised: the coordinating agency assigns it"])
        }
        if category.local, let place = location?.lowercased(), !place.isEmpty {
            for area in areas {
                if let name = area.names.first(where: { place.contains($0) }) {
                    return RoutingSuggestion(agencyCode: area.agencyCode, category: category.code,
                                             reasons: reasons + ["a local subject in \(name): the local government answers it"])
                }
            }
        }
        return RoutingSuggestion(agencyCode: category.agencyCode, category: category.code, reasons: reasons + ["answered by the agency for \(category.code)"])
    }
}

/// The subjects of the demo government and the areas of its local governments.
public enum ComplaintCatalogue {
    public static let coordinator = "1140100"

    public static let categories: [ComplaintCategory] = [
        ComplaintCategory(code: "roads", nameEN: "Roads and pavements", nameKO: "도로·보도", agencyCode: "1613000", local: true,
                          keywords: ["pothole", "potholes", "pavement", "road", "roads", "sidewalk", "포트홀", "도로", "보도", "인도"]),
        ComplaintCategory(code: "parking", nameEN: "Illegal parking", nameKO: "불법 주정차", agencyCode: "6110000", local: true,
                          keywords: ["parking", "parked", "tow", "주차", "주정차", "견인"]),
        ComplaintCategory(code: "noise", nameEN: "Noise and nuisance", nameKO: "소음·생활불편", agencyCode: "6110000", local: true,
                          keywords: ["noise", "loud", "night work", "소음", "악취"]),
        ComplaintCategory(code: "waste", nameEN: "Waste and street cleaning", nameKO: "쓰레기·청소", agencyCode: "6110000", local: true,
                          keywords: ["rubbish", "garbage", "litter", "dumping", "쓰레기", "무단투기", "청소"]),
        ComplaintCategory(code: "transport", nameEN: "Public transport", nameKO: "대중교통", agencyCode: "6110000", local: false,
                          keywords: ["bus", "subway", "metro", "taxi", "버스", "지하철", "택시"]),
        ComplaintCategory(code: "housing", nameEN: "Housing and land", nameKO: "주택·토지", agencyCode: "1613000", local: false,
                          keywords: ["rent", "lease", "apartment", "land register", "전세", "임대", "아파트", "토지"]),
        ComplaintCategory(code: "tax", nameEN: "National taxes", nameKO: "국세", agencyCode: "1210000", local: false,
                          keywords: ["tax", "vat", "refund", "세금", "부가세", "소득세", "환급"]),
        ComplaintCategory(code: "customs", nameEN: "Customs and imports", nameKO: "관세·통관", agencyCode: "1220000", local: false,
                          keywords: ["customs", "import", "duty", "clearance", "parcel", "관세", "통관", "수입", "해외직구"]),
        ComplaintCategory(code: "procurement", nameEN: "Public procurement", nameKO: "공공조달", agencyCode: "1230000", local: false,
                          keywords: ["tender", "bid", "procurement", "contract award", "입찰", "조달", "낙찰"]),
        ComplaintCategory(code: "patents", nameEN: "Patents and trademarks", nameKO: "특허·상표", agencyCode: "1430000", local: false,
                          keywords: ["patent", "trademark", "design right", "특허", "상표", "디자인권"]),
        ComplaintCategory(code: "digital", nameEN: "Government online services", nameKO: "전자정부 서비스", agencyCode: "1741000", local: false,
                          keywords: ["website", "sign in", "login", "certificate", "online", "홈페이지", "로그인", "인증서", "전자정부"]),
        ComplaintCategory(code: "integrity", nameEN: "Corruption and integrity", nameKO: "부패·공익신고", agencyCode: "1140100", local: false,
                          keywords: ["bribe", "corruption", "kickback", "뇌물", "부패", "청탁"]),
    ]

    /// Most specific first: a district before its city.
    public static let areas: [LocalArea] = [
        LocalArea(agencyCode: "3000000", names: ["종로구", "jongno-gu", "jongno"]),
        LocalArea(agencyCode: "6110000", names: ["서울특별시", "서울", "seoul"]),
    ]
}
